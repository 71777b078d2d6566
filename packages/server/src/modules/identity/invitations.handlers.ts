import { audit } from '../../engine/http/audit';
import type { TenantCaller } from '../../engine/http/auth-context';
import { mailDeps } from '../../engine/http/mail-deps';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { nowOf, settingsOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { TenantRepo } from '../platform/tenant.repo';
import {
  inviteMember,
  listInvitations,
  resendInvitation,
  revokeInvitation,
  type InvitationDeps,
} from './invitations.service';

async function invitationDeps(deps: AppDeps, tenant: TenantCaller): Promise<InvitationDeps> {
  const { tenantId } = tenant.ctx;
  const record = await new TenantRepo(deps.db).get(tenantId);
  return {
    db: deps.db,
    invitations: tenant.data.invitations,
    members: tenant.data.members,
    tenant: { id: tenantId, name: record?.name ?? tenantId },
    settings: settingsOf(deps),
    now: nowOf(deps),
    mail: mailDeps(deps),
  };
}

export const invitationHandlers = {
  'users.invite': async ({ c, caller, deps, body }) => {
    const tenant = tenantOf(caller);
    const input = await body();
    const invitation = await inviteMember(await invitationDeps(deps, tenant), tenant, input);
    await audit(c, caller, deps, {
      action: 'member.invited',
      target: { type: 'invitation', id: invitation.id },
      details: { email: invitation.email, role: invitation.role },
    });
    // No token and no link: only the invitee's mail has them.
    return c.json(invitation, 201);
  },

  'invitations.list': async ({ c, caller, deps }) => {
    const items = await listInvitations(tenantOf(caller).data.invitations, nowOf(deps));
    return c.json({ items, nextCursor: null });
  },

  'invitations.resend': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const invitation = await resendInvitation(
      await invitationDeps(deps, tenant),
      tenant,
      params.id,
    );
    await audit(c, caller, deps, {
      action: 'member.invitation_resent',
      target: { type: 'invitation', id: invitation.id },
      details: { email: invitation.email, role: invitation.role },
    });
    return c.json(invitation);
  },

  'invitations.revoke': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const invitation = await revokeInvitation(
      { invitations: tenant.data.invitations, now: nowOf(deps) },
      tenant,
      params.id,
    );
    await audit(c, caller, deps, {
      action: 'member.invitation_revoked',
      target: { type: 'invitation', id: invitation.id },
      details: { email: invitation.email, role: invitation.role },
    });
    return c.body(null, 204);
  },
} satisfies Partial<HandlerTable>;
