import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { UpdateExpression } from '../../engine/data/update-expression';
import { CustomerSearchIndex, type SearchPosition } from '../contacts/customer-search.repo';
import { searchPlanOf } from '../contacts/search-tokens';

export { foldForSearch } from '../contacts/search-tokens';

export type Customer = {
  id: string;
  name?: string;
  phone?: string;
  identities: { whatsapp?: string; instagram?: string };
  /** From lead forms (the leads flow merges them into the same record). */
  email?: string;
  company?: string;
  /**
   * Set when this customer was merged into another (an e-mail-only contact into the phone
   * contact it turned out to be, or an agent's merge): where it lives now.
   */
  mergedInto?: string;
  /** The customers merged into this one (their messages and conversations show here). */
  mergedFrom?: string[];
  /** Custom attributes and tags an agent set. */
  attributes?: Record<string, string | number | boolean>;
  tags?: string[];
  /** The leads this person has had (the leads flow adds them). */
  leadIds?: string[];
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

/**
 * Whose conversation a contact has on a channel: the merged identity's own when the identity came
 * with a merge (modules/contacts/ moved that conversation to the contact), else the contact's.
 */
export function conversationOwnerOf(
  customer: Customer,
  channel: CustomerIdentity['channel'],
): string {
  const externalId = customer.identities[channel];
  const owner = externalId === undefined ? undefined : customerIdOf({ channel, externalId });
  return owner && customer.mergedFrom?.includes(owner) ? owner : customer.id;
}

/** Contact fields an agent sets. `name` is kept apart from the channel's profile name. */
export type ContactFields = {
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  attributes?: Record<string, string | number | boolean>;
  tags?: string[];
};
export type ContactChanges = { [K in keyof ContactFields]?: ContactFields[K] | null };

const setOf = (value: unknown): string[] =>
  value instanceof Set ? [...(value as Set<string>)].sort() : [];

export function toCustomer(item: Item): Customer {
  return {
    id: item.id,
    // An agent's name wins over the one WhatsApp or Instagram shows (which keeps moving forward).
    name: item.agentName ?? item.name,
    phone: item.phone,
    identities: item.identities ?? {},
    email: item.email,
    company: item.company,
    mergedInto: item.mergedInto,
    mergedFrom: item.mergedFrom ? setOf(item.mergedFrom) : undefined,
    attributes: item.attributes,
    tags: item.tags,
    leadIds: item.leadIds ? setOf(item.leadIds) : undefined,
    username: item.username,
    avatarKey: item.avatarKey,
    profileRefreshedAt: item.profileRefreshedAt,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export class CustomerRepo {
  private readonly index: CustomerSearchIndex;

  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {
    this.index = new CustomerSearchIndex(db, tenantId);
  }

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
  ): Promise<{ id: string; profile?: ProfileState; mergedInto?: string }> {
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
    if (!item) {
      // The stored name was newer: nothing changed, but where the customer lives may have.
      const stored = await this.db.get(keys.customer(this.tenantId, id));
      return { id, mergedInto: stored?.mergedInto };
    }
    // Unchanged tokens (every message of a known sender) cost nothing: the write answered them.
    await this.index.sync(item);
    return {
      id,
      mergedInto: item.mergedInto,
      profile: { refreshedAt: item.profileRefreshedAt, requestedAt: item.profileRequestedAt },
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
    const item = await this.db.update(
      key,
      { set: set.join(', '), remove: remove.join(', ') || undefined },
      { condition: 'attribute_exists(PK)', values },
    );
    if (item) await this.index.sync(item);
  }

  async get(customerId: string): Promise<Customer | undefined> {
    const item = await this.db.get(keys.customer(this.tenantId, customerId));
    return item ? toCustomer(item) : undefined;
  }

  /**
   * Customers by id, a merged one answered by the customer it was merged into (so a conversation
   * of a merged identity shows the person). Costs a second BatchGetItem only when one was merged.
   */
  async getMany(
    customerIds: string[],
    { followMerges = true }: { followMerges?: boolean } = {},
  ): Promise<Map<string, Customer>> {
    const unique = [...new Set(customerIds)];
    const items = await this.db.batchGet(unique.map((id) => keys.customer(this.tenantId, id)));
    const found = new Map(items.map((item) => [item.id as string, toCustomer(item)]));
    if (!followMerges) return found;
    const targets = [...found.values()].flatMap((c) => (c.mergedInto ? [c.mergedInto] : []));
    if (targets.length === 0) return found;
    const merged = await this.db.batchGet(
      [...new Set(targets)].map((id) => keys.customer(this.tenantId, id)),
    );
    const byId = new Map(merged.map((item) => [item.id as string, toCustomer(item)]));
    for (const [id, customer] of found) {
      const target = customer.mergedInto && byId.get(customer.mergedInto);
      if (target) found.set(id, target);
    }
    return found;
  }

  /**
   * Customers whose name words, e-mail, phone (its start in any format, or its last digits) or
   * Instagram handle start with the words of `text`, through the search index (a bounded number
   * of requests per page, whatever the tenant's size); every customer in id order without a text.
   * Merged customers (pointers) are never answered.
   */
  async search(
    text: string,
    limit: number,
    from: { after?: string; i?: number } | undefined,
    toE164: (input: string) => string | undefined,
  ): Promise<{ items: Customer[]; next?: { after?: string; i?: number } }> {
    const plan = searchPlanOf(text, toE164);
    if (!plan) return this.list(limit, from?.after);
    const position: SearchPosition = { i: from?.i ?? 0, after: from?.after };
    const page = await this.index.search(plan, limit, position);
    return { items: page.items.map(toCustomer), next: page.next };
  }

  /** Every customer but merged ones, in id order: at most 4 Query pages per call. */
  private async list(
    limit: number,
    startAfter?: string,
  ): Promise<{ items: Customer[]; next?: { after: string } }> {
    const pk = keys.tenant(this.tenantId).PK;
    const items: Customer[] = [];
    let startKey: Item | undefined = startAfter
      ? keys.customer(this.tenantId, startAfter)
      : undefined;
    for (let round = 0; round < 4; round++) {
      const page = await this.db.query({
        pk,
        sk: { beginsWith: 'CUSTOMER#' },
        limit: limit + 1,
        startKey,
        filter: { expression: 'attribute_not_exists(mergedInto)' },
      });
      for (const item of page.items) {
        items.push(toCustomer(item));
        if (items.length > limit) {
          const last = items[limit - 1]!;
          return { items: items.slice(0, limit), next: { after: last.id } };
        }
      }
      if (!page.lastKey) return { items };
      startKey = page.lastKey;
    }
    const lastSeen = String(startKey!.SK).slice('CUSTOMER#'.length);
    return { items, next: { after: lastSeen } };
  }

  /** Indexes every customer written before the search index (see CustomerSearchIndex.backfill). */
  backfillSearchIndex(after?: string, max?: number): Promise<{ customers: number; next?: string }> {
    return this.index.backfill(after, max);
  }

  // ---- contacts an agent creates, edits and merges (modules/contacts/)

  /**
   * Creates the contact, or (its id is a natural key: the phone's `wa-` id, the e-mail's owner)
   * completes the one there: fields it lacks are filled, none it has is replaced. Answers whether
   * it was created and the stored customer.
   */
  async createContact(
    id: string,
    fields: ContactFields,
    at: string,
  ): Promise<{ created: boolean; customer: Customer }> {
    const item: Item = {
      ...keys.customer(this.tenantId, id),
      entity: 'Customer',
      id,
      createdAt: at,
      updatedAt: at,
      ...contactAttributes(fields),
    };
    if (await this.db.put(item as Item & { PK: string; SK: string }, { ifNotExists: true })) {
      await this.index.sync(item);
      return { created: true, customer: toCustomer(item) };
    }
    const u = new UpdateExpression();
    for (const [attr, value] of Object.entries(contactAttributes(fields))) {
      u.setIfNotExists(attr, value);
    }
    u.setIfNotExists('updatedAt', at);
    const stored = await this.db.update(keys.customer(this.tenantId, id), u.parts(), {
      condition: 'attribute_exists(PK)',
      names: u.names,
      values: u.values,
    });
    if (!stored) throw new Error(`customer ${id} vanished while it was completed`);
    await this.index.sync(stored);
    return { created: false, customer: toCustomer(stored) };
  }

  /** Applies an agent's edit (`null` clears a field); undefined when missing or merged. */
  async updateContact(
    id: string,
    changes: ContactChanges,
    at: string,
  ): Promise<Customer | undefined> {
    const u = new UpdateExpression();
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      const attr = field === 'name' ? 'agentName' : field;
      if (value === null) u.remove(attr);
      else u.set(attr, value);
    }
    u.set('updatedAt', at);
    u.names['#mergedInto'] = 'mergedInto';
    const item = await this.db.update(keys.customer(this.tenantId, id), u.parts(), {
      condition: 'attribute_exists(PK) AND attribute_not_exists(#mergedInto)',
      names: u.names,
      values: u.values,
    });
    if (!item) return undefined;
    await this.index.sync(item);
    return toCustomer(item);
  }

  /**
   * Makes the customer a pointer to `targetId` (idempotent: already pointing there answers it).
   * Undefined when it is missing or points elsewhere.
   */
  async pointTo(
    id: string,
    targetId: string,
    at: string,
    /** Moves a pointer that points at `from` (a customer now merged into `targetId` itself). */
    from?: string,
  ): Promise<Customer | undefined> {
    const item = await this.db.update(
      keys.customer(this.tenantId, id),
      { set: 'mergedInto = :to, mergedAt = if_not_exists(mergedAt, :at)' },
      {
        condition: `attribute_exists(PK) AND (attribute_not_exists(mergedInto) OR mergedInto = :to${from ? ' OR mergedInto = :from' : ''})`,
        values: { ':to': targetId, ':at': at, ...(from ? { ':from': from } : {}) },
      },
    );
    if (!item) return undefined;
    await this.index.sync(item);
    return toCustomer(item);
  }

  /**
   * Takes in what a merged customer brings: its identities on channels this one has none on,
   * fields this one lacks, its leads, tags and attributes, and its id (and those merged into it)
   * in `mergedFrom`. Conditional on this customer's identities being the ones read (`expected`),
   * so two merges cannot both claim a channel; undefined when that failed or it was merged.
   */
  async absorb(expected: Customer, source: Customer, at: string): Promise<Customer | undefined> {
    const u = new UpdateExpression();
    u.set('identities', { ...source.identities, ...expected.identities });
    for (const field of ['phone', 'email', 'company'] as const) {
      const value = source[field];
      if (value !== undefined) u.setIfNotExists(field, value);
    }
    if (source.name !== undefined && expected.name === undefined)
      u.setIfNotExists('name', source.name);
    const tags = [...new Set([...(expected.tags ?? []), ...(source.tags ?? [])])];
    if (tags.length > 0) u.set('tags', tags);
    if (source.attributes) u.set('attributes', { ...source.attributes, ...expected.attributes });
    u.add('mergedFrom', new Set([source.id, ...(source.mergedFrom ?? [])]));
    if (source.leadIds?.length) u.add('leadIds', new Set(source.leadIds));
    u.set('updatedAt', at);
    u.names['#mergedInto'] = 'mergedInto';
    // The identities read are still the stored ones, channel by channel.
    u.names['#identities'] = 'identities';
    const identityCondition = (['whatsapp', 'instagram'] as const)
      .map((channel) => {
        u.names[`#ch_${channel}`] = channel;
        const value = expected.identities[channel];
        if (value === undefined) return `attribute_not_exists(#identities.#ch_${channel})`;
        u.values[`:ch_${channel}`] = value;
        return `#identities.#ch_${channel} = :ch_${channel}`;
      })
      .join(' AND ');
    const item = await this.db.update(keys.customer(this.tenantId, expected.id), u.parts(), {
      condition: `attribute_exists(PK) AND attribute_not_exists(#mergedInto) AND ${identityCondition}`,
      names: u.names,
      values: u.values,
    });
    if (!item) return undefined;
    await this.index.sync(item);
    return toCustomer(item);
  }
}

/** The stored attributes of an agent's contact fields (the name as `agentName`). */
function contactAttributes(fields: ContactFields): Item {
  const out: Item = {};
  if (fields.name !== undefined) out.agentName = fields.name;
  if (fields.email !== undefined) out.email = fields.email;
  if (fields.phone !== undefined) out.phone = fields.phone;
  if (fields.company !== undefined) out.company = fields.company;
  if (fields.attributes !== undefined) out.attributes = fields.attributes;
  if (fields.tags !== undefined) out.tags = fields.tags;
  return out;
}
