// QueuePoller: the sandbox's Lambda event source mapping (SQS, ReportBatchItemFailures).
// Each worker receives a batch, calls the handler and deletes the records it did not report as
// failed; failed records (or the whole batch, if the handler throws) reappear after the
// visibility timeout, and the queue's redrive policy eventually moves poison messages to the DLQ.
import type { SqsBatchHandler, SqsBatchResponse, SqsRecord } from '../ports/queue';
import type { LocalQueue } from './local-queue';

/** The part of LocalQueue the poller uses (so tests can pass a fake). */
export type PollableQueue = Pick<LocalQueue, 'receive' | 'deleteMessage' | 'onSend'> &
  Partial<Pick<LocalQueue, 'changeVisibility'>>;

export type QueuePollerOptions = {
  /** Records per handler call, 1..10. Default 10. */
  batchSize?: number;
  /** Batches handled at the same time. Default 2. */
  maxConcurrency?: number;
  /** How long an idle worker sleeps when no send wakes it (e.g. for expired timeouts). */
  idlePollMs?: number;
  /** Per-receive override of the queue's visibility timeout. */
  visibilityTimeoutSeconds?: number;
  /**
   * When set, failed records become visible again after this many seconds instead of the full
   * visibility timeout (a sandbox convenience, so a fix is retried quickly; Lambda has no such knob).
   */
  retryDelaySeconds?: number;
  /** Handler failures, malformed responses, receive/delete errors. Default: console.error. */
  onError?: (error: unknown) => void;
};

export class QueuePollerError extends Error {
  override readonly name: string = 'QueuePollerError';
}

/** Lambda treats a response naming an unknown or empty itemIdentifier as a failed batch. */
export class InvalidBatchResponseError extends QueuePollerError {
  override readonly name = 'InvalidBatchResponseError';
  constructor(readonly itemIdentifier: unknown) {
    super(`batchItemFailures names ${JSON.stringify(itemIdentifier)}, not a record of the batch`);
  }
}

export class QueuePoller {
  private readonly batchSize: number;
  private readonly maxConcurrency: number;
  private readonly idlePollMs: number;
  private readonly onError: (error: unknown) => void;
  private running = false;
  private workers: Promise<void>[] = [];
  /** Bumped on every send, so a worker can tell a send raced its empty receive. */
  private sendSeq = 0;
  private readonly sleepers = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly queue: PollableQueue,
    private readonly handler: SqsBatchHandler,
    private readonly opts: QueuePollerOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 10;
    this.maxConcurrency = opts.maxConcurrency ?? 2;
    this.idlePollMs = opts.idlePollMs ?? 50;
    this.onError = opts.onError ?? ((error) => console.error('[queue-poller]', error));
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > 10) {
      throw new QueuePollerError('batchSize must be an integer 1..10');
    }
    if (!Number.isInteger(this.maxConcurrency) || this.maxConcurrency < 1) {
      throw new QueuePollerError('maxConcurrency must be a positive integer');
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onSend(() => this.wake());
    for (let i = 0; i < this.maxConcurrency; i++) this.workers.push(this.work());
  }

  /** Stops receiving and resolves once every batch already received has been handled. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.wake();
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers);
  }

  private async work(): Promise<void> {
    while (this.running) {
      const seq = this.sendSeq;
      const records = await this.receive();
      // Received records are handled even if stop() was called meanwhile, as Lambda would.
      if (records.length > 0) await this.handle(records);
      else await this.sleep(seq);
    }
  }

  private async receive(): Promise<SqsRecord[]> {
    try {
      return await this.queue.receive({
        maxMessages: this.batchSize,
        ...(this.opts.visibilityTimeoutSeconds !== undefined
          ? { visibilityTimeoutSeconds: this.opts.visibilityTimeoutSeconds }
          : {}),
      });
    } catch (error) {
      this.report(error);
      return [];
    }
  }

  private async handle(records: SqsRecord[]): Promise<void> {
    let failed: Set<string>;
    try {
      failed = failedIds(await this.handler({ Records: records }), records);
    } catch (error) {
      this.report(error); // nothing deleted: the whole batch comes back after the timeout
      failed = new Set(records.map((r) => r.messageId));
    }
    const results = await Promise.allSettled(
      records.map((r) =>
        failed.has(r.messageId) ? this.retryLater(r) : this.queue.deleteMessage(r.receiptHandle),
      ),
    );
    for (const r of results) if (r.status === 'rejected') this.report(r.reason);
  }

  private async retryLater(record: SqsRecord): Promise<unknown> {
    const delay = this.opts.retryDelaySeconds;
    if (delay === undefined || !this.queue.changeVisibility) return undefined;
    return this.queue.changeVisibility(record.receiptHandle, delay);
  }

  // Resolves on the next send, on stop(), or after idlePollMs, whichever comes first.
  private sleep(seq: number): Promise<void> {
    if (!this.running || seq !== this.sendSeq) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.idlePollMs);
      this.sleepers.add(done);
    });
  }

  private wake(): void {
    this.sendSeq++;
    for (const done of [...this.sleepers]) done();
  }

  private report(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // An error reporter that throws must not kill the worker loop.
    }
  }
}

/** Throws InvalidBatchResponseError for identifiers that are not in the batch. */
function failedIds(
  response: SqsBatchResponse | undefined | null,
  records: SqsRecord[],
): Set<string> {
  const items: unknown = response?.batchItemFailures ?? [];
  if (!Array.isArray(items)) throw new InvalidBatchResponseError(items);
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const item of items as unknown[]) {
    const id =
      typeof item === 'object' && item !== null
        ? (item as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || !ids.has(id)) throw new InvalidBatchResponseError(id);
    failed.add(id);
  }
  return failed;
}
