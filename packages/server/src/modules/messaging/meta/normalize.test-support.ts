// Shared by the normaliser tests (normalize.test.ts, whatsapp/, instagram/): the production path
// from Meta's bytes to events, and the routing both channels' assertions expect.
import { expect } from 'vitest';
import {
  IG_DEFAULTS,
  WA_DEFAULTS,
  envelope,
  metaJson,
  type MetaEntryBody,
  type MetaObject,
} from '../../../../test/factories/meta';
import { inboundEventSchema, type InboundEvent, type NormalizedMessage } from './inbound-event';
import { normalizeEntry } from './normalize';
import { metaEnvelopeSchema } from './webhook-envelope';

// Same path as production: Meta's bytes → JSON.parse → envelope schema → one entry at a time.
export function run(object: MetaObject, ...entries: MetaEntryBody[]): InboundEvent[] {
  const raw = metaJson(envelope(object, entries));
  const env = metaEnvelopeSchema.parse(JSON.parse(raw));
  const events = env.entry.flatMap((e) => normalizeEntry(env.object, e));
  // Every produced event must satisfy the published model schema.
  for (const event of events) inboundEventSchema.parse(event);
  return events;
}

export function only(events: InboundEvent[]): InboundEvent {
  expect(events).toHaveLength(1);
  return events[0] as InboundEvent;
}

export function onlyMessage(events: InboundEvent[]): NormalizedMessage {
  const event = only(events);
  if (event.kind !== 'message') throw new Error(`expected message, got ${JSON.stringify(event)}`);
  return event.message;
}

export const WA_ROUTING = {
  channel: 'whatsapp',
  phoneNumberId: WA_DEFAULTS.phoneNumberId,
  wabaId: WA_DEFAULTS.wabaId,
} as const;
export const WA_ISO = '2026-01-01T00:00:00.000Z';
export const IG_ROUTING = { channel: 'instagram', accountId: IG_DEFAULTS.accountId } as const;
export const IG_ISO = '2026-01-01T00:00:00.123Z';
export const WA = 'whatsapp_business_account';
export const IG = 'instagram';
