import { describe, expect, it } from 'vitest';
import { ThroughputLimiter } from '../../src/modules/messaging/throughput-limiter';
import { AppError } from '../../src/engine/errors';

// The per-sender token bucket, on a fake clock.

function clock() {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
    slept,
  };
}

describe('ThroughputLimiter', () => {
  it('lets a burst of one second through, then paces senders at the rate', async () => {
    const c = clock();
    const limiter = new ThroughputLimiter({ ratePerSecond: 80, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 80; i++) await limiter.acquire('whatsapp:1');
    expect(c.slept).toEqual([]);
    await limiter.acquire('whatsapp:1');
    await limiter.acquire('whatsapp:1');
    // 1/80 s (12.5 ms) per message once the bucket is empty.
    expect(c.slept).toHaveLength(2);
    expect(c.slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(25);
    expect(c.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(26);
  });

  it('keeps senders apart', async () => {
    const c = clock();
    const limiter = new ThroughputLimiter({ ratePerSecond: 2, now: c.now, sleep: c.sleep });
    await limiter.acquire('a');
    await limiter.acquire('a');
    await limiter.acquire('b');
    expect(c.slept).toEqual([]);
  });

  it('answers rate_limited with a Retry-After instead of a long wait', async () => {
    const c = clock();
    const limiter = new ThroughputLimiter({
      ratePerSecond: 1,
      burst: 1,
      maxWaitMs: 500,
      now: c.now,
      sleep: async () => undefined,
    });
    await limiter.acquire('a');
    const err = await limiter.acquire('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('rate_limited');
    expect((err as AppError).details?.retryAfterSeconds).toBe(1);
    c.advance(1000);
    await expect(limiter.acquire('a')).resolves.toBeUndefined();
  });
});
