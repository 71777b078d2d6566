import { z } from 'zod';
import type { Db } from '../../engine/data/dynamo';
import { NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { Logger } from '../../engine/log';
import type { BlobStore } from '../../engine/ports/blobs';
import type { QueueMessageInput, QueueSender, SqsBatchHandler } from '../../engine/ports/queue';
import {
  inlineBodyOf,
  utcDay,
  type RawArchive,
  type RawArchiveRecord,
} from '../../engine/ports/raw-archive';
import { queues } from '../../engine/topology';
import { sqsBatchHandler } from '../../engine/queue/sqs-batch';
import { RouteRepo } from '../channels/channel.repo';
import { TenantRepo } from '../platform/tenant.repo';
import { routeOf } from './inbound-routing';
import { metaEnvelopeSchema } from './meta/webhook-envelope';
import { normalizeEntry } from './meta/normalize';
import type { IncomingQueueMessage } from './queue-message';
import { ReplayRepo, type Replay } from './replay.repo';
import { toBatches } from './webhook-receiver.service';

// Replay of one tenant's archived webhooks: `POST /admin/replays` writes the replay and one
// ReplayQueue message per day; the Replayer lists that day's chunks (one message each), reads a
// chunk, keeps the entries routed to the tenant and sends them to IncomingMessagesQueue with the
// replay marker. The processor stores nothing twice (ids from the wamid/mid, conditional puts,
// statuses forward only), so a replay ends at the state the first delivery left.

/** Entries larger than a queue message travel by reference, as the receiver sends them. */
const maxInlineBytes = 900 * 1024;

export const replayQueueMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    v: z.literal(1),
    kind: z.literal('day'),
    replayId: z.string().min(1),
    day: z.string(),
  }),
  z.object({
    v: z.literal(1),
    kind: z.literal('chunk'),
    replayId: z.string().min(1),
    chunk: z.string().min(1),
  }),
]);
export type ReplayQueueMessage = z.infer<typeof replayQueueMessageSchema>;

/** The UTC days a range's records may be filed under: its own, and the day after (Firehose buffers). */
export function daysOf(from: Date, to: Date): string[] {
  const days: string[] = [];
  const last = Date.parse(`${utcDay(new Date(to.getTime() - 1))}T00:00:00Z`) + 86_400_000;
  for (let at = Date.parse(`${utcDay(from)}T00:00:00Z`); at <= last; at += 86_400_000) {
    days.push(utcDay(new Date(at)));
  }
  return days;
}

export type StartReplayInput = { tenantId: string; from: string; to: string; createdBy: string };

/** Starts a replay: the item first, then its days on ReplayQueue (a failed send answers 5xx; the item stays `running` and visible). */
export async function startReplay(
  deps: { db: Db; replayQueue: QueueSender; now?: () => Date },
  input: StartReplayInput,
): Promise<Replay> {
  const tenant = await new TenantRepo(deps.db).get(input.tenantId);
  if (!tenant) throw new NotFoundError('Tenant');
  const at = (deps.now?.() ?? new Date()).toISOString();
  const from = new Date(input.from);
  const to = new Date(input.to);
  const days = daysOf(from, to);
  const replay: Replay = {
    id: randomId('rpl'),
    tenantId: input.tenantId,
    from: from.toISOString(),
    to: to.toISOString(),
    status: 'running',
    scanned: 0,
    matched: 0,
    enqueued: 0,
    days: days.length,
    daysListed: 0,
    chunks: 0,
    chunksDone: 0,
    createdBy: input.createdBy,
    createdAt: at,
    updatedAt: at,
  };
  const repo = new ReplayRepo(deps.db);
  await repo.create(replay);
  const messages = days.map((day): QueueMessageInput => ({
    body: JSON.stringify({
      v: 1,
      kind: 'day',
      replayId: replay.id,
      day,
    } satisfies ReplayQueueMessage),
  }));
  for (const batch of toBatches(messages)) await deps.replayQueue.sendBatch(batch);
  return replay;
}

export type ReplayerDeps = {
  db: Db;
  archive: RawArchive;
  /** Bodies kept whole (a record that holds only a `largeRef`). */
  largeBodies: BlobStore;
  incomingQueue: QueueSender;
  replayQueue: QueueSender;
  log: Logger;
  now?: () => Date;
};

type Counts = { scanned: number; matched: number; enqueued: number };

/** The Replayer: ReplayQueue's consumer (partial batch failures, like every consumer). */
export function createReplayer(deps: ReplayerDeps): SqsBatchHandler {
  const repo = new ReplayRepo(deps.db);
  const routes = new RouteRepo(deps.db);
  const nowIso = () => (deps.now?.() ?? new Date()).toISOString();
  const maxReceives = queues.ReplayQueue.maxReceiveCount;

  async function listDay(replay: Replay, day: string): Promise<void> {
    const chunks = await deps.archive.chunks(day);
    // Sent before the day is counted: a crash in between sends them again, and a chunk counts once.
    const messages = chunks.map((chunk): QueueMessageInput => ({
      body: JSON.stringify({
        v: 1,
        kind: 'chunk',
        replayId: replay.id,
        chunk,
      } satisfies ReplayQueueMessage),
    }));
    for (const batch of toBatches(messages)) await deps.replayQueue.sendBatch(batch);
    await repo.dayListed(replay.id, day, chunks.length, nowIso());
  }

  /** Whether an entry has an event routed to the tenant (the processor's routing, read once per key). */
  async function routedTo(
    tenantId: string,
    object: string,
    entry: unknown,
    cache: Map<string, string | undefined>,
  ): Promise<boolean> {
    let events;
    try {
      events = normalizeEntry(object, entry);
    } catch {
      return false;
    }
    for (const event of events) {
      if (!('routing' in event) || !event.routing) continue;
      const key = JSON.stringify(event.routing);
      if (!cache.has(key)) {
        const target = await routeOf(routes, event.routing);
        cache.set(key, 'unrouted' in target ? undefined : target.tenantId);
      }
      if (cache.get(key) === tenantId) return true;
    }
    return false;
  }

  async function bodyOfRecord(record: RawArchiveRecord): Promise<Buffer | undefined> {
    const inline = inlineBodyOf(record);
    if (inline) return inline;
    const stored = record.largeRef ? await deps.largeBodies.get(record.largeRef) : undefined;
    return stored && Buffer.from(stored.body);
  }

  async function replayChunk(replay: Replay, chunk: string): Promise<void> {
    if (await repo.chunkDone(replay.id, chunk)) return;
    const from = Date.parse(replay.from);
    const to = Date.parse(replay.to);
    const counts: Counts = { scanned: 0, matched: 0, enqueued: 0 };
    const cache = new Map<string, string | undefined>();
    const marker = { id: replay.id, tenantId: replay.tenantId };
    let pending: QueueMessageInput[] = [];
    const flush = async () => {
      for (const batch of toBatches(pending)) {
        await deps.incomingQueue.sendBatch(batch);
        counts.enqueued += batch.length;
      }
      pending = [];
    };
    for await (const record of deps.archive.read(chunk)) {
      const at = Date.parse(record.receivedAt);
      if (at < from || at >= to) continue;
      const raw = await bodyOfRecord(record);
      if (!raw) throw new Error(`archived body ${record.largeRef ?? record.id} is missing`);
      const envelope = metaEnvelopeSchema.safeParse(JSON.parse(raw.toString('utf8')));
      if (!envelope.success) continue;
      const { object, entry: entries } = envelope.data;
      for (const [entryIndex, entry] of entries.entries()) {
        counts.scanned++;
        if (!(await routedTo(replay.tenantId, object, entry, cache))) continue;
        counts.matched++;
        let message: IncomingQueueMessage = {
          v: 1,
          object,
          entry,
          receivedAt: record.receivedAt,
          replay: marker,
        };
        let body = JSON.stringify(message);
        if (Buffer.byteLength(body) > maxInlineBytes && record.largeRef) {
          message = {
            v: 1,
            object,
            entryIndex,
            receivedAt: record.receivedAt,
            rawRef: record.largeRef,
            replay: marker,
          };
          body = JSON.stringify(message);
        }
        pending.push({ body, attributes: { object } });
        if (pending.length >= 10) await flush();
      }
    }
    await flush();
    await repo.addChunk(replay.id, chunk, counts, nowIso());
    deps.log.info('replay chunk done', { replayId: replay.id, chunk, ...counts });
  }

  return sqsBatchHandler({
    schema: replayQueueMessageSchema,
    bodyName: 'a replay message',
    log: deps.log,
    failureLog: { level: 'error', msg: 'replay message failed' },
    handle: async (body, { receiveCount }) => {
      const replay = await repo.get(body.replayId);
      if (!replay || replay.status !== 'running') return;
      try {
        if (body.kind === 'day') await listDay(replay, body.day);
        else await replayChunk(replay, body.chunk);
      } catch (err) {
        // Its last receive: the replay cannot finish, and says so rather than run forever.
        if (receiveCount >= maxReceives) {
          await repo.fail(
            replay.id,
            `${body.kind} ${body.kind === 'day' ? body.day : body.chunk}: ${(err as Error).message}`.slice(
              0,
              500,
            ),
            nowIso(),
          );
        }
        throw err;
      }
    },
  });
}
