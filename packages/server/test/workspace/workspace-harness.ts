import type { LiveEvent } from '@switchboard/contracts';
import type { EventAudience } from '../../src/engine/ports/workspace-events';
import { addMember, type Person } from '../auth/helpers';
import type { TestSandbox } from '../helpers/harness';
import {
  startOutboundSandbox,
  waInbound,
  waTenant,
  type WaTenant,
} from '../outbound/outbound-harness';

// Shared by the workspace suites: a sandbox with its Meta stand-in, one WhatsApp tenant with an
// inbound conversation, an agent and a viewer besides the owner, and every workspace event emitted.

export type EmittedEvent = { tenantId: string; event: LiveEvent; audience: EventAudience };

export type WorkspaceWorld = {
  t: TestSandbox;
  tenant: WaTenant;
  ownerId: string;
  agent: Person;
  otherAgent: Person;
  viewer: Person;
  conversation: any;
  /** The customer's WhatsApp id. */
  from: string;
  events: EmittedEvent[];
};

export async function startWorkspaceWorld(): Promise<WorkspaceWorld> {
  const t = await startOutboundSandbox();
  const events: EmittedEvent[] = [];
  t.sb.events.add({
    name: 'test-recorder',
    deliver: async (tenantId, event, audience) => void events.push({ tenantId, event, audience }),
  });
  const tenant = await waTenant(t);
  const ownerId = (await t.api.request('GET', '/auth/me', { token: tenant.token })).json.user.id;
  const agent = await addMember(t, tenant.token, 'agent');
  const otherAgent = await addMember(t, tenant.token, 'agent');
  const viewer = await addMember(t, tenant.token, 'viewer');
  const { conversation, from } = await waInbound(t, tenant, { name: 'Maria Silva' });
  return { t, tenant, ownerId, agent, otherAgent, viewer, conversation, from, events };
}

export const tokenOf = (person: Person) => person.session.accessToken;

/** The events of one type the tenant emitted, oldest first. */
export function emitted<T extends LiveEvent['type']>(
  world: WorkspaceWorld,
  type: T,
): Extract<LiveEvent, { type: T }>[] {
  return world.events
    .filter((e) => e.tenantId === world.tenant.id && e.event.type === type)
    .map((e) => e.event as Extract<LiveEvent, { type: T }>);
}
