import type { TenantContext, TenantData } from '../data/tenant-data';
import type { Role } from '../topology';

export { roleRank } from '@switchboard/contracts';

/** What a handler knows about its caller, produced only by the access middleware. */
export type Caller =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      userId: string;
      platformAdmin: boolean;
      tenantId?: string;
      role?: Role;
      sessionId?: string;
    }
  | {
      kind: 'tenant';
      ctx: TenantContext;
      data: TenantData;
      userId?: string;
      role?: Role;
      /** A signed-in member's session (absent for API keys): live sockets close with it. */
      sessionId?: string;
    };

export type TenantCaller = Extract<Caller, { kind: 'tenant' }>;
export type UserCaller = Extract<Caller, { kind: 'user' }>;
