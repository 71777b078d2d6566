import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { firstMatchOf, matchesAllWords, searchTokensOf, type SearchPlan } from './search-tokens';

// The customer search index: one item per search token of a customer (keys.customerSearch),
// written with the customer, so a search reads a few index items and the customers they name
// instead of scanning the tenant. Keys are deterministic (token + customer id), so writing them
// again is harmless; the customer item's `searchTokens` records what is indexed, so an unchanged
// customer costs nothing and a changed one puts its new tokens and deletes its stale ones.
// Readers check each hit against the customer item: a stale token (a crash between steps, a
// race) is never an answer, only a wasted read.

/** Where a search page stopped: the plan's prefix and the last index key read. */
export type SearchPosition = { i: number; after?: string };

/** Index reads per page at most: every round is one Query and one BatchGetItem. */
const MAX_ROUNDS = 4;
const SYNC_ATTEMPTS = 4;

/** The fields tokens are made of (paths in the customer item). */
const indexedFields = [
  ['name'],
  ['agentName'],
  ['email'],
  ['phone'],
  ['username'],
  ['mergedInto'],
  ['identities', 'whatsapp'],
  ['identities', 'instagram'],
] as const;

function valueAt(item: Item, path: readonly string[]): unknown {
  let value: unknown = item;
  for (const part of path) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

export class CustomerSearchIndex {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /**
   * Brings the index in line with a customer item just written (the write's own answer, so an
   * unchanged customer costs no request). New tokens are put before `searchTokens` moves and
   * stale ones deleted after, so a crash leaves extra tokens (harmless), never missing ones. The
   * record of what is indexed is updated only while the indexed fields are still those the tokens
   * were computed from; otherwise another write raced this one and the sync starts again from
   * the item now stored, putting every token it needs.
   */
  async sync(written: Item): Promise<void> {
    let item: Item | undefined = written;
    let putAll = false;
    const deletedOrWritten = new Set<string>();
    for (let attempt = 0; item && attempt < SYNC_ATTEMPTS; attempt++) {
      const id = item.id as string;
      const desired = searchTokensOf(item);
      const current: string[] = Array.isArray(item.searchTokens) ? item.searchTokens : [];
      const stale = [...new Set([...current, ...deletedOrWritten])].filter(
        (t) => !desired.includes(t),
      );
      if (!putAll && stale.length === 0 && sameList(current, desired)) return;
      const toPut = putAll ? desired : desired.filter((t) => !current.includes(t));
      if (toPut.length > 0) {
        await this.db.putMany(
          toPut.map((token) => ({
            ...keys.customerSearch(this.tenantId, token, id),
            entity: 'CustomerSearch',
            customerId: id,
          })),
        );
      }
      for (const t of toPut) deletedOrWritten.add(t);
      const recorded = await this.recordTokens(item, desired);
      if (recorded) {
        for (const token of stale)
          await this.db.delete(keys.customerSearch(this.tenantId, token, id));
        return;
      }
      putAll = true;
      item = await this.db.get(keys.customer(this.tenantId, id));
    }
  }

  /** Sets `searchTokens` if the indexed fields still hold what `item` says. */
  private async recordTokens(item: Item, tokens: string[]): Promise<boolean> {
    const names: Record<string, string> = { '#tokens': 'searchTokens' };
    const values: Record<string, unknown> = { ':tokens': tokens };
    const conditions = ['attribute_exists(PK)'];
    indexedFields.forEach((path, i) => {
      const ref = path.map((part, j) => `#f${i}_${j}`).join('.');
      path.forEach((part, j) => (names[`#f${i}_${j}`] = part));
      const value = valueAt(item, path);
      if (value === undefined) conditions.push(`attribute_not_exists(${ref})`);
      else {
        values[`:f${i}`] = value;
        conditions.push(`${ref} = :f${i}`);
      }
    });
    const done = await this.db.update(
      keys.customer(this.tenantId, item.id as string),
      { set: '#tokens = :tokens' },
      { condition: conditions.join(' AND '), names, values },
    );
    return done !== undefined;
  }

  /**
   * A page of customers for a plan, from `from`: at most MAX_ROUNDS rounds of one index Query and
   * one BatchGetItem of the customers it names, whatever the tenant's size. Answers the customer
   * items in index order and where to resume (undefined when the plan is read to its end).
   */
  async search(
    plan: SearchPlan,
    limit: number,
    from: SearchPosition = { i: 0 },
  ): Promise<{ items: Item[]; next?: SearchPosition }> {
    const pk = keys.customerSearchPk(this.tenantId);
    const out: Item[] = [];
    const seen = new Set<string>();
    let { i, after } = from;
    for (let round = 0; round < MAX_ROUNDS && i < plan.prefixes.length; round++) {
      const prefix = plan.prefixes[i]!;
      const page = await this.db.query({
        pk,
        sk: { beginsWith: prefix },
        limit: Math.min(100, limit * 2),
        startKey: after ? { PK: pk, SK: after } : undefined,
      });
      const ids = [...new Set(page.items.map((hit) => hit.customerId as string))];
      const customers = new Map(
        (await this.db.batchGet(ids.map((id) => keys.customer(this.tenantId, id)))).map((c) => [
          c.id as string,
          c,
        ]),
      );
      for (const hit of page.items) {
        const customer = customers.get(hit.customerId as string);
        after = hit.SK as string;
        if (!customer || seen.has(customer.id as string)) continue;
        const tokens = searchTokensOf(customer);
        const token = (hit.SK as string).slice(0, -(customer.id as string).length - 1);
        const first = firstMatchOf(tokens, plan);
        if (!first || first.index !== i || first.token !== token) continue;
        if (!matchesAllWords(tokens, plan.alsoWords)) continue;
        seen.add(customer.id as string);
        out.push(customer);
        if (out.length >= limit) return { items: out, next: { i, after } };
      }
      if (!page.lastKey) {
        i++;
        after = undefined;
      }
    }
    return { items: out, next: i < plan.prefixes.length ? { i, after } : undefined };
  }

  /**
   * Indexes the tenant's customers written before the index existed, from `after` (a customer
   * id), a page of the partition at a time, up to about `max` customers; answers where to go on.
   * Idempotent and resumable. Run it with `POST /admin/tenants/{id}/customer-search/backfill`
   * (platform admin, `admin.customer-search.backfill`), calling again with `after` = its `next`.
   */
  async backfill(
    after?: string,
    max = Number.POSITIVE_INFINITY,
  ): Promise<{ customers: number; next?: string }> {
    let startKey: Item | undefined = after ? keys.customer(this.tenantId, after) : undefined;
    let customers = 0;
    do {
      const page = await this.db.query({
        pk: keys.tenant(this.tenantId).PK,
        sk: { beginsWith: 'CUSTOMER#' },
        limit: 200,
        startKey,
      });
      // Customers never indexed (no `searchTokens`) in bulk: their tokens in batches of 25, then
      // each one's record; any other that is out of date through `sync`.
      const fresh = page.items.filter((item) => item.searchTokens === undefined);
      const rest = page.items.filter((item) => item.searchTokens !== undefined);
      await this.db.putMany(
        fresh.flatMap((item) =>
          searchTokensOf(item).map((token) => ({
            ...keys.customerSearch(this.tenantId, token, item.id as string),
            entity: 'CustomerSearch',
            customerId: item.id as string,
          })),
        ),
      );
      for (let i = 0; i < fresh.length; i += 8) {
        await Promise.all(
          fresh.slice(i, i + 8).map(async (item) => {
            if (!(await this.recordTokens(item, searchTokensOf(item)))) {
              const now = await this.db.get(keys.customer(this.tenantId, item.id as string));
              if (now) await this.sync(now);
            }
          }),
        );
      }
      for (const item of rest) await this.sync(item);
      customers += page.items.length;
      startKey = page.lastKey;
    } while (startKey && customers < max);
    return {
      customers,
      next: startKey ? String(startKey.SK).slice('CUSTOMER#'.length) : undefined,
    };
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
