import {
  apiErrorSchema,
  errorCatalog,
  errorCodesOf,
  paramsSchemaOf,
  routeContracts,
  routeList,
  type Access,
  type ErrorCode,
  type RouteContract,
} from '@switchboard/contracts';
import { z, type ZodType } from 'zod';

// The OpenAPI 3.1 document, generated from the route contracts (packages/contracts/src/routes):
// the same Zod schemas the edge validates with, through zod's own JSON Schema output (draft
// 2020-12, which OpenAPI 3.1 uses as is). Nothing here is written per route.

/** Every route's documentation is its contract. */
export const routeDocs = routeContracts;

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

const codeNotes: Partial<Record<ErrorCode, string>> = {
  not_found: 'also for another workspace’s object',
  rate_limited: 'with Retry-After',
  too_many_attempts: 'with Retry-After',
  meta_unavailable: 'with Retry-After',
};

/** The route's error codes grouped by HTTP status, each with what it means. */
function errorsByStatus(route: RouteContract): Record<number, string> {
  const byStatus: Record<number, string[]> = {};
  for (const code of errorCodesOf(route)) {
    const { status, message } = errorCatalog[code];
    const note = codeNotes[code] ? ` (${codeNotes[code]})` : '';
    (byStatus[status] ??= []).push(`\`${code}\`${note}: ${message}`);
  }
  return Object.fromEntries(
    Object.entries(byStatus).map(([status, lines]) => [status, lines.join('\n\n')]),
  );
}

function operationOf(route: RouteContract & { id: string }): JsonSchema {
  const doc = route;
  const parameters: JsonSchema[] = [];
  const pathSchema = jsonSchema(paramsSchemaOf(route), 'input');
  const pathProperties = (pathSchema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({
      name,
      in: 'path',
      required: true,
      schema: pathProperties[name!] ?? { type: 'string' },
    });
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
  for (const [status, description] of Object.entries(errorsByStatus(route))) {
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
    ...requestBodyOf(route),
    responses,
  };
}

function requestBodyOf(route: RouteContract): JsonSchema {
  if (route.body) {
    const required = !route.body.safeParse(undefined).success;
    return {
      requestBody: {
        required,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      },
    };
  }
  if (route.rawBody) {
    const { contentType, schema, description } = route.rawBody;
    return {
      requestBody: {
        required: true,
        ...(description ? { description } : {}),
        content: {
          [contentType]: { schema: schema ? jsonSchema(schema, 'input') : { type: 'string' } },
        },
      },
    };
  }
  return {};
}

let cached: JsonSchema | undefined;

/** The document for every route of the contracts. */
export function openApiDocument(): JsonSchema {
  cached ??= buildOpenApiDocument(routeList);
  return cached;
}

export class UndocumentedRouteError extends Error {
  override readonly name = 'UndocumentedRouteError';
}

/** What a route needs before it can be documented; the contract's type asks for most of it. */
function assertDocumented(route: RouteContract & { id: string }): void {
  const missing: string[] = [];
  if (!route.summary?.trim()) missing.push('a summary');
  if (!route.tag?.trim()) missing.push('a tag');
  const responses = Object.entries(route.responses ?? {});
  if (responses.length === 0) missing.push('a success response');
  for (const [status, response] of responses) {
    if (!response.description?.trim()) missing.push(`a description of its ${status} response`);
    const json = !response.contentType || response.contentType.includes('json');
    if (Number(status) !== 204 && json && !response.schema) {
      missing.push(`a schema for its ${status} response`);
    }
  }
  if (missing.length) {
    throw new UndocumentedRouteError(`Route ${route.id} needs ${missing.join(', ')}.`);
  }
}

/** The document for the given routes; refuses a route that is not documented enough. */
export function buildOpenApiDocument(
  routes: readonly (RouteContract & { id: string })[],
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    assertDocumented(route);
    tags.add(route.tag);
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operationOf(route);
  }
  return {
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
}
