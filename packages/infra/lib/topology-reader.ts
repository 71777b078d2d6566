import {
  busRules,
  functions,
  liveSocket,
  queues,
  routes,
  table,
  tableStream,
  type BusRuleSpec,
  type FunctionName,
  type FunctionSpec,
  type QueueName,
  type QueueSpec,
  type RouteSpec,
  type SecretName,
} from './server';

// Reads the topology into what the stack builds. Everything is derived by iterating the
// declarations; the few rules below that go beyond a topology field say so, and why.

export type FunctionAccess = {
  name: FunctionName;
  spec: FunctionSpec;
  /** The HTTP routes this function serves. */
  routes: RouteSpec[];
  /** Secrets Manager entries it reads (the channel token key is KMS, listed apart). */
  secrets: SecretName[];
  channelTokenKey: boolean;
  /**
   * Serves the two-factor routes: may use the token key with a user-bound encryption context
   * (`{ userId, purpose: 'totp' }`), besides the tenant-bound one every key holder gets.
   */
  userBoundSecrets: boolean;
  /** Serves single sign-on: reads the platform identity provider's client secret, if any. */
  platformSso: boolean;
  /** Raw webhook archive: written by signature-verified receivers, read by their queues' consumers. */
  rawArchive: 'read' | 'write' | 'none';
  /** Tenant assets (branding, form config): managed by the functions serving tenant routes. */
  assets: 'readwrite' | 'none';
  /**
   * Tenants' attachments in the media bucket (`tenants/<id>/media/…`): read and written by the
   * functions whose topology entry says `media` (MediaFetcher stores what Meta sends, Api stores
   * uploads). No other function, whatever it serves, reaches an attachment.
   */
  media: 'readwrite' | 'none';
  /** Serves the admin DLQ routes: may peek at and redrive every queue's DLQ. */
  dlqAdmin: boolean;
  /** Touches tenant data: may assume TenantDataAccessRole with a TenantId session tag. */
  tenantRole: boolean;
  /** Serves sign-in: creates the platform admin from the generated adminPassword on first start. */
  adminBootstrap: boolean;
  /**
   * The live sockets: `fanout` lists, posts to and deletes connections (ManageConnections on the
   * stage), `connections` writes and deletes them (the socket's own routes). See topology `live`.
   */
  live: 'fanout' | 'connections' | 'none';
};

export const allRoutes: readonly RouteSpec[] = routes;
export const allFunctions: readonly FunctionSpec[] = Object.values(functions);
export const allQueues: readonly [QueueName, QueueSpec][] = Object.entries(queues) as [
  QueueName,
  QueueSpec,
][];
export const allBusRules: readonly BusRuleSpec[] = busRules;

/** The routes that encrypt or decrypt a person's TOTP secret (the token cipher, user-bound). */
export const twoFactorRoutes = new Set([
  'auth.loginTwoFactor',
  'auth.twoFactor.start',
  'auth.twoFactor.confirm',
  'auth.twoFactor.disable',
  'auth.twoFactor.recoveryCodes',
]);

export function routesOf(name: FunctionName): RouteSpec[] {
  return allRoutes.filter((route) => route.function === name);
}

export function functionAccess(spec: FunctionSpec): FunctionAccess {
  const served = routesOf(spec.name);
  const receivesWebhooks = served.some((r) => r.access.kind === 'signature');
  const webhookQueues = new Set(
    allFunctions
      .filter((f) => routesOf(f.name).some((r) => r.access.kind === 'signature'))
      .flatMap((f) => f.sendsTo),
  );
  const readsArchive = spec.consumes !== undefined && webhookQueues.has(spec.consumes);
  const adminBootstrap = served.some((r) => r.id === 'auth.login');
  const secrets: SecretName[] = spec.secrets.filter((s) => s !== 'channelTokenKey');
  return {
    name: spec.name,
    spec,
    routes: served,
    secrets: adminBootstrap ? [...secrets, 'adminPassword'] : secrets,
    channelTokenKey: spec.secrets.includes('channelTokenKey'),
    userBoundSecrets:
      spec.secrets.includes('channelTokenKey') && served.some((r) => twoFactorRoutes.has(r.id)),
    platformSso: served.some((r) => r.id === 'auth.sso.start' || r.id === 'auth.sso.callback'),
    rawArchive: receivesWebhooks ? 'write' : readsArchive || spec.rawArchive ? 'read' : 'none',
    assets: served.some((r) => r.access.kind === 'tenant') ? 'readwrite' : 'none',
    media: spec.media ?? 'none',
    dlqAdmin: served.some((r) => r.id.startsWith('admin.dlq.')),
    tenantRole: spec.table !== 'none',
    adminBootstrap,
    live: spec.live ?? 'none',
  };
}

/** Fails synth on a topology AWS would reject at deploy time, with the reason. */
export function validateTopology(): void {
  for (const route of allRoutes) {
    if (!(route.function in functions)) {
      throw new Error(`route ${route.id} names unknown function ${route.function}`);
    }
  }
  for (const [name, queue] of allQueues) {
    const consumer = functions[queue.consumer];
    if (consumer.consumes !== name) {
      throw new Error(`${name} names ${queue.consumer} as consumer, which does not consume it`);
    }
    // SQS refuses an event source mapping whose function outlives the visibility timeout.
    if (queue.visibilityTimeoutSeconds < consumer.timeoutSeconds) {
      throw new Error(`${name}: visibility timeout is shorter than ${queue.consumer}'s timeout`);
    }
  }
  // One consumer reads the table stream, and it is the one the stream's settings name.
  const streamConsumers = allFunctions.filter((f) => f.consumesTableStream);
  if (streamConsumers.length > 0 && table.stream !== 'NEW_AND_OLD_IMAGES') {
    throw new Error('the table stream consumer needs NEW_AND_OLD_IMAGES on the table');
  }
  if (streamConsumers.length > 1 || streamConsumers.some((f) => f.name !== tableStream.consumer)) {
    throw new Error(`only ${tableStream.consumer} consumes the table stream`);
  }
  if (streamConsumers.some((f) => f.consumes !== undefined)) {
    throw new Error(`${tableStream.consumer} consumes the table stream, not a queue`);
  }
  // Lambda: 1..10000 records per batch, at most 10 batches per shard, and a record older than
  // the stream keeps it (24 h) cannot be retried.
  if (tableStream.batchSize < 1 || tableStream.batchSize > 10_000) {
    throw new Error('tableStream.batchSize must be within 1..10000');
  }
  if (tableStream.parallelizationFactor < 1 || tableStream.parallelizationFactor > 10) {
    throw new Error('tableStream.parallelizationFactor must be within 1..10');
  }
  if (tableStream.maxRecordAgeSeconds < 60 || tableStream.maxRecordAgeSeconds > 86_400) {
    throw new Error('tableStream.maxRecordAgeSeconds must be within 60..86400');
  }
  // The socket's functions: the authorizer takes tickets (the table), the routes' function keeps
  // the connections; neither serves an HTTP route nor drains a queue.
  for (const name of [liveSocket.authorizer, liveSocket.routes]) {
    const fn = functions[name];
    if (routesOf(name).length > 0 || fn.consumes || fn.consumesTableStream) {
      throw new Error(`${name} serves the live socket only`);
    }
  }
  if (functions[liveSocket.authorizer].table !== 'readwrite') {
    throw new Error(`${liveSocket.authorizer} takes tickets: it needs the table read-write`);
  }
  if (functions[liveSocket.routes].live !== 'connections') {
    throw new Error(`${liveSocket.routes} keeps the connections: it needs live 'connections'`);
  }
  // A near wake-up is a SendMessage straight to the campaigns' queue.
  for (const fn of allFunctions) {
    if (fn.wakesCampaigns && !fn.sendsTo.includes('CampaignSendQueue')) {
      throw new Error(`${fn.name} wakes campaigns: it needs CampaignSendQueue in sendsTo`);
    }
  }
  for (const rule of allBusRules) {
    if (rule.target.kind === 'function' && !(rule.target.function in functions)) {
      throw new Error(`bus rule ${rule.name} targets unknown function ${rule.target.function}`);
    }
    if (rule.target.kind === 'queue' && !(rule.target.queue in queues)) {
      throw new Error(`bus rule ${rule.name} targets unknown queue ${rule.target.queue}`);
    }
  }
}
