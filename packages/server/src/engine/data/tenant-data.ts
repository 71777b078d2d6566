import type { ApiKeyScope, Role } from '../topology';
import { ApiKeyRepo } from '../../modules/identity/api-key.repo';
import { AuditLog } from '../../modules/platform/audit.repo';
import { ChannelRepo } from '../../modules/channels/channel.repo';
import { ConversationRepo } from '../../modules/messaging/conversation.repo';
import { CustomerRepo } from '../../modules/messaging/customer.repo';
import { IdempotencyRepo } from './idempotency.repo';
import type { Db } from './dynamo';
import { InvitationRepo } from '../../modules/identity/invitation.repo';
import { MediaRepo } from '../../modules/messaging/media/media.repo';
import { MemberRepo } from '../../modules/identity/membership.repo';
import { MessageRepo } from '../../modules/messaging/message.repo';
import { TemplateCacheRepo } from '../../modules/messaging/template-cache.repo';
import { BrandingRepo } from '../../modules/leads/branding.repo';
import { EventDestinationRepo } from '../../modules/integrations/event-destination.repo';
import { ContactRepo } from '../../modules/leads/contact.repo';
import { ContactMergeRepo } from '../../modules/contacts/contact-merge.repo';
import { CrmDestinationRepo } from '../../modules/leads/crm-destination.repo';
import { EventDedupeRepo } from './event-dedupe.repo';
import { FormRepo } from '../../modules/leads/form.repo';
import { LeadNoteRepo } from '../../modules/leads/lead-note.repo';
import { LeadRepo } from '../../modules/leads/lead.repo';
import { PipelineRepo } from '../../modules/leads/pipeline.repo';
import { SubmissionRepo } from '../../modules/leads/submission.repo';
import { AutoAssignRepo } from '../../modules/assignment/auto-assign.repo';
import { AvailabilityRepo } from '../../modules/assignment/availability.repo';
import { SnoozeRepo } from '../../modules/assignment/snooze.repo';
import { CannedReplyRepo } from '../../modules/workspace/canned-reply.repo';
import { ConversationLabelsRepo } from '../../modules/workspace/conversation-labels.repo';
import { LabelRepo } from '../../modules/workspace/label.repo';
import { AttributionRepo } from '../../modules/attribution/attribution.repo';
import { CampaignRepo } from '../../modules/campaigns/campaign.repo';
import { NoteRepo } from '../../modules/workspace/note.repo';

/**
 * Who is acting for which tenant, built in exactly two places: the auth middleware (from a verified
 * JWT or API key) and the message processor (from a routing key the tenant registered).
 */
export type TenantContext = {
  readonly tenantId: string;
  readonly actor:
    | { kind: 'user'; userId: string; role: Role }
    | { kind: 'apiKey'; keyId: string; scopes: ApiKeyScope[] }
    | {
        kind: 'system';
        reason:
          | 'inbound-webhook'
          | 'sandbox'
          | 'test'
          | 'lead-ingest'
          | 'lead-pipeline'
          | 'integration-events'
          | 'campaigns';
      };
};

export type TenantData = {
  readonly tenantId: string;
  readonly channels: ChannelRepo;
  readonly customers: CustomerRepo;
  readonly messages: MessageRepo;
  readonly conversations: ConversationRepo;
  readonly idempotency: IdempotencyRepo;
  readonly templates: TemplateCacheRepo;
  /** Files uploaded to send (`POST /media`). */
  readonly media: MediaRepo;
  readonly members: MemberRepo;
  readonly invitations: InvitationRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly audit: AuditLog;
  // Leads: forms, submissions, leads and their notes, contacts, pipeline, branding, CRM sync
  readonly forms: FormRepo;
  readonly leads: LeadRepo;
  readonly leadNotes: LeadNoteRepo;
  readonly submissions: SubmissionRepo;
  readonly contacts: ContactRepo;
  /** Agents' merges of one contact into another (modules/contacts/). */
  readonly contactMerges: ContactMergeRepo;
  readonly pipeline: PipelineRepo;
  readonly branding: BrandingRepo;
  readonly crmDestinations: CrmDestinationRepo;
  /** Integrators' event webhooks (modules/integrations). */
  readonly eventDestinations: EventDestinationRepo;
  readonly eventMarkers: EventDedupeRepo;
  // Who works what: snoozes, members' availability, per-channel auto-assignment
  readonly snoozes: SnoozeRepo;
  readonly availability: AvailabilityRepo;
  readonly autoAssign: AutoAssignRepo;
  // Agent workspace: private notes, labels (and those on conversations), canned replies
  readonly notes: NoteRepo;
  readonly labels: LabelRepo;
  readonly conversationLabels: ConversationLabelsRepo;
  readonly cannedReplies: CannedReplyRepo;
  /** Where leads and conversations came from (modules/attribution). */
  readonly attribution: AttributionRepo;
  /** Template broadcasts and their recipients (modules/campaigns/). */
  readonly campaigns: CampaignRepo;
};

/** A tenant's own `Db` (deployed: credentials of TenantDataAccessRole tagged with its id). */
export type TenantDbFactory = (tenantId: string) => Db;

/** The `Db` for one tenant's partitions: its own when the deployment has one, else the shared one. */
export function dbForTenant(deps: { db: Db; tenantDb?: TenantDbFactory }, tenantId: string): Db {
  return deps.tenantDb?.(tenantId) ?? deps.db;
}

/**
 * The tenant-scoped accessor: every tenant read and write goes through repos bound to one tenant id.
 *
 * `db` reaches the tenant's partitions (`TENANT#<id>...`); deployed, it runs on credentials that
 * IAM limits to them (dynamodb:LeadingKeys). `platformDb` is the function's own, unscoped one, for
 * the few global items a tenant action writes outside its partitions: routing keys (`ROUTE#...`),
 * the API key, invitation and form pointers (`APIKEY#`, `INVITE#`, `FORM#`) and the user-side
 * membership copy (`USER#<id>` / `MEMBERSHIP#<tenant>`). Without a scoped Db both are the same.
 */
export function tenantData(db: Db, ctx: TenantContext, platformDb: Db = db): TenantData {
  const { tenantId } = ctx;
  return {
    tenantId,
    channels: new ChannelRepo(db, tenantId, platformDb),
    customers: new CustomerRepo(db, tenantId),
    messages: new MessageRepo(db, tenantId),
    conversations: new ConversationRepo(db, tenantId),
    idempotency: new IdempotencyRepo(db, tenantId),
    templates: new TemplateCacheRepo(db, tenantId),
    media: new MediaRepo(db, tenantId),
    members: new MemberRepo(db, tenantId, platformDb),
    invitations: new InvitationRepo(db, tenantId, platformDb),
    apiKeys: new ApiKeyRepo(db, tenantId, platformDb),
    audit: AuditLog.forTenant(db, tenantId),
    forms: new FormRepo(db, tenantId, platformDb),
    leads: new LeadRepo(db, tenantId),
    leadNotes: new LeadNoteRepo(db, tenantId),
    submissions: new SubmissionRepo(db, tenantId),
    contacts: new ContactRepo(db, tenantId),
    contactMerges: new ContactMergeRepo(db, tenantId),
    pipeline: new PipelineRepo(db, tenantId),
    branding: new BrandingRepo(db, tenantId),
    crmDestinations: new CrmDestinationRepo(db, tenantId),
    eventDestinations: new EventDestinationRepo(db, tenantId),
    eventMarkers: new EventDedupeRepo(db, tenantId),
    snoozes: new SnoozeRepo(db, tenantId),
    availability: new AvailabilityRepo(db, tenantId),
    autoAssign: new AutoAssignRepo(db, tenantId),
    notes: new NoteRepo(db, tenantId),
    labels: new LabelRepo(db, tenantId),
    conversationLabels: new ConversationLabelsRepo(db, tenantId),
    cannedReplies: new CannedReplyRepo(db, tenantId),
    attribution: new AttributionRepo(db, tenantId),
    campaigns: new CampaignRepo(db, tenantId),
  };
}
