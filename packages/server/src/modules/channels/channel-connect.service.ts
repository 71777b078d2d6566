import type { CreateChannelRequest } from '@switchboard/contracts';
import {
  ChannelClaimRepo,
  claimIdOf,
  claimKindOfRoute,
  type ContestedKey,
} from './channel-claim.repo';
import { RouteRepo, RouteTakenError, type Channel } from './channel.repo';
import type { RouteKind } from '../../engine/data/keys';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import {
  GraphApiError,
  GraphTransportError,
  graphFailureToAppError,
} from '../messaging/meta/graph-errors';
import type { OutboundDeps } from '../messaging/outbound-deps';

// POST /channels: nothing is written until Meta confirms the claim with the tenant's own token.
// WhatsApp: `GET /{phone-number-id}` (the token works and sees the number), then
// `GET /{waba-id}/phone_numbers` must list that number: a WABA id is never taken on trust, so a
// WABA route (the fallback for the WABA's other numbers) exists only for a tenant whose token
// showed the number under it. Instagram: `GET /{ig-account-id}`, then `GET /me`: the account behind
// the token must be the claimed id. A wrong token, id or WABA gets a clear 4xx.
//
// A verified claim to a key another workspace already holds is not settled by arrival order: the
// holder keeps it, the claim is recorded for the platform admin (claims.service.ts decides it) and
// the claimant gets 409 `channel_claim_contested`. Connecting a number the workspace already has is
// a reconnect: the new token replaces the old one and the channel is active again.

type Verified = {
  displayName: string;
  verifiedWith: 'waba_phone_numbers' | 'instagram_me';
  verifiedAt: string;
};

type Step = 'number' | 'waba' | 'account' | 'me';

/** Asks Meta about the number or account and whether the token owns it; returns a display name. */
async function verifyWithMeta(deps: OutboundDeps, body: CreateChannelRequest): Promise<Verified> {
  const verifiedAt = () => deps.now().toISOString();
  if (body.type === 'whatsapp') {
    const number = await ask('number', body, () =>
      deps.graph.getPhoneNumber(body.accessToken, body.phoneNumberId),
    );
    const listed = await ask('waba', body, () =>
      deps.graph.listPhoneNumbers(body.accessToken, body.wabaId),
    );
    if (!listed.some((n) => n.id === body.phoneNumberId)) {
      throw new AppError(
        'channel_not_verified',
        'Meta does not list this phone number under that WhatsApp Business Account for this token.',
        { param: 'wabaId' },
      );
    }
    const label = [number.verified_name, number.display_phone_number].filter(Boolean);
    return {
      displayName: label.length === 2 ? `${label[0]} (${label[1]})` : (label[0] ?? number.id),
      verifiedWith: 'waba_phone_numbers',
      verifiedAt: verifiedAt(),
    };
  }
  const account = await ask('account', body, () =>
    deps.graph.getInstagramAccount(body.accessToken, body.accountId),
  );
  const me = await ask('me', body, () => deps.graph.getInstagramMe(body.accessToken));
  if ((me.user_id ?? me.id) !== body.accountId) {
    throw new AppError(
      'channel_not_verified',
      'This access token belongs to another Instagram account than the one being connected.',
      { param: 'accountId' },
    );
  }
  return {
    displayName: account.username ? `@${account.username}` : (account.name ?? account.id),
    verifiedWith: 'instagram_me',
    verifiedAt: verifiedAt(),
  };
}

async function ask<T>(step: Step, body: CreateChannelRequest, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof GraphApiError || err instanceof GraphTransportError)) throw err;
    throw connectError(err, step, body);
  }
}

function connectError(
  err: GraphApiError | GraphTransportError,
  step: Step,
  body: CreateChannelRequest,
): AppError {
  const what = body.type === 'whatsapp' ? 'phone number id' : 'Instagram account id';
  if (err instanceof GraphApiError) {
    const meta = { meta: { code: err.code, ...(err.details ? { details: err.details } : {}) } };
    switch (err.kind) {
      case 'token_invalid':
        return new AppError(
          'channel_token_invalid',
          'Meta rejected this access token (invalid, expired or revoked).',
          { param: 'accessToken', ...meta },
        );
      case 'permission_denied':
      case 'not_found':
      case 'invalid_parameter':
        // The number or account itself: unknown to Meta, or invisible to this token.
        if (step === 'number' || step === 'account') {
          return err.kind === 'permission_denied'
            ? new AppError(
                'channel_token_invalid',
                `This access token lacks the permission to manage that ${what}.`,
                { param: 'accessToken', ...meta },
              )
            : new AppError(
                'channel_not_found',
                `Meta does not know this ${what}, or this token cannot see it.`,
                { param: body.type === 'whatsapp' ? 'phoneNumberId' : 'accountId', ...meta },
              );
        }
        // The ownership look-up: the token cannot see the WABA, or is no Instagram account's.
        return new AppError(
          'channel_not_verified',
          step === 'waba'
            ? 'This access token cannot see that WhatsApp Business Account, so the number is not proven to belong to it.'
            : 'Meta does not say which Instagram account this access token belongs to.',
          { param: step === 'waba' ? 'wabaId' : 'accessToken', ...meta },
        );
      default:
        break;
    }
  }
  return graphFailureToAppError(err, { channel: body.type });
}

/** The routing keys a channel asks for, the number or account first. */
function routeKeysOf(body: CreateChannelRequest): [RouteKind, string][] {
  return body.type === 'whatsapp'
    ? [
        ['wa-phone', body.phoneNumberId],
        ['wa-waba', body.wabaId],
      ]
    : [['ig', body.accountId]];
}

/** Keys another tenant holds that this tenant may not take: a WABA only when its holder proved it. */
async function contestedKeys(
  routes: RouteRepo,
  tenantId: string,
  body: CreateChannelRequest,
): Promise<ContestedKey[]> {
  const out: ContestedKey[] = [];
  for (const [kind, externalId] of routeKeysOf(body)) {
    const holder = await routes.resolve(kind, externalId);
    if (!holder || holder.tenantId === tenantId) continue;
    if (kind === 'wa-waba' && !holder.verified) continue;
    out.push({
      kind: claimKindOfRoute[kind],
      externalId,
      holderTenantId: holder.tenantId,
      holderChannelId: holder.channelId,
    });
  }
  return out;
}

export type ConnectResult =
  | { outcome: 'created' | 'reconnected'; channel: Channel }
  | { outcome: 'contested'; claimId: string; contested: ContestedKey[] };

export async function connectChannel(
  deps: OutboundDeps,
  data: TenantData,
  body: CreateChannelRequest,
): Promise<ConnectResult> {
  const verified = await verifyWithMeta(deps, body);
  const { accessToken, ...fields } = body;
  const displayName = fields.displayName ?? verified.displayName;
  const tokenCiphertext = await deps.cipher.encrypt(accessToken, { tenantId: data.tenantId });
  const routes = new RouteRepo(deps.db);
  const claims = new ChannelClaimRepo(deps.db);
  const [primaryKind, primaryId] = routeKeysOf(body)[0]!;

  const contest = async (contested: ContestedKey[]): Promise<ConnectResult> => {
    const claim = await claims.record(
      {
        ...fields,
        channelType: body.type,
        displayName,
        claimantTenantId: data.tenantId,
        contested,
        verifiedWith: verified.verifiedWith,
        verifiedAt: verified.verifiedAt,
        tokenCiphertext,
      },
      deps.now(),
    );
    return { outcome: 'contested', claimId: claim.id, contested };
  };

  const primary = await routes.resolve(primaryKind, primaryId);
  if (primary?.tenantId === data.tenantId) {
    return reconnect(data, body, primary.channelId, tokenCiphertext, verified, deps.now());
  }
  const contested = await contestedKeys(routes, data.tenantId, body);
  if (contested.length > 0) return contest(contested);
  try {
    const channel = await data.channels.create(
      { ...fields, displayName, tokenCiphertext },
      { now: deps.now() },
    );
    // A claim this tenant made while someone else held the key has lapsed: it connected normally.
    await claims.close(
      claimIdOf(data.tenantId, body.type, primaryId),
      'lapsed',
      undefined,
      deps.now(),
    );
    return { outcome: 'created', channel };
  } catch (err) {
    if (!(err instanceof RouteTakenError)) throw err;
  }
  // Another connect got there between the look-up and the write: look again.
  const now = await routes.resolve(primaryKind, primaryId);
  if (now?.tenantId === data.tenantId) {
    return reconnect(data, body, now.channelId, tokenCiphertext, verified, deps.now());
  }
  const raced = await contestedKeys(routes, data.tenantId, body);
  if (raced.length > 0) return contest(raced);
  throw new AppError('conflict', 'The number or account changed while connecting. Retry.');
}

async function reconnect(
  data: TenantData,
  body: CreateChannelRequest,
  channelId: string,
  tokenCiphertext: string,
  verified: Verified,
  now: Date,
): Promise<ConnectResult> {
  const existing = await data.channels.get(channelId);
  if (!existing) throw new AppError('conflict', 'The channel changed while reconnecting. Retry.');
  if (body.type === 'whatsapp' && existing.wabaId !== body.wabaId) {
    throw new AppError(
      'channel_already_connected',
      'This number is connected to this workspace under another WhatsApp Business Account. Disconnect it first.',
    );
  }
  const channel = await data.channels.replaceToken(
    existing.id,
    tokenCiphertext,
    body.displayName ?? existing.displayName ?? verified.displayName,
    now,
  );
  if (!channel) throw new AppError('conflict', 'The channel changed while reconnecting. Retry.');
  // Meta just confirmed the WABA: its route becomes this tenant's proven one, unless another
  // tenant proved it first (then this number keeps its exact route only).
  if (body.type === 'whatsapp') await data.channels.claimWabaRoute(channel.id, body.wabaId, now);
  return { outcome: 'reconnected', channel };
}

/**
 * Releases the channel's number or account (another workspace may then connect it) and forgets
 * its token; its conversations and messages stay.
 */
export async function disconnectChannel(data: TenantData, channelId: string) {
  const channel = await data.channels.get(channelId);
  if (!channel || !(await data.channels.remove(channelId))) throw new NotFoundError('Channel');
  return channel;
}
