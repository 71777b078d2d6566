import type { SsoRedirectErrorCode } from '@switchboard/contracts';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { dbForTenant } from '../../engine/data/tenant-data';
import { AppError } from '../../engine/errors';
import { audit } from '../../engine/http/audit';
import type { Caller } from '../../engine/http/auth-context';
import { requestInfo } from '../../engine/http/client-ip';
import { apiBaseUrl } from '../../engine/http/public-urls';
import { setRefreshCookie } from '../../engine/http/refresh-cookie';
import { requestLog } from '../../engine/http/request-context';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { nowOf, sessionDeps } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import type { AuditSink } from './account-audit';
import { beginSsoSignIn, completeSsoSignIn, ssoFlowTtlSeconds, SsoRefusal } from './sso.service';
import type { SsoDeps } from './sso.oidc';
import { SsoSettingsRepo } from './sso.repo';
import { removeSsoSettings, ssoSettingsView, updateSsoSettings } from './sso.settings.service';

// Single sign-on's HTTP edge. Start and callback are browser navigations: they answer 302 (with a
// link in an HTML body), never JSON; a failure lands on the login page as `?error=<code>`, which
// the page shows in plain words. The flow's browser binding is an httpOnly cookie scoped to the
// callback path; on success the refresh token goes into its cookie exactly as a password sign-in
// sets it, and the web app then refreshes to get its access token.

const flowCookie = 'sb_sso';

const noSso: SsoDeps = {};
const ssoOf = (deps: AppDeps): SsoDeps => deps.sso ?? noSso;

function isHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  return (forwarded ?? new URL(c.req.url).protocol.replace(':', '')) === 'https';
}

/** Where the provider sends the browser back: the API's public URL (with its stage on AWS). */
function callbackUrlOf(c: Context, deps: AppDeps): string {
  return `${apiBaseUrl(c, deps)}/auth/sso/callback`;
}

function webOriginOf(c: Context, deps: AppDeps): string {
  return (deps.webOrigin?.() ?? new URL(apiBaseUrl(c, deps)).origin).replace(/\/$/, '');
}

const htmlEscape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function redirect(c: Context, location: string): Response {
  return c.body(
    `<!doctype html><meta charset="utf-8"><title>Redirecting…</title><a href="${htmlEscape(location)}">Continue</a>\n`,
    302,
    {
      Location: location,
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      // The callback's URL holds the code: no page it leads to learns it from a Referer.
      'Referrer-Policy': 'no-referrer',
    },
  );
}

function toLogin(
  c: Context,
  deps: AppDeps,
  params: Record<string, string | undefined>,
  fragment?: Record<string, string>,
): Response {
  const url = new URL(`${webOriginOf(c, deps)}/login/`);
  for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(key, value);
  if (fragment) url.hash = new URLSearchParams(fragment).toString();
  return redirect(c, url.href);
}

function recorder(c: Context, caller: Caller, deps: AppDeps): AuditSink {
  return (event, scope) => audit(c, caller, deps, event, scope);
}

/** Anything unexpected still lands the browser on the login page, never on a JSON error. */
function refusalOf(c: Context, deps: AppDeps, err: unknown): SsoRefusal {
  if (err instanceof SsoRefusal) return err;
  if (err instanceof AppError && err.code === 'account_disabled') {
    return new SsoRefusal('account_disabled', 'account_disabled');
  }
  requestLog(c, deps.log).error('single sign-on failed', {
    error: (err as Error).name,
    detail: (err as Error).message,
  });
  return new SsoRefusal('sso_failed', `unexpected:${(err as Error).name}`);
}

const callbackPathOf = (c: Context, deps: AppDeps) => new URL(callbackUrlOf(c, deps)).pathname;

export const ssoHandlers = {
  'auth.sso.providers': async ({ c, deps }) => {
    const platform = ssoOf(deps).platform;
    c.header('Cache-Control', 'no-store');
    return c.json(platform ? { platform: { name: platform.name } } : {});
  },

  'auth.sso.start': async ({ c, deps, query }) => {
    try {
      const start = await beginSsoSignIn(
        {
          db: deps.db,
          tenantDb: deps.tenantDb,
          cipher: deps.cipher,
          sso: ssoOf(deps),
          now: nowOf(deps),
        },
        { query, redirectUri: callbackUrlOf(c, deps), clientIp: requestInfo(c).ip },
      );
      setCookie(c, flowCookie, start.browserBinding, {
        httpOnly: true,
        // Lax: the callback is a top-level navigation from the provider's site (Strict would
        // withhold the cookie there).
        sameSite: 'Lax',
        secure: isHttps(c),
        path: callbackPathOf(c, deps),
        maxAge: ssoFlowTtlSeconds,
      });
      return redirect(c, start.redirectUrl);
    } catch (err) {
      const refusal = refusalOf(c, deps, err);
      return toLogin(c, deps, { error: refusal.code });
    }
  },

  'auth.sso.callback': async ({ c, caller, deps, query }) => {
    const browserBinding = getCookie(c, flowCookie);
    deleteCookie(c, flowCookie, { path: callbackPathOf(c, deps), secure: isHttps(c) });
    const record = recorder(c, caller, deps);
    try {
      // Exactly our redirect URI plus what the provider appended (behind API Gateway the
      // request's own URL lacks the stage).
      const callbackUrl = new URL(`${callbackUrlOf(c, deps)}${new URL(c.req.url).search}`);
      const outcome = await completeSsoSignIn(
        {
          db: deps.db,
          tenantDb: deps.tenantDb,
          cipher: deps.cipher,
          sso: ssoOf(deps),
          now: nowOf(deps),
          record,
        },
        await sessionDeps(deps),
        { state: query.state, browserBinding, callbackUrl, request: requestInfo(c) },
      );
      if (outcome.kind === 'challenge') {
        // In the fragment: it never reaches a server log or a Referer.
        return toLogin(
          c,
          deps,
          { next: outcome.next },
          {
            challenge: outcome.challenge.challenge,
            expiresIn: String(outcome.challenge.expiresIn),
          },
        );
      }
      setRefreshCookie(c, outcome.response);
      return toLogin(c, deps, { sso: 'done', next: outcome.next });
    } catch (err) {
      const refusal = refusalOf(c, deps, err);
      const { tenantId, email, userId } = refusal.context;
      await record(
        {
          action: 'auth.sign_in_failed',
          actor: userId
            ? { kind: 'user', id: userId, email }
            : { kind: 'anonymous', email: email?.slice(0, 254) },
          details: { via: 'sso', code: refusal.code, reason: refusal.reason.slice(0, 200) },
        },
        { ...(tenantId ? { tenantIds: [tenantId] } : {}), platform: true },
      );
      return toLogin(c, deps, { error: refusal.code satisfies SsoRedirectErrorCode });
    }
  },

  'sso-settings.get': async ({ c, caller, deps }) => {
    const { tenantId } = tenantOf(caller).ctx;
    const settings = await new SsoSettingsRepo(dbForTenant(deps, tenantId), tenantId).get();
    return c.json(ssoSettingsView(settings, callbackUrlOf(c, deps), ssoOf(deps)));
  },

  'sso-settings.update': async ({ c, caller, deps, body }) => {
    const tenant = tenantOf(caller);
    const { tenantId } = tenant.ctx;
    const input = await body();
    const settings = await updateSsoSettings(
      {
        db: dbForTenant(deps, tenantId),
        platformDb: deps.db,
        cipher: deps.cipher,
        sso: ssoOf(deps),
        now: nowOf(deps),
      },
      tenantId,
      tenant.userId ?? 'unknown',
      input,
    );
    await audit(c, caller, deps, {
      action: 'tenant.sso_settings_changed',
      details: {
        identityProvider: settings.identityProvider?.issuer ?? 'none',
        clientSecretChanged: Boolean(input.identityProvider?.clientSecret),
        slug: settings.slug ?? 'none',
        allowedDomains: settings.allowedDomains.join(',').slice(0, 500) || 'none',
      },
    });
    return c.json(ssoSettingsView(settings, callbackUrlOf(c, deps), ssoOf(deps)));
  },

  'sso-settings.delete': async ({ c, caller, deps }) => {
    const { tenantId } = tenantOf(caller).ctx;
    const had = await removeSsoSettings(
      { db: dbForTenant(deps, tenantId), platformDb: deps.db },
      tenantId,
    );
    if (had) await audit(c, caller, deps, { action: 'tenant.sso_settings_removed' });
    return c.body(null, 204);
  },
} satisfies Partial<HandlerTable>;
