import type { Db } from '../../engine/data/dynamo';
import type { Logger } from '../../engine/log';
import type { BlobStore } from '../../engine/ports/blobs';
import type { WorkspaceEvents } from '../../engine/ports/workspace-events';
import { GraphClient, graphConfigFromEnv } from './meta/graph-client';
import type { TokenCipher } from '../../engine/security/token-cipher';
import { ThroughputLimiter } from './throughput-limiter';

/** What the outbound paths (send, templates, channel connect) need. */
export type OutboundDeps = {
  db: Db;
  graph: GraphClient;
  limiter: ThroughputLimiter;
  cipher: TokenCipher;
  log: Logger;
  now: () => Date;
  /** Uploaded files (`POST /media`), read to upload them to Meta. */
  blobs?: BlobStore;
  /**
   * A signed, absolute URL of one of the tenant's blobs that Meta can fetch (Instagram
   * attachments). The HTTP layer builds it: it knows the API's public origin.
   */
  mediaUrl?: (key: string) => Promise<string>;
  /** Workspace events of the send (the pending message, Meta's id or failure); absent: none. */
  events?: WorkspaceEvents;
};

type Source = {
  db: Db;
  cipher: TokenCipher;
  log: Logger;
  blobs?: BlobStore;
  graph?: GraphClient;
  sendLimiter?: ThroughputLimiter;
  now?: () => Date;
  events?: WorkspaceEvents;
};

// One Graph client and one limiter per process when the composition root supplies none (a Lambda
// entry point reads the env): the limiter only works if every request of the process shares it.
let fallback: { graph: GraphClient; limiter: ThroughputLimiter } | undefined;

export function outboundDepsOf(source: Source): OutboundDeps {
  fallback ??= {
    graph: new GraphClient(graphConfigFromEnv()),
    limiter: new ThroughputLimiter(),
  };
  return {
    db: source.db,
    cipher: source.cipher,
    log: source.log,
    ...(source.blobs ? { blobs: source.blobs } : {}),
    graph: source.graph ?? fallback.graph,
    limiter: source.sendLimiter ?? fallback.limiter,
    now: source.now ?? (() => new Date()),
    ...(source.events ? { events: source.events } : {}),
  };
}
