import type { Db, Item, Key } from '../../engine/data/dynamo';
import { positionOf, startKeyAt, type IndexPosition } from '../../engine/data/index-page';
import type { RouteKind } from '../../engine/data/keys';
import { stableId } from '../../engine/ids';
import type { ChannelType } from './channel.repo';

// Contested channel claims: a workspace proved to Meta that it may use a number, WABA or Instagram
// account that another workspace already holds. Platform-level items (a claim names two tenants),
// reached only by the channel-connect service and the platform admin's routes.
//
// Claim: `CHANNELCLAIMS` / `CLAIM#<claimId>`; GSI1 `CHANNELCLAIMS#open` or `CHANNELCLAIMS#closed` /
// `<updatedAt>#<claimId>` lists them, most recently updated first. The id is derived from the
// claimant and the channel it tried to connect, so a retried connect lands on the same claim. Holds
// the claimant's token, encrypted for the claimant's tenant, until the claim is decided.

const claimsPk = 'CHANNELCLAIMS';
const claimKey = (claimId: string): Key => ({ PK: claimsPk, SK: `CLAIM#${claimId}` });
const indexPk = (state: 'open' | 'closed') => `${claimsPk}#${state}`;

export type ClaimKeyKind =
  'whatsapp_phone_number' | 'whatsapp_business_account' | 'instagram_account';

export const claimKindOfRoute: Record<RouteKind, ClaimKeyKind> = {
  'wa-phone': 'whatsapp_phone_number',
  'wa-waba': 'whatsapp_business_account',
  ig: 'instagram_account',
};

export const routeKindOfClaim: Record<ClaimKeyKind, RouteKind> = {
  whatsapp_phone_number: 'wa-phone',
  whatsapp_business_account: 'wa-waba',
  instagram_account: 'ig',
};

export type ClaimStatus = 'open' | 'awarded_to_claimant' | 'kept_by_holder' | 'lapsed';

export type ContestedKey = {
  kind: ClaimKeyKind;
  externalId: string;
  holderTenantId: string;
  holderChannelId: string;
};

export type ChannelClaim = {
  id: string;
  status: ClaimStatus;
  channelType: ChannelType;
  wabaId?: string;
  phoneNumberId?: string;
  accountId?: string;
  displayName?: string;
  claimantTenantId: string;
  contested: ContestedKey[];
  verifiedWith: 'waba_phone_numbers' | 'instagram_me';
  verifiedAt: string;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  resolution?: { awardedTo: 'claimant' | 'holder'; byUserId?: string; at: string; note?: string };
};

export type ChannelClaimWithSecret = ChannelClaim & { tokenCiphertext?: string };

export type NewClaim = Omit<
  ChannelClaim,
  'id' | 'status' | 'attempts' | 'createdAt' | 'updatedAt' | 'resolution'
> & { tokenCiphertext: string };

function toClaim(item: Item): ChannelClaim {
  return {
    id: item.id,
    status: item.status,
    channelType: item.channelType,
    wabaId: item.wabaId,
    phoneNumberId: item.phoneNumberId,
    accountId: item.accountId,
    displayName: item.displayName,
    claimantTenantId: item.claimantTenantId,
    contested: item.contested,
    verifiedWith: item.verifiedWith,
    verifiedAt: item.verifiedAt,
    attempts: item.attempts,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    resolution: item.resolution,
  };
}

/** The claim a tenant's attempt to connect this number or account lands on. */
export function claimIdOf(tenantId: string, channelType: ChannelType, externalId: string): string {
  return stableId('cc', tenantId, channelType, externalId);
}

export class ChannelClaimRepo {
  constructor(private readonly db: Db) {}

  /**
   * Records (or refreshes) a tenant's claim: open again, one more attempt, the newest token and what
   * is contested now. A decided claim that the tenant claims again is reopened for the admin.
   */
  async record(input: NewClaim, now = new Date()): Promise<ChannelClaim> {
    const primary = input.channelType === 'whatsapp' ? input.phoneNumberId! : input.accountId!;
    const id = claimIdOf(input.claimantTenantId, input.channelType, primary);
    const at = now.toISOString();
    const fields: Record<string, unknown> = {
      id,
      status: 'open',
      channelType: input.channelType,
      claimantTenantId: input.claimantTenantId,
      contested: input.contested,
      verifiedWith: input.verifiedWith,
      verifiedAt: input.verifiedAt,
      tokenCiphertext: input.tokenCiphertext,
      updatedAt: at,
      GSI1PK: indexPk('open'),
      GSI1SK: `${at}#${id}`,
      entity: 'ChannelClaim',
      ...(input.wabaId ? { wabaId: input.wabaId } : {}),
      ...(input.phoneNumberId ? { phoneNumberId: input.phoneNumberId } : {}),
      ...(input.accountId ? { accountId: input.accountId } : {}),
      ...(input.displayName ? { displayName: input.displayName } : {}),
    };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':createdAt': at, ':one': 1 };
    const sets = Object.entries(fields).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      return `#f${i} = :f${i}`;
    });
    const item = await this.db.update(
      claimKey(id),
      {
        set: `${sets.join(', ')}, createdAt = if_not_exists(createdAt, :createdAt)`,
        add: 'attempts :one',
        remove: 'resolution',
      },
      { names, values },
    );
    return toClaim(item!);
  }

  async get(claimId: string): Promise<ChannelClaimWithSecret | undefined> {
    const item = await this.db.get(claimKey(claimId));
    return item ? { ...toClaim(item), tokenCiphertext: item.tokenCiphertext } : undefined;
  }

  /** Most recently updated first; `after` is where the previous page ended. */
  async list(
    state: 'open' | 'closed',
    limit: number,
    after?: IndexPosition,
  ): Promise<{ items: ChannelClaim[]; next?: IndexPosition }> {
    const pk = indexPk(state);
    const page = await this.db.query({
      pk,
      index: 'GSI1',
      newestFirst: true,
      limit,
      startKey: startKeyAt(after, { pkName: 'GSI1PK', skName: 'GSI1SK', pk }),
    });
    return { items: page.items.map(toClaim), next: positionOf(page.lastKey, 'GSI1SK') };
  }

  /**
   * Decides an open claim (once: a claim decided meanwhile answers undefined) and forgets the
   * claimant's token.
   */
  async close(
    claimId: string,
    status: Exclude<ClaimStatus, 'open'>,
    resolution: ChannelClaim['resolution'],
    now = new Date(),
  ): Promise<ChannelClaim | undefined> {
    const at = now.toISOString();
    const item = await this.db.update(
      claimKey(claimId),
      {
        set: `#status = :status, updatedAt = :at, GSI1PK = :gpk, GSI1SK = :gsk${resolution ? ', resolution = :resolution' : ''}`,
        remove: 'tokenCiphertext',
      },
      {
        condition: 'attribute_exists(PK) AND #status = :open',
        names: { '#status': 'status' },
        values: {
          ':status': status,
          ':open': 'open',
          ':at': at,
          ':gpk': indexPk('closed'),
          ':gsk': `${at}#${claimId}`,
          ...(resolution ? { ':resolution': resolution } : {}),
        },
      },
    );
    return item ? toClaim(item) : undefined;
  }
}
