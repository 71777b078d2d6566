import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type Customer = {
  id: string;
  name?: string;
  phone?: string;
  identities: { whatsapp?: string; instagram?: string };
  /** From lead forms (the leads flow merges them into the same record). */
  email?: string;
  company?: string;
  /** Set when an e-mail-only contact was merged into a phone contact: where it lives now. */
  mergedInto?: string;
  /** Instagram: the @username from Meta's user profile. */
  username?: string;
  /** Instagram: the blob key of the re-hosted profile picture (never returned; signed by the view). */
  avatarKey?: string;
  /** Instagram: when Meta's user profile was last read (refreshed after PROFILE_STALE_MS). */
  profileRefreshedAt?: string;
  createdAt: string;
  updatedAt: string;
};

/** Where a customer's Meta profile stands: when it was last read, and last asked for. */
export type ProfileState = { refreshedAt?: string; requestedAt?: string };

export type CustomerIdentity = { channel: 'whatsapp' | 'instagram'; externalId: string };

/** Customer ids are derived from the first identity, so concurrent first messages agree on one id. */
export function customerIdOf(identity: CustomerIdentity): string {
  return `${identity.channel === 'whatsapp' ? 'wa' : 'ig'}-${identity.externalId}`;
}

function toCustomer(item: Item): Customer {
  return {
    id: item.id,
    name: item.name,
    phone: item.phone,
    identities: item.identities ?? {},
    email: item.email,
    company: item.company,
    mergedInto: item.mergedInto,
    username: item.username,
    avatarKey: item.avatarKey,
    profileRefreshedAt: item.profileRefreshedAt,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export class CustomerRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /**
   * Creates the customer on first sight and keeps the profile name current. Order-tolerant: a
   * name only replaces one seen at an earlier time, so a late redelivery cannot roll it back.
   */
  async upsertFromInbound(
    identity: CustomerIdentity,
    profile: { name?: string; phone?: string },
    seenAt: string,
  ): Promise<string> {
    return (await this.recordInbound(identity, profile, seenAt)).id;
  }

  /**
   * `upsertFromInbound`, also answering where the customer's Meta profile stands (read from the
   * same write), so the message processor knows whether to ask for it without another read.
   * The profile fields are unknown (undefined) when the stored name was newer.
   */
  async recordInbound(
    identity: CustomerIdentity,
    profile: { name?: string; phone?: string },
    seenAt: string,
  ): Promise<{ id: string; profile?: ProfileState }> {
    const id = customerIdOf(identity);
    const set = [
      '#id = if_not_exists(#id, :id)',
      'identities = if_not_exists(identities, :identities)',
      'createdAt = if_not_exists(createdAt, :seen)',
      'entity = :entity',
    ];
    const names: Record<string, string> = { '#id': 'id' };
    const values: Record<string, unknown> = {
      ':id': id,
      ':identities': { [identity.channel]: identity.externalId },
      ':seen': seenAt,
      ':entity': 'Customer',
    };
    if (profile.phone) {
      set.push('phone = if_not_exists(phone, :phone)');
      values[':phone'] = profile.phone;
    }
    let condition: string | undefined;
    if (profile.name === undefined) {
      set.push('updatedAt = if_not_exists(updatedAt, :seen)');
    } else {
      set.push('#name = :name', 'nameSeenAt = :seen', 'updatedAt = :seen');
      names['#name'] = 'name';
      values[':name'] = profile.name;
      // When this fails the stored name is newer, and the customer exists (nameSeenAt does): done.
      condition = 'attribute_not_exists(nameSeenAt) OR nameSeenAt <= :seen';
    }
    const item = await this.db.update(
      keys.customer(this.tenantId, id),
      { set: set.join(', ') },
      { condition, names, values },
    );
    return {
      id,
      profile: item && {
        refreshedAt: item.profileRefreshedAt,
        requestedAt: item.profileRequestedAt,
      },
    };
  }

  // ---- Instagram profiles (Meta's User Profile API), fetched by the MediaFetcher

  /**
   * Claims the next profile look-up of a customer: true for exactly one caller while the profile is
   * missing or older than `staleBefore` and no claim newer than `claimBefore` is held (a claim
   * whose job never finished expires, so a lost job is asked again by a later message).
   */
  async claimProfileRefresh(
    customerId: string,
    at: string,
    staleBefore: string,
    claimBefore: string,
  ): Promise<boolean> {
    const item = await this.db.update(
      keys.customer(this.tenantId, customerId),
      { set: 'profileRequestedAt = :at' },
      {
        condition:
          'attribute_exists(PK) AND (attribute_not_exists(profileRefreshedAt) OR profileRefreshedAt < :stale) AND (attribute_not_exists(profileRequestedAt) OR profileRequestedAt < :claim)',
        values: { ':at': at, ':stale': staleBefore, ':claim': claimBefore },
      },
    );
    return item !== undefined;
  }

  /** Gives a claim back (its job could not be sent), so the next message claims it again. */
  async releaseProfileClaim(customerId: string, at: string): Promise<void> {
    await this.db.update(
      keys.customer(this.tenantId, customerId),
      { remove: 'profileRequestedAt' },
      { condition: 'profileRequestedAt = :at', values: { ':at': at } },
    );
  }

  /** Meta will not show this profile (no consent, blocked): not asked again until it is stale. */
  async markProfileUnavailable(customerId: string, at: string): Promise<void> {
    await this.db.update(
      keys.customer(this.tenantId, customerId),
      { set: 'profileRefreshedAt = :at' },
      { condition: 'attribute_exists(PK)', values: { ':at': at } },
    );
  }

  /**
   * Stores what Meta's profile says. The username and picture are Meta's current ones (the
   * picture re-hosted; absent from the profile, ours is removed); the name only moves forward, as
   * in `upsertFromInbound`: it replaces one seen at an earlier time, never a newer one.
   */
  async setProfile(
    customerId: string,
    profile: { name?: string; username?: string; avatarKey?: string },
    refreshedAt: string,
  ): Promise<void> {
    const key = keys.customer(this.tenantId, customerId);
    const set = ['profileRefreshedAt = :at'];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':at': refreshedAt };
    if (profile.username) {
      set.push('username = :username');
      values[':username'] = profile.username;
    } else remove.push('username');
    if (profile.avatarKey) {
      set.push('avatarKey = :avatar');
      values[':avatar'] = profile.avatarKey;
    } else remove.push('avatarKey');
    // The name first: the username and picture (with profileRefreshedAt) land last, so whoever
    // sees them sees the whole profile.
    if (profile.name) {
      await this.db.update(
        key,
        { set: '#name = :name, nameSeenAt = :at, updatedAt = :at' },
        {
          condition:
            'attribute_exists(PK) AND (attribute_not_exists(nameSeenAt) OR nameSeenAt <= :at)',
          names: { '#name': 'name' },
          values: { ':name': profile.name, ':at': refreshedAt },
        },
      );
    }
    await this.db.update(
      key,
      { set: set.join(', '), remove: remove.join(', ') || undefined },
      { condition: 'attribute_exists(PK)', values },
    );
  }

  async get(customerId: string): Promise<Customer | undefined> {
    const item = await this.db.get(keys.customer(this.tenantId, customerId));
    return item ? toCustomer(item) : undefined;
  }

  async getMany(customerIds: string[]): Promise<Map<string, Customer>> {
    const unique = [...new Set(customerIds)];
    const items = await this.db.batchGet(unique.map((id) => keys.customer(this.tenantId, id)));
    return new Map(items.map((item) => [item.id as string, toCustomer(item)]));
  }

  /**
   * Customers whose name, phone or channel handle contains `text` (case- and accent-insensitive),
   * in id order. A bounded read of the tenant partition (at most `maxScanned` customers per call,
   * resumable from `startAfter`); see the report for the index that would make it scale.
   */
  async search(
    text: string,
    limit: number,
    startAfter?: string,
    maxScanned = 2_000,
  ): Promise<{ items: Customer[]; lastId?: string }> {
    const needle = foldForSearch(text);
    const digits = text.replace(/\D/g, '');
    const pk = keys.tenant(this.tenantId).PK;
    const items: Customer[] = [];
    let startKey: Item | undefined = startAfter
      ? keys.customer(this.tenantId, startAfter)
      : undefined;
    let scanned = 0;
    let lastId: string | undefined;
    while (scanned < maxScanned) {
      const page = await this.db.query({
        pk,
        sk: { beginsWith: 'CUSTOMER#' },
        limit: Math.min(200, maxScanned - scanned),
        startKey,
      });
      for (const item of page.items) {
        scanned++;
        lastId = item.id as string;
        const customer = toCustomer(item);
        if (matches(customer, needle, digits)) items.push(customer);
        if (items.length >= limit) break;
      }
      if (items.length >= limit) return { items, lastId };
      if (!page.lastKey) return { items };
      startKey = page.lastKey;
    }
    // Scan budget spent: hand back where to resume.
    return { items, lastId };
  }
}

/** Lower case without diacritics, so "joao" finds "João". */
export function foldForSearch(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim();
}

function matches(customer: Customer, needle: string, digits: string): boolean {
  if (!needle) return true;
  if (customer.name && foldForSearch(customer.name).includes(needle)) return true;
  if (digits.length >= 3 && customer.phone?.replace(/\D/g, '').includes(digits)) return true;
  return Object.values(customer.identities).some(
    (handle) => typeof handle === 'string' && foldForSearch(handle).includes(needle),
  );
}
