import { loginRequestSchema, type LoginResponse } from '@switchboard/contracts';
import { UserRepo, type Membership, type User } from '../../data/user.repo';
import { AppError } from '../../errors';
import { accessTokenTtlSeconds, type TokenService } from '../../security/jwt';
import { dummyPasswordHash, verifyPassword } from '../../security/password';
import type { HandlerTable } from '../app';
import { parseJsonBody } from '../validate';

export async function issueSession(
  tokens: TokenService,
  user: User,
  memberships: Membership[],
  tenantId?: string,
): Promise<LoginResponse> {
  const active = memberships.find((m) => m.tenantId === tenantId) ?? memberships[0];
  const accessToken = await tokens.sign({
    userId: user.id,
    tenantId: active?.tenantId,
    role: active?.role,
    platformAdmin: user.platformAdmin,
  });
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: accessTokenTtlSeconds,
    user: { id: user.id, email: user.email, platformAdmin: user.platformAdmin },
    tenantId: active?.tenantId,
    tenants: memberships.map((m) => ({ tenantId: m.tenantId, name: m.tenantName, role: m.role })),
  };
}

export const authHandlers = {
  'auth.login': async (c, _caller, deps) => {
    const body = await parseJsonBody(c, loginRequestSchema);
    const users = new UserRepo(deps.db);
    const user = await users.getByEmail(body.email);
    // Hash even for unknown accounts so response time does not tell which e-mails exist.
    const ok = await verifyPassword(body.password, user?.passwordHash ?? dummyPasswordHash);
    if (!user || !ok || user.disabled) {
      throw new AppError('invalid_credentials', 'The e-mail or password is not right.');
    }
    const memberships = await users.listMemberships(user.id);
    return c.json(await issueSession(await deps.tokens(), user, memberships));
  },
  'auth.me': async (c, caller, deps) => {
    if (caller.kind !== 'user') throw new AppError('unauthenticated', 'Sign in first.');
    const users = new UserRepo(deps.db);
    const [user, memberships] = await Promise.all([
      users.get(caller.userId),
      users.listMemberships(caller.userId),
    ]);
    return c.json({
      user: { id: caller.userId, email: user?.email, platformAdmin: caller.platformAdmin },
      tenantId: caller.tenantId,
      role: caller.role,
      tenants: memberships.map((m) => ({ tenantId: m.tenantId, name: m.tenantName, role: m.role })),
    });
  },
  jwks: async (c, _caller, deps) => c.json((await deps.tokens()).jwks),
} satisfies Partial<HandlerTable>;
