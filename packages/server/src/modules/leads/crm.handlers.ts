import { testDestination } from './crm-connectors';
import { createCrmDestination } from './crm-destinations.service';
import { NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';

export const crmHandlers = {
  'crm-destinations.create': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    const { destination, signingSecret } = await createCrmDestination(
      { data, cipher: deps.cipher, crm: deps.leads.crm, now: nowOf(deps) },
      input,
    );
    await audit(c, caller, deps, {
      action: 'crm_destination.created',
      target: { type: 'crmDestination', id: destination.id },
      details: { type: input.type },
    });
    // The signing secret is shown this once.
    return c.json(signingSecret ? { ...destination, secret: signingSecret } : destination, 201);
  },

  'crm-destinations.list': async ({ c, caller }) => {
    const { data } = tenantOf(caller);
    return c.json({ items: await data.crmDestinations.list(), nextCursor: null });
  },

  'crm-destinations.delete': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const id = params.id;
    if (!(await data.crmDestinations.remove(id))) throw new NotFoundError('CRM destination');
    await audit(c, caller, deps, {
      action: 'crm_destination.deleted',
      target: { type: 'crmDestination', id },
    });
    return c.body(null, 204);
  },

  'crm-destinations.test': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const destination = await data.crmDestinations.get(params.id);
    if (!destination) throw new NotFoundError('CRM destination');
    const outcome = await testDestination(data.tenantId, destination, randomId('msg'), {
      cipher: deps.cipher,
      crm: deps.leads.crm,
      now: () => nowOf(deps),
    });
    return c.json(
      outcome.ok
        ? { delivered: true, status: outcome.status ?? null }
        : { delivered: false, status: outcome.status ?? null, error: outcome.error },
    );
  },
} satisfies Partial<HandlerTable>;
