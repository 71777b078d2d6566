import { dbForTenant } from '../../engine/data/tenant-data';
import { AppError } from '../../engine/errors';
import { audit } from '../../engine/http/audit';
import type { HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { ConsentRepo } from './consent.repo';
import { customerConsent, setConsentManually } from './consent.service';

// Consent routes (contracts/src/routes/consent.routes.ts). The tenant comes from the verified
// caller; consent items live in the tenant's partition, read on its scoped Db. Every change a
// member makes is audited; a customer's own keyword is its own evidence (the message).

export const consentHandlers = {
  'customers.consent.get': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const items = await customerConsent(dbForTenant(deps, data.tenantId), data, params.id);
    return c.json({ items });
  },

  'customers.consent.set': async ({ c, caller, deps, params, body }) => {
    const tenant = tenantOf(caller);
    const request = await body();
    if (!tenant.userId) throw new AppError('forbidden', 'Only a signed-in member can do this.');
    const { consent, change } = await setConsentManually(
      dbForTenant(deps, tenant.data.tenantId),
      tenant.data,
      params.id,
      request,
      tenant.userId,
      nowOf(deps),
    );
    await audit(c, caller, deps, {
      action: 'consent.changed',
      target: { type: 'customer', id: params.id },
      details: {
        channel: consent.channel,
        status: change.status,
        source: 'manual',
        changeId: change.id,
        note: request.note,
      },
    });
    return c.json(consent);
  },

  'consent-keywords.get': async ({ c, caller, deps }) => {
    const { tenantId } = tenantOf(caller).ctx;
    return c.json(await new ConsentRepo(dbForTenant(deps, tenantId), tenantId).keywords());
  },

  'consent-keywords.update': async ({ c, caller, deps, body }) => {
    const { tenantId } = tenantOf(caller).ctx;
    const keywords = await body();
    const repo = new ConsentRepo(dbForTenant(deps, tenantId), tenantId);
    await repo.setKeywords(keywords, nowOf(deps));
    await audit(c, caller, deps, {
      action: 'consent.keywords_changed',
      details: {
        languages: keywords.languages.map((l) => l.language).join(','),
        optOut: keywords.languages.reduce((n, l) => n + l.optOut.length, 0),
        optIn: keywords.languages.reduce((n, l) => n + l.optIn.length, 0),
      },
    });
    return c.json(keywords);
  },
} satisfies Partial<HandlerTable>;
