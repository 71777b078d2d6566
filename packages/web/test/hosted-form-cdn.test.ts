import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../server/src/engine/local/file-blobs';
import {
  newPage,
  ownerTenant,
  startWebWorld,
  type OwnerTenant,
  type WebWorld,
} from './helpers/web-harness';

// The hosted form page and the embed script read the published config from the CDN path
// (`/cdn/public/forms/<id>/current.json` on the sandbox), never from the API's form route; they
// still post submissions to the API. Driven by Debian's Chromium, requests recorded as they leave.

let world: WebWorld;
let tenant: OwnerTenant;
let base: string;
let landing: Server;
let landingOrigin: string;

const formBody = (origins: string[]) => ({
  name: 'Orçamento',
  allowedOrigins: origins,
  successMessage: 'Obrigado, falamos em breve!',
  fields: [
    { key: 'name', type: 'text', label: 'Your name', required: true },
    { key: 'email', type: 'email', label: 'E-mail', required: true },
    { key: 'terms', type: 'checkbox', label: 'I accept the terms', required: true, consent: true },
  ],
});

async function api(method: string, path: string, body?: unknown) {
  const res = await world.t.api.request(method, path, { token: tenant.token, body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.json;
}

async function publish(origins: string[] = []): Promise<string> {
  const form = await api('POST', '/forms', formBody(origins));
  await api('POST', `/forms/${form.id}/publish`);
  return form.id;
}

/** Every URL path the page requests, in order. */
function recordRequests(page: Page): { method: string; path: string }[] {
  const seen: { method: string; path: string }[] = [];
  page.on('request', (req: Request) => {
    seen.push({ method: req.method(), path: new URL(req.url()).pathname });
  });
  return seen;
}

beforeAll(async () => {
  world = await startWebWorld();
  base = world.t.sb.url;
  tenant = await ownerTenant(world, 'Oficina Azul');
  await api('PUT', '/branding', { displayName: 'Oficina Azul', colors: { primary: '#1d4ed8' } });
  // A landing page on another origin that embeds the form with the one-line script.
  landing = createServer((req, res) => {
    const formId = new URL(req.url ?? '/', 'http://x').searchParams.get('form') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html><body><h1>Landing</h1>` +
        `<script src="${base}/public/forms/${formId}/embed.js" async></script></body></html>`,
    );
  });
  await new Promise<void>((r) => landing.listen(0, '127.0.0.1', () => r()));
  landingOrigin = `http://localhost:${(landing.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => landing?.close(r));
  await world?.stop();
});

describe('the hosted form page', () => {
  it('loads the config from the CDN files, not the API form route, and still submits to the API', async () => {
    const formId = await publish();
    const { context, page } = await newPage(world);
    const seen = recordRequests(page);
    await page.goto(`${base}/f/?id=${formId}`);
    await page.getByRole('heading', { name: 'Orçamento' }).waitFor();
    await expect.poll(() => page.title()).toContain('Oficina Azul');
    const button = page.getByRole('button', { name: 'Send' });
    await expect(button.evaluate((b) => getComputedStyle(b).backgroundColor)).resolves.toBe(
      'rgb(29, 78, 216)',
    );

    const paths = seen.map((r) => r.path);
    expect(paths).toContain(`/cdn/public/forms/${formId}/current.json`);
    expect(
      paths.some((p) =>
        new RegExp(`^/cdn/public/forms/${formId}/v1\\.[0-9a-f]{12}\\.json$`).test(p),
      ),
    ).toBe(true);
    expect(paths).not.toContain(`/public/forms/${formId}`);
    expect(paths).not.toContain(`/public/forms/${formId}/`);

    // Validation messages and consent behave as before; the submission goes to the API.
    await button.click();
    await page
      .getByRole('alert')
      .getByText(/Please fix/)
      .waitFor();
    await page.getByLabel(/Your name/).fill('Rita Lopes');
    await page.getByLabel(/E-mail/).fill('rita@example.com');
    await page.getByLabel(/I accept the terms/).check();
    await button.click();
    await page.getByText('Obrigado, falamos em breve!').waitFor({ timeout: 15_000 });
    expect(seen).toContainEqual({ method: 'POST', path: `/public/forms/${formId}/submissions` });
    expect(seen.map((r) => r.path)).not.toContain(`/public/forms/${formId}`);
    await context.close();
  });

  it('says the form is not available once it is archived (the pointer is withdrawn)', async () => {
    const formId = await publish();
    await api('DELETE', `/forms/${formId}`);
    const { context, page } = await newPage(world);
    await page.goto(`${base}/f/?id=${formId}`);
    await page.getByRole('heading', { name: 'This form is not available' }).waitFor();
    await context.close();
  });

  it('says clearly when the published file cannot be read', async () => {
    const formId = await publish();
    const store = new FileBlobStore(`${world.t.sb.dataDir}/blobs`);
    await store.put(
      `public/forms/${formId}/current.json`,
      '{"format":"something else"}',
      'application/json',
      {
        cacheControl: 'public, max-age=60',
      },
    );
    const { context, page } = await newPage(world);
    await page.goto(`${base}/f/?id=${formId}`);
    const heading = page.getByRole('heading', { name: 'The form could not load' });
    await heading.waitFor();
    await expect(heading.getAttribute('data-problem')).resolves.toBe('invalid');
    await page.getByText(/published settings could not be read/).waitFor();
    await context.close();
  });
});

describe('the embed script on a landing page', () => {
  it('renders from the CDN files and posts to the API', async () => {
    const formId = await publish([landingOrigin]);
    const { context, page } = await newPage(world);
    const seen = recordRequests(page);
    await page.goto(`${landingOrigin}/?form=${formId}`);
    await page.getByLabel(/Your name/).waitFor();
    const paths = seen.map((r) => r.path);
    expect(paths).toContain(`/public/forms/${formId}/embed.js`);
    expect(paths).toContain(`/cdn/public/forms/${formId}/current.json`);
    expect(paths).not.toContain(`/public/forms/${formId}`);

    await page.getByLabel(/Your name/).fill('Beto Dias');
    await page.getByLabel(/E-mail/).fill('beto@example.com');
    await page.getByLabel(/I accept the terms/).check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Obrigado, falamos em breve!').waitFor({ timeout: 15_000 });
    expect(seen).toContainEqual({ method: 'POST', path: `/public/forms/${formId}/submissions` });
    await context.close();
  });
});
