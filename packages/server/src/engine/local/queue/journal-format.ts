// The journal's format: one JSON record per line, parsed back with torn-tail tolerance.
import { readFile } from 'node:fs/promises';
import { isErrno } from './durable-fs';
import { QueueJournalCorruptError } from './queue-errors';

export const JOURNAL_VERSION = 1;

type MetaRecord = { op: 'meta'; v: number; queue: string };
export type SendRecord = {
  op: 'send';
  id: string;
  body: string;
  attrs?: Record<string, string>;
  sentAt: number;
  /** Only present in compacted snapshots and DLQ moves. */
  rc?: number;
  first?: number;
};
/** Absolute (not incremental) so replaying it twice, e.g. after compaction, is harmless. */
type RecvRecord = { op: 'recv'; id: string; rc: number; first: number };
type DelRecord = { op: 'del'; id: string };
export type JournalRecord = MetaRecord | SendRecord | RecvRecord | DelRecord;

export const line = (record: JournalRecord): string => `${JSON.stringify(record)}\n`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStringMap = (v: unknown): v is Record<string, string> =>
  isObject(v) && Object.values(v).every((x) => typeof x === 'string');

function toRecord(v: unknown): JournalRecord | undefined {
  if (!isObject(v) || typeof v.op !== 'string') return undefined;
  const id = v.id;
  switch (v.op) {
    case 'meta':
      return isNumber(v.v) && typeof v.queue === 'string' ? (v as MetaRecord) : undefined;
    case 'send': {
      const ok =
        typeof id === 'string' &&
        typeof v.body === 'string' &&
        isNumber(v.sentAt) &&
        (v.attrs === undefined || isStringMap(v.attrs)) &&
        (v.rc === undefined || isNumber(v.rc)) &&
        (v.first === undefined || isNumber(v.first));
      return ok ? (v as SendRecord) : undefined;
    }
    case 'recv':
      return typeof id === 'string' && isNumber(v.rc) && isNumber(v.first)
        ? (v as RecvRecord)
        : undefined;
    case 'del':
      return typeof id === 'string' ? (v as DelRecord) : undefined;
    default:
      return undefined;
  }
}

function parseLine(bytes: Buffer): JournalRecord | undefined {
  try {
    return toRecord(JSON.parse(bytes.toString('utf8')));
  } catch {
    return undefined;
  }
}

export type JournalContents = { records: JournalRecord[]; validBytes: number };

/**
 * Reads every complete record. A bad or newline-less tail is a write torn by a crash: it was
 * never acknowledged, so it is dropped (validBytes stops before it). Bad bytes followed by good
 * records cannot come from a torn append, so that is reported as corruption.
 */
export function parseJournal(buf: Buffer, path: string): JournalContents {
  const records: JournalRecord[] = [];
  let pos = 0;
  let firstBad: number | undefined;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl === -1) {
      firstBad ??= pos;
      break;
    }
    const record = parseLine(buf.subarray(pos, nl));
    if (record === undefined) firstBad ??= pos;
    else if (firstBad !== undefined) throw new QueueJournalCorruptError(path, firstBad);
    else records.push(record);
    pos = nl + 1;
  }
  return { records, validBytes: firstBad ?? pos };
}

export async function readJournal(path: string): Promise<JournalContents> {
  try {
    return parseJournal(await readFile(path), path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { records: [], validBytes: 0 };
    throw err;
  }
}
