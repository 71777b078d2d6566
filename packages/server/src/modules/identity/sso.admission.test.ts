import { describe, expect, it } from 'vitest';
import { decideAdmission, providerDidMfa, type AdmissionFacts } from './sso.admission';
import { safeNext } from './sso.service';

const tenant = { id: 'tn_a', active: true, allowedDomains: ['acme.test'] };
const facts = (over: Partial<AdmissionFacts>): AdmissionFacts => ({
  provider: 'tenant',
  tenant,
  email: 'ana@acme.test',
  subject: 'sub-1',
  ...over,
});
const account = (over: Partial<NonNullable<AdmissionFacts['account']>> = {}) => ({
  platformAdmin: false,
  disabled: false,
  tenantIds: [] as string[],
  ...over,
});

describe('decideAdmission', () => {
  it('admits a new person from an allowed domain as an agent, creating and linking the account', () => {
    expect(decideAdmission(facts({}))).toEqual({
      kind: 'admit',
      createAccount: true,
      link: true,
      join: { role: 'agent', domain: 'acme.test' },
    });
  });

  it('admits an invited person with the invitation’s role, whatever the domain', () => {
    const decision = decideAdmission(
      facts({ email: 'bo@elsewhere.test', invitation: { id: 'iv_1', role: 'viewer' } }),
    );
    expect(decision).toMatchObject({
      kind: 'admit',
      join: { role: 'viewer', invitationId: 'iv_1' },
    });
  });

  it('signs a member in without joining again, and links only once', () => {
    expect(
      decideAdmission(facts({ account: account({ tenantIds: ['tn_a'], linkedSubject: 'sub-1' }) })),
    ).toEqual({ kind: 'admit', createAccount: false, link: false });
  });

  it('refuses someone outside the domains who is not invited or a member', () => {
    expect(decideAdmission(facts({ email: 'x@other.test' }))).toMatchObject({
      kind: 'refuse',
      code: 'sso_not_allowed',
    });
  });

  it('never lets a workspace’s provider into the platform admin or an account of another workspace', () => {
    expect(decideAdmission(facts({ account: account({ platformAdmin: true }) }))).toMatchObject({
      code: 'sso_account_not_eligible',
      reason: 'platform_admin',
    });
    expect(
      decideAdmission(facts({ account: account({ tenantIds: ['tn_a', 'tn_b'] }) })),
    ).toMatchObject({ code: 'sso_account_not_eligible', reason: 'member_elsewhere' });
  });

  it('lets the platform’s provider into an account of several workspaces', () => {
    expect(
      decideAdmission(
        facts({ provider: 'platform', account: account({ tenantIds: ['tn_a', 'tn_b'] }) }),
      ),
    ).toMatchObject({ kind: 'admit', createAccount: false });
  });

  it('refuses another subject for an address already linked, a disabled account, a suspended workspace', () => {
    expect(decideAdmission(facts({ account: account({ linkedSubject: 'sub-0' }) }))).toMatchObject({
      code: 'sso_account_mismatch',
    });
    expect(decideAdmission(facts({ account: account({ disabled: true }) }))).toMatchObject({
      code: 'account_disabled',
    });
    expect(decideAdmission(facts({ tenant: { ...tenant, active: false } }))).toMatchObject({
      code: 'tenant_suspended',
    });
  });

  it('without a workspace: an existing account signs in, a new person is refused', () => {
    expect(decideAdmission(facts({ provider: 'platform', tenant: undefined }))).toMatchObject({
      code: 'sso_not_allowed',
    });
    expect(
      decideAdmission(facts({ provider: 'platform', tenant: undefined, account: account() })),
    ).toEqual({ kind: 'admit', createAccount: false, link: true });
  });
});

describe('providerDidMfa', () => {
  it('counts only the platform’s provider, when it requires MFA or its amr says mfa', () => {
    expect(providerDidMfa('platform', 'required', [])).toBe(true);
    expect(providerDidMfa('platform', 'optional', ['pwd', 'mfa'])).toBe(true);
    expect(providerDidMfa('platform', 'optional', ['pwd'])).toBe(false);
    expect(providerDidMfa('tenant', 'required', ['mfa'])).toBe(false);
  });
});

describe('safeNext', () => {
  it('keeps only paths of our app', () => {
    expect(safeNext('/app/leads/')).toBe('/app/leads/');
    for (const bad of ['https://evil.test/app/', '//evil.test/app/', '/login/', '/app/\\evil']) {
      expect(safeNext(bad)).toBeUndefined();
    }
  });
});
