import type { LiveEvent } from '@switchboard/contracts';

// The live connection's state, outside React so query options can read it: while the socket is
// open the inbox does not poll (events keep the cache fresh); while it is down, it polls.

export type LiveStatus =
  /** Not signed in to a workspace, or live updates are not offered: polling, as before. */
  | 'off'
  /** The first connection is being opened. */
  | 'connecting'
  | 'live'
  /** The connection dropped: polling until it is back. */
  | 'paused';

type Listener = () => void;

let status: LiveStatus = 'off';
const statusListeners = new Set<Listener>();
const eventListeners = new Set<(event: LiveEvent) => void>();

export function liveStatus(): LiveStatus {
  return status;
}

export function setLiveStatus(next: LiveStatus): void {
  if (next === status) return;
  status = next;
  for (const listener of statusListeners) listener();
}

export function subscribeLiveStatus(listener: Listener): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

/** Every event the socket delivers, once (duplicates dropped by id); for features' own caches. */
export function onLiveEvent(listener: (event: LiveEvent) => void): () => void {
  eventListeners.add(listener);
  return () => eventListeners.delete(listener);
}

export function publishLiveEvent(event: LiveEvent): void {
  for (const listener of eventListeners) listener(event);
}

/**
 * A query's polling interval: none while live, `ms` otherwise. TanStack reads it after every
 * fetch; the live provider refetches the inbox when the socket drops or returns, so a change of
 * state takes effect at once.
 */
export const pollUnlessLive = (ms: number) => (): number | false =>
  status === 'live' ? false : ms;
