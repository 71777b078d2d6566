import { idempotencyKeySchema, type SendMessageResponse } from '@switchboard/contracts';
import type { Context } from 'hono';
import type { TenantContext } from '../../engine/data/tenant-data';
import { outboundDepsOf } from './outbound-deps';
import { runIdempotent } from '../../engine/data/idempotent-request';
import { sendMessage, type SentBy } from './send-message.service';
import { AppError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { HandlerTable } from '../../engine/http/route-handler';
import { tenantOf } from '../../engine/http/tenant-caller';
import { assetUrlSigner } from '../../engine/http/public-urls';
import { MEDIA_URL_TTL_SECONDS } from './media/media-keys';

/** `Idempotency-Key`: optional, 1–255 printable ASCII characters (a UUID is typical). */
function idempotencyKeyOf(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!idempotencyKeySchema.safeParse(key).success) {
    throw new AppError(
      'bad_request',
      'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.',
      { param: 'Idempotency-Key' },
    );
  }
  return key;
}

function sentByOf(ctx: TenantContext): SentBy | undefined {
  switch (ctx.actor.kind) {
    case 'user':
      return { kind: 'user', userId: ctx.actor.userId };
    case 'apiKey':
      return { kind: 'apiKey', keyId: ctx.actor.keyId };
    default:
      return undefined;
  }
}

export const messagingHandlers = {
  'messages.send': async ({ c, caller, deps, body }) => {
    const { data, ctx } = tenantOf(caller);
    const request = await body();
    const key = idempotencyKeyOf(c);
    const outbound = {
      ...outboundDepsOf(deps),
      // Instagram fetches an upload from this URL: absolute, from the API's public origin.
      mediaUrl: assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS),
    };
    const now = outbound.now();
    const outcome = await runIdempotent(
      data,
      {
        operation: 'send-message',
        key,
        request,
        reservation: { id: randomId('msg'), at: now.toISOString() },
        now,
      },
      async (reservation) => ({
        status: 202,
        body: await sendMessage(outbound, data, request, sentByOf(ctx), reservation),
      }),
    );
    if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(outcome.body as SendMessageResponse, outcome.status as 202);
  },
} satisfies Partial<HandlerTable>;
