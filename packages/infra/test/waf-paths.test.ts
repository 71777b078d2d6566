import { describe, expect, it } from 'vitest';
import { routePathRegex, routeTreeRegex, staticPrefix } from '../lib/waf-paths';
import type { RouteSpec } from '../lib/server';

const route = (path: string): RouteSpec => ({
  id: path,
  method: 'GET',
  path,
  function: 'Api',
  access: { kind: 'platformAdmin' },
});

describe('WAF path regexes', () => {
  it('matches a route with and without the stage prefix, parameters as one segment', () => {
    const re = new RegExp(routePathRegex('/conversations/{id}/messages', 'prod'));
    expect(re.test('/prod/conversations/abc/messages')).toBe(true);
    expect(re.test('/conversations/abc/messages/')).toBe(true);
    expect(re.test('/prod/conversations/a/b/messages')).toBe(false);
    expect(re.test('/prod/conversations/abc/messages/x')).toBe(false);
  });

  it('escapes literal dots', () => {
    const re = new RegExp(routePathRegex('/.well-known/jwks.json', 'prod'));
    expect(re.test('/prod/.well-known/jwks.json')).toBe(true);
    expect(re.test('/prod/xwell-known/jwksxjson')).toBe(false);
  });

  it('covers a route tree by static prefixes, failing closed below them', () => {
    const re = new RegExp(
      routeTreeRegex(
        [route('/admin/tenants'), route('/admin/dlq/{queue}'), route('/admin/dlq/{queue}/redrive')],
        'prod',
      ),
    );
    expect(staticPrefix('/admin/dlq/{queue}/redrive')).toBe('/admin/dlq');
    for (const path of [
      '/prod/admin/tenants',
      '/admin/dlq/x/redrive',
      '/prod/admin/tenants/t1/suspend',
    ]) {
      expect(re.test(path), path).toBe(true);
    }
    for (const path of ['/prod/administrator', '/prod/auth/login', '/prod/x/admin/tenants']) {
      expect(re.test(path), path).toBe(false);
    }
  });
});
