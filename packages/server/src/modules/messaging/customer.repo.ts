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
  createdAt: string;
  updatedAt: string;
};

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
    await this.db.update(
      keys.customer(this.tenantId, id),
      { set: set.join(', ') },
      { condition, names, values },
    );
    return id;
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
