// In-memory state of one queue: stored messages, their visibility and receive counts, and the
// replay that rebuilds it from the journal.
import { JOURNAL_VERSION, line, type JournalRecord, type SendRecord } from './journal-format';
import { QueueInvalidArgumentError } from './queue-errors';

export type QueueStats = { visible: number; inFlight: number };

export type MessageState = 'visible' | 'inflight' | 'moving';

export type StoredMessage = {
  id: string;
  body: string;
  attributes: Record<string, string> | undefined;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  /** Journal bytes of the send record, for the compaction heuristic. */
  bytes: number;
  state: MessageState;
  /** Stays valid until the message is received again (SQS semantics). */
  receiptHandle: string | undefined;
  visibleAt: number;
};

export type NewMessage = Pick<
  StoredMessage,
  'id' | 'body' | 'attributes' | 'sentAt' | 'receiveCount' | 'firstReceivedAt'
>;

/** FIFO of ids with O(1) shift; stale ids are skipped by the reader. */
class IdQueue {
  private items: string[] = [];
  private head = 0;

  push(id: string): void {
    this.items.push(id);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const id = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return id;
  }
}

export const sendRecordOf = (m: NewMessage): SendRecord => ({
  op: 'send',
  id: m.id,
  body: m.body,
  ...(m.attributes ? { attrs: m.attributes } : {}),
  sentAt: m.sentAt,
  ...(m.receiveCount > 0 ? { rc: m.receiveCount } : {}),
  ...(m.firstReceivedAt !== undefined ? { first: m.firstReceivedAt } : {}),
});

export class MessageStore {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly order = new IdQueue();
  private readonly inFlight = new Set<StoredMessage>();
  private moving = 0;
  private bytes = 0;

  get size(): number {
    return this.messages.size;
  }

  get liveBytes(): number {
    return this.bytes;
  }

  has(id: string): boolean {
    return this.messages.has(id);
  }

  get(id: string): StoredMessage | undefined {
    return this.messages.get(id);
  }

  values(): IterableIterator<StoredMessage> {
    return this.messages.values();
  }

  /** Returns false for an id already stored (replays and re-moves are idempotent). */
  insert(m: NewMessage, bytes: number): boolean {
    if (this.messages.has(m.id)) return false;
    const stored: StoredMessage = {
      ...m,
      bytes,
      state: 'visible',
      receiptHandle: undefined,
      visibleAt: 0,
    };
    this.messages.set(m.id, stored);
    this.order.push(m.id);
    this.bytes += bytes;
    return true;
  }

  remove(m: StoredMessage): void {
    if (this.messages.get(m.id) !== m) return;
    this.messages.delete(m.id);
    this.inFlight.delete(m);
    if (m.state === 'moving') this.moving--;
    this.bytes -= m.bytes;
  }

  /** Moves every message whose visibility timeout passed back to the visible set. */
  reapExpired(now: number): void {
    for (const m of this.inFlight) if (m.visibleAt <= now) this.makeVisible(m);
  }

  /** Next visible message, or undefined. The caller must change its state. */
  nextVisible(): StoredMessage | undefined {
    for (let id = this.order.shift(); id !== undefined; id = this.order.shift()) {
      const m = this.messages.get(id);
      if (m?.state === 'visible') return m;
    }
    return undefined;
  }

  markInFlight(m: StoredMessage, receiptHandle: string, visibleAt: number): void {
    m.state = 'inflight';
    m.receiptHandle = receiptHandle;
    m.visibleAt = visibleAt;
    this.inFlight.add(m);
  }

  markMoving(m: StoredMessage): void {
    this.inFlight.delete(m);
    m.state = 'moving';
    this.moving++;
  }

  makeVisible(m: StoredMessage): void {
    if (m.state === 'visible') return;
    if (m.state === 'moving') this.moving--;
    this.inFlight.delete(m);
    m.state = 'visible';
    this.order.push(m.id);
  }

  stats(): QueueStats {
    const inFlight = this.inFlight.size + this.moving;
    return { visible: this.messages.size - inFlight, inFlight };
  }

  // In-flight state is deliberately not persisted: after a restart everything is visible.
  snapshot(): string[] {
    const lines: string[] = [];
    for (const m of this.messages.values()) lines.push(line(sendRecordOf(m)));
    return lines;
  }
}

// Good enough for the compaction heuristic, and cheap to compute during replay.
export const approxRecordBytes = (m: NewMessage): number => m.body.length + 160;

export function replay(records: JournalRecord[]): MessageStore {
  const store = new MessageStore();
  for (const r of records) {
    if (r.op === 'send') {
      const m: NewMessage = {
        id: r.id,
        body: r.body,
        attributes: r.attrs,
        sentAt: r.sentAt,
        receiveCount: r.rc ?? 0,
        firstReceivedAt: r.first,
      };
      store.insert(m, approxRecordBytes(m));
    } else if (r.op === 'recv') {
      const m = store.get(r.id);
      if (m) {
        m.receiveCount = r.rc;
        m.firstReceivedAt = r.first;
      }
    } else if (r.op === 'del') {
      const m = store.get(r.id);
      if (m) store.remove(m);
    } else if (r.v !== JOURNAL_VERSION) {
      throw new QueueInvalidArgumentError(`journal version ${r.v} is not supported`);
    }
  }
  return store;
}
