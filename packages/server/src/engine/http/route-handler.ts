// What a route handler is and what it receives: the types every *.handlers.ts file implements.
// Kept apart from app.ts (which imports the handler registry) so handlers never import the app.

import type { CampaignWakeups } from '../ports/campaign-wakeups';
import type { RouteContractOf } from '@switchboard/contracts';
import type { Context } from 'hono';
import type { Db } from '../data/dynamo';
import type { TenantDbFactory } from '../data/tenant-data';
import type { AuthOverrides } from '../../modules/identity/settings';
import type { SsoDeps } from '../../modules/identity/sso.oidc';
import type { LeadDeps } from '../../modules/leads/lead-deps';
import type { Logger } from '../log';
import type { GraphClient } from '../../modules/messaging/meta/graph-client';
import type { ThroughputLimiter } from '../../modules/messaging/throughput-limiter';
import type { BlobStore } from '../ports/blobs';
import type { RawArchive } from '../ports/raw-archive';
import type { DeadLetterAdmin } from '../ports/dlq';
import type { Mailbox, Mailer } from '../ports/mailer';
import type { QueueSender } from '../ports/queue';
import type { UploadUrlSigner } from '../ports/upload-urls';
import type { LiveConnections } from '../ports/live-connections';
import type { WorkspaceEvents } from '../ports/workspace-events';
import type { TokenService } from '../security/jwt';
import type { TokenCipher } from '../security/token-cipher';
import type { QueueName, RouteId } from '../topology';
import type { Caller } from './auth-context';
import type { RouteInput } from './route-input';

export type AppDeps = {
  /** The function's own table access: platform items and global pointers. */
  db: Db;
  /**
   * A tenant's partitions, on credentials IAM limits to them (aws/deps.ts); absent, `db` serves
   * tenants too (the sandbox: dynalite has no IAM).
   */
  tenantDb?: TenantDbFactory;
  log: Logger;
  /** Workspace events after a write: open screens (live) and integrators' endpoints. */
  events: WorkspaceEvents;
  /**
   * The live sockets: their URL (handed out with each ticket) and a way to close those of an
   * ended session, a removed member or a suspended workspace.
   */
  live: LiveConnections;
  /** Lazy: a function whose routes never verify tokens (the webhook receiver) never loads the keys. */
  tokens: () => Promise<TokenService>;
  cipher: TokenCipher;
  /** HMAC key sealing page cursors to their query (cursor.ts); lazy like the token keys. */
  cursorKey: () => Promise<Uint8Array>;
  incomingQueue: QueueSender;
  /** Every accepted webhook delivery (Firehose deployed, a daily file in the sandbox). */
  rawArchive: RawArchive;
  /** Replays of archived webhooks: one message per day (`POST /admin/replays`). */
  replayQueue: QueueSender;
  blobs: BlobStore;
  /**
   * Signed URLs for direct uploads (`POST /media/uploads`): S3 presigned PUTs deployed, the
   * sandbox's own `PUT /media/uploads/{id}/content`. Absent, direct uploads are unavailable.
   */
  uploads?: UploadUrlSigner;
  meta: { appSecret: string; verifyToken: string };
  /**
   * Campaign wake-ups after a start, resume or pause (ports/campaign-wakeups.ts): EventBridge
   * Scheduler and delayed SQS deployed; absent (the sandbox), its due sweep reads the due items.
   */
  campaignWakeups?: CampaignWakeups;
  /** Dead-letter queues a platform admin may inspect and redrive, by the topology's queue name. */
  dlq: Record<QueueName, DeadLetterAdmin>;
  now?: () => Date;
  /** Auth limits and lifetimes; defaults in domain/auth/settings.ts. */
  auth?: AuthOverrides;
  /** Meta Graph API client; when absent one is built from META_GRAPH_BASE_URL / META_GRAPH_VERSION. */
  graph?: GraphClient;
  /** Per-sender send throughput (token buckets); when absent, one per process at 80 msg/s. */
  sendLimiter?: ThroughputLimiter;
  /** Leads: the event bus, asset URL signing, CRM connector settings, submission limits. */
  leads: LeadDeps;
  /** Outgoing e-mail: SES deployed, files under the data dir in the sandbox. */
  mailer: Mailer;
  /** The mail the sandbox kept, for the platform admin's mailbox; absent deployed (its routes 404). */
  mailbox?: Mailbox;
  /**
   * The web app's origin, for the links mails carry (reset, invitations). Configured, never taken
   * from the request: a forged Host header would otherwise send a reset token to another site.
   */
  webOrigin?: () => string | undefined;
  /**
   * Single sign-on: the platform's identity provider (absent: only workspaces' own), and whether
   * issuers on loopback are allowed (the sandbox). Absent: workspaces' providers only, https.
   */
  sso?: SsoDeps;
};

/** What a handler gets: the request, its verified caller, the dependencies and its typed input. */
export type RouteRequest<Id extends RouteId = RouteId> = RouteInput<RouteContractOf<Id>> & {
  c: Context;
  caller: Caller;
  deps: AppDeps;
};
export type RouteHandler<Id extends RouteId = RouteId> = (
  req: RouteRequest<Id>,
) => Promise<Response>;
/** Every route of the contracts has exactly one handler: the type fails when one is missing. */
export type HandlerTable = { [Id in RouteId]: RouteHandler<Id> };
