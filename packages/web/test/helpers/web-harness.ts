import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  createTenant,
  postWebhook,
  startTestSandbox,
  type TestSandbox,
} from '../../../server/test/helpers/harness';

// Browser tests drive Debian's Chromium (never a downloaded build) against a real sandbox started
// in-process on port 0 with a temporary data dir; the sandbox serves the web app's static export.

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../../..');
export const resultsDir = join(repoRoot, 'packages/web/test-results');

export const ensureWebBuildScript = join(repoRoot, 'scripts/ensure-web-build.mjs');

/**
 * Builds packages/web once (skipped when `out/` is newer than every source). Vitest runs tests
 * with NODE_ENV=test and the build is started from here with exactly that, on purpose: the build
 * script must build for production whatever NODE_ENV its caller has (test/web-build.test.ts
 * checks `development` and `test` from scratch).
 */
export function ensureWebBuilt(): void {
  execFileSync(process.execPath, [ensureWebBuildScript], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_ENV: 'test', NEXT_TELEMETRY_DISABLED: '1' },
  });
}

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export type WebWorld = {
  t: TestSandbox;
  browser: Browser;
  /** Console errors and CSP violations seen by any page: a test may assert there were none. */
  pageErrors: string[];
  stop(): Promise<void>;
};

export async function startWebWorld(): Promise<WebWorld> {
  ensureWebBuilt();
  const t = await startTestSandbox({ metaStatusDelayMs: 150 });
  const browser = await launchBrowser();
  return {
    t,
    browser,
    pageErrors: [],
    async stop() {
      await browser.close().catch(() => undefined);
      await t.stop();
    },
  };
}

export async function newPage(
  world: WebWorld,
  opts: { width?: number; height?: number; mobile?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await world.browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    deviceScaleFactor: 1,
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') world.pageErrors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => world.pageErrors.push(`${page.url()}: ${err.message}`));
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: false });
}

let metaSeq = 0;
/** Unique numeric Meta ids per test run, so tenants never share routing keys. */
export function metaId(): string {
  metaSeq++;
  return `17${String(Date.now()).slice(-9)}${String(metaSeq).padStart(4, '0')}`;
}

export type OwnerTenant = {
  id: string;
  token: string;
  email: string;
  password: string;
  wabaId: string;
  phoneNumberId: string;
  channelId: string;
};

/** A tenant with a WhatsApp number, and its owner's credentials for the sign-in form. */
export async function ownerTenant(world: WebWorld, name: string): Promise<OwnerTenant> {
  const { api, adminToken } = world.t;
  const email = `owner-${metaId()}@example.com`;
  const password = 'correct horse battery staple';
  const created = await api.request('POST', '/admin/tenants', {
    token: adminToken,
    body: { name, ownerEmail: email, ownerPassword: password },
  });
  if (created.status !== 201) throw new Error(`tenant: ${created.status} ${created.text}`);
  const token = await api.login(email, password);
  const wabaId = metaId();
  const phoneNumberId = metaId();
  const channel = await api.request('POST', '/channels', {
    token,
    body: {
      type: 'whatsapp',
      wabaId,
      phoneNumberId,
      accessToken: 'EAAG-test-token-0123456789',
      displayName: `${name} WhatsApp`,
    },
  });
  if (channel.status !== 201) throw new Error(`channel: ${channel.status} ${channel.text}`);
  return {
    id: created.json.id,
    token,
    email,
    password,
    wabaId,
    phoneNumberId,
    channelId: channel.json.id,
  };
}

export async function signIn(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/login/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/inbox\/?/);
}

export { createTenant, postWebhook };
