import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { envelope, metaJson, signMeta, waTextEntry } from '../packages/server/test/factories/meta';
import { benchSecret, type BenchSandbox } from './bench-sandbox';
import { round, summarize } from './lib';

// Web: the inbox route's JavaScript (every script its exported HTML loads, gzipped as served) and
// the time to the first conversation shown in Debian's Chromium against the sandbox, which serves
// the static export next to the API: after sign-in (submit → first row), and on a reload of
// /app/inbox/ with the session cookie (navigation start → first row).

const outDir = join(import.meta.dirname, '../packages/web/out');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type WebResult =
  | { skipped: string }
  | {
      inboxJsKiB: number;
      inboxJsGzipKiB: number;
      scripts: number;
      signInToFirstRowMs: number;
      reloadToFirstRowP50: number;
      reloadToFirstRowP99: number;
    };

export function inboxBundle(): { raw: number; gzip: number; scripts: number } | undefined {
  const html = join(outDir, 'app/inbox/index.html');
  if (!existsSync(html)) return undefined;
  const srcs = [...readFileSync(html, 'utf8').matchAll(/<script[^>]*src="([^"]+\.js)"/g)].map(
    (m) => m[1]!,
  );
  let raw = 0;
  let gzip = 0;
  for (const src of new Set(srcs)) {
    const file = join(outDir, src.replace(/^\//, ''));
    if (!existsSync(file)) continue;
    const body = readFileSync(file);
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  return { raw, gzip, scripts: new Set(srcs).size };
}

export async function benchWeb(
  bench: BenchSandbox,
  opts: { email: string; password: string; reloads: number },
): Promise<WebResult> {
  const bundle = inboxBundle();
  if (!bundle)
    return { skipped: 'web app not built (packages/web/out/app/inbox/index.html missing)' };
  if (!existsSync(chromiumPath)) return { skipped: `no Chromium at ${chromiumPath}` };
  const raw = metaJson(
    envelope('whatsapp_business_account', [
      waTextEntry({
        wabaId: bench.wabaId,
        phoneNumberId: bench.phoneNumberId,
        from: '5511955550000',
        name: 'Web Bench',
        text: 'hello from the web bench',
      }),
    ]),
  );
  await bench.api.request('POST', '/webhooks/meta', {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signMeta(raw, benchSecret),
    },
  });
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
    const row = page.getByTestId('conversation-row').first();
    await page.goto(`${bench.sb.url}/login/`);
    await page.getByLabel('E-mail').fill(opts.email);
    await page.getByLabel('Password').fill(opts.password);
    const t0 = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await row.waitFor({ timeout: 30_000 });
    const signIn = performance.now() - t0;
    const reloads: number[] = [];
    for (let i = 0; i < opts.reloads; i++) {
      const start = performance.now();
      await page.goto(`${bench.sb.url}/app/inbox/`);
      await row.waitFor({ timeout: 30_000 });
      reloads.push(performance.now() - start);
    }
    const r = summarize(reloads);
    return {
      inboxJsKiB: round(bundle.raw / 1024, 0),
      inboxJsGzipKiB: round(bundle.gzip / 1024, 0),
      scripts: bundle.scripts,
      signInToFirstRowMs: round(signIn, 0),
      reloadToFirstRowP50: r.p50,
      reloadToFirstRowP99: r.p99,
    };
  } finally {
    await browser.close();
  }
}
