import type { CreateChannelRequest } from '@switchboard/contracts';
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

// POST /channels: before a token is stored, Meta is asked whether it works and what it can see —
// `GET /{phone-number-id}` for WhatsApp, `GET /{ig-account-id}` for Instagram. A wrong token, a
// wrong id or a token without access to the id get a clear 4xx instead of a channel that fails on
// its first send. Connecting a number the workspace already has is a reconnect: the new token
// replaces the old one and the channel is active again.

/** Asks Meta about the number or account; returns a display name worth showing. */
async function verifyWithMeta(deps: OutboundDeps, body: CreateChannelRequest): Promise<string> {
  try {
    if (body.type === 'whatsapp') {
      const number = await deps.graph.getPhoneNumber(body.accessToken, body.phoneNumberId);
      const label = [number.verified_name, number.display_phone_number].filter(Boolean);
      return label.length === 2 ? `${label[0]} (${label[1]})` : (label[0] ?? number.id);
    }
    const account = await deps.graph.getInstagramAccount(body.accessToken, body.accountId);
    return account.username ? `@${account.username}` : (account.name ?? account.id);
  } catch (err) {
    if (!(err instanceof GraphApiError || err instanceof GraphTransportError)) throw err;
    throw connectError(err, body);
  }
}

function connectError(
  err: GraphApiError | GraphTransportError,
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
        return new AppError(
          'channel_token_invalid',
          `This access token lacks the permission to manage that ${what}.`,
          { param: 'accessToken', ...meta },
        );
      case 'not_found':
      case 'invalid_parameter':
        return new AppError(
          'channel_not_found',
          `Meta does not know this ${what}, or this token cannot see it.`,
          { param: body.type === 'whatsapp' ? 'phoneNumberId' : 'accountId', ...meta },
        );
      default:
        break;
    }
  }
  return graphFailureToAppError(err, { channel: body.type });
}

function primaryRoute(body: CreateChannelRequest): [RouteKind, string] {
  return body.type === 'whatsapp' ? ['wa-phone', body.phoneNumberId] : ['ig', body.accountId];
}

export async function connectChannel(
  deps: OutboundDeps,
  data: TenantData,
  body: CreateChannelRequest,
): Promise<{ channel: Channel; created: boolean }> {
  const verifiedName = await verifyWithMeta(deps, body);
  const { accessToken, ...fields } = body;
  const displayName = fields.displayName ?? verifiedName;
  const tokenCiphertext = await deps.cipher.encrypt(accessToken, { tenantId: data.tenantId });
  try {
    const channel = await data.channels.create({ ...fields, displayName, tokenCiphertext });
    return { channel, created: true };
  } catch (err) {
    if (!(err instanceof RouteTakenError)) throw err;
  }
  const [kind, externalId] = primaryRoute(body);
  const owner = await new RouteRepo(deps.db).resolve(kind, externalId);
  const existing =
    owner?.tenantId === data.tenantId ? await data.channels.get(owner.channelId) : undefined;
  if (!existing || (body.type === 'whatsapp' && existing.wabaId !== body.wabaId)) {
    throw new AppError(
      'channel_already_connected',
      'This number or account is already connected to a workspace.',
    );
  }
  const channel = await data.channels.replaceToken(
    existing.id,
    tokenCiphertext,
    fields.displayName ?? existing.displayName ?? verifiedName,
  );
  if (!channel) throw new AppError('conflict', 'The channel changed while reconnecting. Retry.');
  return { channel, created: false };
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
