import type { ChannelClaimDto, ResolveChannelClaimRequest } from '@switchboard/contracts';
import {
  ChannelClaimRepo,
  routeKindOfClaim,
  type ChannelClaim,
  type ContestedKey,
} from './channel-claim.repo';
import {
  ChannelRepo,
  RouteRepo,
  RouteTakenError,
  type Channel,
  type RouteTakeover,
} from './channel.repo';
import type { Db } from '../../engine/data/dynamo';
import { dbForTenant, type TenantDbFactory } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { TenantRepo } from '../platform/tenant.repo';

// A platform admin decides a contested claim (channel-connect.service.ts records them). Kept by the
// holder: nothing changes but the claim. Awarded to the claimant: its channel is created from the
// claim (the token it proved, encrypted for it), taking each contested key from exactly the holder
// the claim names (conditional writes: a key that changed hands meanwhile fails the award and the
// claim stays open), then the holder's channels that lost their number or account are
// disconnected (their conversations stay). A contested WABA route moves; the holder's numbers keep
// their exact routes.

type ClaimDeps = { db: Db; tenantDb?: TenantDbFactory };

/** A tenant's channels, for the platform admin acting across tenants (like tenant-admin.service). */
function channelsOf(deps: ClaimDeps, tenantId: string): ChannelRepo {
  return new ChannelRepo(dbForTenant(deps, tenantId), tenantId, deps.db);
}

export type ResolvedClaim = {
  claim: ChannelClaim;
  /** The claimant's new channel (an award to the claimant). */
  created?: Channel;
  /** Holders' channels disconnected because the claimant took their number or account. */
  disconnected: { tenantId: string; channelId: string }[];
};

export async function resolveClaim(
  deps: ClaimDeps,
  claimId: string,
  decision: ResolveChannelClaimRequest & { byUserId?: string },
  now: Date,
): Promise<ResolvedClaim> {
  const repo = new ChannelClaimRepo(deps.db);
  const claim = await repo.get(claimId);
  if (!claim) throw new NotFoundError('Channel claim');
  if (claim.status !== 'open') throw new AppError('conflict', 'This claim was already decided.');
  const resolution = {
    awardedTo: decision.awardTo,
    ...(decision.byUserId ? { byUserId: decision.byUserId } : {}),
    at: now.toISOString(),
    ...(decision.note ? { note: decision.note } : {}),
  };
  if (decision.awardTo === 'holder') {
    const closed = await repo.close(claimId, 'kept_by_holder', resolution, now);
    if (!closed) throw new AppError('conflict', 'This claim was already decided.');
    return { claim: closed, disconnected: [] };
  }

  const takeOver = await takeoversOf(new RouteRepo(deps.db), claim);
  if (!claim.tokenCiphertext)
    throw new AppError('conflict', 'This claim holds no token to connect.');
  let created: Channel;
  try {
    created = await channelsOf(deps, claim.claimantTenantId).create(
      claim.channelType === 'whatsapp'
        ? {
            type: 'whatsapp',
            wabaId: claim.wabaId!,
            phoneNumberId: claim.phoneNumberId!,
            tokenCiphertext: claim.tokenCiphertext,
            displayName: claim.displayName,
          }
        : {
            type: 'instagram',
            accountId: claim.accountId!,
            tokenCiphertext: claim.tokenCiphertext,
            displayName: claim.displayName,
          },
      { takeOver, now },
    );
  } catch (err) {
    if (!(err instanceof RouteTakenError)) throw err;
    throw new AppError(
      'conflict',
      'The number or account changed hands since the claim was made. The claim stays open.',
    );
  }
  const disconnected: ResolvedClaim['disconnected'] = [];
  for (const from of takeOver) {
    if (from.kind === 'wa-waba') continue;
    // Its number or account now routes to the claimant: the rest of the channel goes too.
    await channelsOf(deps, from.fromTenantId).remove(from.fromChannelId);
    disconnected.push({ tenantId: from.fromTenantId, channelId: from.fromChannelId });
  }
  const closed = await repo.close(claimId, 'awarded_to_claimant', resolution, now);
  if (!closed) throw new AppError('conflict', 'This claim was decided twice at once.');
  return { claim: closed, created, disconnected };
}

/** What the award takes from whom; a key held by anyone but the claim's holder refuses it. */
async function takeoversOf(routes: RouteRepo, claim: ChannelClaim): Promise<RouteTakeover[]> {
  const out: RouteTakeover[] = [];
  for (const key of claim.contested) {
    const kind = routeKindOfClaim[key.kind];
    const holder = await routes.resolve(kind, key.externalId);
    if (!holder || holder.tenantId === claim.claimantTenantId) continue;
    const sameHolder =
      holder.tenantId === key.holderTenantId &&
      (kind === 'wa-waba' || holder.channelId === key.holderChannelId);
    if (!sameHolder) {
      throw new AppError(
        'conflict',
        'The number or account changed hands since the claim was made. Ask the claimant to connect again.',
      );
    }
    out.push({ kind, fromTenantId: holder.tenantId, fromChannelId: holder.channelId });
  }
  return out;
}

/** Claims as the admin sees them: with the workspaces' names. */
export async function claimViews(db: Db, claims: ChannelClaim[]): Promise<ChannelClaimDto[]> {
  const tenants = new TenantRepo(db);
  const names = new Map<string, string | undefined>();
  const nameOf = async (tenantId: string) => {
    if (!names.has(tenantId)) names.set(tenantId, (await tenants.get(tenantId))?.name);
    return names.get(tenantId);
  };
  const out: ChannelClaimDto[] = [];
  for (const claim of claims) out.push(await claimView(claim, nameOf));
  return out;
}

async function claimView(
  claim: ChannelClaim,
  nameOf: (tenantId: string) => Promise<string | undefined>,
): Promise<ChannelClaimDto> {
  // Field by field: a claim read with its secret never passes its token on.
  const withNames = async (key: ContestedKey) => ({
    kind: key.kind,
    externalId: key.externalId,
    holderTenantId: key.holderTenantId,
    holderTenantName: await nameOf(key.holderTenantId),
    holderChannelId: key.holderChannelId,
  });
  return {
    id: claim.id,
    status: claim.status,
    channelType: claim.channelType,
    wabaId: claim.wabaId,
    phoneNumberId: claim.phoneNumberId,
    accountId: claim.accountId,
    displayName: claim.displayName,
    claimant: {
      tenantId: claim.claimantTenantId,
      tenantName: await nameOf(claim.claimantTenantId),
    },
    contested: await Promise.all(claim.contested.map(withNames)),
    verifiedWith: claim.verifiedWith,
    verifiedAt: claim.verifiedAt,
    attempts: claim.attempts,
    createdAt: claim.createdAt,
    updatedAt: claim.updatedAt,
    resolution: claim.resolution,
  };
}
