import { z } from 'zod';
import { hashSecret, newApiKey } from './secret-tokens';
import { NotFoundError } from '../../engine/errors';
import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';

const keysCursor = z.object({ after: z.string().min(1).max(64) });

export const apiKeyHandlers = {
  'api-keys.create': async ({ c, caller, deps, body }) => {
    const { data, userId } = tenantOf(caller);
    const input = await body();
    const { keyId, key, prefix } = newApiKey();
    const created = await data.apiKeys.create({
      id: keyId,
      name: input.name,
      prefix,
      scopes: input.scopes,
      ...(input.allowedIps?.length ? { allowedIps: input.allowedIps } : {}),
      keyHash: hashSecret(key),
      createdAt: nowOf(deps).toISOString(),
      createdBy: userId,
    });
    await audit(c, caller, deps, {
      action: 'api_key.created',
      target: { type: 'apiKey', id: keyId },
      details: {
        name: input.name,
        scopes: input.scopes.join(' '),
        ...(input.allowedIps?.length ? { allowedIps: input.allowedIps.join(' ') } : {}),
      },
    });
    // The only time the key is shown: only its SHA-256 is stored.
    return c.json({ ...created, key }, 201);
  },

  'api-keys.list': async ({ c, caller, query, cursors }) => {
    const { data } = tenantOf(caller);
    // The cursor carries a key id only; the tenant's partition comes from the caller.
    const cursor = await cursors.read(keysCursor);
    const page = await data.apiKeys.list(query.limit, cursor?.after);
    return c.json({
      items: page.items,
      nextCursor: await cursors.next(page.lastId ? { after: page.lastId } : null),
    });
  },

  'api-keys.update': async ({ c, caller, deps, params, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    const updated = await data.apiKeys.setAllowedIps(params.id, input.allowedIps);
    if (!updated) throw new NotFoundError('API key');
    await audit(c, caller, deps, {
      action: 'api_key.ip_ranges_changed',
      target: { type: 'apiKey', id: params.id },
      details: { allowedIps: input.allowedIps.join(' ') || 'any' },
    });
    return c.json(updated);
  },

  'api-keys.revoke': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const keyId = params.id;
    const outcome = await data.apiKeys.revoke(keyId, nowOf(deps).toISOString());
    if (outcome === 'missing') throw new NotFoundError('API key');
    if (outcome === 'revoked') {
      await audit(c, caller, deps, {
        action: 'api_key.revoked',
        target: { type: 'apiKey', id: keyId },
      });
    }
    return c.body(null, 204);
  },
} satisfies Partial<HandlerTable>;
