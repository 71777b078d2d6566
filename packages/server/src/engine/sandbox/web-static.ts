import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { errorBody } from '../http/app';
import { securityHeaders } from '../http/security-headers';
import type { Logger } from '../log';

// The web app (packages/web, a Next.js static export) served by the sandbox at `/`, next to the
// API. API routes are registered first and keep priority; this answers the GETs they do not
// match. In AWS the same files sit in S3 behind CloudFront.
//
// Every HTML page gets a strict Content-Security-Policy with the SHA-256 of each inline <script>
// Next emitted in that page (its flight data and bootstrap), computed once when the files are
// indexed, so no 'unsafe-inline' is needed for scripts.

export const defaultWebDir = fileURLToPath(new URL('../../../../web/out', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  // Next's client accepts RSC payloads as text/plain in a static export.
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
};

/** Paths whose pages another site may frame: the hosted lead form, embedded on landing pages. */
const frameablePrefixes = ['/f/'];

export function pageContentSecurityPolicy(scriptHashes: string[], frameable: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self'${scriptHashes.map((h) => ` '${h}'`).join('')}`,
    // Next and React set style attributes and <style> tags at runtime; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    // Logos and uploads come from the signed assets route on this origin.
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "manifest-src 'self'",
    "worker-src 'self' blob:",
    frameable ? 'frame-ancestors *' : "frame-ancestors 'none'",
  ].join('; ');
}

/** `sha256-…` of every inline script body (scripts without `src`). */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    const body = match[1] ?? '';
    hashes.add(`sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}`);
  }
  return [...hashes].sort();
}

type WebFile = {
  path: string;
  size: number;
  etag: string;
  contentType: string;
  cacheControl: string;
  /** Pages only: the CSP carrying their inline script hashes. */
  csp?: string;
};

/** `builtAtMs`: the export's index.html mtime, to notice a rebuild. */
export type WebApp = { dir: string; files: Map<string, WebFile>; builtAtMs: number };

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function cacheControlOf(urlPath: string, ext: string): string {
  // Content-hashed bundles never change under the same name.
  if (urlPath.startsWith('/_next/static/')) return 'public, max-age=31536000, immutable';
  // Pages and RSC payloads name no version: always revalidate (cheap with the ETag).
  if (ext === '.html' || ext === '.txt') return 'no-cache';
  return 'public, max-age=3600';
}

/** Indexes the export once; answers `null` when it has not been built (the API still runs). */
export async function loadWebApp(dir: string = defaultWebDir): Promise<WebApp | null> {
  const info = await stat(join(dir, 'index.html')).catch(() => null);
  if (!info) return null;
  const files = new Map<string, WebFile>();
  for (const full of await walk(dir)) {
    const urlPath = `/${relative(dir, full).split(sep).join('/')}`;
    const ext = extname(full).toLowerCase();
    const s = await stat(full);
    const file: WebFile = {
      path: full,
      size: s.size,
      etag: `W/"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`,
      contentType: contentTypes[ext] ?? 'application/octet-stream',
      cacheControl: cacheControlOf(urlPath, ext),
    };
    if (ext === '.html') {
      const html = await readFile(full, 'utf8');
      const frameable = frameablePrefixes.some((p) => urlPath.startsWith(p));
      file.csp = pageContentSecurityPolicy(inlineScriptHashes(html), frameable);
    }
    files.set(urlPath, file);
  }
  return { dir, files, builtAtMs: info.mtimeMs };
}

function wantsHtml(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return accept.includes('text/html');
}

/** The file a URL path names: the file itself, or the page directory's index.html. */
function resolve(web: WebApp, path: string): WebFile | 'redirect' | undefined {
  if (path.includes('\0') || path.split('/').some((seg) => seg === '..')) return undefined;
  const exact = web.files.get(path);
  if (exact) return exact;
  if (path.endsWith('/')) return web.files.get(`${path}index.html`);
  if (web.files.has(`${path}/index.html`)) return 'redirect';
  return undefined;
}

/**
 * Deep links under an app route with no page of their own (`/f/<id>`, `/app/inbox/<old link>`)
 * get the nearest page up the tree; the page reads what it needs from the URL.
 */
function fallbackPage(web: WebApp, path: string): WebFile | undefined {
  if (!path.startsWith('/app/') && !path.startsWith('/f/')) return undefined;
  const parts = path.split('/').filter(Boolean);
  for (let n = parts.length - 1; n >= 1; n--) {
    const page = web.files.get(`/${parts.slice(0, n).join('/')}/index.html`);
    if (page) return page;
  }
  return undefined;
}

async function send(c: Context, file: WebFile, status = 200): Promise<Response> {
  const headers: Record<string, string> = {
    'Content-Type': file.contentType,
    'Cache-Control': file.cacheControl,
    ETag: file.etag,
  };
  if (file.csp) headers['Content-Security-Policy'] = file.csp;
  if (status === 200 && c.req.header('if-none-match') === file.etag) {
    return new Response(null, { status: 304, headers });
  }
  headers['Content-Length'] = String(file.size);
  if (c.req.method === 'HEAD') return new Response(null, { status, headers });
  return new Response(await readFile(file.path), { status, headers });
}

/**
 * Mounts the static files after the API: GET and HEAD for whatever no API route matched. A rebuild
 * of the export while the sandbox runs is picked up: one stat of index.html per request notices it.
 */
export function mountWebApp(app: Hono, initial: WebApp): void {
  let web = initial;
  let reloading: Promise<void> | null = null;
  const refresh = async (force = false) => {
    const info = await stat(join(web.dir, 'index.html')).catch(() => null);
    if (!info || (!force && info.mtimeMs === web.builtAtMs)) return;
    reloading ??= loadWebApp(web.dir)
      .then((next) => {
        if (next) web = next;
      })
      .finally(() => (reloading = null));
    await reloading;
  };
  const handler = async (c: Context) => {
    await refresh();
    let path: string;
    try {
      path = decodeURIComponent(c.req.path);
    } catch {
      return c.json(errorBody('bad_request', 'The path is not valid.'), 400);
    }
    let found = resolve(web, path);
    // A bundle written after the last index (a build still running then): look again once.
    if (!found && path.startsWith('/_next/') && !path.split('/').includes('..')) {
      if (await stat(join(web.dir, path)).catch(() => null)) {
        await refresh(true);
        found = resolve(web, path);
      }
    }
    if (found === 'redirect') {
      const url = new URL(c.req.url);
      return c.redirect(`${path}/${url.search}`, 308);
    }
    if (found) return send(c, found);
    const page = wantsHtml(c) ? fallbackPage(web, path) : undefined;
    if (page) return send(c, page);
    const notFound = web.files.get('/404.html');
    if (notFound && wantsHtml(c)) return send(c, notFound, 404);
    return c.json(
      errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`, { reason: 'no_route' }),
      404,
    );
  };
  app.on(['GET', 'HEAD'], '*', handler);
}

/**
 * The sandbox's one HTTP app: security headers on everything, the API's routes first, then the
 * web app's files (when `packages/web/out` exists; `webDir: false` serves the API alone).
 */
export async function withWebApp(
  api: Hono,
  webDir: string | false | undefined,
  log: Logger,
  /** More apps before the web app's catch-all (the sandbox's CDN, form-cdn.ts). */
  extra: Hono[] = [],
): Promise<Hono> {
  const root = new Hono();
  root.use('*', securityHeaders());
  root.route('/', api);
  for (const app of extra) root.route('/', app);
  const web = webDir === false ? null : await loadWebApp(webDir ?? defaultWebDir);
  if (web) mountWebApp(root, web);
  else if (webDir !== false) {
    log.warn('web app not built: serving the API only (npm run build -w @switchboard/web)', {
      dir: webDir ?? defaultWebDir,
    });
  }
  root.notFound((c) =>
    c.json(
      errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`, { reason: 'no_route' }),
      404,
    ),
  );
  return root;
}
