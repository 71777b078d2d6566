// The per-number send rate of campaigns: at most `rate` requests to Meta in any window of one
// second, per phone number id (a sliding log, not a token bucket: a bucket lets a full burst
// follow a second of refill, which is twice the rate in one window). A small margin on the window
// absorbs the jitter between our clock and the moment the request reaches Meta.
//
// Scope: one process. CampaignSender runs with a reserved concurrency of 1 (topology.ts), so the
// log is the only sender of campaigns for the number; replies from the inbox use their own limiter
// (messaging/throughput-limiter.ts) under Meta's 80 messages per second.

export type SendRateOptions = {
  windowMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

export class SendRate {
  private readonly logs = new Map<string, number[]>();
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: SendRateOptions = {}) {
    this.windowMs = opts.windowMs ?? 1_050;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Waits until one more request for `key` keeps every window at or under `rate`, and takes it. */
  async acquire(key: string, rate: number): Promise<void> {
    const log = this.logs.get(key) ?? [];
    this.logs.set(key, log);
    for (;;) {
      const at = this.now();
      while (log.length > 0 && log[0]! <= at - this.windowMs) log.shift();
      if (log.length < rate) {
        log.push(at);
        return;
      }
      await this.sleep(log[0]! + this.windowMs - at + 1);
    }
  }
}
