import type { InvitationDto, InviteUserRequest, Role } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { InvitationRepo, Invitation } from './invitation.repo';
import { invitationMail, type MailDeps } from './mail-templates';
import type { MemberRepo } from './membership.repo';
import { hashSecret, newInviteToken } from './secret-tokens';
import type { AuthSettings } from './settings';
import { assertMayManage, roleOf, type TeamActor } from './team.service';
import { UserRepo } from './user.repo';

// Invitations are proved by mail: the token goes only into the link mailed to the invitee, never
// into an answer, so whoever invites cannot accept in the invitee's place. An invitation can be
// resent (a new token: the old link dies) and revoked (its link dies); accepting is
// `POST /auth/accept-invite` with the mailed token (auth.handlers.ts).

export type InvitationDeps = {
  /** The platform's table access (users, the global token pointers). */
  db: Db;
  invitations: InvitationRepo;
  members: Pick<MemberRepo, 'get'>;
  tenant: { id: string; name: string };
  settings: AuthSettings;
  now: Date;
  mail: MailDeps;
};

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function invitationStatus(invitation: Invitation, now: Date): InvitationDto['status'] {
  if (invitation.acceptedAt) return 'accepted';
  if (invitation.revokedAt || !invitation.tokenHash) return 'revoked';
  if (invitation.expiresAt <= epochSeconds(now)) return 'expired';
  return 'pending';
}

export function invitationView(invitation: Invitation, now: Date): InvitationDto {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    status: invitationStatus(invitation, now),
    invitedBy: invitation.invitedBy,
    createdAt: invitation.createdAt,
    sentAt: invitation.sentAt ?? invitation.createdAt,
    expiresAt: new Date(invitation.expiresAt * 1000).toISOString(),
    acceptedAt: invitation.acceptedAt,
    revokedAt: invitation.revokedAt,
  };
}

async function mailInvitation(
  deps: InvitationDeps,
  invitation: Invitation,
  token: string,
  opts: { inviterId?: string; newWorkspace?: boolean },
): Promise<void> {
  const users = new UserRepo(deps.db);
  const [inviter, invitee, brand] = await Promise.all([
    opts.inviterId ? users.get(opts.inviterId) : undefined,
    users.getByEmail(invitation.email),
    deps.mail.brandOf(deps.tenant.id, deps.tenant.name),
  ]);
  const mail = invitationMail({
    brand,
    workspaceName: deps.tenant.name,
    role: invitation.role,
    inviterEmail: inviter?.email,
    link: deps.mail.link('invite', token),
    expiresAt: new Date(invitation.expiresAt * 1000),
    newWorkspace: opts.newWorkspace,
    existingAccount: Boolean(invitee),
  });
  await deps.mail.mailer.send({
    to: { address: invitation.email },
    fromName: brand.name,
    ...mail,
    kind: 'invitation',
    tags: { tenantId: deps.tenant.id, invitationId: invitation.id },
  });
}

/** Earlier pending invitations of the same address die: the newest link is the one that works. */
async function supersede(deps: InvitationDeps, email: string): Promise<void> {
  const earlier = (await deps.invitations.list()).filter(
    (i) => i.email === email && invitationStatus(i, deps.now) === 'pending',
  );
  await Promise.all(earlier.map((i) => deps.invitations.revoke(i.id, deps.now)));
}

async function createAndMail(
  deps: InvitationDeps,
  input: { email: string; role: Role; invitedBy?: string; newWorkspace?: boolean },
): Promise<Invitation> {
  await supersede(deps, input.email);
  const token = newInviteToken();
  const at = deps.now.toISOString();
  const invitation = await deps.invitations.create(hashSecret(token), {
    id: randomId('iv'),
    email: input.email,
    role: input.role,
    invitedBy: input.invitedBy,
    createdAt: at,
    sentAt: at,
    expiresAt: epochSeconds(deps.now) + deps.settings.inviteTtlSeconds,
  });
  try {
    await mailInvitation(deps, invitation, token, {
      inviterId: input.invitedBy,
      newWorkspace: input.newWorkspace,
    });
  } catch (err) {
    // Nobody got the link: no pending invitation is left that only a resend could reach.
    await deps.invitations.revoke(invitation.id, deps.now).catch(() => undefined);
    throw err;
  }
  return invitation;
}

/** A member invites a person: mailed to them; the answer holds no token and no link. */
export async function inviteMember(
  deps: InvitationDeps,
  actor: TeamActor,
  input: InviteUserRequest,
): Promise<InvitationDto> {
  assertMayManage(roleOf(actor), input.role);
  const email = input.email.toLowerCase();
  const existing = await new UserRepo(deps.db).getByEmail(email);
  if (existing && (await deps.members.get(existing.id))) {
    throw new AppError('already_member', 'This person is already a member of this tenant.');
  }
  const invitation = await createAndMail(deps, {
    email,
    role: input.role,
    invitedBy: actor.userId,
  });
  return invitationView(invitation, deps.now);
}

/**
 * The platform created a workspace for an address that already has an account: that person is
 * invited to own it (by mail) rather than attached, so an account someone else set up for the
 * address never becomes the owner of a workspace it was not meant for.
 */
export async function inviteWorkspaceOwner(
  deps: InvitationDeps,
  email: string,
): Promise<InvitationDto> {
  const invitation = await createAndMail(deps, {
    email: email.toLowerCase(),
    role: 'owner',
    newWorkspace: true,
  });
  return invitationView(invitation, deps.now);
}

/** Pending first, then the rest; newest first within each. */
export async function listInvitations(
  invitations: InvitationRepo,
  now: Date,
): Promise<InvitationDto[]> {
  const views = (await invitations.list())
    .filter((i) => !i.acceptedAt)
    .map((i) => invitationView(i, now));
  const rank = (v: InvitationDto) => (v.status === 'pending' ? 0 : 1);
  return views.sort((a, b) => rank(a) - rank(b) || b.createdAt.localeCompare(a.createdAt));
}

async function pendingOf(deps: Pick<InvitationDeps, 'invitations' | 'now'>, id: string) {
  const invitation = await deps.invitations.get(id);
  if (!invitation) throw new NotFoundError('Invitation');
  const status = invitationStatus(invitation, deps.now);
  if (status === 'accepted' || status === 'revoked') {
    throw new AppError('conflict', `This invitation was already ${status}.`);
  }
  return invitation;
}

/** Mails a new link (valid for the full lifetime again); the link mailed before stops working. */
export async function resendInvitation(
  deps: InvitationDeps,
  actor: TeamActor,
  id: string,
): Promise<InvitationDto> {
  const invitation = await pendingOf(deps, id);
  assertMayManage(roleOf(actor), invitation.role);
  const token = newInviteToken();
  const rotated = await deps.invitations.rotateToken(id, invitation.tokenHash!, hashSecret(token), {
    sentAt: deps.now.toISOString(),
    expiresAt: epochSeconds(deps.now) + deps.settings.inviteTtlSeconds,
  });
  if (!rotated) throw new AppError('conflict', 'This invitation changed meanwhile. Reload.');
  await mailInvitation(deps, rotated, token, { inviterId: actor.userId });
  return invitationView(rotated, deps.now);
}

export async function revokeInvitation(
  deps: Pick<InvitationDeps, 'invitations' | 'now'>,
  actor: TeamActor,
  id: string,
): Promise<InvitationDto> {
  const invitation = await pendingOf(deps, id);
  assertMayManage(roleOf(actor), invitation.role);
  const revoked = await deps.invitations.revoke(id, deps.now);
  if (!revoked) throw new AppError('conflict', 'This invitation changed meanwhile. Reload.');
  return invitationView(revoked, deps.now);
}
