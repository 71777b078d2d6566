import type { Role } from '@switchboard/contracts';

// Who a verified identity from an identity provider may sign in as, and whether it joins the
// workspace. Pure: the service reads the facts, this decides, the service writes the outcome.
//
// The platform's provider is the operator's (deployment configuration): it speaks for any address,
// so it links to an existing account by verified e-mail. A workspace's own provider is its
// owner's choice, and its owner can make it assert any address; so it speaks only for that
// workspace: it never signs in a platform admin, nor an account that also belongs to another
// workspace (its owner could otherwise open that account's other workspaces). Such a person signs
// in with their password, or through the platform's provider.

export type AdmissionFacts = {
  provider: 'platform' | 'tenant';
  /** The workspace the sign-in is for; absent: the platform's provider alone. */
  tenant?: { id: string; active: boolean; allowedDomains: readonly string[] };
  email: string;
  /** The account with that e-mail, if any. */
  account?: {
    platformAdmin: boolean;
    disabled: boolean;
    /** The workspaces it belongs to. */
    tenantIds: readonly string[];
    /** The subject this issuer's identity is linked to, if the account was linked before. */
    linkedSubject?: string;
  };
  subject: string;
  /** A pending invitation of this e-mail to the workspace. */
  invitation?: { id: string; role: Role };
};

export type Refusal =
  | 'sso_not_allowed'
  | 'sso_account_not_eligible'
  | 'sso_account_mismatch'
  | 'account_disabled'
  | 'tenant_suspended';

export type Admission =
  | { kind: 'refuse'; code: Refusal; reason: string }
  | {
      kind: 'admit';
      createAccount: boolean;
      /** First sign-in with this issuer: record the link (and audit it). */
      link: boolean;
      /** Join the workspace: as the invitation says, or as an agent from an allowed domain. */
      join?: { role: Role; invitationId?: string; domain?: string };
    };

/** The role of a person admitted by e-mail domain. */
export const domainJoinRole: Role = 'agent';

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

const refuse = (code: Refusal, reason: string): Admission => ({ kind: 'refuse', code, reason });

export function decideAdmission(facts: AdmissionFacts): Admission {
  const { account, tenant } = facts;
  if (tenant && !tenant.active) return refuse('tenant_suspended', 'tenant_suspended');
  if (account) {
    if (account.disabled) return refuse('account_disabled', 'account_disabled');
    if (account.linkedSubject !== undefined && account.linkedSubject !== facts.subject) {
      // The address now belongs to someone else at the provider (or was reassigned there).
      return refuse('sso_account_mismatch', 'linked_to_another_subject');
    }
    if (facts.provider === 'tenant') {
      if (account.platformAdmin) return refuse('sso_account_not_eligible', 'platform_admin');
      if (account.tenantIds.some((id) => id !== tenant?.id)) {
        return refuse('sso_account_not_eligible', 'member_elsewhere');
      }
    }
  }
  const link = account?.linkedSubject === undefined;
  if (!tenant) {
    // The platform's provider without a workspace: an existing account signs in as it is; a new
    // person has no workspace to join (an invitation, or a workspace's sign-in address, gives one).
    if (!account) return refuse('sso_not_allowed', 'no_account_no_workspace');
    return { kind: 'admit', createAccount: false, link };
  }
  if (account?.tenantIds.includes(tenant.id)) return { kind: 'admit', createAccount: false, link };
  if (facts.invitation) {
    return {
      kind: 'admit',
      createAccount: !account,
      link,
      join: { role: facts.invitation.role, invitationId: facts.invitation.id },
    };
  }
  const domain = emailDomain(facts.email);
  if (tenant.allowedDomains.includes(domain)) {
    return { kind: 'admit', createAccount: !account, link, join: { role: domainJoinRole, domain } };
  }
  return refuse('sso_not_allowed', 'not_member_not_invited_domain_not_allowed');
}

/**
 * Whether a sign-in through a provider stands in for our own two-factor step, for an account
 * that has it on: only the platform's provider, when it enforces MFA itself (the Cognito pool
 * with MFA required) or says it did (`amr` contains `mfa`, RFC 8176). A workspace's provider
 * never does: its owner could claim anything, and the person turned two-factor on with us.
 */
export function providerDidMfa(
  provider: 'platform' | 'tenant',
  platformMfa: 'off' | 'optional' | 'required' | undefined,
  amr: readonly string[],
): boolean {
  if (provider !== 'platform') return false;
  return platformMfa === 'required' || amr.includes('mfa');
}
