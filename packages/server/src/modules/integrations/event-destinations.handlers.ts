import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { withoutSecret } from './event-destination.repo';
import {
  createEventDestination,
  removeEventDestination,
  testEventDestination,
  updateEventDestination,
} from './event-destinations.service';

export const eventDestinationHandlers = {
  'event-destinations.list': async ({ c, caller }) => {
    const { data } = tenantOf(caller);
    const records = await data.eventDestinations.listRecords();
    return c.json({ items: records.map(withoutSecret), nextCursor: null });
  },

  'event-destinations.create': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    const { destination, secret } = await createEventDestination(
      { data, cipher: deps.cipher, http: deps.leads.crm, now: nowOf(deps) },
      input,
    );
    await audit(c, caller, deps, {
      action: 'event_destination.created',
      target: { type: 'eventDestination', id: destination.id },
      details: { events: destination.events.join(',') },
    });
    // The signing secret is shown this once.
    return c.json({ ...destination, secret }, 201);
  },

  'event-destinations.update': async ({ c, caller, deps, params, body }) => {
    const { data } = tenantOf(caller);
    const destination = await updateEventDestination(
      { data, cipher: deps.cipher, http: deps.leads.crm, now: nowOf(deps) },
      params.id,
      await body(),
    );
    await audit(c, caller, deps, {
      action: 'event_destination.updated',
      target: { type: 'eventDestination', id: destination.id },
    });
    return c.json(destination);
  },

  'event-destinations.delete': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    await removeEventDestination(data, params.id);
    await audit(c, caller, deps, {
      action: 'event_destination.deleted',
      target: { type: 'eventDestination', id: params.id },
    });
    return c.body(null, 204);
  },

  'event-destinations.test': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const outcome = await testEventDestination(
      { data, cipher: deps.cipher, http: deps.leads.crm, now: nowOf(deps) },
      params.id,
    );
    return c.json(
      outcome.ok
        ? { delivered: true, status: outcome.status }
        : { delivered: false, status: outcome.status ?? null, error: outcome.error },
    );
  },
} satisfies Partial<HandlerTable>;
