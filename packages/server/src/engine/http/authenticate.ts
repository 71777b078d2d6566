import type { Context } from 'hono';
import { ApiKeyLookup, ApiKeyRepo } from '../../modules/identity/api-key.repo';
import { ipRangeMatcher } from '../../modules/identity/ip-ranges';
import { clientIp } from './client-ip';
import { SessionRepo, type Session } from '../../modules/identity/session.repo';
import { TenantRepo } from '../../modules/platform/tenant.repo';
import { dbForTenant, tenantData, type TenantContext } from '../data/tenant-data';
import type { Membership } from '../../modules/identity/user.repo';
import { UserRepo } from '../../modules/identity/user.repo';
import {
  apiKeyRequestCounter,
  hit,
  overLimit,
  tenantRequestCounter,
} from '../../modules/identity/rate-limiter';
import {
  hashSecret,
  looksLikeApiKey,
  parseApiKey,
  sameHash,
} from '../../modules/identity/secret-tokens';
import { authSettings } from '../../modules/identity/settings';
import { SecurityPolicyRepo } from '../../modules/identity/security-policy.repo';
import {
  mayNeedTwoFactor,
  mustEnrolTwoFactor,
} from '../../modules/identity/security-policy.service';
import { AppError } from '../errors';
import type { Access } from '../topology';
import type { AppDeps } from './route-handler';
import { roleRank, type Caller } from './auth-context';

type Credential = { kind: 'jwt'; token: string } | { kind: 'apiKey'; key: string };

/** `X-Api-Key: sk_live_…`, or `Authorization: Bearer <jwt | sk_live_…>`. */
function credentialOf(c: Context): Credential | undefined {
  const apiKey = c.req.header('x-api-key')?.trim();
  if (apiKey) return { kind: 'apiKey', key: apiKey };
  const match = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i);
  const bearer = match?.[1];
  if (!bearer) return undefined;
  return looksLikeApiKey(bearer) ? { kind: 'apiKey', key: bearer } : { kind: 'jwt', token: bearer };
}

const invalidToken = () =>
  new AppError('unauthenticated', 'The access token is invalid or expired.');

async function countTenantRequest(
  deps: AppDeps,
  now: Date,
  tenantId: string,
  apiKeyId?: string,
): Promise<void> {
  const settings = authSettings(deps.auth);
  const counters = [tenantRequestCounter(tenantId, settings.requestsPerTenant)];
  if (apiKeyId) counters.push(apiKeyRequestCounter(tenantId, apiKeyId, settings.requestsPerApiKey));
  const blocked = overLimit(await hit(deps.db, now, counters), now, {
    code: 'rate_limited',
    message: apiKeyId ? 'Too many requests for this API key or tenant.' : 'Too many requests.',
  });
  if (blocked) throw blocked;
}

async function authenticateApiKey(
  c: Context,
  key: string,
  access: Access,
  deps: AppDeps,
  now: Date,
): Promise<Caller> {
  // Keys are for integrations: only tenant routes that name a scope take them.
  if (access.kind !== 'tenant' || !access.scope) {
    throw new AppError('insufficient_scope', 'This route does not accept API keys.');
  }
  const keyId = parseApiKey(key)?.keyId;
  const tenantId = keyId ? await new ApiKeyLookup(deps.db).tenantOf(keyId) : undefined;
  // The key's record and its tenant's status in one parallel round trip.
  const [record, tenant] =
    keyId && tenantId
      ? await Promise.all([
          new ApiKeyRepo(deps.db, tenantId).getRecord(keyId),
          new TenantRepo(deps.db).get(tenantId),
        ])
      : [];
  if (!record || !tenant || !sameHash(record.keyHash, hashSecret(key))) {
    throw new AppError('invalid_api_key', 'The API key is not valid.');
  }
  if (record.revokedAt) throw new AppError('api_key_revoked', 'This API key was revoked.');
  // The transport's address only (clientIp never reads a header); unknown is refused.
  if (record.allowedIps?.length && !ipRangeMatcher(record.allowedIps)(clientIp(c))) {
    throw new AppError('ip_not_allowed', 'This API key may not be used from this address.');
  }
  if (!record.scopes.includes(access.scope)) {
    throw new AppError(
      'insufficient_scope',
      `This route needs an API key with the ${access.scope} scope.`,
    );
  }
  if (tenant.status !== 'active')
    throw new AppError('tenant_suspended', 'This tenant is suspended.');
  await countTenantRequest(deps, now, tenant.id, record.id);
  const settings = authSettings(deps.auth);
  const touchMs = settings.apiKeyTouchIntervalSeconds * 1000;
  if (!record.lastUsedAt || now.getTime() - Date.parse(record.lastUsedAt) >= touchMs) {
    await new ApiKeyRepo(deps.db, tenant.id).touch(record.id, now, touchMs);
  }
  const ctx: TenantContext = {
    tenantId: tenant.id,
    actor: { kind: 'apiKey', keyId: record.id, scopes: record.scopes },
  };
  return { kind: 'tenant', ctx, data: tenantDataOf(deps, ctx) };
}

/** The caller's accessor: its tenant's own Db for tenant partitions, the function's for pointers. */
function tenantDataOf(deps: AppDeps, ctx: TenantContext) {
  return tenantData(dbForTenant(deps, ctx.tenantId), ctx, deps.db);
}

function sessionLive(session: Session | undefined, now: Date): session is Session {
  return Boolean(session && !session.revokedAt && session.expiresAt > now.getTime() / 1000);
}

/**
 * Builds the caller from the verified credential only: never from a path, body or header the client
 * picks. A JWT names its session (`sid`), which must still be live: logout and refresh-token reuse
 * end it at once. The user, session, membership and tenant are read in one parallel round trip.
 */
export async function authenticate(c: Context, access: Access, deps: AppDeps): Promise<Caller> {
  if (access.kind === 'public' || access.kind === 'signature') return { kind: 'anonymous' };
  const credential = credentialOf(c);
  if (!credential) {
    throw new AppError('unauthenticated', 'Sign in: this route needs a bearer token or API key.');
  }
  const now = deps.now?.() ?? new Date();
  if (credential.kind === 'apiKey') return authenticateApiKey(c, credential.key, access, deps, now);

  const tokens = await deps.tokens();
  const claims = await tokens.verify(credential.token).catch(() => {
    throw invalidToken();
  });
  const sessionId = claims.sessionId;
  if (!sessionId) throw invalidToken();
  const tenantId = access.kind === 'tenant' ? claims.tenantId : undefined;
  const users = new UserRepo(deps.db);
  const [user, session, membership, tenant] = await Promise.all([
    users.get(claims.userId),
    new SessionRepo(deps.db).get(claims.userId, sessionId),
    tenantId ? users.getMembership(tenantId, claims.userId) : undefined,
    tenantId ? new TenantRepo(deps.db).get(tenantId) : undefined,
  ]);
  if (!user || user.disabled || !sessionLive(session, now)) throw invalidToken();

  if (access.kind === 'user') {
    return {
      kind: 'user',
      userId: user.id,
      platformAdmin: user.platformAdmin,
      tenantId: claims.tenantId,
      role: claims.role,
      sessionId,
    };
  }
  if (access.kind === 'platformAdmin') {
    if (!user.platformAdmin) throw new AppError('forbidden', 'This route is for platform admins.');
    return { kind: 'user', userId: user.id, platformAdmin: true, sessionId };
  }
  if (!tenantId) {
    throw new AppError('forbidden', 'Select a tenant first (POST /auth/switch-tenant).');
  }
  // The tenant-side membership is authoritative: a removed or demoted member loses access at once.
  if (!membership || !tenant)
    throw new AppError('forbidden', 'You are not a member of this tenant.');
  if (tenant.status !== 'active')
    throw new AppError('tenant_suspended', 'This tenant is suspended.');
  if (roleRank[membership.role] < roleRank[access.role]) {
    throw new AppError('forbidden', `This action needs the ${access.role} role or higher.`);
  }
  // A workspace may ask its owners and admins for two-factor: until they turn it on, only their
  // account routes (user access, the enrolment included) work for them. Its policy is read only
  // for the few it could stop (an owner or admin without two-factor), so other requests pay nothing.
  if (
    mayNeedTwoFactor(membership.role, user) &&
    mustEnrolTwoFactor(await new SecurityPolicyRepo(deps.db, tenantId).get(), membership.role, user)
  ) {
    throw new AppError(
      'two_factor_required',
      'This workspace requires two-factor sign-in for owners and admins: turn it on first (POST /auth/two-factor/start).',
    );
  }
  await countTenantRequest(deps, now, tenantId);
  return tenantCaller(deps, tenantId, user.id, membership, sessionId);
}

function tenantCaller(
  deps: AppDeps,
  tenantId: string,
  userId: string,
  membership: Membership,
  sessionId: string,
): Caller {
  const ctx: TenantContext = {
    tenantId,
    actor: { kind: 'user', userId, role: membership.role },
  };
  return {
    kind: 'tenant',
    ctx,
    data: tenantDataOf(deps, ctx),
    userId,
    role: membership.role,
    sessionId,
  };
}
