import type { Db, Item } from '../../engine/data/dynamo';
import { positionOf, startKeyAt, type IndexPosition } from '../../engine/data/index-page';
import { keys } from '../../engine/data/keys';
import { sha256Hex } from '../../engine/ids';

export type ReplayStatus = 'running' | 'done' | 'failed';

export type Replay = {
  id: string;
  tenantId: string;
  from: string;
  to: string;
  status: ReplayStatus;
  /** Archived entries received in the range. */
  scanned: number;
  /** Of those, entries routed to the tenant. */
  matched: number;
  /** Queue messages sent to IncomingMessagesQueue with the replay marker. */
  enqueued: number;
  /** Days to list and chunks found / done (one day file, or one S3 object each). */
  days: number;
  daysListed: number;
  chunks: number;
  chunksDone: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
};

const sizeOf = (set: unknown) => (set instanceof Set ? set.size : 0);

function toReplay(item: Item): Replay {
  return {
    id: item.id,
    tenantId: item.tenantId,
    from: item.from,
    to: item.to,
    status: item.status,
    scanned: item.scanned ?? 0,
    matched: item.matched ?? 0,
    enqueued: item.enqueued ?? 0,
    days: item.days,
    daysListed: sizeOf(item.daysListed),
    chunks: item.chunks ?? 0,
    chunksDone: sizeOf(item.chunksDone),
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    ...(item.finishedAt ? { finishedAt: item.finishedAt } : {}),
    ...(item.error ? { error: item.error } : {}),
  };
}

/** A chunk's mark in `chunksDone`: short, so a month of S3 objects fits in one item. */
export const chunkMark = (chunk: string) => sha256Hex(chunk).slice(0, 20);

/**
 * Replays: one item each, global (a platform admin's tool; the tenant it replays is a field).
 * Every counter update is conditional on its day or chunk not being marked yet, in the same write
 * that marks it, so SQS redelivery never counts twice; the write that completes the last chunk
 * sees everything (ALL_NEW) and closes the replay.
 */
export class ReplayRepo {
  constructor(private readonly db: Db) {}

  async create(replay: Replay): Promise<void> {
    await this.db.put(
      {
        ...keys.replay(replay.id),
        entity: 'Replay',
        id: replay.id,
        tenantId: replay.tenantId,
        from: replay.from,
        to: replay.to,
        status: replay.status,
        scanned: 0,
        matched: 0,
        enqueued: 0,
        days: replay.days,
        chunks: 0,
        createdBy: replay.createdBy,
        createdAt: replay.createdAt,
        updatedAt: replay.updatedAt,
        GSI1PK: keys.replaysPk,
        GSI1SK: `${replay.createdAt}#${replay.id}`,
      },
      { ifNotExists: true },
    );
  }

  async get(id: string): Promise<Replay | undefined> {
    const item = await this.db.get(keys.replay(id));
    return item ? toReplay(item) : undefined;
  }

  async list(
    limit: number,
    after?: IndexPosition,
  ): Promise<{ items: Replay[]; next?: IndexPosition }> {
    const page = await this.db.query({
      pk: keys.replaysPk,
      index: 'GSI1',
      newestFirst: true,
      limit,
      startKey: startKeyAt(after, { pkName: 'GSI1PK', skName: 'GSI1SK', pk: keys.replaysPk }),
    });
    return { items: page.items.map(toReplay), next: positionOf(page.lastKey, 'GSI1SK') };
  }

  /** A day's chunks were found (and sent); false when this day was counted already. */
  async dayListed(id: string, day: string, chunks: number, at: string): Promise<boolean> {
    const after = await this.db.update(
      keys.replay(id),
      { set: 'updatedAt = :at', add: 'chunks :n, daysListed :day' },
      {
        condition: 'attribute_exists(PK) AND NOT contains(daysListed, :d)',
        values: { ':at': at, ':n': chunks, ':day': new Set([day]), ':d': day },
      },
    );
    if (!after) return false;
    await this.finishIfComplete(id, after, at);
    return true;
  }

  /** Whether a chunk was counted already (a redelivery has nothing left to do). */
  async chunkDone(id: string, chunk: string): Promise<boolean> {
    const item = await this.db.get(keys.replay(id));
    const done = item?.chunksDone;
    return done instanceof Set && done.has(chunkMark(chunk));
  }

  /** A chunk's counts, added once; false when it was counted already. */
  async addChunk(
    id: string,
    chunk: string,
    counts: { scanned: number; matched: number; enqueued: number },
    at: string,
  ): Promise<boolean> {
    const mark = chunkMark(chunk);
    const after = await this.db.update(
      keys.replay(id),
      {
        set: 'updatedAt = :at',
        add: 'scanned :s, matched :m, enqueued :e, chunksDone :mark',
      },
      {
        condition: 'attribute_exists(PK) AND NOT contains(chunksDone, :c)',
        values: {
          ':at': at,
          ':s': counts.scanned,
          ':m': counts.matched,
          ':e': counts.enqueued,
          ':mark': new Set([mark]),
          ':c': mark,
        },
      },
    );
    if (!after) return false;
    await this.finishIfComplete(id, after, at);
    return true;
  }

  /** Marks a replay failed (a chunk that could not be read after its last receive). */
  async fail(id: string, error: string, at: string): Promise<void> {
    await this.db.update(
      keys.replay(id),
      { set: '#status = :failed, #error = :error, updatedAt = :at, finishedAt = :at' },
      {
        condition: '#status = :running',
        names: { '#status': 'status', '#error': 'error' },
        values: { ':failed': 'failed', ':running': 'running', ':error': error, ':at': at },
      },
    );
  }

  private async finishIfComplete(id: string, item: Item, at: string): Promise<void> {
    const replay = toReplay(item);
    if (replay.status !== 'running') return;
    if (replay.daysListed < replay.days || replay.chunksDone < replay.chunks) return;
    await this.db.update(
      keys.replay(id),
      { set: '#status = :done, updatedAt = :at, finishedAt = :at' },
      {
        condition: '#status = :running',
        names: { '#status': 'status' },
        values: { ':done': 'done', ':running': 'running', ':at': at },
      },
    );
  }
}
