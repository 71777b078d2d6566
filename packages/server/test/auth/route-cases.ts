import { keys } from '../../src/engine/data/keys';
import { routes, type RouteSpec } from '../../src/engine/topology';
import type { TestSandbox } from '../helpers/harness';
import { addMember, createApiKey, seedInbox } from './helpers';
import { contactFormBody, seedLeads } from '../leads/lead-fixtures';

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
  /** A pending invitation (mailed to someone who has not accepted). */
  invitationId: string;
  /** The leads flow: a published form, a lead through the pipeline, a CRM destination. */
  formId: string;
  leadId: string;
  crmDestinationId: string;
  /** A direct upload A started and PUT the bytes of, not completed (`POST /media/uploads`). */
  mediaUploadId: string;
  /** The agent workspace: a label (also on the conversation), a private note, a canned reply. */
  labelId: string;
  noteId: string;
  cannedReplyId: string;
  /** A contact an agent created (no channel identity), for edits and merges. */
  contactId: string;
  /** An event webhook (disabled: nothing of A's is delivered while the matrix compares). */
  eventDestinationId: string;
  /** A campaign scheduled a month ahead for a tag nobody has: it sends nothing. */
  campaignId: string;
};

/**
 * Creates tenant A's objects for the isolation matrix. A new kind of object: add its id to
 * TenantFixture and create it here, through the API as A's owner where a route exists.
 */
export async function buildTenantFixture(
  t: TestSandbox,
  tenantId: string,
  ownerToken: string,
): Promise<TenantFixture> {
  const inbox = await seedInbox(t, tenantId, ownerToken);
  const member = await addMember(t, ownerToken, 'agent');
  const apiKey = await createApiKey(t, ownerToken, ['read']);
  const invitation = await t.api.request('POST', '/users', {
    token: ownerToken,
    body: { email: `pending-${tenantId}@example.com`, role: 'viewer' },
  });
  if (invitation.status !== 201) throw new Error(`invite failed: ${invitation.text}`);
  const leads = await seedLeads(t, ownerToken);
  const mediaUploadId = await startMediaUpload(t, ownerToken);
  const workspace = await seedWorkspace(t, ownerToken, inbox.conversationId);
  const contact = await t.api.request('POST', '/customers', {
    token: ownerToken,
    body: { name: 'Fixture Contact', email: `contact-${tenantId}@example.com`, tags: ['a'] },
  });
  if (contact.status !== 201) throw new Error(`contact create failed: ${contact.text}`);
  const eventDestination = await t.api.request('POST', '/event-destinations', {
    token: ownerToken,
    body: { url: 'https://hooks.example.invalid/a', events: ['message.received'], enabled: false },
  });
  if (eventDestination.status !== 201) {
    throw new Error(`event destination create failed: ${eventDestination.text}`);
  }
  const campaign = await t.api.request('POST', '/campaigns', {
    token: ownerToken,
    body: {
      name: 'Fixture campaign',
      audience: { channelId: inbox.channelId, tags: ['fixture-nobody'] },
      template: { name: 'hello_world', language: 'en_US' },
      sendAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    },
  });
  if (campaign.status !== 201) throw new Error(`campaign create failed: ${campaign.text}`);
  return {
    campaignId: campaign.json.id,
    eventDestinationId: eventDestination.json.id,
    contactId: contact.json.id,
    mediaUploadId,
    ...workspace,
    ...leads,
    tenantId,
    channelId: inbox.channelId,
    wabaId: inbox.wabaId,
    phoneNumberId: inbox.phoneNumberId,
    customerId: inbox.customerId,
    conversationId: inbox.conversationId,
    memberUserId: member.id,
    apiKeyId: apiKey.id,
    invitationId: invitation.json.id,
  };
}

/** A label on the conversation, a private note in it and a canned reply. */
async function seedWorkspace(t: TestSandbox, ownerToken: string, conversationId: string) {
  const label = await t.api.request('POST', '/labels', {
    token: ownerToken,
    body: { name: 'VIP', color: 'amber' },
  });
  if (label.status !== 201) throw new Error(`label create failed: ${label.text}`);
  const put = await t.api.request(
    'PUT',
    `/conversations/${conversationId}/labels/${label.json.id}`,
    { token: ownerToken },
  );
  if (put.status !== 200) throw new Error(`label add failed: ${put.text}`);
  const note = await t.api.request('POST', `/conversations/${conversationId}/notes`, {
    token: ownerToken,
    body: { text: 'Team only' },
  });
  if (note.status !== 201) throw new Error(`note create failed: ${note.text}`);
  const reply = await t.api.request('POST', '/canned-replies', {
    token: ownerToken,
    body: { shortCode: 'hello', content: 'Hi {{contact.first_name}}!' },
  });
  if (reply.status !== 201) throw new Error(`canned reply create failed: ${reply.text}`);
  return {
    labelId: label.json.id as string,
    noteId: note.json.id as string,
    cannedReplyId: reply.json.id as string,
  };
}

/** Starts a direct upload of a small PDF and PUTs its bytes, leaving it to complete. */
async function startMediaUpload(t: TestSandbox, ownerToken: string): Promise<string> {
  const bytes = Buffer.from('%PDF-1.4\n%fixture\n', 'latin1');
  const created = await t.api.request('POST', '/media/uploads', {
    token: ownerToken,
    body: { filename: 'fixture.pdf', contentType: 'application/pdf', size: bytes.length },
  });
  if (created.status !== 201) throw new Error(`media upload failed: ${created.text}`);
  const put = await fetch(created.json.uploadUrl, {
    method: 'PUT',
    headers: created.json.headers,
    body: bytes,
  });
  if (put.status !== 204) throw new Error(`media upload PUT failed: ${put.status}`);
  return created.json.id;
}

/**
 * Every partition holding tenant A's items besides `TENANT#<id>` itself: the matrix compares them
 * byte for byte before and after each request. A new partition layout: add it here.
 */
export function tenantPartitions(a: TenantFixture): string[] {
  return [
    keys.messagePk(a.tenantId, a.customerId),
    keys.apiKeyPointer(a.apiKeyId).PK,
    keys.user(a.memberUserId).PK,
    keys.formPointer(a.formId).PK,
    keys.notesPk(a.tenantId, a.conversationId),
    keys.customerSearchPk(a.tenantId),
  ];
}

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
  // A ticket for the caller's own tenant and session; it names no object.
  'live.tickets.create': { request: () => ({ path: '/live/tickets' }), crossTenant: 'own-data' },
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
  'invitations.list': { request: () => ({ path: '/invitations' }), crossTenant: 'own-data' },
  'invitations.resend': {
    request: (a) => ({ path: `/invitations/${a.invitationId}/resend` }),
    crossTenant: 'hidden',
  },
  'invitations.revoke': {
    request: (a) => ({ path: `/invitations/${a.invitationId}` }),
    crossTenant: 'hidden',
  },
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
  'api-keys.update': {
    request: (a) => ({ path: `/api-keys/${a.apiKeyId}`, body: { allowedIps: ['203.0.113.0/24'] } }),
    crossTenant: 'hidden',
  },
  'api-keys.revoke': {
    request: (a) => ({ path: `/api-keys/${a.apiKeyId}` }),
    crossTenant: 'hidden',
  },
  'audit.list': { request: () => ({ path: '/audit-events' }), crossTenant: 'own-data' },
  'security-policy.get': { request: () => ({ path: '/security-policy' }), crossTenant: 'own-data' },
  'security-policy.update': {
    // Another tenant's owner can only ever set their own workspace's policy.
    request: () => ({ path: '/security-policy', body: { requireTwoFactorForAdmins: false } }),
    crossTenant: 'own-data',
  },
  'sso-settings.get': { request: () => ({ path: '/sso-settings' }), crossTenant: 'own-data' },
  'sso-settings.update': {
    // Another tenant's owner only ever sets their own workspace's single sign-on.
    request: () => ({ path: '/sso-settings', body: { allowedDomains: [] } }),
    crossTenant: 'own-data',
    roleProbe: () => ({ path: '/sso-settings', body: { allowedDomains: ['not a domain'] } }),
  },
  'sso-settings.delete': { request: () => ({ path: '/sso-settings' }), crossTenant: 'own-data' },
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
  'conversations.typing': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/typing` }),
    crossTenant: 'hidden',
  },
  'media.upload': {
    // Acts on the caller's own tenant only: the upload is B's, whatever A holds. (A JSON body is
    // refused as no file, after access: the role matrix's probe stores nothing.)
    request: () => ({ path: '/media?filename=notes.txt', body: { note: 'not a file' } }),
    crossTenant: 'own-data',
  },
  'media.uploads.create': {
    // Acts on the caller's own tenant only (a pending upload of B's). The role probe's type is one
    // Meta refuses (415 after access), so it records nothing.
    request: () => ({
      path: '/media/uploads',
      body: { filename: 'notes.pdf', contentType: 'application/pdf', size: 1024 },
    }),
    crossTenant: 'own-data',
    roleProbe: () => ({
      path: '/media/uploads',
      body: { contentType: 'application/x-msdownload', size: 1024 },
    }),
  },
  'media.uploads.complete': {
    // A's pending upload, completed by B: B's partition has no such upload (404), A's is untouched.
    request: (a) => ({ path: `/media/uploads/${a.mediaUploadId}/complete` }),
    crossTenant: 'hidden',
    roleProbe: (a) => ({ path: `/media/uploads/${a.mediaUploadId}/complete` }),
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
  'customers.create': {
    // A new contact of B's own. (Not A's contact's e-mail: ids from an e-mail are the same in
    // every workspace, so B would make its own contact with A's id and edit that one next.)
    request: () => ({ path: '/customers', body: { name: 'Cross', tags: ['b'] } }),
    crossTenant: 'own-data',
  },
  'customers.update': {
    request: (a) => ({ path: `/customers/${a.contactId}`, body: { name: 'Taken', tags: ['x'] } }),
    crossTenant: 'hidden',
  },
  'customers.merge': {
    request: (a) => ({
      path: `/customers/${a.customerId}/merge`,
      body: { sourceId: a.contactId },
    }),
    crossTenant: 'hidden',
  },
  // ------------------------------------------------------------------ consent
  'campaigns.estimate': {
    request: (a) => ({
      path: '/campaigns/estimate',
      body: { audience: { channelId: a.channelId, tags: ['fixture-nobody'] } },
    }),
    crossTenant: 'own-data',
  },
  'campaigns.create': {
    request: (a) => ({
      path: '/campaigns',
      body: {
        name: 'B campaign',
        audience: { channelId: a.channelId, tags: ['fixture-nobody'] },
        template: { name: 'hello_world', language: 'en_US' },
        sendAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      },
    }),
    crossTenant: 'own-data',
  },
  'campaigns.list': { request: () => ({ path: '/campaigns' }), crossTenant: 'own-data' },
  'campaigns.get': {
    request: (a) => ({ path: `/campaigns/${a.campaignId}` }),
    crossTenant: 'hidden',
  },
  'campaigns.recipients': {
    request: (a) => ({ path: `/campaigns/${a.campaignId}/recipients` }),
    crossTenant: 'hidden',
  },
  'campaigns.pause': {
    request: (a) => ({ path: `/campaigns/${a.campaignId}/pause`, body: {} }),
    crossTenant: 'hidden',
  },
  'campaigns.resume': {
    request: (a) => ({ path: `/campaigns/${a.campaignId}/resume`, body: {} }),
    crossTenant: 'hidden',
  },
  'campaigns.cancel': {
    request: (a) => ({ path: `/campaigns/${a.campaignId}/cancel`, body: {} }),
    crossTenant: 'hidden',
  },
  'campaigns.retryFailed': {
    request: (a) => ({ path: `/campaigns/${a.campaignId}/retry-failed`, body: {} }),
    crossTenant: 'hidden',
  },
  'customers.attribution.get': {
    request: (a) => ({ path: `/customers/${a.customerId}/attribution` }),
    crossTenant: 'hidden',
  },
  'leads.attribution.get': {
    request: (a) => ({ path: `/leads/${a.leadId}/attribution` }),
    crossTenant: 'hidden',
  },
  'reports.sources': {
    request: () => ({ path: `/reports/sources?from=2026-01-01&to=2026-12-31` }),
    crossTenant: 'own-data',
  },
  'customers.consent.get': {
    request: (a) => ({ path: `/customers/${a.customerId}/consent` }),
    crossTenant: 'hidden',
  },
  'customers.consent.set': {
    request: (a) => ({
      path: `/customers/${a.customerId}/consent`,
      body: { status: 'opted_out', note: 'Asked us to stop on the phone.' },
    }),
    crossTenant: 'hidden',
    roleProbe: (a) => ({ path: `/customers/${a.customerId}/consent`, body: {} }),
  },
  'consent-keywords.get': {
    request: () => ({ path: '/settings/consent-keywords' }),
    crossTenant: 'own-data',
  },
  'consent-keywords.update': {
    // Another tenant's admin only ever sets their own workspace's keywords.
    request: () => ({
      path: '/settings/consent-keywords',
      body: {
        languages: [
          {
            language: 'en',
            optOut: ['STOP'],
            optIn: ['START'],
            optOutReply: 'Stopped.',
            optInReply: 'Started.',
          },
        ],
      },
    }),
    crossTenant: 'own-data',
    roleProbe: () => ({ path: '/settings/consent-keywords', body: {} }),
  },
  // ------------------------------------------------------------------ leads
  'forms.create': {
    request: () => ({ path: '/forms', body: contactFormBody() }),
    crossTenant: 'own-data',
  },
  'forms.list': { request: () => ({ path: '/forms' }), crossTenant: 'own-data' },
  'forms.get': { request: (a) => ({ path: `/forms/${a.formId}` }), crossTenant: 'hidden' },
  'forms.update': {
    request: (a) => ({ path: `/forms/${a.formId}`, body: contactFormBody({ name: 'Taken over' }) }),
    crossTenant: 'hidden',
  },
  'forms.publish': {
    request: (a) => ({ path: `/forms/${a.formId}/publish` }),
    crossTenant: 'hidden',
  },
  'forms.archive': { request: (a) => ({ path: `/forms/${a.formId}` }), crossTenant: 'hidden' },
  'leads.create': {
    // A's form id with B's credentials: another tenant's form is a missing one.
    request: (a) => ({
      path: '/leads',
      body: { formId: a.formId, fields: { name: 'X', email: 'x@example.com', terms: true } },
    }),
    crossTenant: 'hidden',
  },
  'leads.list': { request: () => ({ path: '/leads' }), crossTenant: 'own-data' },
  'leads.export': { request: () => ({ path: '/leads/export.csv' }), crossTenant: 'own-data' },
  'leads.import': {
    request: () => ({ path: '/leads/import', body: 'name,email\n' }),
    crossTenant: 'own-data',
  },
  'leads.get': { request: (a) => ({ path: `/leads/${a.leadId}` }), crossTenant: 'hidden' },
  'leads.update': {
    request: (a) => ({ path: `/leads/${a.leadId}`, body: { stage: 'contacted', tags: ['x'] } }),
    crossTenant: 'hidden',
  },
  'leads.delete': { request: (a) => ({ path: `/leads/${a.leadId}` }), crossTenant: 'hidden' },
  'leads.restore': {
    request: (a) => ({ path: `/leads/${a.leadId}/restore` }),
    crossTenant: 'hidden',
  },
  'leads.notes.create': {
    request: (a) => ({ path: `/leads/${a.leadId}/notes`, body: { body: 'from B' } }),
    crossTenant: 'hidden',
  },
  'leads.notes.list': {
    request: (a) => ({ path: `/leads/${a.leadId}/notes` }),
    crossTenant: 'hidden',
  },
  'leads.sync': { request: (a) => ({ path: `/leads/${a.leadId}/sync` }), crossTenant: 'hidden' },
  'pipeline.get': { request: () => ({ path: '/pipeline' }), crossTenant: 'own-data' },
  'pipeline.update': {
    request: () => ({
      path: '/pipeline',
      body: {
        stages: [
          { id: 'new', name: 'New', kind: 'open' },
          { id: 'contacted', name: 'Contacted', kind: 'open' },
          { id: 'qualified', name: 'Qualified', kind: 'open' },
          { id: 'won', name: 'Won', kind: 'won' },
          { id: 'lost', name: 'Lost', kind: 'lost' },
        ],
      },
    }),
    crossTenant: 'own-data',
    roleProbe: () => ({ path: '/pipeline', body: {} }),
  },
  'branding.get': { request: () => ({ path: '/branding' }), crossTenant: 'own-data' },
  'branding.update': {
    request: () => ({
      path: '/branding',
      body: { displayName: 'B', colors: { primary: '#123456' } },
    }),
    crossTenant: 'own-data',
    roleProbe: () => ({ path: '/branding', body: { colors: { primary: 'not-a-colour' } } }),
  },
  'branding.logo': {
    request: () => ({ path: '/branding/logo', body: {} }),
    crossTenant: 'own-data',
  },
  'crm-destinations.create': {
    request: () => ({
      path: '/crm-destinations',
      body: { type: 'webhook', url: 'https://crm.example.invalid/b' },
    }),
    crossTenant: 'own-data',
    roleProbe: () => ({ path: '/crm-destinations', body: {} }),
  },
  'crm-destinations.list': {
    request: () => ({ path: '/crm-destinations' }),
    crossTenant: 'own-data',
  },
  'crm-destinations.delete': {
    request: (a) => ({ path: `/crm-destinations/${a.crmDestinationId}` }),
    crossTenant: 'hidden',
  },
  'crm-destinations.test': {
    request: (a) => ({ path: `/crm-destinations/${a.crmDestinationId}/test` }),
    crossTenant: 'hidden',
  },
  'conversations.start': {
    // A's channel and contact: B's request finds neither.
    request: (a) => ({
      path: '/conversations',
      body: {
        channelId: a.channelId,
        customerId: a.customerId,
        template: { name: 'hello_world', language: 'en_US' },
      },
    }),
    crossTenant: 'hidden',
  },
  'conversations.lead': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/lead` }),
    crossTenant: 'hidden',
  },
  'event-destinations.list': {
    request: () => ({ path: '/event-destinations' }),
    crossTenant: 'own-data',
  },
  'event-destinations.create': {
    request: () => ({
      path: '/event-destinations',
      body: {
        url: 'https://hooks.example.invalid/b',
        events: ['message.received'],
        enabled: false,
      },
    }),
    crossTenant: 'own-data',
    roleProbe: () => ({ path: '/event-destinations', body: {} }),
  },
  'event-destinations.update': {
    request: (a) => ({
      path: `/event-destinations/${a.eventDestinationId}`,
      body: { url: 'https://hooks.example.invalid/taken', enabled: true },
    }),
    crossTenant: 'hidden',
  },
  'event-destinations.delete': {
    request: (a) => ({ path: `/event-destinations/${a.eventDestinationId}` }),
    crossTenant: 'hidden',
  },
  'event-destinations.test': {
    request: (a) => ({ path: `/event-destinations/${a.eventDestinationId}/test` }),
    crossTenant: 'hidden',
  },
  'conversations.notes.list': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/notes` }),
    crossTenant: 'hidden',
  },
  'conversations.notes.create': {
    request: (a) => ({
      path: `/conversations/${a.conversationId}/notes`,
      body: { text: 'from B', clientId: 'b-note' },
    }),
    crossTenant: 'hidden',
  },
  'conversations.notes.delete': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/notes/${a.noteId}` }),
    crossTenant: 'hidden',
  },
  'conversations.labels.add': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/labels/${a.labelId}` }),
    crossTenant: 'hidden',
  },
  'conversations.labels.remove': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/labels/${a.labelId}` }),
    crossTenant: 'hidden',
  },
  'labels.list': { request: () => ({ path: '/labels' }), crossTenant: 'own-data' },
  'labels.create': {
    request: () => ({ path: '/labels', body: { name: 'VIP', color: 'red' } }),
    crossTenant: 'own-data',
    roleProbe: () => ({ path: '/labels', body: {} }),
  },
  'labels.update': {
    request: (a) => ({ path: `/labels/${a.labelId}`, body: { name: 'Taken over' } }),
    crossTenant: 'hidden',
  },
  'labels.delete': { request: (a) => ({ path: `/labels/${a.labelId}` }), crossTenant: 'hidden' },
  'cannedReplies.list': { request: () => ({ path: '/canned-replies' }), crossTenant: 'own-data' },
  'cannedReplies.create': {
    request: () => ({
      path: '/canned-replies',
      body: { shortCode: 'hello', content: 'Hello from B' },
    }),
    crossTenant: 'own-data',
    roleProbe: () => ({ path: '/canned-replies', body: {} }),
  },
  'cannedReplies.update': {
    request: (a) => ({ path: `/canned-replies/${a.cannedReplyId}`, body: { content: 'B' } }),
    crossTenant: 'hidden',
  },
  'cannedReplies.delete': {
    request: (a) => ({ path: `/canned-replies/${a.cannedReplyId}` }),
    crossTenant: 'hidden',
  },
  'conversations.snooze': {
    request: (a) => ({
      path: `/conversations/${a.conversationId}/snooze`,
      body: { untilReply: true },
    }),
    crossTenant: 'hidden',
  },
  'conversations.unsnooze': {
    request: (a) => ({ path: `/conversations/${a.conversationId}/snooze` }),
    crossTenant: 'hidden',
  },
  'conversations.bulk': {
    // A's conversation id in B's request: a not_found row, and A unchanged.
    request: (a) => ({
      path: '/conversations/bulk',
      body: { ids: [a.conversationId], action: 'close' },
    }),
    crossTenant: 'own-data',
  },
  'users.availability.get': {
    request: () => ({ path: '/users/me/availability' }),
    crossTenant: 'own-data',
  },
  'users.availability.set': {
    request: () => ({ path: '/users/me/availability', body: { available: false } }),
    crossTenant: 'own-data',
  },
  'channels.autoAssignment.set': {
    request: (a) => ({
      path: `/channels/${a.channelId}/auto-assignment`,
      body: { enabled: true, memberIds: [a.memberUserId] },
    }),
    crossTenant: 'hidden',
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
    `add its id there and create it in buildTenantFixture (same file).`,
  ].join('\n');
}
