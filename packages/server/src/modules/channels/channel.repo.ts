import { randomId } from '../../engine/ids';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys, type RouteKind } from '../../engine/data/keys';

export type ChannelType = 'whatsapp' | 'instagram';
export type ChannelStatus = 'active' | 'needs_reconnect';

/** A connected channel as the API shows it: never the token. */
export type Channel = {
  id: string;
  tenantId: string;
  type: ChannelType;
  status: ChannelStatus;
  wabaId?: string;
  phoneNumberId?: string;
  accountId?: string;
  displayName?: string;
  createdAt: string;
  /** Round robin of new conversations (modules/assignment/auto-assign.repo.ts). */
  autoAssignment: { enabled: boolean; memberIds: string[] };
};

export type ChannelWithSecret = Channel & { tokenCiphertext: string };

export type RouteTarget = { tenantId: string; channelId: string };

/**
 * A routing key's holder. `verified`: written after Meta confirmed the claim (the WABA listed the
 * number for the tenant's token, or `/me` was the account); routing keys from before claims were
 * verified carry no `verifiedAt`, and a WABA key without it routes nothing.
 */
export type RouteHolder = RouteTarget & { verified: boolean };

/** A key another channel holds that this create may take from it (a platform admin's award). */
export type RouteTakeover = { kind: RouteKind; fromTenantId: string; fromChannelId: string };

export type NewChannel =
  | {
      type: 'whatsapp';
      wabaId: string;
      phoneNumberId: string;
      tokenCiphertext: string;
      displayName?: string;
    }
  | { type: 'instagram'; accountId: string; tokenCiphertext: string; displayName?: string };

export class RouteTakenError extends Error {
  override readonly name = 'RouteTakenError';
  constructor(
    readonly kind: RouteKind,
    readonly externalId: string,
  ) {
    super(`${kind} ${externalId} is already connected`);
  }
}

function toChannel(item: Item): Channel {
  return {
    id: item.id,
    tenantId: item.tenantId,
    type: item.channelType,
    status: item.status,
    wabaId: item.wabaId,
    phoneNumberId: item.phoneNumberId,
    accountId: item.accountId,
    displayName: item.displayName,
    createdAt: item.createdAt,
    autoAssignment: {
      enabled: item.autoAssignment?.enabled === true,
      memberIds: item.autoAssignment?.memberIds ?? [],
    },
  };
}

/**
 * Who may write a routing key: nobody holds it; for a WABA, also this tenant or a holder that never
 * proved it; and the one holder a platform admin's award names.
 */
function routeCondition(
  kind: RouteKind,
  tenantId: string,
  from?: RouteTakeover,
): { ifNotExists: true } | { condition: string; values: Record<string, string> } {
  if (kind !== 'wa-waba') {
    return from
      ? {
          condition: 'attribute_not_exists(PK) OR (tenantId = :from AND channelId = :fromChannel)',
          values: { ':from': from.fromTenantId, ':fromChannel': from.fromChannelId },
        }
      : { ifNotExists: true };
  }
  const base = 'attribute_not_exists(PK) OR tenantId = :t OR attribute_not_exists(verifiedAt)';
  return from
    ? {
        condition: `${base} OR tenantId = :from`,
        values: { ':t': tenantId, ':from': from.fromTenantId },
      }
    : { condition: base, values: { ':t': tenantId } };
}

function routeKeysOf(channel: NewChannel): [RouteKind, string][] {
  return channel.type === 'whatsapp'
    ? [
        ['wa-phone', channel.phoneNumberId],
        ['wa-waba', channel.wabaId],
      ]
    : [['ig', channel.accountId]];
}

/** Global routing lookups: which tenant owns this number or account (inbound webhooks name no tenant). */
export class RouteRepo {
  constructor(private readonly db: Db) {}

  async resolve(kind: RouteKind, externalId: string): Promise<RouteHolder | undefined> {
    const item = await this.db.get(keys.route(kind, externalId));
    return item
      ? { tenantId: item.tenantId, channelId: item.channelId, verified: Boolean(item.verifiedAt) }
      : undefined;
  }
}

/**
 * A tenant's channels. Built only through the tenant-scoped accessor. The routing keys
 * (`ROUTE#...`) are global, so they go through `platformDb`; the channel items through `db`.
 */
export class ChannelRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    /** For the global pointers outside the tenant's partitions (see tenant-data.ts). */
    private readonly platformDb: Db = db,
  ) {}

  /**
   * Claims the routing keys, then writes the channel. Callers verify the claim with Meta first
   * (channel-connect.service.ts): every key written here is marked `verifiedAt`. A WABA may hold
   * several numbers of one tenant, so its key is shared within a tenant but never across tenants
   * (a key nobody proved, from before verification, goes to the tenant that proves it); a phone
   * number or an Instagram account belongs to one channel. `takeOver` names keys a platform admin
   * awarded to this tenant: each may be taken from exactly that holder.
   */
  async create(
    input: NewChannel,
    opts: { takeOver?: RouteTakeover[]; now?: Date } = {},
  ): Promise<Channel> {
    const now = opts.now ?? new Date();
    const id = randomId('ch');
    const claimed: [RouteKind, string][] = [];
    for (const [kind, externalId] of routeKeysOf(input)) {
      const shared = kind === 'wa-waba';
      const from = opts.takeOver?.find((t) => t.kind === kind);
      const ok = await this.platformDb.put(
        {
          ...keys.route(kind, externalId),
          tenantId: this.tenantId,
          channelId: id,
          verifiedAt: now.toISOString(),
          entity: 'Route',
        },
        routeCondition(kind, this.tenantId, from),
      );
      if (!ok) {
        await this.releaseRoutes(claimed, id);
        throw new RouteTakenError(kind, externalId);
      }
      if (!shared) claimed.push([kind, externalId]);
    }
    const { tokenCiphertext, ...fields } = input;
    const channel: Channel = {
      ...fields,
      id,
      tenantId: this.tenantId,
      status: 'active',
      createdAt: now.toISOString(),
      autoAssignment: { enabled: false, memberIds: [] },
    };
    await this.db.put({
      ...keys.channel(this.tenantId, id),
      ...channel,
      channelType: input.type,
      tokenCiphertext,
      entity: 'Channel',
    });
    return channel;
  }

  private async releaseRoutes(claimed: [RouteKind, string][], channelId: string): Promise<void> {
    for (const [kind, externalId] of claimed) {
      await this.platformDb.delete(keys.route(kind, externalId), {
        condition: 'channelId = :c',
        values: { ':c': channelId },
      });
    }
  }

  async get(channelId: string): Promise<Channel | undefined> {
    const item = await this.db.get(keys.channel(this.tenantId, channelId));
    return item ? toChannel(item) : undefined;
  }

  async getWithSecret(channelId: string): Promise<ChannelWithSecret | undefined> {
    const item = await this.db.get(keys.channel(this.tenantId, channelId));
    return item ? { ...toChannel(item), tokenCiphertext: item.tokenCiphertext } : undefined;
  }

  async list(): Promise<Channel[]> {
    const page = await this.db.query({
      pk: keys.tenant(this.tenantId).PK,
      sk: { beginsWith: 'CHANNEL#' },
    });
    return page.items.map(toChannel);
  }

  /** `needs_reconnect` once Meta rejects the token; `active` again after a reconnect. */
  async setStatus(channelId: string, status: ChannelStatus, at = new Date()): Promise<void> {
    await this.db.update(
      keys.channel(this.tenantId, channelId),
      { set: '#status = :s, statusChangedAt = :at' },
      {
        condition: 'attribute_exists(PK)',
        names: { '#status': 'status' },
        values: { ':s': status, ':at': at.toISOString() },
      },
    );
  }

  /**
   * Reconnect of a WhatsApp channel whose WABA Meta just confirmed: the WABA key becomes (or stays)
   * this tenant's, verified, unless another tenant proved it first. Returns whether it holds it.
   */
  async claimWabaRoute(channelId: string, wabaId: string, now = new Date()): Promise<boolean> {
    return this.platformDb.put(
      {
        ...keys.route('wa-waba', wabaId),
        tenantId: this.tenantId,
        channelId,
        verifiedAt: now.toISOString(),
        entity: 'Route',
      },
      routeCondition('wa-waba', this.tenantId),
    );
  }

  /** Reconnect: a new (verified) token for an existing channel, which becomes active again. */
  async replaceToken(
    channelId: string,
    tokenCiphertext: string,
    displayName: string | undefined,
    at = new Date(),
  ): Promise<Channel | undefined> {
    const item = await this.db.update(
      keys.channel(this.tenantId, channelId),
      {
        set: `tokenCiphertext = :t, #status = :active, statusChangedAt = :at${displayName ? ', displayName = :dn' : ''}`,
      },
      {
        condition: 'attribute_exists(PK)',
        names: { '#status': 'status' },
        values: {
          ':t': tokenCiphertext,
          ':active': 'active',
          ':at': at.toISOString(),
          ...(displayName ? { ':dn': displayName } : {}),
        },
      },
    );
    return item ? toChannel(item) : undefined;
  }

  /**
   * Disconnects a channel: releases its routing keys first (so a crash midway leaves a channel that
   * a retried DELETE finishes, never routes pointing at nothing), then deletes the channel and its
   * template cache. A WABA key shared with another of the tenant's numbers moves to that number.
   */
  async remove(channelId: string): Promise<boolean> {
    const channel = await this.get(channelId);
    if (!channel) return false;
    if (channel.type === 'whatsapp' && channel.phoneNumberId) {
      await this.releaseRoutes([['wa-phone', channel.phoneNumberId]], channelId);
    }
    if (channel.type === 'instagram' && channel.accountId) {
      await this.releaseRoutes([['ig', channel.accountId]], channelId);
    }
    if (channel.type === 'whatsapp' && channel.wabaId) {
      const sibling = (await this.list()).find(
        (other) => other.id !== channelId && other.wabaId === channel.wabaId,
      );
      const wabaKey = keys.route('wa-waba', channel.wabaId);
      if (sibling) {
        // Only the channel changes: the tenant's proof of the WABA (`verifiedAt`) stays.
        await this.platformDb.update(
          wabaKey,
          { set: 'channelId = :c' },
          { condition: 'tenantId = :t', values: { ':t': this.tenantId, ':c': sibling.id } },
        );
      } else {
        await this.platformDb.delete(wabaKey, {
          condition: 'tenantId = :t',
          values: { ':t': this.tenantId },
        });
      }
    }
    await this.db.delete(keys.templateCache(this.tenantId, channelId));
    return this.db.delete(keys.channel(this.tenantId, channelId), {
      condition: 'attribute_exists(PK)',
    });
  }
}
