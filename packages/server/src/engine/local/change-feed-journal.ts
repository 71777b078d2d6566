// The change feed's journal (change-feed.ts): one append-only JSON-lines file,
// `<dir>/<table>-stream.journal`, written through the local queue's group-commit Journal (one
// write + fdatasync for everything appended meanwhile, compaction into a snapshot). Lines:
// - `intent`: a write of `key` is about to happen; `old` is the item before it (absent: none).
// - `commit`: the intent is settled; `record` is the stream record it produced, if the item changed.
// - `ack`: every record up to `seq` was handled by the consumer (or moved to its DLQ).
// - `seq`: the next sequence number (in snapshots, so numbers never repeat after a compaction).
// A torn last line (a crash mid-append) was never acknowledged and is dropped on open.
import { readFile } from 'node:fs/promises';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StreamRecord } from '../ports/change-stream';
import { isErrno } from './queue/durable-fs';
import { QueueJournalCorruptError } from './queue/queue-errors';

export type MarshalledItem = Record<string, AttributeValue>;
export type FeedKey = { PK: string; SK: string };

export type IntentLine = { op: 'intent'; id: string; key: FeedKey; old?: MarshalledItem };
export type CommitLine = { op: 'commit'; intent: string; record?: StreamRecord };
export type AckLine = { op: 'ack'; seq: string };
export type SeqLine = { op: 'seq'; next: number };
type MetaLine = { op: 'meta'; v: number; stream: string };
export type FeedLine = IntentLine | CommitLine | AckLine | SeqLine | MetaLine;

export const FEED_JOURNAL_VERSION = 1;
export const feedLine = (line: FeedLine): string => `${JSON.stringify(line)}\n`;

/** DynamoDB's sequence numbers are numeric strings; fixed width keeps string order numeric. */
export const sequenceNumberOf = (n: number): string => String(n).padStart(21, '0');

function isFeedLine(v: unknown): v is FeedLine {
  if (typeof v !== 'object' || v === null) return false;
  const line = v as Record<string, unknown>;
  switch (line.op) {
    case 'meta':
      return typeof line.v === 'number' && typeof line.stream === 'string';
    case 'intent': {
      const key = line.key as Record<string, unknown> | undefined;
      return (
        typeof line.id === 'string' && typeof key?.PK === 'string' && typeof key.SK === 'string'
      );
    }
    case 'commit':
      return typeof line.intent === 'string';
    case 'ack':
      return typeof line.seq === 'string';
    case 'seq':
      return typeof line.next === 'number' && Number.isInteger(line.next);
    default:
      return false;
  }
}

export type FeedState = {
  /** Unsettled intents by key (`PK\u0000SK`); at most one per key. */
  intents: Map<string, IntentLine>;
  /** Records not yet handled, by sequence number, in order. */
  records: Map<string, StreamRecord>;
  nextSeq: number;
};

export const keyIdOf = (key: FeedKey): string => `${key.PK}\u0000${key.SK}`;

/** Applies one line to the state; replaying a line twice (after a compaction) changes nothing. */
export function applyFeedLine(state: FeedState, line: FeedLine): void {
  switch (line.op) {
    case 'intent':
      state.intents.set(keyIdOf(line.key), line);
      return;
    case 'commit': {
      for (const [id, intent] of state.intents) {
        if (intent.id === line.intent) state.intents.delete(id);
      }
      const seq = line.record?.dynamodb?.SequenceNumber;
      if (line.record && seq) {
        state.records.set(seq, line.record);
        state.nextSeq = Math.max(state.nextSeq, Number(seq) + 1);
      }
      return;
    }
    case 'ack':
      for (const seq of state.records.keys()) if (seq <= line.seq) state.records.delete(seq);
      state.nextSeq = Math.max(state.nextSeq, Number(line.seq) + 1);
      return;
    case 'seq':
      state.nextSeq = Math.max(state.nextSeq, line.next);
      return;
    case 'meta':
      return;
  }
}

/** The lines a compacted journal keeps: what is still live, in order. */
export function snapshotLines(state: FeedState): string[] {
  return [
    feedLine({ op: 'seq', next: state.nextSeq }),
    ...[...state.intents.values()].map(feedLine),
    ...[...state.records.values()].map((record) => feedLine({ op: 'commit', intent: '', record })),
  ];
}

export type ParsedFeed = { state: FeedState; validBytes: number };

/** Reads the journal; a bad line followed by good ones cannot be a torn append: corruption. */
export async function readFeedJournal(path: string): Promise<ParsedFeed> {
  const state: FeedState = { intents: new Map(), records: new Map(), nextSeq: 1 };
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { state, validBytes: 0 };
    throw err;
  }
  let pos = 0;
  let firstBad: number | undefined;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl === -1) {
      firstBad ??= pos;
      break;
    }
    let line: unknown;
    try {
      line = JSON.parse(buf.subarray(pos, nl).toString('utf8'));
    } catch {
      line = undefined;
    }
    if (!isFeedLine(line)) firstBad ??= pos;
    else if (firstBad !== undefined) throw new QueueJournalCorruptError(path, firstBad);
    else applyFeedLine(state, line);
    pos = nl + 1;
  }
  return { state, validBytes: firstBad ?? pos };
}
