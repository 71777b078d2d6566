import { AppError } from '../../engine/errors';

// Per-sender throughput: WhatsApp Cloud API numbers send 80 messages per second by default (more
// once Meta upgrades them); going faster only earns error 130429. A token bucket per sender id
// (phone number id, Instagram account id) smooths bursts: a caller waits briefly for a token, or is
// told to retry later when the wait would be long.
//
// Scope: one process. The sandbox is one process, so this is exact there. In AWS each warm Lambda
// instance has its own buckets, so the cap per number is `rate x concurrent instances`; the Api
// function's reserved concurrency bounds that, and a deployment that sends in bulk should move sends
// to a per-number queue (an SQS FIFO queue with the phone number id as message group, consumed at
// the number's rate) instead of relying on this in-process bucket.

export type ThroughputLimiterOptions = {
  /** Tokens per second per key. */
  ratePerSecond?: number;
  /** Bucket size (the burst allowed after a quiet period); defaults to one second of tokens. */
  burst?: number;
  /** Longest a caller waits for a token before getting `rate_limited`. */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

type Bucket = { tokens: number; updatedAt: number };

/** Cloud API default throughput per business phone number. */
export const WHATSAPP_DEFAULT_MPS = 80;

export class ThroughputLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: ThroughputLimiterOptions = {}) {
    this.rate = opts.ratePerSecond ?? WHATSAPP_DEFAULT_MPS;
    this.burst = opts.burst ?? this.rate;
    this.maxWaitMs = opts.maxWaitMs ?? 1_000;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Takes one token for `key`. When none is left the token is reserved ahead (the bucket goes
   * negative, so concurrent callers queue fairly) and the caller sleeps until it is due.
   */
  async acquire(key: string): Promise<void> {
    const at = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: at };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((at - bucket.updatedAt) / 1000) * this.rate,
    );
    bucket.updatedAt = at;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const waitMs = Math.ceil(((1 - bucket.tokens) / this.rate) * 1000);
    if (waitMs > this.maxWaitMs) {
      throw new AppError(
        'rate_limited',
        'This sender is at its message throughput limit. Retry shortly.',
        {
          retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
        },
      );
    }
    bucket.tokens -= 1;
    if (this.buckets.size > 10_000) this.prune(at);
    await this.sleep(waitMs);
  }

  /** Drops buckets that have refilled completely: they hold no information. */
  private prune(at: number): void {
    for (const [key, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((at - bucket.updatedAt) / 1000) * this.rate;
      if (refilled >= this.burst) this.buckets.delete(key);
    }
  }
}
