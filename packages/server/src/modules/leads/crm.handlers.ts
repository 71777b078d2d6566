import type { CrmDestinationRecord } from './crm-destination.repo';
import { secretContext, testDestination } from './crm-connectors';
import { checkDestinationUrl, UnsafeDestinationError } from './safe-http';
import { newWebhookSecret } from './standard-webhooks';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';

const MAX_DESTINATIONS = 5;

export const crmHandlers = {
  'crm-destinations.create': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    if ((await data.crmDestinations.list()).length >= MAX_DESTINATIONS) {
      throw new AppError(
        'conflict',
        `A workspace has at most ${MAX_DESTINATIONS} CRM destinations.`,
      );
    }
    if (input.type === 'webhook') {
      try {
        checkDestinationUrl(input.url, deps.leads.crm);
      } catch (err) {
        if (err instanceof UnsafeDestinationError) {
          throw new AppError('unsafe_destination', err.message, { fields: { url: err.message } });
        }
        throw err;
      }
    }
    const id = randomId('crm');
    const secret = input.type === 'webhook' ? newWebhookSecret() : input.accessToken;
    const record: CrmDestinationRecord = {
      id,
      type: input.type,
      name: input.name,
      url: input.type === 'webhook' ? input.url : undefined,
      enabled: true,
      createdAt: nowOf(deps).toISOString(),
      encryptedSecret: await deps.cipher.encrypt(secret, secretContext(data.tenantId, id)),
    };
    await data.crmDestinations.create(record);
    await audit(c, caller, deps, {
      action: 'crm_destination.created',
      target: { type: 'crmDestination', id },
      details: { type: input.type },
    });
    const { encryptedSecret: _secret, ...view } = record;
    // The signing secret is shown this once; HubSpot tokens are never shown back.
    return c.json(input.type === 'webhook' ? { ...view, secret } : view, 201);
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
