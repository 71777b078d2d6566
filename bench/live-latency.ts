import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { envelope, metaJson, signMeta, waTextEntry } from '../packages/server/test/factories/meta';
import { benchSecret, type BenchSandbox } from './bench-sandbox';
import { round, summarize } from './lib';

// Live latency: a webhook POST until its text is visible in the open thread of an inbox in
// Debian's Chromium, through the whole path (signature, queue, processor, live socket, React).
// The page notes when the text enters the DOM (a MutationObserver, Date.now()); this process notes
// Date.now() just before the POST: one machine, one clock. Messages go one at a time (closed
// loop), so each figure is one message's path, not a queue behind a burst.

const outDir = join(import.meta.dirname, '../packages/web/out');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const liveLatencyGoal = { p50Ms: 300, p99Ms: 1000 };

export type LiveLatencyResult =
  | { skipped: string }
  | { messages: number; p50: number; p99: number; max: number; goal: typeof liveLatencyGoal };

declare global {
  interface Window {
    __liveWant?: Set<string>;
    __liveSeen?: Record<string, number>;
  }
}

export async function benchLiveLatency(
  bench: BenchSandbox,
  opts: { email: string; password: string; messages: number },
): Promise<LiveLatencyResult> {
  if (!existsSync(join(outDir, 'app/inbox/index.html'))) {
    return { skipped: 'web app not built (packages/web/out/app/inbox/index.html missing)' };
  }
  if (!existsSync(chromiumPath)) return { skipped: `no Chromium at ${chromiumPath}` };
  const from = '5511955551234';
  const post = async (text: string) => {
    const raw = metaJson(
      envelope('whatsapp_business_account', [
        waTextEntry({
          wabaId: bench.wabaId,
          phoneNumberId: bench.phoneNumberId,
          from,
          name: 'Live Bench',
          text,
          timestamp: Math.floor(Date.now() / 1000),
        }),
      ]),
    );
    const res = await bench.api.request('POST', '/webhooks/meta', {
      raw,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signMeta(raw, benchSecret),
      },
    });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  };
  await post('live bench: first message');
  await bench.waitForDrain();

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    await page.goto(`${bench.sb.url}/login/`);
    await page.getByLabel('E-mail').fill(opts.email);
    await page.getByLabel('Password').fill(opts.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('conversation-row').filter({ hasText: 'Live Bench' }).click();
    await page.getByRole('log').getByText('live bench: first message').waitFor();
    // Only the socket may bring messages: the inbox does not poll while it is live.
    await page.getByTestId('live-state').getByText('Live', { exact: true }).waitFor();
    // A string, not a function: tsx's esbuild would name the inner functions with a helper the
    // page does not have.
    await page.evaluate(`(() => {
      window.__liveWant = new Set();
      window.__liveSeen = {};
      const check = () => {
        const log = document.querySelector('[role="log"]')?.textContent ?? '';
        for (const text of window.__liveWant) {
          if (log.includes(text)) {
            window.__liveSeen[text] = Date.now();
            window.__liveWant.delete(text);
          }
        }
      };
      new MutationObserver(check).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    })()`);

    const latencies: number[] = [];
    for (let i = 0; i < opts.messages; i++) {
      const text = `live bench message ${i} ${Date.now().toString(36)}`;
      await page.evaluate((t) => window.__liveWant!.add(t), text);
      const sentAt = Date.now();
      await post(text);
      const seenAt = await page.waitForFunction((t) => window.__liveSeen![t], text, {
        timeout: 15_000,
        polling: 'raf',
      });
      latencies.push(Number(await seenAt.jsonValue()) - sentAt);
    }
    const s = summarize(latencies);
    return {
      messages: latencies.length,
      p50: round(s.p50, 0),
      p99: round(s.p99, 0),
      max: round(Math.max(...latencies), 0),
      goal: liveLatencyGoal,
    };
  } finally {
    await browser.close();
  }
}
