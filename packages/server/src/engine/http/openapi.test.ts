import { routeList, type RouteContract } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument, openApiDocument, UndocumentedRouteError } from './openapi';

// The document is generated from the route contracts: every route is in it, with its inputs,
// responses and error codes, and a route without documentation cannot be generated at all.

const documented: RouteContract & { id: string } = {
  id: 'things.get',
  method: 'GET',
  path: '/things/{id}',
  access: { kind: 'tenant', role: 'viewer' },
  tag: 'Things',
  summary: 'One thing',
  responses: { 200: { description: 'The thing.', schema: z.object({ id: z.string() }) } },
  errors: ['conflict'],
};

describe('OpenAPI generation from the contracts', () => {
  it('documents every route with an operation id, a summary and its error codes', () => {
    const doc = openApiDocument() as any;
    for (const route of routeList) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op.operationId).toBe(route.id);
      expect(op.summary).toBe(route.summary);
    }
  });

  it('lists a route’s errors by status with their codes and the catalogue’s messages', () => {
    // Prepare
    const doc = buildOpenApiDocument([documented]) as any;
    // Act
    const responses = doc.paths['/things/{id}'].get.responses;
    // Assess
    expect(Object.keys(responses).sort()).toEqual(['200', '401', '403', '404', '409', '429']);
    expect(responses['409'].description).toContain('`conflict`');
    expect(responses['404'].description).toContain('another workspace');
    expect(responses['403'].description).toContain('`tenant_suspended`');
  });

  it('refuses a route without a summary, a response or a response schema', () => {
    const cases: (RouteContract & { id: string })[] = [
      { ...documented, summary: ' ' },
      { ...documented, responses: {} },
      { ...documented, responses: { 200: { description: 'The thing.' } } },
      { ...documented, responses: { 200: { description: '', schema: z.string() } } },
    ];
    for (const route of cases) {
      expect(() => buildOpenApiDocument([route])).toThrow(UndocumentedRouteError);
    }
    // A text response documents its content type instead of a schema; a 204 has no body.
    expect(() =>
      buildOpenApiDocument([
        { ...documented, responses: { 200: { description: 'CSV.', contentType: 'text/csv' } } },
        { ...documented, path: '/x', responses: { 204: { description: 'Done.' } } },
      ]),
    ).not.toThrow();
  });
});
