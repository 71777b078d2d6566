import {
  acceptInviteRequestSchema,
  apiErrorSchema,
  apiKeySchema,
  assignConversationRequestSchema,
  auditEventSchema,
  changePasswordRequestSchema,
  channelSchema,
  conversationSchema,
  createApiKeyRequestSchema,
  createApiKeyResponseSchema,
  createChannelRequestSchema,
  createTenantRequestSchema,
  customerDetailQuerySchema,
  customerDetailSchema,
  customerPageSchema,
  inviteUserRequestSchema,
  inviteUserResponseSchema,
  listAuditEventsQuerySchema,
  listConversationsQuerySchema,
  listMessagesQuerySchema,
  listTemplatesQuerySchema,
  listTemplatesResponseSchema,
  loginRequestSchema,
  loginResponseSchema,
  memberSchema,
  messageSchema,
  pageOf,
  refreshRequestSchema,
  searchCustomersQuerySchema,
  sendMessageRequestSchema,
  sendMessageResponseSchema,
  switchTenantRequestSchema,
  tenantSchema,
  updateUserRequestSchema,
} from '@switchboard/contracts';
import { z, type ZodType } from 'zod';
import { routes, type Access, type RouteId, type RouteSpec } from '../topology';
import { leadRouteDocs } from './openapi-leads';

// The OpenAPI 3.1 document, generated from the route table and the Zod schemas the handlers
// validate with (zod's own JSON Schema output, draft 2020-12, which OpenAPI 3.1 uses as is).
// Every route of the topology needs an entry here: a test fails for any route without one.

type ResponseDoc = { description: string; schema?: ZodType; contentType?: string };

export type RouteDoc = {
  summary: string;
  description?: string;
  tag: string;
  query?: z.ZodObject;
  body?: ZodType;
  bodyContentType?: string;
  headers?: { name: string; description: string; required?: boolean }[];
  /** The success response(s), by status. */
  responses: Record<number, ResponseDoc>;
  /** Route-specific failures (beyond the standard ones derived from access and shape), by status. */
  errors?: Record<number, string>;
};

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});
const anyObject = z.object({}).passthrough();
const page = <T extends ZodType>(item: T) => pageOf(item);
const noContent: ResponseDoc = { description: 'Done; no body.' };
const meResponse = z.object({
  user: z.object({ id: z.string(), email: z.string().optional(), platformAdmin: z.boolean() }),
  tenantId: z.string().optional(),
  role: z.string().optional(),
  tenants: z.array(
    z.object({ tenantId: z.string(), name: z.string().optional(), role: z.string() }),
  ),
});
const unroutedEntry = z
  .object({
    reason: z.string(),
    receivedAt: z.string(),
    routingKeys: z.record(z.string(), z.string()),
  })
  .passthrough();
const platformUser = z.object({
  id: z.string(),
  email: z.string(),
  platformAdmin: z.boolean(),
  disabled: z.boolean(),
});
const dlqMessage = z.object({
  id: z.string(),
  body: z.string(),
  receiveCount: z.number(),
  sentAt: z.string(),
});
const metaEnvelope = z
  .object({ object: z.string(), entry: z.array(anyObject) })
  .describe('A Meta webhook delivery (WhatsApp Cloud API or Instagram messaging).');

export const routeDocs: Partial<Record<RouteId, RouteDoc>> = {
  // ---------------------------------------------------------------- webhooks
  'webhook.verify': {
    tag: 'Meta webhooks',
    summary: 'Answer Meta’s subscription check',
    description:
      'Meta calls this when the webhook is configured; the challenge is echoed as plain text when the verify token matches.',
    query: z.object({
      'hub.mode': z.literal('subscribe'),
      'hub.verify_token': z.string(),
      'hub.challenge': z.string(),
    }),
    responses: { 200: { description: 'The challenge, as text/plain.', contentType: 'text/plain' } },
    errors: { 403: 'The verify token does not match.' },
  },
  'webhook.receive': {
    tag: 'Meta webhooks',
    summary: 'Receive a Meta webhook delivery',
    description:
      'Verified with X-Hub-Signature-256 (HMAC-SHA256 of the raw bytes with the app secret) before parsing; answered 200 only once the delivery is durably queued.',
    headers: [
      {
        name: 'X-Hub-Signature-256',
        required: true,
        description: '`sha256=<hex HMAC>` of the body.',
      },
    ],
    body: metaEnvelope,
    responses: { 200: { description: '`EVENT_RECEIVED`', contentType: 'text/plain' } },
    errors: { 401: 'invalid_signature', 400: 'not_a_meta_envelope' },
  },
  // ---------------------------------------------------------------- auth
  'auth.login': {
    tag: 'Auth',
    summary: 'Sign in with e-mail and password',
    body: loginRequestSchema,
    responses: {
      200: { description: 'An access token and a refresh token.', schema: loginResponseSchema },
    },
    errors: { 401: 'invalid_credentials', 429: 'too_many_attempts' },
  },
  'auth.me': {
    tag: 'Auth',
    summary: 'The signed-in user and their workspaces',
    responses: { 200: { description: 'The caller.', schema: meResponse } },
  },
  jwks: {
    tag: 'Auth',
    summary: 'Public keys that verify access tokens (JWKS)',
    responses: { 200: { description: 'A JSON Web Key Set.', schema: anyObject } },
  },
  'auth.refresh': {
    tag: 'Auth',
    summary: 'Exchange a refresh token for a new session pair',
    description: 'Refresh tokens rotate: each is single-use, and reusing one ends its session.',
    body: refreshRequestSchema,
    responses: { 200: { description: 'New tokens.', schema: loginResponseSchema } },
    errors: { 401: 'The refresh token is invalid, expired or reused.' },
  },
  'auth.logout': {
    tag: 'Auth',
    summary: 'End the current session',
    responses: { 204: noContent },
  },
  'auth.switchTenant': {
    tag: 'Auth',
    summary: 'Switch the session to another workspace the user belongs to',
    body: switchTenantRequestSchema,
    responses: { 200: { description: 'Tokens for that workspace.', schema: loginResponseSchema } },
  },
  'auth.password': {
    tag: 'Auth',
    summary: 'Change the password (ends other sessions)',
    body: changePasswordRequestSchema,
    responses: { 204: noContent },
  },
  'auth.acceptInvite': {
    tag: 'Auth',
    summary: 'Accept an invitation to a workspace',
    body: acceptInviteRequestSchema,
    responses: { 200: { description: 'Signed in to the workspace.', schema: loginResponseSchema } },
  },
  // ---------------------------------------------------------------- platform admin
  'admin.tenants.create': {
    tag: 'Platform admin',
    summary: 'Create a workspace and its owner',
    body: createTenantRequestSchema,
    responses: {
      201: { description: 'The workspace.', schema: tenantSchema.extend({ owner: anyObject }) },
    },
  },
  'admin.tenants.list': {
    tag: 'Platform admin',
    summary: 'List workspaces, newest first',
    query: listQuery,
    responses: { 200: { description: 'A page of workspaces.', schema: page(tenantSchema) } },
  },
  'admin.tenants.suspend': {
    tag: 'Platform admin',
    summary: 'Suspend a workspace',
    responses: { 200: { description: 'The workspace.', schema: tenantSchema } },
  },
  'admin.tenants.resume': {
    tag: 'Platform admin',
    summary: 'Resume a suspended workspace',
    responses: { 200: { description: 'The workspace.', schema: tenantSchema } },
  },
  'admin.users.disable': {
    tag: 'Platform admin',
    summary: 'Disable a user account (ends its sessions)',
    responses: { 200: { description: 'The user.', schema: platformUser } },
  },
  'admin.users.enable': {
    tag: 'Platform admin',
    summary: 'Enable a disabled user account',
    responses: { 200: { description: 'The user.', schema: platformUser } },
  },
  'admin.audit.list': {
    tag: 'Platform admin',
    summary: 'The platform audit trail',
    query: listAuditEventsQuerySchema,
    responses: { 200: { description: 'A page of events.', schema: page(auditEventSchema) } },
  },
  'admin.unrouted.list': {
    tag: 'Platform admin',
    summary: 'Webhook entries that matched no workspace',
    query: listQuery,
    responses: { 200: { description: 'A page of entries.', schema: page(unroutedEntry) } },
  },
  'admin.dlq.list': {
    tag: 'Platform admin',
    summary: 'Messages in a dead-letter queue',
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(25) }),
    responses: {
      200: {
        description: 'The messages.',
        schema: z.object({ queue: z.string(), items: z.array(dlqMessage) }),
      },
    },
  },
  'admin.dlq.redrive': {
    tag: 'Platform admin',
    summary: 'Move dead-lettered messages back to their queue',
    body: z.object({ ids: z.array(z.string()).optional() }),
    responses: {
      200: {
        description: 'How many moved.',
        schema: z.object({ queue: z.string(), moved: z.number() }),
      },
    },
  },
  // ---------------------------------------------------------------- team, API keys, audit
  'users.invite': {
    tag: 'Team',
    summary: 'Invite a person to the workspace',
    body: inviteUserRequestSchema,
    responses: {
      201: {
        description: 'The invitation (its token is shown once).',
        schema: inviteUserResponseSchema,
      },
    },
  },
  'users.list': {
    tag: 'Team',
    summary: 'Members of the workspace',
    responses: { 200: { description: 'The members.', schema: page(memberSchema) } },
  },
  'users.update': {
    tag: 'Team',
    summary: 'Change a member’s role',
    body: updateUserRequestSchema,
    responses: { 200: { description: 'The member.', schema: memberSchema } },
  },
  'users.remove': {
    tag: 'Team',
    summary: 'Remove a member from the workspace',
    responses: { 204: noContent },
  },
  'api-keys.create': {
    tag: 'API keys',
    summary: 'Create an API key (shown once)',
    body: createApiKeyRequestSchema,
    responses: {
      201: { description: 'The key, with its secret.', schema: createApiKeyResponseSchema },
    },
  },
  'api-keys.list': {
    tag: 'API keys',
    summary: 'The workspace’s API keys (never their secrets)',
    query: listQuery,
    responses: { 200: { description: 'A page of keys.', schema: page(apiKeySchema) } },
  },
  'api-keys.revoke': {
    tag: 'API keys',
    summary: 'Revoke an API key',
    responses: { 204: noContent },
  },
  'audit.list': {
    tag: 'Team',
    summary: 'The workspace’s audit trail',
    query: listAuditEventsQuerySchema,
    responses: { 200: { description: 'A page of events.', schema: page(auditEventSchema) } },
  },
  // ---------------------------------------------------------------- channels
  'channels.create': {
    tag: 'Channels',
    summary: 'Connect (or reconnect) a WhatsApp number or Instagram account',
    description:
      'Meta is asked first whether the token works and can see the number or account. The token is encrypted at rest and never returned. Connecting a number the workspace already has replaces its token (reconnect, 200).',
    body: createChannelRequestSchema,
    responses: {
      201: { description: 'Connected.', schema: channelSchema },
      200: { description: 'Reconnected with the new token.', schema: channelSchema },
    },
    errors: {
      409: 'channel_already_connected: another workspace has this number or account.',
      422: 'channel_token_invalid (Meta rejected the token), channel_not_found (Meta does not know the id, or the token cannot see it).',
      503: 'meta_unavailable',
    },
  },
  'channels.list': {
    tag: 'Channels',
    summary: 'Connected channels (never their tokens)',
    responses: { 200: { description: 'The channels.', schema: page(channelSchema) } },
  },
  'channels.delete': {
    tag: 'Channels',
    summary: 'Disconnect a channel',
    description:
      'Releases its number or account (another workspace may then connect it) and forgets its token. Conversations and messages stay.',
    responses: { 204: noContent },
  },
  'channels.templates': {
    tag: 'Channels',
    summary: 'The channel’s approved WhatsApp message templates',
    description: 'Listed from Meta (`GET /{waba-id}/message_templates`) and cached for 5 minutes.',
    query: listTemplatesQuerySchema,
    responses: { 200: { description: 'APPROVED templates.', schema: listTemplatesResponseSchema } },
    errors: {
      400: 'invalid_parameter: not a WhatsApp channel.',
      422: 'channel_token_invalid',
      503: 'meta_unavailable',
    },
  },
  // ---------------------------------------------------------------- messaging
  'messages.send': {
    tag: 'Messaging',
    summary: 'Send a message on WhatsApp or Instagram',
    description: [
      'Stores the message as `pending` (visible in the thread at once), hands it to Meta, records Meta’s id and answers 202; `sent`, `delivered` and `read` follow through status webhooks.',
      'WhatsApp free-form messages (text, media) need an open 24-hour customer service window; outside it send an approved `template`.',
      'With an `Idempotency-Key` header, a retry with the same body returns the first response (24 h); the same key with another body is refused (409).',
    ].join('\n\n'),
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Makes retries safe: 1–255 printable ASCII characters, e.g. a UUID.',
      },
    ],
    body: sendMessageRequestSchema,
    responses: {
      202: { description: 'Accepted by Meta (or replayed).', schema: sendMessageResponseSchema },
    },
    errors: {
      400: 'invalid_parameter (Meta code 100 and kin; content the channel lacks)',
      409: 'idempotency_key_reused, idempotency_in_progress',
      422: 'window_closed (24-hour window; Meta 131047, Instagram 10/2534022), undeliverable (131026, 551), template_not_found, channel_token_invalid (Meta 190: reconnect the channel), channel_not_found',
      429: 'rate_limited (sender throughput or Meta 130429/131056/80007/4), with Retry-After',
      502: 'meta_error',
      503: 'meta_unavailable, with Retry-After',
    },
  },
  // ---------------------------------------------------------------- inbox
  'conversations.list': {
    tag: 'Inbox',
    summary: 'The inbox, newest activity first',
    query: listConversationsQuerySchema,
    responses: {
      200: { description: 'A page of conversations.', schema: page(conversationSchema) },
    },
  },
  'conversations.get': {
    tag: 'Inbox',
    summary: 'One conversation',
    responses: { 200: { description: 'The conversation.', schema: conversationSchema } },
  },
  'conversations.messages': {
    tag: 'Inbox',
    summary: 'A conversation’s messages, newest first',
    query: listMessagesQuerySchema,
    responses: { 200: { description: 'A page of messages.', schema: page(messageSchema) } },
  },
  'conversations.read': {
    tag: 'Inbox',
    summary: 'Mark a conversation read',
    description: 'Clears its unread messages up to the newest one.',
    responses: { 200: { description: 'The conversation.', schema: conversationSchema } },
  },
  'conversations.assign': {
    tag: 'Inbox',
    summary: 'Assign a conversation to a member, or unassign it',
    body: assignConversationRequestSchema,
    responses: { 200: { description: 'The conversation.', schema: conversationSchema } },
    errors: { 400: 'invalid_parameter: the assignee is not a member.' },
  },
  'conversations.close': {
    tag: 'Inbox',
    summary: 'Close a conversation',
    description: 'A new message from the customer reopens it.',
    responses: { 200: { description: 'The conversation.', schema: conversationSchema } },
  },
  'conversations.reopen': {
    tag: 'Inbox',
    summary: 'Reopen a conversation',
    responses: { 200: { description: 'The conversation.', schema: conversationSchema } },
  },
  'customers.search': {
    tag: 'Customers',
    summary: 'Find customers by name, phone or channel handle',
    query: searchCustomersQuerySchema,
    responses: { 200: { description: 'A page of customers.', schema: customerPageSchema } },
  },
  'customers.get': {
    tag: 'Customers',
    summary: 'A customer with identities, conversations and timeline',
    description: 'The timeline holds the customer’s messages across channels, newest first.',
    query: customerDetailQuerySchema,
    responses: { 200: { description: 'The customer.', schema: customerDetailSchema } },
  },
  // ---------------------------------------------------------------- reference
  'openapi.json': {
    tag: 'Reference',
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: { description: 'The OpenAPI document.', schema: anyObject } },
  },
  docs: {
    tag: 'Reference',
    summary: 'Human-readable API reference',
    responses: { 200: { description: 'An HTML page.', contentType: 'text/html' } },
  },
  ...leadRouteDocs,
};

// ---------------------------------------------------------------- generation

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  delete (out as JsonSchema).$schema;
  return out as JsonSchema;
}

function accessText(access: Access): string {
  switch (access.kind) {
    case 'public':
      return 'Public.';
    case 'signature':
      return 'Meta only: signed with X-Hub-Signature-256.';
    case 'user':
      return 'Any signed-in user.';
    case 'platformAdmin':
      return 'Platform admins.';
    case 'tenant':
      return `Workspace members with role ${access.role} or higher${access.scope ? `, or an API key with scope \`${access.scope}\`` : ''}.`;
  }
}

function securityOf(access: Access): Record<string, string[]>[] {
  switch (access.kind) {
    case 'public':
      return [];
    case 'signature':
      return [{ metaSignature: [] }];
    case 'tenant':
      return access.scope ? [{ bearerAuth: [] }, { apiKey: [] }] : [{ bearerAuth: [] }];
    default:
      return [{ bearerAuth: [] }];
  }
}

const errorRef = { $ref: '#/components/schemas/Error' };

function standardErrors(route: RouteSpec, doc: RouteDoc): Record<number, string> {
  const out: Record<number, string> = {};
  const hasInput = doc.body !== undefined || doc.query !== undefined;
  if (hasInput) out[400] = 'validation_failed, invalid_json, bad_request';
  if (route.access.kind !== 'public' && route.access.kind !== 'signature') {
    out[401] = 'unauthenticated';
  }
  if (route.access.kind === 'tenant' || route.access.kind === 'platformAdmin')
    out[403] = 'forbidden';
  if (route.path.includes('{')) out[404] = 'not_found (also for another workspace’s object)';
  if (doc.body !== undefined) out[413] = 'payload_too_large';
  if (route.access.kind === 'tenant') out[429] = 'rate_limited, with Retry-After';
  return out;
}

function operationOf(route: RouteSpec, doc: RouteDoc): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  if (doc.query) {
    const schema = jsonSchema(doc.query, 'input');
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...rest } = property;
      parameters.push({
        name,
        in: 'query',
        required: required.has(name) && !('default' in property),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  for (const header of doc.headers ?? []) {
    parameters.push({
      name: header.name,
      in: 'header',
      required: header.required ?? false,
      description: header.description,
      schema: { type: 'string' },
    });
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    const contentType = response.contentType ?? 'application/json';
    responses[status] = {
      description: response.description,
      ...(response.schema || response.contentType
        ? {
            content: {
              [contentType]: {
                schema: response.schema
                  ? jsonSchema(response.schema, 'output')
                  : { type: 'string' },
              },
            },
          }
        : {}),
    };
  }
  const errors = { ...standardErrors(route, doc), ...doc.errors };
  for (const [status, description] of Object.entries(errors)) {
    responses[status] = {
      description,
      content: { 'application/json': { schema: errorRef } },
    };
  }
  return {
    operationId: route.id,
    summary: doc.summary,
    description: [doc.description, `**Access:** ${accessText(route.access)}`]
      .filter(Boolean)
      .join('\n\n'),
    tags: [doc.tag],
    security: securityOf(route.access),
    'x-access': route.access,
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: {
              [doc.bodyContentType ?? 'application/json']: {
                schema: jsonSchema(doc.body, 'input'),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

let cached: JsonSchema | undefined;

/** The document for every route of the topology that has a doc entry (all of them, by test). */
export function openApiDocument(): JsonSchema {
  if (cached) return cached;
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags = new Set<string>();
  for (const route of routes as readonly RouteSpec[]) {
    const doc = routeDocs[route.id as RouteId];
    if (!doc) continue;
    tags.add(doc.tag);
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operationOf(route, doc);
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard API',
      version: '1.0.0',
      description:
        'Multi-tenant social CRM: one inbox for WhatsApp and Instagram, replies through Meta’s Graph API. Errors are `{ "error": { "code", "message", … } }` with a machine-readable code.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: jsonSchema(apiErrorSchema, 'output') },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description:
            'A workspace API key (`sk_live_…`); also accepted as `Authorization: Bearer`.',
        },
        metaSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Hub-Signature-256',
          description: 'HMAC-SHA256 of the raw body with the Meta app secret.',
        },
      },
    },
  };
  return cached;
}
