import type { LiveEvent, Role } from '@switchboard/contracts';

// Workspace events (contracts/src/live.ts) leave the code that made the change through this one
// port: the message processor after it stored a message or a status, the API after an agent's
// write. Sinks decide where they go: open screens (the live fan-out: API Gateway WebSocket
// deployed, the sandbox's `/live` socket) and integrators' endpoints (Standard Webhooks).

/** Who may receive an event: every member of the tenant by default. */
export type EventAudience = {
  /** Only members with at least this role (and only their connections). */
  minRole?: Role;
  /** Only these users' connections (a mention, a personal notification). */
  userIds?: readonly string[];
};

export type EventSink = {
  readonly name: string;
  /**
   * Delivers one event. A sink whose delivery must not be lost (integrators) throws when it could
   * not hand the event to something durable, so the caller's work is retried; a best-effort sink
   * (open screens) logs and resolves.
   */
  deliver(tenantId: string, event: LiveEvent, audience: EventAudience): Promise<void>;
};

export type WorkspaceEvents = {
  emit(tenantId: string, event: LiveEvent, audience?: EventAudience): Promise<void>;
};
