// Key builders for every item in SocialCRMTable, each documented next to its builder.
// Pooled multi-tenancy: every tenant-owned partition key starts with `TENANT#<tenantId>`, which is
// what the IAM LeadingKeys condition (packages/infra) fences per tenant. Global items (users,
// routing keys, the admin's unrouted list) have their own prefixes and are reached only through
// the platform-level repos.
import type { Key } from './dynamo';

export const tenantPk = (tenantId: string) => `TENANT#${tenantId}`;

export const keys = {
  /** Tenant: `TENANT#<id>` / `METADATA`. GSI1 `TENANTS` / `<createdAt>#<id>` lists tenants for admins. */
  tenant: (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: 'METADATA' }),
  tenantsIndexPk: 'TENANTS',

  /** User (global: a person may belong to several tenants): `USER#<id>` / `PROFILE`. */
  user: (userId: string): Key => ({ PK: `USER#${userId}`, SK: 'PROFILE' }),
  /** Unique e-mail → user id, claimed with a conditional put: `EMAIL#<lowercased>` / `USER`. */
  userEmail: (email: string): Key => ({ PK: `EMAIL#${email.toLowerCase()}`, SK: 'USER' }),
  /** Membership, authoritative copy in the tenant: `TENANT#<id>` / `MEMBER#<userId>`. */
  member: (tenantId: string, userId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `MEMBER#${userId}`,
  }),
  /** Membership, the user's own list (for sign-in and switching): `USER#<id>` / `MEMBERSHIP#<tenantId>`. */
  userMembership: (userId: string, tenantId: string): Key => ({
    PK: `USER#${userId}`,
    SK: `MEMBERSHIP#${tenantId}`,
  }),

  /** Channel (a WhatsApp number or an Instagram account) with its encrypted token: `TENANT#<id>` / `CHANNEL#<channelId>`. */
  channel: (tenantId: string, channelId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CHANNEL#${channelId}`,
  }),
  /**
   * Routing key → tenant and channel, global because inbound webhooks name no tenant:
   * `ROUTE#wa-phone#<phone_number_id>`, `ROUTE#wa-waba#<waba id>`, `ROUTE#ig#<account id>` / `ROUTE`.
   * Claimed with a conditional put so two tenants can never own the same number.
   */
  route: (kind: RouteKind, externalId: string): Key => ({
    PK: `ROUTE#${kind}#${externalId}`,
    SK: 'ROUTE',
  }),

  /** Customer (a person writing to the tenant): `TENANT#<id>` / `CUSTOMER#<customerId>`; id is `wa-<wa_id>` or `ig-<igsid>`. */
  customer: (tenantId: string, customerId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CUSTOMER#${customerId}`,
  }),

  /** Message: `TENANT#<id>#CUST#<customerId>` / `MSG#<ISO timestamp>#<messageId>` (a customer's timeline in time order). */
  messagePk: (tenantId: string, customerId: string) => `${tenantPk(tenantId)}#CUST#${customerId}`,
  message: (tenantId: string, customerId: string, timestamp: string, messageId: string): Key => ({
    PK: keys.messagePk(tenantId, customerId),
    SK: `MSG#${timestamp}#${messageId}`,
  }),
  /**
   * Channel message id (wamid / Instagram mid) → the message item, so statuses, reactions and
   * unsends find it: `TENANT#<id>` / `MSGREF#<channel>#<channelMessageId>`.
   */
  messageRef: (tenantId: string, channel: string, channelMessageId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `MSGREF#${channel}#${channelMessageId}`,
  }),
  /**
   * A status that arrived before its message was stored (Meta does not promise order):
   * `TENANT#<id>` / `PARKED#<channel>#<channelMessageId>`; applied when the message lands.
   */
  parkedStatus: (tenantId: string, channel: string, channelMessageId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `PARKED#${channel}#${channelMessageId}`,
  }),

  /**
   * Conversation summary (one per customer and channel): `TENANT#<id>` / `CONV#<conversationId>`.
   * GSI1 `TENANT#<id>#INBOX` / `<lastMessageAt>#<conversationId>` is the inbox, newest first.
   */
  conversation: (tenantId: string, conversationId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CONV#${conversationId}`,
  }),
  inboxPk: (tenantId: string) => `${tenantPk(tenantId)}#INBOX`,

  /**
   * A webhook entry that matched no tenant, kept for platform admins: `UNROUTED` / `ENTRY#<sha256 of entry>`
   * (redeliveries land on the same item). GSI1 `UNROUTED` / `<receivedAt>#<hash>` lists newest first.
   */
  unrouted: (entryHash: string): Key => ({ PK: 'UNROUTED', SK: `ENTRY#${entryHash}` }),
  unroutedPk: 'UNROUTED',
} as const;

export type RouteKind = 'wa-phone' | 'wa-waba' | 'ig';
