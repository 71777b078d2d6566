import type { Context } from 'hono';
import { BrandingRepo } from './branding.repo';
import { FormPointerRepo, type PublishedForm } from './form.repo';
import { keys } from '../../engine/data/keys';
import { hit, overLimit, type Counter } from '../identity/rate-limiter';
import { embedScript } from './embed-script';
import { checkIdempotencyKey, ingestSubmission } from './ingest.service';
import { leadLimits } from './lead-deps';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId, sha256Hex } from '../../engine/ids';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { clientIp } from '../../engine/http/client-ip';
import { apiBaseUrl, signedAssetUrl } from '../../engine/http/public-urls';
import { nowOf } from '../../engine/http/session-deps';

// The routes a landing page reaches without signing in. A form id finds its tenant through the
// global FORM#<formId> pointer; the tenant never comes from the client.

const LOGO_URL_TTL_SECONDS = 3600;

async function liveForm(deps: AppDeps, formId: string): Promise<PublishedForm> {
  const form = /^fm_[0-9a-z]{20}$/.test(formId)
    ? await new FormPointerRepo(deps.db).get(formId)
    : undefined;
  if (!form || !form.live) throw new NotFoundError('Form');
  return form;
}

function allowedOrigin(c: Context, deps: AppDeps, form: PublishedForm): string {
  const origin = c.req.header('origin')?.toLowerCase();
  const allowed = new Set([
    ...form.definition.allowedOrigins.map((o) => o.toLowerCase()),
    ...(deps.leads.hostedFormOrigin ? [deps.leads.hostedFormOrigin.toLowerCase()] : []),
    new URL(apiBaseUrl(c, deps)).origin.toLowerCase(),
  ]);
  if (!origin || !allowed.has(origin)) {
    throw new AppError(
      'origin_not_allowed',
      'This form does not accept submissions from this site.',
    );
  }
  return origin;
}

async function countSubmission(
  c: Context,
  deps: AppDeps,
  formId: string,
  now: Date,
): Promise<void> {
  const limits = leadLimits(deps.leads);
  const ip = clientIp(c);
  const counters: Counter[] = [
    { key: (start) => keys.rateWindow('lead-form', formId, start), limit: limits.perForm },
  ];
  if (ip) {
    const subject = sha256Hex(ip).slice(0, 32);
    counters.push({
      key: (start) => keys.rateWindow('lead-ip', subject, start),
      limit: limits.perIp,
    });
  }
  const blocked = overLimit(await hit(deps.db, now, counters), now, {
    code: 'rate_limited',
    message: 'Too many submissions.',
  });
  if (blocked) throw blocked;
}

export const publicFormHandlers = {
  'public-forms.get': async ({ c, deps, params }) => {
    const form = await liveForm(deps, params.id);
    const branding = await new BrandingRepo(deps.db, form.tenantId).get();
    const { allowedOrigins: _origins, ...definition } = form.definition;
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
      },
      submitUrl: `${apiBaseUrl(c, deps)}/public/forms/${form.formId}/submissions`,
    });
  },

  'public-forms.embed': async ({ c }) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(embedScript);
  },

  'public-forms.submit': async ({ c, deps, params, body }) => {
    const now = nowOf(deps);
    const form = await liveForm(deps, params.id);
    // The origin first, so an allowed page can read every answer after it (429s included).
    const origin = allowedOrigin(c, deps, form);
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    await countSubmission(c, deps, form.formId, now);
    const input = await body();
    if (input.website) {
      // A bot filled the honeypot: it sees success, nothing is kept.
      deps.log.info('honeypot submission dropped', { formId: form.formId });
      return c.json({ submissionId: randomId('sub') }, 202);
    }
    const ip = clientIp(c);
    const outcome = await ingestSubmission(
      { db: deps.db, tenantDb: deps.tenantDb, bus: deps.leads.bus, now },
      {
        tenantId: form.tenantId,
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
