import { describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../src/engine/http/app';
import { openApiDocument, routeDocs } from '../../src/engine/http/openapi';
import { silentLogger } from '../../src/engine/log';
import { routes } from '../../src/engine/topology';

// Every route of the topology is in the OpenAPI document, with its request schemas: a route added
// without docs fails here. The document and the reference page are served without credentials.

// Public routes touch none of the dependencies.
const app = createApp({ log: silentLogger } as unknown as AppDeps);

describe('OpenAPI document', () => {
  const doc = openApiDocument() as any;

  it('documents every route of the topology', () => {
    const missing = routes.filter((route) => !doc.paths[route.path]?.[route.method.toLowerCase()]);
    expect(missing.map((r) => `${r.method} ${r.path} (${r.id})`)).toEqual([]);
    expect(Object.keys(routeDocs).sort()).toEqual(routes.map((r) => r.id).sort());
  });

  it('carries the request and response schemas generated from Zod', () => {
    expect(doc.openapi).toBe('3.1.0');
    const send = doc.paths['/send-message'].post;
    expect(send.operationId).toBe('messages.send');
    const body = send.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining([
        'conversationId',
        'customerId',
        'channel',
        'text',
        'template',
        'media',
        'replyTo',
      ]),
    );
    expect(body.additionalProperties).toBe(false);
    expect(
      send.responses['202'].content['application/json'].schema.properties.status.enum,
    ).toContain('pending');
    expect(Object.keys(send.responses)).toEqual(
      expect.arrayContaining(['400', '401', '403', '409', '422', '429']),
    );
    expect(send.parameters.map((p: any) => p.name)).toContain('Idempotency-Key');
    expect(send.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }]);

    const list = doc.paths['/conversations'].get;
    const params = Object.fromEntries(list.parameters.map((p: any) => [p.name, p]));
    expect(params.assigned.schema.enum).toEqual(['me', 'none']);
    expect(params.limit.required).toBe(false);
    expect(doc.paths['/conversations/{id}/assign'].post.parameters[0]).toMatchObject({
      name: 'id',
      in: 'path',
      required: true,
    });
    expect(doc.paths['/openapi.json'].get.security).toEqual([]);
  });

  it('is served at /openapi.json, and as a self-contained page at /docs', async () => {
    const json = await app.request('/openapi.json');
    expect(json.status).toBe(200);
    expect(((await json.json()) as any).paths['/send-message']).toBeDefined();
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('/send-message');
    expect(html).toContain('window_closed');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\/(?!json-schema\.org)[^"'\s<]*\.(js|css)\b/);
  });
});
