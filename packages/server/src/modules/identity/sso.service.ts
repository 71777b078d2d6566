import { randomBytes } from 'node:crypto';
import type {
  LoginResponse,
  SsoRedirectErrorCode,
  TwoFactorChallenge,
} from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import type { TenantDbFactory } from '../../engine/data/tenant-data';
import { sha256Hex } from '../../engine/ids';
import { hashPassword } from '../../engine/security/password';
import type { TokenCipher } from '../../engine/security/token-cipher';
import { TenantRepo, type Tenant } from '../platform/tenant.repo';
import { trailsOfMemberships, type AuditSink } from './account-audit';
import { InvitationRepo } from './invitation.repo';
import { invitationStatus } from './invitations.service';
import { MemberRepo } from './membership.repo';
import { hit, overLimit } from './rate-limiter';
import { keys } from '../../engine/data/keys';
import { hashSecret, sameHash } from './secret-tokens';
import { startSession, type RequestInfo, type SessionDeps } from './sessions.service';
import { decideAdmission, emailDomain, providerDidMfa, type Admission } from './sso.admission';
import { SsoFlowRepo } from './sso.flow.repo';
import {
  authorizationRequest,
  exchangeCode,
  OidcError,
  type IdentityProvider,
  type SsoDeps,
  type VerifiedIdentity,
} from './sso.oidc';
import { SsoDirectory, SsoLinkRepo, SsoSettingsRepo } from './sso.repo';
import { ssoSecretContext } from './sso.settings.service';
import { createChallenge } from './two-factor.service';
import { EmailTakenError, UserRepo, type Membership, type User } from './user.repo';

// A single sign-on, from the login page to a session. `beginSsoSignIn` picks the provider and the
// workspace, stores the request's secrets (state hash, nonce, PKCE verifier) for ten minutes and
// binds them to the browser; `completeSsoSignIn` takes them exactly once, lets openid-client check
// the provider's answer, requires a verified e-mail, decides with sso.admission.ts and opens the
// session the way a password sign-in does (or a two-factor challenge first).
//
// Why the state lives in the table and not in a cookie: a record taken with a conditional delete
// is single use by construction (a replayed callback finds nothing, even with the cookie), it
// names the exact issuer and client the request went to, and the browser only ever holds a random
// value. The httpOnly, SameSite=Lax cookie with that value (its hash is in the record) is what
// binds the flow to the browser that started it: a callback URL carried to another browser (login
// CSRF) finds a flow that is not its own. Lax, not Strict: the callback is a top-level navigation
// coming from the provider's site.

export const ssoFlowTtlSeconds = 10 * 60;
/** Starts per client IP and minute, unless configured (each writes a flow record). */
export const defaultSsoStartsPerIp = 30;

/** A refusal the login page shows by its code; `reason` is for the audit trail. */
export class SsoRefusal extends Error {
  override readonly name = 'SsoRefusal';
  constructor(
    readonly code: SsoRedirectErrorCode,
    readonly reason: string,
    readonly context: { tenantId?: string; email?: string; userId?: string } = {},
  ) {
    super(`${code}: ${reason}`);
  }
}

export type SsoServiceDeps = {
  db: Db;
  tenantDb?: TenantDbFactory;
  cipher: TokenCipher;
  sso: SsoDeps;
  now: Date;
  record: AuditSink;
};

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
const tenantDbOf = (deps: Pick<SsoServiceDeps, 'db' | 'tenantDb'>, tenantId: string) =>
  deps.tenantDb?.(tenantId) ?? deps.db;

/** Only our own app paths: a sign-in never lands on another site. */
export function safeNext(next: string | undefined): string | undefined {
  return next && next.startsWith('/app/') && !next.startsWith('//') && !next.includes('\\')
    ? next
    : undefined;
}

type ResolvedProvider = {
  provider: 'platform' | 'tenant';
  tenant?: Tenant;
  idp: IdentityProvider;
};

async function platformIdp(deps: Pick<SsoServiceDeps, 'sso'>): Promise<IdentityProvider> {
  const platform = deps.sso.platform!;
  return {
    issuer: platform.issuer,
    clientId: platform.clientId,
    clientSecret: await platform.clientSecret(),
  };
}

/** What a workspace's settings say about signing in: its own provider, and the domains it admits. */
type TenantProvider = { idp?: IdentityProvider; allowedDomains: string[] };

/** A workspace's own provider (its secret decrypted), if it has one, and its allowed domains. */
async function tenantIdp(
  deps: Pick<SsoServiceDeps, 'db' | 'tenantDb' | 'cipher'>,
  tenantId: string,
): Promise<TenantProvider> {
  const settings = await new SsoSettingsRepo(tenantDbOf(deps, tenantId), tenantId).get();
  const stored = settings.identityProvider;
  if (!stored) return { allowedDomains: settings.allowedDomains };
  const clientSecret = stored.clientSecretCiphertext
    ? await deps.cipher.decrypt(stored.clientSecretCiphertext, ssoSecretContext(tenantId))
    : undefined;
  return {
    allowedDomains: settings.allowedDomains,
    idp: { issuer: stored.issuer, clientId: stored.clientId, clientSecret },
  };
}

/** The workspace named by a sign-in address or id, by a work e-mail's domain, or none. */
async function workspaceOf(
  deps: Pick<SsoServiceDeps, 'db'>,
  query: { tenant?: string; email?: string },
): Promise<Tenant | undefined> {
  const directory = new SsoDirectory(deps.db);
  const tenants = new TenantRepo(deps.db);
  const named = query.tenant?.trim().toLowerCase();
  if (named) {
    const id = /^tn_[0-9a-z]{20}$/.test(named) ? named : await directory.resolve('slug', named);
    const tenant = id ? await tenants.get(id) : undefined;
    if (!tenant) throw new SsoRefusal('sso_not_configured', 'unknown_workspace');
    return tenant;
  }
  const email = query.email?.trim().toLowerCase();
  if (email?.includes('@')) {
    const id = await directory.resolve('domain', emailDomain(email));
    return id ? tenants.get(id) : undefined;
  }
  return undefined;
}

async function resolveProvider(
  deps: Pick<SsoServiceDeps, 'db' | 'tenantDb' | 'cipher' | 'sso'>,
  query: { tenant?: string; email?: string; provider?: string },
): Promise<ResolvedProvider> {
  const tenant =
    query.provider === 'platform' && !query.tenant ? undefined : await workspaceOf(deps, query);
  if (tenant) {
    if (tenant.status !== 'active') {
      throw new SsoRefusal('tenant_suspended', 'tenant_suspended', { tenantId: tenant.id });
    }
    const own = await tenantIdp(deps, tenant.id);
    if (own.idp && query.provider !== 'platform') {
      return { provider: 'tenant', tenant, idp: own.idp };
    }
    if (!deps.sso.platform) {
      throw new SsoRefusal('sso_not_configured', 'workspace_has_no_provider', {
        tenantId: tenant.id,
      });
    }
    return { provider: 'platform', tenant, idp: await platformIdp(deps) };
  }
  // No workspace: the platform's provider, if there is one (a work e-mail whose domain no
  // workspace claimed signs in to the accounts' existing workspaces).
  if (deps.sso.platform && (query.provider === 'platform' || query.email)) {
    return { provider: 'platform', idp: await platformIdp(deps) };
  }
  throw new SsoRefusal('sso_not_configured', 'nothing_to_sign_in_with');
}

/** The browser's half of a flow: set as an httpOnly cookie, its hash kept with the flow. */
function newBrowserBinding(): string {
  return randomBytes(32).toString('base64url');
}

export type SsoStart = { redirectUrl: string; browserBinding: string };

export async function beginSsoSignIn(
  deps: Omit<SsoServiceDeps, 'record'>,
  input: {
    query: { tenant?: string; email?: string; provider?: string; next?: string };
    redirectUri: string;
    clientIp?: string;
  },
): Promise<SsoStart> {
  if (input.clientIp) {
    const subject = sha256Hex(input.clientIp).slice(0, 32);
    const hits = await hit(deps.db, deps.now, [
      {
        key: (start) => keys.rateWindow('sso-start', subject, start),
        limit: {
          limit: deps.sso.startsPerIpPerMinute ?? defaultSsoStartsPerIp,
          windowSeconds: 60,
        },
      },
    ]);
    if (overLimit(hits, deps.now, { code: 'too_many_attempts', message: 'SSO starts.' })) {
      throw new SsoRefusal('too_many_attempts', 'sso_start_rate');
    }
  }
  const resolved = await resolveProvider(deps, input.query);
  const email = input.query.email?.trim();
  let request: Awaited<ReturnType<typeof authorizationRequest>>;
  try {
    request = await authorizationRequest(resolved.idp, deps.sso, {
      redirectUri: input.redirectUri,
      loginHint: email && email.includes('@') ? email : undefined,
    });
  } catch (err) {
    if (!(err instanceof OidcError)) throw err;
    throw new SsoRefusal('sso_failed', `discovery: ${err.message}`, {
      tenantId: resolved.tenant?.id,
    });
  }
  const browserBinding = newBrowserBinding();
  await new SsoFlowRepo(deps.db).create(hashSecret(request.state), {
    provider: resolved.provider,
    tenantId: resolved.tenant?.id,
    issuer: resolved.idp.issuer,
    clientId: resolved.idp.clientId,
    nonce: request.nonce,
    codeVerifier: request.codeVerifier,
    browserHash: hashSecret(browserBinding),
    next: safeNext(input.query.next),
    createdAt: deps.now.toISOString(),
    expiresAt: epochSeconds(deps.now) + ssoFlowTtlSeconds,
  });
  return { redirectUrl: request.url, browserBinding };
}

export type SsoOutcome = {
  user: User;
  memberships: Membership[];
  tenantId?: string;
  next?: string;
  provider: 'platform' | 'tenant';
} & (
  | { kind: 'session'; response: LoginResponse; sessionId: string }
  | { kind: 'challenge'; challenge: TwoFactorChallenge }
);

/** The provider the flow went to, as configured now; a changed configuration ends the flow. */
async function providerOfFlow(
  deps: SsoServiceDeps,
  flow: { provider: 'platform' | 'tenant'; tenantId?: string; issuer: string; clientId: string },
): Promise<{ idp: IdentityProvider; allowedDomains: string[]; tenant?: Tenant }> {
  const tenant = flow.tenantId ? await new TenantRepo(deps.db).get(flow.tenantId) : undefined;
  if (flow.tenantId && !tenant) throw new SsoRefusal('sso_not_configured', 'workspace_gone');
  const own: TenantProvider = tenant ? await tenantIdp(deps, tenant.id) : { allowedDomains: [] };
  let idp: IdentityProvider | undefined;
  if (flow.provider === 'tenant') idp = own.idp;
  else if (deps.sso.platform) idp = await platformIdp(deps);
  if (!idp || idp.issuer !== flow.issuer || idp.clientId !== flow.clientId) {
    throw new SsoRefusal('sso_failed', 'provider_changed_during_sign_in', { tenantId: tenant?.id });
  }
  return { idp, allowedDomains: own.allowedDomains, tenant };
}

async function pendingInvitation(
  deps: SsoServiceDeps,
  tenantId: string,
  email: string,
): Promise<{ id: string; role: Membership['role']; tokenHash: string } | undefined> {
  const invitations = await new InvitationRepo(
    tenantDbOf(deps, tenantId),
    tenantId,
    deps.db,
  ).list();
  const found = invitations
    .filter((i) => i.email === email && i.tokenHash && invitationStatus(i, deps.now) === 'pending')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  return found ? { id: found.id, role: found.role, tokenHash: found.tokenHash! } : undefined;
}

/** An account only single sign-on opens: its password is random, nobody knows it (a reset sets one). */
async function createAccount(
  users: UserRepo,
  email: string,
  emailVerified: boolean,
  now: Date,
): Promise<User> {
  return users.create(
    {
      email,
      passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
      emailVerified,
    },
    now,
  );
}

/**
 * Completes the sign-in the callback reports. Throws `SsoRefusal` for anything the login page
 * should explain; the caller audits those. Audits links, admissions and the sign-in itself.
 */
export async function completeSsoSignIn(
  deps: SsoServiceDeps,
  session: SessionDeps,
  input: {
    state?: string;
    browserBinding?: string;
    callbackUrl: URL;
    request: RequestInfo;
  },
): Promise<SsoOutcome> {
  if (!input.state) throw new SsoRefusal('sso_state_invalid', 'no_state');
  const flow = await new SsoFlowRepo(deps.db).take(hashSecret(input.state));
  if (!flow) throw new SsoRefusal('sso_state_invalid', 'unknown_or_used_state');
  const context = { tenantId: flow.tenantId };
  if (!input.browserBinding || !sameHash(hashSecret(input.browserBinding), flow.browserHash)) {
    throw new SsoRefusal('sso_state_invalid', 'other_browser', context);
  }
  if (flow.expiresAt <= epochSeconds(deps.now)) {
    throw new SsoRefusal('sso_state_invalid', 'expired', context);
  }
  const { idp, allowedDomains, tenant } = await providerOfFlow(deps, flow);

  let identity: VerifiedIdentity;
  try {
    identity = await exchangeCode(idp, deps.sso, {
      callbackUrl: input.callbackUrl,
      state: input.state,
      nonce: flow.nonce,
      codeVerifier: flow.codeVerifier,
    });
  } catch (err) {
    if (!(err instanceof OidcError)) throw err;
    const code = err.reason === 'denied' ? 'sso_denied' : 'sso_failed';
    throw new SsoRefusal(
      code,
      `${err.reason}:${err.code ?? ''}:${err.message}`.slice(0, 300),
      context,
    );
  }
  const email = identity.email;
  if (!email || !identity.emailVerified) {
    throw new SsoRefusal('sso_email_unverified', email ? 'email_not_verified' : 'no_email', {
      ...context,
      email,
    });
  }

  const users = new UserRepo(deps.db);
  const links = new SsoLinkRepo(deps.db);
  const invitation = tenant ? await pendingInvitation(deps, tenant.id, email) : undefined;
  // Two rounds at most: an account created meanwhile by someone else is decided on as existing.
  for (let round = 0; ; round++) {
    const account = await users.getByEmail(email);
    const memberships = account ? await users.listMemberships(account.id) : [];
    const link = account ? await links.get(account.id, identity.issuer) : undefined;
    const decision: Admission = decideAdmission({
      provider: flow.provider,
      tenant: tenant && { id: tenant.id, active: tenant.status === 'active', allowedDomains },
      email,
      subject: identity.subject,
      account: account && {
        platformAdmin: account.platformAdmin,
        disabled: account.disabled,
        tenantIds: memberships.map((m) => m.tenantId),
        linkedSubject: link?.subject,
      },
      invitation,
    });
    if (decision.kind === 'refuse') {
      throw new SsoRefusal(decision.code, decision.reason, {
        ...context,
        email,
        userId: account?.id,
      });
    }
    let user = account;
    if (!user) {
      try {
        // The platform's provider is trusted for the address; a workspace's is not, so an account
        // it creates has no proved address until a mailed link proves it.
        user = await createAccount(users, email, flow.provider === 'platform', deps.now);
      } catch (err) {
        if (err instanceof EmailTakenError && round === 0) continue;
        throw err;
      }
    } else if (flow.provider === 'platform' && !user.emailVerifiedAt) {
      await users.markEmailVerified(user.id, deps.now);
    }
    return admitted(deps, session, { flow, tenant, identity, user, decision, invitation, input });
  }
}

async function admitted(
  deps: SsoServiceDeps,
  session: SessionDeps,
  args: {
    flow: { provider: 'platform' | 'tenant'; next?: string };
    tenant?: Tenant;
    identity: VerifiedIdentity;
    user: User;
    decision: Extract<Admission, { kind: 'admit' }>;
    invitation?: { id: string; tokenHash: string };
    input: { request: RequestInfo };
  },
): Promise<SsoOutcome> {
  const { flow, tenant, identity, user, decision } = args;
  const actor = { kind: 'user' as const, id: user.id, email: user.email };
  const users = new UserRepo(deps.db);
  if (decision.link) {
    const linked = await new SsoLinkRepo(deps.db).link(user.id, {
      issuer: identity.issuer,
      subject: identity.subject,
      linkedAt: deps.now.toISOString(),
      via: flow.provider,
    });
    if (linked) {
      await deps.record(
        {
          action: 'auth.sso_linked',
          actor,
          target: { type: 'user', id: user.id },
          details: {
            provider: flow.provider,
            issuer: identity.issuer,
            accountCreated: decision.createAccount,
          },
        },
        tenant ? { tenantIds: [tenant.id], platform: true } : { platform: true },
      );
    }
  }
  if (tenant && decision.join) {
    const { join } = decision;
    const claimed =
      !join.invitationId ||
      (await new InvitationRepo(tenantDbOf(deps, tenant.id), tenant.id, deps.db).claim(
        join.invitationId,
        args.invitation!.tokenHash,
        deps.now,
      ));
    if (!claimed)
      throw new SsoRefusal('sso_not_allowed', 'invitation_changed', { tenantId: tenant.id });
    await new MemberRepo(tenantDbOf(deps, tenant.id), tenant.id, deps.db).add({
      userId: user.id,
      role: join.role,
      tenantName: tenant.name,
    });
    await deps.record(
      {
        action: 'member.joined',
        actor,
        target: { type: 'user', id: user.id },
        details: {
          role: join.role,
          via: 'sso',
          ...(join.invitationId ? { invitationId: join.invitationId } : {}),
          ...(join.domain ? { domain: join.domain } : {}),
        },
      },
      { tenantIds: [tenant.id] },
    );
  }
  const memberships = await users.listMemberships(user.id);
  const base = {
    user,
    memberships,
    tenantId: tenant?.id,
    next: flow.next,
    provider: flow.provider,
  };
  if (
    user.twoFactorEnabledAt &&
    !providerDidMfa(flow.provider, deps.sso.platform?.mfa, identity.amr)
  ) {
    // Our second step still stands; POST /auth/login/two-factor opens the session (and audits it).
    return {
      ...base,
      kind: 'challenge',
      challenge: await createChallenge(session, user, tenant?.id),
    };
  }
  const started = await startSession(session, user, memberships, args.input.request, tenant?.id);
  await deps.record(
    {
      action: 'auth.signed_in',
      actor,
      target: { type: 'session', id: started.session.id },
      details: {
        via: 'sso',
        provider: flow.provider,
        issuer: identity.issuer,
        ...(user.twoFactorEnabledAt ? { twoFactor: 'provider_mfa' } : {}),
      },
    },
    trailsOfMemberships(memberships),
  );
  return { ...base, kind: 'session', response: started.response, sessionId: started.session.id };
}
