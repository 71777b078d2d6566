import { z } from 'zod';

// Who may call what: the tenant roles (ranked), the API key scopes, and a route's access rule.

export const roles = ['owner', 'admin', 'agent', 'viewer'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Higher outranks lower: a route that needs `agent` admits agents, admins and owners. */
export const roleRank: Record<Role, number> = { viewer: 1, agent: 2, admin: 3, owner: 4 };

export function roleAtLeast(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && roleRank[role] >= roleRank[needed];
}

export const apiKeyScopes = ['leads:write', 'messages:send', 'read'] as const;
export const apiKeyScopeSchema = z.enum(apiKeyScopes);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

/** Who may call a route. `tenant` routes take a JWT with at least `role`, or an API key with `scope`. */
export type Access =
  | { kind: 'public' }
  | { kind: 'signature' } // Meta webhooks: X-Hub-Signature-256
  | { kind: 'user' } // any signed-in user, tenant not required (e.g. switch-tenant, logout)
  | { kind: 'platformAdmin' }
  | { kind: 'tenant'; role: Role; scope?: ApiKeyScope };
