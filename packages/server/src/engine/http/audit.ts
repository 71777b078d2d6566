import type { Context } from 'hono';
import { AuditLog, type AuditActor, type NewAuditEvent } from '../../modules/platform/audit.repo';
import type { AppDeps } from './route-handler';
import type { Caller } from './auth-context';
import { requestInfo } from './client-ip';

export type AuditInput = Pick<NewAuditEvent, 'action' | 'target' | 'details'> & {
  /** Who acted, when the caller is not the actor (e.g. a sign-in names the account). */
  actor?: AuditActor;
};

/** Which trails get the event: tenants by id and/or the platform's. */
export type AuditScope = { tenantIds?: string[]; platform?: boolean };

export function actorOf(caller: Caller): AuditActor {
  switch (caller.kind) {
    case 'tenant':
      return caller.ctx.actor.kind === 'apiKey'
        ? { kind: 'apiKey', id: caller.ctx.actor.keyId }
        : caller.ctx.actor.kind === 'user'
          ? { kind: 'user', id: caller.ctx.actor.userId }
          : { kind: 'system' };
    case 'user':
      return { kind: 'user', id: caller.userId };
    default:
      return { kind: 'anonymous' };
  }
}

/**
 * Records who did what, when and from where. The default trail is the caller's tenant (or the
 * platform's for callers without one). A failed audit write is logged loudly but does not undo or
 * fail the action it describes, which has already happened.
 */
export async function audit(
  c: Context,
  caller: Caller,
  deps: AppDeps,
  input: AuditInput,
  scope?: AuditScope,
): Promise<void> {
  const { ip, userAgent } = requestInfo(c);
  const event: NewAuditEvent = {
    action: input.action,
    actor: input.actor ?? actorOf(caller),
    target: input.target,
    details: input.details,
    ip,
    userAgent,
  };
  const target =
    scope ?? (caller.kind === 'tenant' ? { tenantIds: [caller.ctx.tenantId] } : { platform: true });
  const trails = [
    ...(target.tenantIds ?? []).map((id) => AuditLog.forTenant(deps.db, id)),
    ...(target.platform ? [AuditLog.forPlatform(deps.db)] : []),
  ];
  const now = deps.now?.() ?? new Date();
  try {
    await Promise.all(trails.map((trail) => trail.record(event, now)));
  } catch (err) {
    deps.log.error('audit write failed', {
      action: event.action,
      target: event.target,
      error: (err as Error).name,
      detail: (err as Error).message,
    });
  }
}
