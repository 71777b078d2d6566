import { idempotencyKeySchema, type SendMessageResponse } from '@switchboard/contracts';
import { runIdempotent } from '../../engine/data/idempotent-request';
import { AppError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import { audit } from '../../engine/http/audit';
import type { TenantCaller } from '../../engine/http/auth-context';
import { assetUrlSigner } from '../../engine/http/public-urls';
import type { HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { leadView } from '../leads/lead-view';
import { conversationView } from '../messaging/conversation-view';
import { getConversation } from '../messaging/inbox.service';
import { MEDIA_URL_TTL_SECONDS } from '../messaging/media/media-keys';
import { outboundDepsOf } from '../messaging/outbound-deps';
import type { SentBy } from '../messaging/send-message.service';
import { leadFromConversation } from './conversation-lead.service';
import { startConversation } from './start-conversation.service';

function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!idempotencyKeySchema.safeParse(header).success) {
    throw new AppError(
      'bad_request',
      'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.',
      { param: 'Idempotency-Key' },
    );
  }
  return header;
}

function actorOf(caller: TenantCaller): { kind: 'user' | 'apiKey'; id: string } {
  const actor = caller.ctx.actor;
  return actor.kind === 'apiKey'
    ? { kind: 'apiKey', id: actor.keyId }
    : { kind: 'user', id: caller.userId ?? 'system' };
}

function sentByOf(caller: TenantCaller): SentBy | undefined {
  const actor = caller.ctx.actor;
  if (actor.kind === 'user') return { kind: 'user', userId: actor.userId };
  if (actor.kind === 'apiKey') return { kind: 'apiKey', keyId: actor.keyId };
  return undefined;
}

export const conversationStartHandlers = {
  'conversations.start': async ({ c, caller, deps, body }) => {
    const tenant = tenantOf(caller);
    const { data } = tenant;
    const request = await body();
    const sign = assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS);
    const outbound = { ...outboundDepsOf(deps), mediaUrl: sign };
    const now = outbound.now();
    const outcome = await runIdempotent(
      data,
      {
        operation: 'start-conversation',
        key: idempotencyKeyOf(c.req.header('idempotency-key')),
        request,
        reservation: { id: randomId('msg'), at: now.toISOString() },
        now,
      },
      async (reservation) => ({
        status: 201,
        body: await startConversation(outbound, data, request, sentByOf(tenant), reservation),
      }),
    );
    if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
    const message = outcome.body as SendMessageResponse;
    // The conversation as it is now (a replay shows its current state, not the first answer's).
    const { conversation, customer } = await getConversation(data, message.conversationId);
    return c.json(
      { conversation: await conversationView(conversation, customer, sign), message },
      201,
    );
  },

  'conversations.lead': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const { lead, created } = await leadFromConversation(
      tenant.data,
      params.id,
      actorOf(tenant),
      nowOf(deps),
    );
    if (created) {
      await audit(c, caller, deps, {
        action: 'lead.created_from_conversation',
        target: { type: 'lead', id: lead.id },
        details: { conversationId: params.id },
      });
    }
    return c.json(leadView(lead), created ? 201 : 200);
  },
} satisfies Partial<HandlerTable>;
