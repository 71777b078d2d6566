import { Hono, type Context } from 'hono';
import { errorBody } from '../http/app';
import type { BlobStore } from '../ports/blobs';
import { sandboxCdnPrefix as sandboxCdnPath } from '../../modules/leads/form-config.urls';

// The sandbox's stand-in for the assets distribution's public `public/forms/*` behavior: published
// form configs (and their logo copies) straight from the blob store, unsigned, at
// `<sandbox>/cdn/public/forms/<formId>/<file>`, with the headers CloudFront sends in AWS: the
// object's own Content-Type and Cache-Control, CORS for any page (GET and HEAD only), nosniff, and
// a CSP under which nothing served here can run. Any other path under /cdn is a 404.

/** `current.json`, `v<n>.<rev>.json` and the content-addressed logo copies; nothing else. */
const publicFormFile =
  /^public\/forms\/fm_[0-9a-z]{20}\/(?:current\.json|v\d{1,9}\.[0-9a-f]{12}\.json|logo-[0-9a-f]{16}\.(?:png|jpg|jpeg|gif|webp|svg))$/;

export const cdnContentSecurityPolicy =
  "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

const cors = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': cdnContentSecurityPolicy,
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

function notFound(c: Context): Response {
  // S3 behind OAC answers a missing key with 403; CloudFront passes it on. Here: a plain 404.
  return c.json(errorBody('not_found', 'No such file.'), 404, {
    ...cors,
    'Cache-Control': 'no-store',
  });
}

/** Mounted on the sandbox's app before the web app's catch-all (see web-static.ts). */
export function formCdnApp(blobs: BlobStore): Hono {
  const app = new Hono();
  app.on(['GET', 'HEAD'], `${sandboxCdnPath}/*`, async (c) => {
    const key = c.req.path.slice(sandboxCdnPath.length + 1);
    if (!publicFormFile.test(key)) return notFound(c);
    const blob = await blobs.get(key);
    if (!blob) return notFound(c);
    const headers: Record<string, string> = {
      ...cors,
      'Content-Type': blob.contentType,
      'Content-Length': String(blob.body.length),
    };
    if (blob.cacheControl) headers['Cache-Control'] = blob.cacheControl;
    const body = c.req.method === 'HEAD' ? null : Buffer.from(blob.body);
    return new Response(body, { status: 200, headers });
  });
  return app;
}
