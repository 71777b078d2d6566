import type { Context } from 'hono';
import type { Branding } from './branding.repo';
import { InvalidImageError, readLogo } from './image';
import { AppError, NotFoundError } from '../../engine/errors';
import { sha256Hex } from '../../engine/ids';
import { assetKeyPattern, tenantAssetPrefix } from '../../engine/ports/asset-urls';
import { mediaKeyPattern } from '../messaging/media/media-keys';
import { isInlineType } from '../messaging/media/media-rules';
import { byteRange } from '../messaging/media/byte-range';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { apiBaseUrl, signedAssetUrl } from '../../engine/http/public-urls';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { syncTenantFormConfigs } from './form-config.service';
import { formConfigDeps } from './form-config.urls';
import { isCountry } from './phone';

const LOGO_URL_TTL_SECONDS = 3600;

/** `inline` for what a page shows (images, audio, video), `attachment` for everything else. */
function mediaDisposition(key: string, contentType: string): string {
  const fileName = key.slice(key.lastIndexOf('/') + 1);
  return `${isInlineType(contentType) ? 'inline' : 'attachment'}; filename="${fileName}"`;
}

async function brandingView(c: Context, deps: AppDeps, branding: Branding) {
  return {
    displayName: branding.displayName ?? null,
    colors: branding.colors,
    logoUrl: branding.logoKey
      ? await signedAssetUrl(c, deps, branding.logoKey, LOGO_URL_TTL_SECONDS)
      : null,
    logoContentType: branding.logoContentType ?? null,
    defaultCountry: branding.defaultCountry ?? null,
    updatedAt: branding.updatedAt ?? null,
  };
}

export const brandingHandlers = {
  'branding.get': async ({ c, caller, deps }) => {
    const { data } = tenantOf(caller);
    return c.json(await brandingView(c, deps, await data.branding.get()));
  },

  'branding.update': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    if (input.defaultCountry && !isCountry(input.defaultCountry)) {
      throw new AppError('validation_failed', 'Unknown country.', {
        fields: { defaultCountry: 'Choose a country from the list.' },
      });
    }
    const branding = await data.branding.put(input, nowOf(deps).toISOString());
    // Published forms show the new look: their CDN configs are written again.
    await syncTenantFormConfigs(formConfigDeps(apiBaseUrl(c, deps), deps), data);
    await audit(c, caller, deps, { action: 'branding.updated' });
    return c.json(await brandingView(c, deps, branding));
  },

  'branding.logo': async ({ c, caller, deps }) => {
    const { data } = tenantOf(caller);
    let logo;
    try {
      logo = readLogo(new Uint8Array(await c.req.arrayBuffer()));
    } catch (err) {
      if (err instanceof InvalidImageError) throw new AppError('invalid_image', err.message);
      throw err;
    }
    // Content-addressed: a new logo gets a new key, so no cache ever shows the old one.
    const key = `${tenantAssetPrefix(data.tenantId)}branding/logo-${sha256Hex(logo.body).slice(0, 16)}.${logo.ext}`;
    await deps.blobs.put(key, logo.body, logo.contentType);
    const branding = await data.branding.setLogo(key, logo.contentType, nowOf(deps).toISOString());
    await syncTenantFormConfigs(formConfigDeps(apiBaseUrl(c, deps), deps), data);
    await audit(c, caller, deps, {
      action: 'branding.logo_uploaded',
      details: { contentType: logo.contentType },
    });
    return c.json(await brandingView(c, deps, branding), 201);
  },

  /**
   * The sandbox's CDN: serves a blob only with a valid signature over its full key. Anything not
   * verifiably signed answers 404, like a missing object, so nothing is learned by probing.
   */
  'assets.get': async ({ c, deps, params }) => {
    const key = params.path;
    const verify = deps.leads.assets.verify;
    const exp = c.req.query('exp') ?? '';
    const sig = c.req.query('sig') ?? '';
    if (!verify || !assetKeyPattern.test(key)) throw new NotFoundError('Asset');
    const check = await verify.call(deps.leads.assets, key, exp, sig, nowOf(deps));
    if (check === 'invalid') throw new NotFoundError('Asset');
    if (check === 'expired')
      throw new AppError('forbidden', 'This link has expired; reload the page for a new one.');
    const blob = await deps.blobs.get(key);
    if (!blob) throw new NotFoundError('Asset');
    const remaining = Math.max(0, Number(exp) - Math.floor(nowOf(deps).getTime() / 1000));
    c.header('Content-Type', blob.contentType);
    c.header('Cache-Control', `private, max-age=${Math.min(remaining, 3600)}`);
    c.header('X-Content-Type-Options', 'nosniff');
    // Even a sanitised SVG runs nothing: no scripts, no fetches, a unique origin.
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
    );
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (!mediaKeyPattern.test(key)) return c.body(Buffer.from(blob.body));
    // Attachments: documents download under their own name (never rendered by the browser);
    // images, audio and video show inline, and seek with byte ranges (`<video>`, `<audio>`).
    c.header('Content-Disposition', mediaDisposition(key, blob.contentType));
    c.header('Accept-Ranges', 'bytes');
    const range = byteRange(c.req.header('range'), blob.body.length);
    if (!range) return c.body(Buffer.from(blob.body));
    c.header('Content-Range', `bytes ${range.start}-${range.end}/${blob.body.length}`);
    return c.body(Buffer.from(blob.body.subarray(range.start, range.end + 1)), 206);
  },
} satisfies Partial<HandlerTable>;
