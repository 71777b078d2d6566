import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineScriptHashes } from '../src/engine/sandbox/web-static';
import { startTestSandbox, type TestSandbox } from './helpers/harness';

// The sandbox serving the web app next to the API: static files with the right types and caching,
// page fallbacks, per-page CSP hashes, API priority, security headers everywhere, and the
// refresh-token cookie the web app relies on.

const inline = 'self.__next_f=self.__next_f||[];';
const page = (title: string) =>
  `<!DOCTYPE html><html><head><title>${title}</title><script src="/_next/static/chunks/app.js" async></script></head>` +
  `<body><script>${inline}</script><p>${title}</p></body></html>`;

let t: TestSandbox;
let webDir: string;

function put(path: string, body: string) {
  const full = join(webDir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, body);
}

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'switchboard-web-'));
  put('index.html', page('home'));
  put('404.html', page('not found'));
  put('app/inbox/index.html', page('inbox'));
  put('app/inbox/index.txt', '0:{}');
  put('f/index.html', page('hosted form'));
  put('_next/static/chunks/app.js', 'console.log(1)');
  put('_next/static/chunks/app.css', 'body{}');
  put('icon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
  t = await startTestSandbox({ webDir });
});

afterAll(async () => {
  await t?.stop();
  rmSync(webDir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${t.sb.url}${path}`, { headers, redirect: 'manual' });

describe('static web app', () => {
  it('hashes inline scripts only', () => {
    const expected = `sha256-${createHash('sha256').update(inline).digest('base64')}`;
    expect(inlineScriptHashes(page('x'))).toEqual([expected]);
  });

  it('serves pages with a CSP carrying their inline script hashes', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`script-src 'self' '${inlineScriptHashes(page('x'))[0]}'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  it('lets other sites frame the hosted form only', async () => {
    const res = await get('/f/');
    expect(res.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(res.headers.get('x-frame-options')).toBeNull();
  });

  it('redirects a page path without its slash and falls back to the nearest page for deep links', async () => {
    const redirect = await get('/app/inbox?c=cv_1');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/app/inbox/?c=cv_1');
    const deep = await get('/f/fm_abc', { accept: 'text/html' });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('hosted form');
  });

  it('caches hashed assets for a year and revalidates the rest with an ETag', async () => {
    const js = await get('/_next/static/chunks/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/_next/static/chunks/app.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect((await get('/icon.svg')).headers.get('content-type')).toBe('image/svg+xml');
    expect((await get('/app/inbox/index.txt')).headers.get('content-type')).toBe(
      'text/plain; charset=utf-8',
    );
    const etag = js.headers.get('etag')!;
    const again = await get('/_next/static/chunks/app.js', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    const head = await fetch(`${t.sb.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
  });

  it('answers unknown paths with the 404 page for browsers and JSON for API clients', async () => {
    const html = await get('/nope', { accept: 'text/html' });
    expect(html.status).toBe(404);
    expect(await html.text()).toContain('not found');
    const json = await get('/nope', { accept: 'application/json' });
    expect(json.status).toBe(404);
    expect((await json.json()).error.code).toBe('not_found');
    for (const path of ['/..%2f..%2fetc%2fpasswd', '/app/%2e%2e/%2e%2e/package.json', '/%00']) {
      expect((await get(path)).status).not.toBe(200);
    }
  });

  it('picks up a rebuilt export without a restart', async () => {
    expect((await get('/_next/static/chunks/new.js')).status).toBe(404);
    put('_next/static/chunks/new.js', 'console.log(2)');
    put('index.html', page('home rebuilt'));
    expect((await get('/_next/static/chunks/new.js')).status).toBe(200);
    expect(await (await get('/')).text()).toContain('home rebuilt');
  });

  it('keeps API routes first, with the same security headers', async () => {
    const res = await get('/conversations', { accept: 'text/html' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age/);
  });
});

describe('refresh token cookie', () => {
  const cookieOf = (res: Response) =>
    res.headers.getSetCookie().find((c) => c.startsWith('sb_refresh='));

  it('is set httpOnly, SameSite=Strict, scoped to /auth, and refreshes without a body', async () => {
    const login = await fetch(`${t.sb.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: t.sb.admin.email, password: t.sb.admin.password }),
    });
    expect(login.status).toBe(200);
    const cookie = cookieOf(login)!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/auth/);
    expect(cookie).not.toMatch(/Secure/); // plain http on the laptop
    const pair = cookie.split(';')[0]!;

    const refreshed = await fetch(`${t.sb.url}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: pair },
    });
    expect(refreshed.status).toBe(200);
    const body = await refreshed.json();
    expect(body.accessToken).toBeTruthy();
    const rotated = cookieOf(refreshed)!;
    expect(rotated.split(';')[0]).not.toBe(pair);

    // Single use: the old cookie gets no new token (a 409 "raced" inside the grace window, else 401).
    const reused = await fetch(`${t.sb.url}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: pair },
    });
    expect([401, 409]).toContain(reused.status);
    expect(cookieOf(reused) ?? '').not.toMatch(/sb_refresh=[^;]+;/);
  });

  it('marks the cookie Secure behind https and clears it on logout', async () => {
    const login = await fetch(`${t.sb.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ email: t.sb.admin.email, password: t.sb.admin.password }),
    });
    expect(cookieOf(login)).toMatch(/Secure/);
    const { accessToken } = await login.json();
    const logout = await fetch(`${t.sb.url}/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(logout.status).toBe(204);
    expect(cookieOf(logout)).toMatch(/Max-Age=0/);
  });

  it('without any refresh token answers 401, not a validation error', async () => {
    const res = await fetch(`${t.sb.url}/auth/refresh`, { method: 'POST' });
    expect(res.status).toBe(401);
  });
});
