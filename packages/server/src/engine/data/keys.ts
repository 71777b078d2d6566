// Key builders for every item in SocialCRMTable, each documented next to its builder.
// Pooled multi-tenancy: every tenant-owned partition key starts with `TENANT#<tenantId>`, which is
// what the IAM LeadingKeys condition (packages/infra) fences per tenant. Global items (users,
// routing keys, the admin's unrouted list) have their own prefixes and are reached only through
// the platform-level repos.
import type { Key } from './dynamo';

export const tenantPk = (tenantId: string) => `TENANT#${tenantId}`;

export const keys = {
  /**
   * Tenant: `TENANT#<id>` / `METADATA`. GSI1 `TENANTS` / `<createdAt>#<id>` lists tenants for admins.
   * Holds `ownerCount`, the guard that a tenant never loses its last owner (data/membership.repo.ts),
   * and `autoAssignChannels`, a string set of the channels with auto-assignment on: read with the
   * tenant's status by the message processor, so other channels cost nothing
   * (modules/assignment/auto-assign.repo.ts).
   */
  tenant: (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: 'METADATA' }),
  tenantsIndexPk: 'TENANTS',

  /** User (global: a person may belong to several tenants): `USER#<id>` / `PROFILE`. */
  user: (userId: string): Key => ({ PK: `USER#${userId}`, SK: 'PROFILE' }),
  /** Unique e-mail → user id, claimed with a conditional put: `EMAIL#<lowercased>` / `USER`. */
  userEmail: (email: string): Key => ({ PK: `EMAIL#${email.toLowerCase()}`, SK: 'USER' }),
  /**
   * Membership, authoritative copy in the tenant (its role is what authorisation trusts): `TENANT#<id>` / `MEMBER#<userId>`.
   * `available` (false: away, skipped by auto-assignment; absent: available) and
   * `availabilityChangedAt` (modules/assignment/availability.repo.ts).
   */
  member: (tenantId: string, userId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `MEMBER#${userId}`,
  }),
  /** Membership, the user's own list (for sign-in and switching): `USER#<id>` / `MEMBERSHIP#<tenantId>`. */
  userMembership: (userId: string, tenantId: string): Key => ({
    PK: `USER#${userId}`,
    SK: `MEMBERSHIP#${tenantId}`,
  }),

  /**
   * Channel (a WhatsApp number or an Instagram account) with its encrypted token: `TENANT#<id>` / `CHANNEL#<channelId>`.
   * `autoAssignment` `{enabled, memberIds}`: round robin of new conversations (modules/assignment/).
   */
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

  /**
   * Customer (a person writing to the tenant): `TENANT#<id>` / `CUSTOMER#<customerId>`; id is
   * `wa-<wa_id>` or `ig-<igsid>`. `name` with `nameSeenAt` (a name only replaces an older one).
   * Instagram senders also hold Meta's profile: `username`, `avatarKey` (the re-hosted picture,
   * `tenants/<id>/media/avt_…/avatar.<ext>`), `profileRefreshedAt` (read again after 7 days) and
   * `profileRequestedAt` (the claim of the one message that sent the look-up job).
   * Contacts (modules/contacts/): `attributes` (map), `tags` (list), `searchTokens` (what the
   * search index holds for it), `mergedInto` (a pointer: merged into that customer; new messages
   * on its identities land there) and `mergedFrom` (string set of the customers merged into it,
   * whose message partitions its timeline also reads). Agent-created ids: `ct-<hex>`.
   */
  customer: (tenantId: string, customerId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CUSTOMER#${customerId}`,
  }),

  /**
   * Message: `TENANT#<id>#CUST#<customerId>` / `MSG#<ISO timestamp>#<messageId>` (a customer's
   * timeline in time order). Its `media` and `attachments` each carry `status` (pending → ready or
   * failed, with `failureReason`), once ready the blob `key` of our copy
   * (`tenants/<id>/media/med_…/<file name>`) and its real `mimeType` and `size`; Instagram's also
   * `sourceUrl`, Meta's CDN URL it was fetched from. Neither `key` nor `sourceUrl` is ever returned.
   */
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
   * Its `assigneeId` and `status` changes leave through the table's stream as inbox events
   * (modules/messaging/conversation-stream.ts). A snooze is `snoozedAt`, `snoozedUntil` (absent:
   * until a reply only), `snoozeUntilReply`, `snoozedBy`: in effect while `snoozedUntil` is ahead,
   * computed when read; the customer's next message removes them in the summary update
   * (modules/assignment/snooze.repo.ts). `autoAssignedFor`: the message whose arrival
   * auto-assigned it (a redelivery of it sends the event again). A contact merge moves it:
   * `customerId` becomes the target, `formerCustomerIds` (string set) the partitions its thread
   * also reads (modules/contacts/contact-merge.service.ts).
   */
  conversation: (tenantId: string, conversationId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CONV#${conversationId}`,
  }),
  /**
   * Auto-assignment's round-robin cursor of a channel: `TENANT#<id>` / `AUTOASSIGN#<channelId>`,
   * `turn` counted up with ADD, one per assignment (modules/assignment/auto-assign.repo.ts).
   */
  autoAssignCursor: (tenantId: string, channelId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `AUTOASSIGN#${channelId}`,
  }),
  inboxPk: (tenantId: string) => `${tenantPk(tenantId)}#INBOX`,

  /**
   * Idempotency record of a client's `Idempotency-Key`: `TENANT#<id>` / `IDEMPOTENCY#<operation>#<sha256 of key>`.
   * Claimed with a conditional put (`state` in_progress → completed); holds the request's hash, the
   * message id reserved for it, the stored response, and `expiresAt` (TTL, epoch s, 24 h).
   */
  idempotency: (tenantId: string, operation: string, keyHash: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `IDEMPOTENCY#${operation}#${keyHash}`,
  }),
  /**
   * A channel's message templates as Meta listed them, cached for a few minutes:
   * `TENANT#<id>` / `TEMPLATES#<channelId>` with `fetchedAt` and `expiresAt` (TTL, epoch s).
   */
  templateCache: (tenantId: string, channelId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `TEMPLATES#${channelId}`,
  }),
  /**
   * A file uploaded to send (`POST /media`): `TENANT#<id>` / `MEDIA#<mediaId>` holds its kind, MIME
   * type (sniffed from the bytes), size, sha256, file name, the blob key of the bytes
   * (`tenants/<id>/media/<mediaId>/<file name>`), and `metaIds`: Meta's media id per WhatsApp
   * phone number id it was uploaded to, with when (Meta keeps uploads 30 days).
   */
  media: (tenantId: string, mediaId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `MEDIA#${mediaId}`,
  }),
  /**
   * A direct upload under way (`POST /media/uploads`): `TENANT#<id>` / `MEDIAUPLOAD#<mediaId>`
   * holds the declared `contentType`, `size` and `filename`, the staging blob key the signed URL
   * writes (`tenants/<id>/media/<mediaId>/_upload`), who started it, `createdAt` and `expiresAt`
   * (TTL, epoch s, a day: the URL itself lasts 15 minutes). Completing it creates `MEDIA#<mediaId>`
   * with the same id, which is what makes a second completion answer the same media.
   */
  mediaUpload: (tenantId: string, mediaId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `MEDIAUPLOAD#${mediaId}`,
  }),

  /**
   * A webhook entry that matched no tenant, kept for platform admins: `UNROUTED` / `ENTRY#<sha256 of entry>`
   * (redeliveries land on the same item). GSI1 `UNROUTED` / `<receivedAt>#<hash>` lists newest first.
   */
  unrouted: (entryHash: string): Key => ({ PK: 'UNROUTED', SK: `ENTRY#${entryHash}` }),
  unroutedPk: 'UNROUTED',

  /**
   * A replay of one tenant's archived webhooks (platform admin): `REPLAY#<id>` / `REPLAY`, GSI1
   * `REPLAYS` / `<createdAt>#<id>` lists newest first. Its counters move only with the chunk that
   * earned them: `daysListed` and `chunksDone` (string sets) are the conditions that make a
   * redelivered day or chunk count nothing twice (modules/messaging/replay.repo.ts).
   */
  replay: (replayId: string): Key => ({ PK: `REPLAY#${replayId}`, SK: 'REPLAY' }),
  replaysPk: 'REPLAYS',

  /**
   * Session: one refresh-token family, `USER#<userId>` / `SESSION#<sessionId>` (so a password change
   * or a disable finds all of a user's sessions with one query). Holds the SHA-256 of the one live
   * refresh token, the tenant the session is in, `revokedAt` once ended, `expiresAt` (TTL, epoch s).
   * An access token's `sid` names it; the auth middleware reads it on every request.
   */
  session: (userId: string, sessionId: string): Key => ({
    PK: `USER#${userId}`,
    SK: `SESSION#${sessionId}`,
  }),
  /**
   * Every refresh token ever issued → its session: `REFRESH#<sha256 of token>` / `REFRESH`. A token
   * found here that is not its session's current one was already used: reuse, so the family ends.
   */
  refreshToken: (tokenHash: string): Key => ({ PK: `REFRESH#${tokenHash}`, SK: 'REFRESH' }),
  /**
   * Live ticket (modules/live/live-ticket.repo.ts): `LIVETICKET#<sha256 of ticket>` / `TICKET`,
   * global (the socket's `$connect` knows nothing but the ticket): tenantId, userId, role,
   * sessionId, `expiresAt` (epoch s, 30 s after issue; also the TTL attribute). Single use: taken
   * with a conditional delete when the socket opens, so a second use finds nothing.
   */
  liveTicket: (ticketHash: string): Key => ({ PK: `LIVETICKET#${ticketHash}`, SK: 'TICKET' }),

  /**
   * API key, owned by its tenant: `TENANT#<id>` / `APIKEY#<keyId>` holds the name, scopes, SHA-256 of
   * the whole key, `revokedAt`, `lastUsedAt` (`keyId` is the visible part of `sk_live_<keyId>_<secret>`).
   * A presented key names no tenant, so a global pointer finds it (like a channel's routing key):
   * `APIKEY#<keyId>` / `APIKEY` → `tenantId`, written once, never changed.
   */
  apiKey: (tenantId: string, keyId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `APIKEY#${keyId}`,
  }),
  apiKeyPointer: (keyId: string): Key => ({ PK: `APIKEY#${keyId}`, SK: 'APIKEY' }),

  /**
   * Invitation, owned by its tenant: `TENANT#<id>` / `INVITE#<invitationId>` holds the e-mail, role,
   * inviter, `acceptedAt` (single use) and `expiresAt` (TTL, epoch s). Accepting names only the
   * token, so a global pointer finds it: `INVITE#<sha256 of token>` / `INVITE` → tenant and invitation.
   */
  invitation: (tenantId: string, invitationId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `INVITE#${invitationId}`,
  }),
  invitationPointer: (tokenHash: string): Key => ({ PK: `INVITE#${tokenHash}`, SK: 'INVITE' }),

  /**
   * Audit event, newest last in sort order: tenant events `TENANT#<id>` / `AUDIT#<ISO time>#<eventId>`,
   * platform events (sign-ins without a tenant, tenant suspension, user disable) `PLATFORM` / same SK.
   */
  auditPrefix: 'AUDIT#',
  audit: (pk: string, at: string, eventId: string): Key => ({
    PK: pk,
    SK: `AUDIT#${at}#${eventId}`,
  }),
  platformPk: 'PLATFORM',

  /**
   * Fixed-window counter (atomic ADD, `expiresAt` TTL): `RATE#<bucket>#<subject>` / `W#<window start, epoch s>`
   * for sign-in attempts (per account e-mail hash, per IP); a tenant's own counters (requests per
   * tenant and per API key) sit under it: `TENANT#<id>#RATE` / `<bucket>#<subject>#W#<window start>`.
   */
  rateWindow: (bucket: string, subject: string, windowStart: number): Key => ({
    PK: `RATE#${bucket}#${subject}`,
    SK: `W#${windowStart}`,
  }),
  tenantRateWindow: (
    tenantId: string,
    bucket: string,
    subject: string,
    windowStart: number,
  ): Key => ({ PK: `${tenantPk(tenantId)}#RATE`, SK: `${bucket}#${subject}#W#${windowStart}` }),
  // Public lead submissions count in the global buckets: `RATE#lead-ip#<sha256 of IP>` and
  // `RATE#lead-form#<formId>`, with the same `W#<window start>` sort keys.

  // ------------------------------------------------------------------------- leads: forms, submissions, the pipeline, CRM sync

  /**
   * Lead form: `TENANT#<id>` / `FORM#<formId>`: the draft definition (fields, allowedOrigins...),
   * its `version` (bumped by every update), `publishedVersion` and `status` (draft, published,
   * archived). Listed with begins_with `FORM#` (a tenant has tens of forms).
   */
  form: (tenantId: string, formId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `FORM#${formId}`,
  }),
  /** A published snapshot, kept per version: `TENANT#<id>` / `FORMVER#<formId>#<version, 6 digits>`. */
  formVersion: (tenantId: string, formId: string, version: number): Key => ({
    PK: tenantPk(tenantId),
    SK: `FORMVER#${formId}#${String(version).padStart(6, '0')}`,
  }),
  /**
   * Form id → tenant and live published definition, global because public routes name no tenant:
   * `FORM#<formId>` / `FORM` (tenantId, version, definition, `live`). Written on publish (monotonic
   * version, never another tenant's), `live = false` on archive. One read per public submission.
   */
  formPointer: (formId: string): Key => ({ PK: `FORM#${formId}`, SK: 'FORM' }),
  /**
   * Raw submission, written once by the LeadStore consumer: `TENANT#<id>` / `SUBMISSION#<submissionId>`
   * (the `fields` as received, the validated values, source, form version, request meta).
   */
  submission: (tenantId: string, submissionId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `SUBMISSION#${submissionId}`,
  }),
  /**
   * Lead: `TENANT#<id>` / `LEAD#<leadId>`; lead ids start with the creation time (base32 ms), so
   * the tenant partition lists leads in creation order and a created-at range is a key range.
   * GSI1 `TENANT#<id>#LEADSTAGE#<stage>` / `<leadId>` (a pipeline column); GSI2
   * `TENANT#<id>#LEADOWNER#<userId>` / `<leadId>` (an owner's leads). Soft-deleted leads keep
   * `deletedAt` and leave both indexes. `search` holds folded name, e-mail, phone digits, company.
   * `lastChange` `{id, reason: submission | update | manual, at}` is written with every change the
   * CRM destinations must hear of (lead.repo.ts `LeadChange`): the table's stream turns a new `id`
   * into the sync job of that id (modules/leads/lead-stream.ts).
   */
  lead: (tenantId: string, leadId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `LEAD#${leadId}`,
  }),
  leadStagePk: (tenantId: string, stage: string) => `${tenantPk(tenantId)}#LEADSTAGE#${stage}`,
  leadOwnerPk: (tenantId: string, userId: string) => `${tenantPk(tenantId)}#LEADOWNER#${userId}`,
  /** Note on a lead: `TENANT#<id>` / `LEADNOTE#<leadId>#<ISO time>#<noteId>` (a lead's notes in time order). */
  leadNotePrefix: (leadId: string) => `LEADNOTE#${leadId}#`,
  leadNote: (tenantId: string, leadId: string, at: string, noteId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `LEADNOTE#${leadId}#${at}#${noteId}`,
  }),
  /**
   * Contact identity → customer: `TENANT#<id>` / `CONTACTKEY#email#<sha256 of lower-cased e-mail>`
   * (customerId), claimed with a conditional put. Phones need no key: a phone's customer is
   * `wa-<digits>`, the id WhatsApp senders get, so leads and chats meet on one customer.
   */
  contactKey: (tenantId: string, kind: 'email', valueHash: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CONTACTKEY#${kind}#${valueHash}`,
  }),
  /** The lead a customer's new submissions join while it is open: `TENANT#<id>` / `OPENLEAD#<customerId>` (leadId). */
  openLead: (tenantId: string, customerId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `OPENLEAD#${customerId}`,
  }),
  /**
   * Customer search index (modules/contacts/customer-search.repo.ts): one item per search token
   * of a customer, `TENANT#<id>#CSEARCH` / `<token>#<customerId>` (customerId), queried with
   * begins_with. Tokens: `t:<folded name word>`, `t:<lower-cased e-mail>`, `t:<username>`,
   * `p:<E.164 digits>`, `p:<national number>`, `p:<igsid>`, `s:<phone digits reversed>` (last
   * digits). The customer item's `searchTokens` lists what is indexed; readers check every hit
   * against the customer item, so a stale token is never an answer.
   */
  customerSearchPk: (tenantId: string) => `${tenantPk(tenantId)}#CSEARCH`,
  customerSearch: (tenantId: string, token: string, customerId: string): Key => ({
    PK: keys.customerSearchPk(tenantId),
    SK: `${token}#${customerId}`,
  }),
  /**
   * An agent's merge of one contact into another: `TENANT#<id>` / `CMERGE#<sourceId>` (targetId,
   * mergedAt, by). Put once (ifNotExists): the claim that a source merges into exactly one target,
   * so a repeated merge answers the same result (modules/contacts/contact-merge.service.ts).
   */
  contactMerge: (tenantId: string, sourceId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CMERGE#${sourceId}`,
  }),
  /** Pipeline stages of a tenant: `TENANT#<id>` / `PIPELINE` (absent: the default pipeline). */
  pipeline: (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: 'PIPELINE' }),
  /** Branding: `TENANT#<id>` / `BRANDING` (display name, colours, logo blob key under `tenants/<id>/`). */
  branding: (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: 'BRANDING' }),
  /** CRM destination (webhook or HubSpot) with its encrypted secret: `TENANT#<id>` / `CRMDEST#<id>`. */
  crmDestination: (tenantId: string, destinationId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CRMDEST#${destinationId}`,
  }),
  /**
   * An integrator's event webhook (modules/integrations): `TENANT#<id>` / `EVTDEST#<id>` (url,
   * events, enabled, encryptedSecret, createdAt, updatedAt, lastDelivery {eventId, type, outcome,
   * status, error, at}). The EventDelivery consumer marks each destination that took an event:
   * `EVENT#DeliverIntegrationEvent:<destinationId>#<webhookId>` (eventMarker below).
   */
  eventDestination: (tenantId: string, destinationId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `EVTDEST#${destinationId}`,
  }),
  /**
   * "Already handled" marker of a bus event per consumer rule: `TENANT#<id>#EVENTS` /
   * `EVENT#<rule>#<eventId>` (`expiresAt` TTL, 30 days). The CRM sync also marks each destination
   * that took a job: `EVENT#SyncLeadToCrm:<destinationId>#<jobId>`.
   */
  eventMarker: (tenantId: string, rule: string, eventId: string): Key => ({
    PK: `${tenantPk(tenantId)}#EVENTS`,
    SK: `EVENT#${rule}#${eventId}`,
  }),

  // Agent workspace (modules/workspace): private notes, labels, canned replies.
  /**
   * Private note in a conversation (never sent to Meta): `TENANT#<id>#NOTES#<conversationId>` /
   * `NOTE#<noteId>`, one partition per conversation; note ids start with the creation time (base32
   * ms), so the partition lists notes in time order. Holds text, mentions (user ids), authorId,
   * createdAt and the `clientId` it was written with.
   */
  notesPk: (tenantId: string, conversationId: string) =>
    `${tenantPk(tenantId)}#NOTES#${conversationId}`,
  note: (tenantId: string, conversationId: string, noteId: string): Key => ({
    PK: keys.notesPk(tenantId, conversationId),
    SK: `NOTE#${noteId}`,
  }),
  /**
   * A note's `clientId` → where the note is: `TENANT#<id>#NOTES#<conversationId>` /
   * `NOTECLIENT#<clientId>` (noteId, requestHash, `deletedAt` once the note is deleted), claimed
   * before the note is written, so a retry finds the note (or writes the same one) instead of a
   * second one, and a retry after a delete does not bring the note back.
   */
  noteClient: (tenantId: string, conversationId: string, clientId: string): Key => ({
    PK: keys.notesPk(tenantId, conversationId),
    SK: `NOTECLIENT#${clientId}`,
  }),
  /** Label: `TENANT#<id>` / `LABEL#<labelId>` (name, color). Conversations hold ids in `labelIds`. */
  label: (tenantId: string, labelId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `LABEL#${labelId}`,
  }),
  /**
   * Unique label name → label id: `TENANT#<id>` / `LABELNAME#<lower-cased name>` (labelId),
   * claimed with a conditional put; a claim whose label is gone or renamed is stale and taken over.
   */
  labelName: (tenantId: string, nameKey: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `LABELNAME#${nameKey}`,
  }),
  /** Canned reply: `TENANT#<id>` / `CANNED#<replyId>` (shortCode, content). */
  cannedReply: (tenantId: string, replyId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CANNED#${replyId}`,
  }),
  /** Unique short code → reply id: `TENANT#<id>` / `CANNEDCODE#<shortCode>`, claimed like a label name. */
  cannedShortCode: (tenantId: string, shortCode: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CANNEDCODE#${shortCode}`,
  }),
  // Consent (modules/consent): per phone number, whatever contact holds it after merges.
  /**
   * A number's current consent: `TENANT#<id>` / `CONSENT#<channel>#<E.164>` (status, latest
   * change). Written only forward in time (`latestAt`), so a late retry of an older change
   * never undoes a newer one.
   */
  consent: (tenantId: string, channel: string, address: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CONSENT#${channel}#${address}`,
  }),
  /**
   * One change of a number's consent, the audit trail: `TENANT#<id>` /
   * `CONSENTLOG#<channel>#<E.164>#<at>#<changeId>` (status, evidence). Put if absent: the change
   * id makes a retry of the same change a no-op.
   */
  consentChange: (
    tenantId: string,
    channel: string,
    address: string,
    at: string,
    changeId: string,
  ): Key => ({
    PK: tenantPk(tenantId),
    SK: `CONSENTLOG#${channel}#${address}#${at}#${changeId}`,
  }),
  /** The workspace's opt-out and opt-in keywords and replies: `TENANT#<id>` / `CONSENTKEYWORDS`. */
  consentKeywords: (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: 'CONSENTKEYWORDS' }),
  /**
   * The confirmation reply to a keyword message, claimed once: `TENANT#<id>` /
   * `CONSENTREPLY#<change id>`. Put if absent before the send, so a redelivered webhook (or two
   * racing deliveries) never sends it twice. Kept with a TTL (`expiresAt`), not depended on.
   */
  consentReply: (tenantId: string, changeId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CONSENTREPLY#${changeId}`,
  }),
  // Attribution (modules/attribution).
  /**
   * The first and latest touch of a contact or a lead: `TENANT#<id>` / `ATTR#<contact|lead>#<id>`
   * (`first`, `latest`, `latestAt`, `touchIds` a string set: a touch already in it is not counted
   * again).
   */
  attribution: (tenantId: string, subject: 'contact' | 'lead', id: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `ATTR#${subject}#${id}`,
  }),
  /**
   * One touch, by time, for the sources report: `TENANT#<id>` / `ATTRTOUCH#<at>#<touchId>`
   * (kind, source, medium, campaign, contactId, leadId). Put if absent.
   */
  attributionTouch: (tenantId: string, at: string, touchId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `ATTRTOUCH#${at}#${touchId}`,
  }),
  // Campaigns (modules/campaigns).
  /**
   * A campaign: `TENANT#<id>` / `CAMPAIGN#<campaignId>` (ids sort by creation time, so a query
   * newest first lists them). `status`, `audience`, `template`, `sendAt`; the audience's drawing
   * (`materialised`, `audienceCursor`, `excluded` counts added with each chunk's cursor move);
   * the run's lease (`leaseOwner`, `leaseUntil`): one sender at a time.
   */
  campaign: (tenantId: string, campaignId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CAMPAIGN#${campaignId}`,
  }),
  /** A create's `clientKey` → its campaign: `TENANT#<id>` / `CAMPAIGNKEY#<key>`, put if absent. */
  campaignClientKey: (tenantId: string, clientKey: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CAMPAIGNKEY#${clientKey}`,
  }),
  /**
   * One recipient: `TENANT#<id>` / `CRECIP#<campaignId>#<contactId>` (`phone` E.164, `status`,
   * `attemptId` of the claim that moved it to `sending`, `attempts`, `notBefore` after a backoff,
   * `messageId`, `error`). Put if absent when the audience is drawn; every move is conditional.
   */
  campaignRecipient: (tenantId: string, campaignId: string, contactId: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CRECIP#${campaignId}#${contactId}`,
  }),
  /** Meta's message id → the recipient it was sent to (status webhooks): `TENANT#<id>` / `CMSG#<wamid>`. */
  campaignMessage: (tenantId: string, wamid: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CMSG#${wamid}`,
  }),
  /**
   * A number's latest campaign message on a channel (its reply marks the recipient `replied`):
   * `TENANT#<id>` / `CPHONE#<channelId>#<wa digits>` (`campaignId`, `contactId`, `sentAt`).
   */
  campaignPhone: (tenantId: string, channelId: string, digits: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `CPHONE#${channelId}#${digits}`,
  }),
  /**
   * A campaign with work to do (global, for the sweep that starts and resumes runs):
   * `CAMPAIGNDUE` / `<tenantId>#<campaignId>` (`dueAt`, `enqueuedAt`). Removed when it ends.
   */
  campaignDue: (tenantId: string, campaignId: string): Key => ({
    PK: 'CAMPAIGNDUE',
    SK: `${tenantId}#${campaignId}`,
  }),
  /**
   * Messaging-limit use: a number first written to in the rolling 24 h, per sending channel:
   * `TENANT#<id>` / `TIERUSE#<channelId>#<digits>` (`at`), moved forward only when older than 24 h,
   * and the hour's count of such first writes `TENANT#<id>` / `TIERHOUR#<channelId>#<YYYY-MM-DDTHH>`
   * (`count`, TTL `expiresAt`). The last 25 hours' counts bound the tier's use from above.
   */
  tierUse: (tenantId: string, channelId: string, digits: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `TIERUSE#${channelId}#${digits}`,
  }),
  tierHour: (tenantId: string, channelId: string, hour: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `TIERHOUR#${channelId}#${hour}`,
  }),
} as const;

export type RouteKind = 'wa-phone' | 'wa-waba' | 'ig';
