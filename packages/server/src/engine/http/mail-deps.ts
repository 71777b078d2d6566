import { BrandingRepo } from '../../modules/leads/branding.repo';
import { platformBrand, type MailDeps } from '../../modules/identity/mail-templates';
import { dbForTenant } from '../data/tenant-data';
import type { AppDeps } from './route-handler';
import { nowOf, settingsOf } from './session-deps';

// What the identity services need to mail someone: the mailer, links into the web app (from its
// configured origin, never from the request) and a workspace's branding. Like session-deps.ts,
// the one place AppDeps is turned into a service's inputs.

/** Logos in mail stay loadable for a week. */
const logoUrlTtlSeconds = 7 * 24 * 3600;

function webOriginOf(deps: AppDeps): string {
  const origin = deps.webOrigin?.()?.replace(/\/+$/, '');
  if (!origin) throw new Error('The web app origin is not configured: mailed links need it');
  return origin;
}

export function mailDeps(deps: AppDeps): MailDeps {
  const settings = settingsOf(deps);
  return {
    mailer: deps.mailer,
    link(page, token) {
      const query = `token=${encodeURIComponent(token)}`;
      if (page === 'invite' && settings.inviteUrlBase) {
        const base = settings.inviteUrlBase;
        return `${base}${base.includes('?') ? '&' : '?'}${query}`;
      }
      return `${webOriginOf(deps)}/${page}/?${query}`;
    },
    page(path) {
      return `${webOriginOf(deps)}/${path}/`;
    },
    async brandOf(tenantId, tenantName) {
      const branding = await new BrandingRepo(dbForTenant(deps, tenantId), tenantId).get();
      let logoUrl: string | undefined;
      if (branding.logoKey) {
        try {
          const url = await deps.leads.assets.sign(
            branding.logoKey,
            logoUrlTtlSeconds,
            nowOf(deps),
          );
          logoUrl = url.startsWith('/') ? `${webOriginOf(deps)}${url}` : url;
        } catch {
          // A function without asset signing (or a signing failure) mails without the logo.
        }
      }
      return {
        name: branding.displayName ?? tenantName ?? platformBrand.name,
        color: branding.colors.primary ?? platformBrand.color,
        logoUrl,
      };
    },
  };
}
