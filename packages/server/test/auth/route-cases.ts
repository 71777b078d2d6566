import { routes, type RouteSpec } from '../../src/topology';

// How to aim each tenant-scoped route at one tenant's objects. The isolation matrix sends these
// requests with tenant B's credentials at tenant A's objects; the role matrix sends them with every
// role at objects that do not exist. Every route with `access.kind === 'tenant'` needs an entry:
// tenant-isolation.test.ts fails, naming the route, until it has one.

/** One tenant's objects, as the isolation matrix builds them (or missing ids, for the role matrix). */
export type TenantFixture = {
  tenantId: string;
  channelId: string;
  wabaId: string;
  phoneNumberId: string;
  customerId: string;
  conversationId: string;
  /** A member who is not an owner (an agent). */
  memberUserId: string;
  apiKeyId: string;
};

export type CaseRequest = { path: string; body?: unknown };

export type RouteCase = {
  /** The request aimed at `fx`'s objects. Give a valid body: if isolation broke, it would act. */
  request: (fx: TenantFixture) => CaseRequest;
  /**
   * What a caller from another tenant must get:
   * - `hidden`: the route names one of the tenant's objects; the answer is 404 (or 403), like a missing one;
   * - `own-data`: the route names none (a list or a create); it acts on the caller's own tenant, so
   *   any answer below 500 that mentions none of the other tenant's ids.
   * Either way the other tenant's items must be byte-for-byte unchanged.
   */
  crossTenant: 'hidden' | 'own-data';
  /**
   * The role matrix's request when `request` would have side effects worth avoiding (e.g. calling
   * Meta): something the handler rejects only after access was granted (bad body → 400).
   */
  roleProbe?: (fx: TenantFixture) => CaseRequest;
};

export const routeCases: Record<string, RouteCase> = {
  'channels.create': {
    // Tenant A's own number: the routing key is global, so B can neither take nor see it.
    request: (a) => ({
      path: '/channels',
      body: {
        type: 'whatsapp',
        wabaId: a.wabaId,
        phoneNumberId: a.phoneNumberId,
        accessToken: 'EAAG-cross-tenant-token-0123456789',
      },
    }),
    crossTenant: 'own-data',
    roleProbe: () => ({ path: '/channels', body: {} }),
  },
  'channels.list': { request: () => ({ path: '/channels' }), crossTenant: 'own-data' },
  'conversations.list': { request: () => ({ path: '/conversations' }), crossTenant: 'own-data' },
  'conversations.get': {
    request: (a) => ({ path: `/conversations/${a.conversationId}` }),
    crossTenant: 'hidden',
  },
  'conversations.messages': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/messages` }),
    crossTenant: 'hidden',
  },
  'customers.get': {
    request: (a) => ({ path: `/customers/${a.customerId}` }),
    crossTenant: 'hidden',
  },
  'users.invite': {
    request: () => ({
      path: '/users',
      body: { email: `invitee-${Date.now()}@example.com`, role: 'viewer' },
    }),
    crossTenant: 'own-data',
  },
  'users.list': { request: () => ({ path: '/users' }), crossTenant: 'own-data' },
  'users.update': {
    request: (a) => ({ path: `/users/${a.memberUserId}`, body: { role: 'viewer' } }),
    crossTenant: 'hidden',
  },
  'users.remove': {
    request: (a) => ({ path: `/users/${a.memberUserId}` }),
    crossTenant: 'hidden',
  },
  'api-keys.create': {
    request: () => ({ path: '/api-keys', body: { name: 'cross', scopes: ['read'] } }),
    crossTenant: 'own-data',
  },
  'api-keys.list': { request: () => ({ path: '/api-keys' }), crossTenant: 'own-data' },
  'api-keys.revoke': {
    request: (a) => ({ path: `/api-keys/${a.apiKeyId}` }),
    crossTenant: 'hidden',
  },
  'audit.list': { request: () => ({ path: '/audit-events' }), crossTenant: 'own-data' },
  'messages.send': {
    request: (a) => ({
      path: '/send-message',
      body: { conversationId: a.conversationId, text: 'from another tenant' },
    }),
    crossTenant: 'hidden',
  },
  'channels.delete': {
    request: (a) => ({ path: `/channels/${a.channelId}` }),
    crossTenant: 'hidden',
  },
  'channels.templates': {
    request: (a) => ({ path: `/channels/${a.channelId}/templates` }),
    crossTenant: 'hidden',
  },
  'conversations.read': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/read` }),
    crossTenant: 'hidden',
  },
  'conversations.assign': {
    request: (a) => ({
      path: `/conversations/${a.conversationId}/assign`,
      body: { userId: a.memberUserId },
    }),
    crossTenant: 'hidden',
  },
  'conversations.close': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/close` }),
    crossTenant: 'hidden',
  },
  'conversations.reopen': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/reopen` }),
    crossTenant: 'hidden',
  },
  'customers.search': {
    // Searching for A's customer by the number it writes from.
    request: (a) => ({ path: `/customers?search=${a.customerId.replace(/^wa-/, '')}` }),
    crossTenant: 'own-data',
  },
};

export type TenantRoute = RouteSpec & { access: { kind: 'tenant' } };

export const tenantRoutes = (routes as readonly RouteSpec[]).filter(
  (route): route is TenantRoute => route.access.kind === 'tenant',
);

/** The message a developer sees when a tenant route has no case: exactly what to add, and where. */
export function missingCaseMessage(route: RouteSpec): string {
  const idParam = /\{(\w+)\}/.exec(route.path)?.[1];
  const path = route.path.replace(
    /\{(\w+)\}/g,
    (_m, name: string) => `\${a.<${name} of tenant A>}`,
  );
  const body = ['POST', 'PUT', 'PATCH'].includes(route.method)
    ? ', body: { /* valid body */ }'
    : '';
  return [
    `Route '${route.id}' (${route.method} ${route.path}) is tenant-scoped but has no isolation case.`,
    `Add to routeCases in packages/server/test/auth/route-cases.ts:`,
    `  '${route.id}': {`,
    `    request: (a) => ({ path: \`${path}\`${body} }),`,
    `    crossTenant: '${idParam ? 'hidden' : 'own-data'}',`,
    `  },`,
    `'hidden' when the route names one of the tenant's objects (it must answer 404 to another tenant),`,
    `'own-data' when it names none (lists, creates). If tenant A's object is not in TenantFixture yet,`,
    `add it there and create it in tenant-isolation.test.ts's beforeAll.`,
  ].join('\n');
}
