import { BrandingRepo } from './branding.repo';
import { allowedOrigin, countSubmission, liveForm } from './public-forms.service';
import { embedScript } from './embed-script';
import { formConfigUrls } from './form-config.urls';
import { checkIdempotencyKey, ingestSubmission } from './ingest.service';
import { leadLimits } from './lead-deps';
import { randomId, sha256Hex } from '../../engine/ids';
import type { HandlerTable } from '../../engine/http/route-handler';
import { clientIp } from '../../engine/http/client-ip';
import { apiBaseUrl, signedAssetUrl } from '../../engine/http/public-urls';
import { nowOf } from '../../engine/http/session-deps';

// The routes a landing page reaches without signing in (rules in public-forms.service.ts).

const LOGO_URL_TTL_SECONDS = 3600;

export const publicFormHandlers = {
  'public-forms.get': async ({ c, deps, params }) => {
    const form = await liveForm(deps.db, params.id);
    const branding = await new BrandingRepo(deps.db, form.tenantId).get();
    const { allowedOrigins: _origins, whatsappHandoff: _handoff, ...definition } = form.definition;
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'public, max-age=60');
    return c.json({
      id: form.formId,
      version: form.version,
      ...definition,
      branding: {
        displayName: branding.displayName ?? null,
        colors: branding.colors,
        logoUrl: branding.logoKey
          ? await signedAssetUrl(c, deps, branding.logoKey, LOGO_URL_TTL_SECONDS)
          : null,
        ...(branding.defaultCountry ? { defaultCountry: branding.defaultCountry } : {}),
      },
      submitUrl: `${apiBaseUrl(c, deps)}/public/forms/${form.formId}/submissions`,
    });
  },

  'public-forms.embed': async ({ c, deps, params }) => {
    await liveForm(deps.db, params.id);
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    c.header('X-Content-Type-Options', 'nosniff');
    // The script reads the form's config from the CDN, whose address it carries.
    return c.body(embedScript(formConfigUrls(apiBaseUrl(c, deps), deps).configBase));
  },

  'public-forms.submit': async ({ c, deps, params, body }) => {
    const now = nowOf(deps);
    const form = await liveForm(deps.db, params.id);
    // The origin first, so an allowed page can read every answer after it (429s included).
    const origin = allowedOrigin(form, c.req.header('origin'), [
      ...(deps.leads.hostedFormOrigin ? [deps.leads.hostedFormOrigin] : []),
      new URL(apiBaseUrl(c, deps)).origin,
    ]);
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    const ip = clientIp(c);
    await countSubmission(deps.db, {
      formId: form.formId,
      ip,
      limits: leadLimits(deps.leads),
      now,
    });
    const input = await body();
    if (input.website) {
      // A bot filled the honeypot: it sees success, nothing is kept.
      deps.log.info('honeypot submission dropped', { formId: form.formId });
      return c.json({ submissionId: randomId('sub') }, 202);
    }
    const { defaultCountry } = await new BrandingRepo(deps.db, form.tenantId).get();
    const outcome = await ingestSubmission(
      { db: deps.db, tenantDb: deps.tenantDb, bus: deps.leads.bus, now },
      {
        tenantId: form.tenantId,
        defaultCountry,
        source: 'form',
        form: { formId: form.formId, version: form.version, definition: form.definition },
        fields: input.fields,
        idempotencyKey: checkIdempotencyKey(
          c.req.header('idempotency-key') ?? input.idempotencyKey,
        ),
        meta: {
          origin,
          ...(ip ? { ipHash: sha256Hex(ip).slice(0, 16) } : {}),
          ...(c.req.header('user-agent')
            ? { userAgent: c.req.header('user-agent')!.slice(0, 256) }
            : {}),
          ...(c.req.header('referer') ? { referrer: c.req.header('referer')!.slice(0, 500) } : {}),
        },
      },
    );
    return c.json(outcome.body as object, outcome.status as 202);
  },
} satisfies Partial<HandlerTable>;
