import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/modules/leads/standard-webhooks';
import { waitFor, type Api, type TestSandbox } from '../helpers/harness';

// Factories and stand-ins for the leads tests: complete form definitions, a published form, a
// Standard Webhooks receiver that verifies every delivery, and a HubSpot stand-in that answers
// with HubSpot's real request/response/error shapes.

let seq = 0;
export const unique = (label: string) => `${label}-${process.pid}-${Date.now()}-${++seq}`;

/** A contact form: name, e-mail, phone, a select, consent and a hidden UTM field. */
export function contactFormBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Contact us',
    allowedOrigins: ['https://landing.example.com'],
    defaultCountryCode: '55',
    fields: [
      { key: 'name', type: 'text', label: 'Name', required: true },
      { key: 'email', type: 'email', label: 'E-mail', required: false },
      { key: 'phone', type: 'phone', label: 'WhatsApp', required: false },
      {
        key: 'interest',
        type: 'select',
        label: 'Interest',
        required: false,
        options: [
          { value: 'demo', label: 'A demo' },
          { value: 'pricing', label: 'Pricing' },
        ],
      },
      { key: 'message', type: 'textarea', label: 'Message', required: false },
      {
        key: 'terms',
        type: 'checkbox',
        label: 'I accept the terms',
        required: true,
        consent: true,
      },
      { key: 'utm_source', type: 'hidden', label: 'UTM source', queryParam: 'utm_source' },
    ],
    ...overrides,
  };
}

export async function publishedForm(
  api: Api,
  token: string,
  body: Record<string, unknown> = contactFormBody(),
): Promise<string> {
  const created = await api.request('POST', '/forms', { token, body });
  if (created.status !== 201)
    throw new Error(`form create failed: ${created.status} ${created.text}`);
  const published = await api.request('POST', `/forms/${created.json.id}/publish`, { token });
  if (published.status !== 200) {
    throw new Error(`publish failed: ${published.status} ${published.text}`);
  }
  return created.json.id;
}

export async function leadsOf(api: Api, token: string, query = ''): Promise<any[]> {
  const res = await api.request('GET', `/leads${query}`, { token });
  if (res.status !== 200) throw new Error(`list failed: ${res.status} ${res.text}`);
  return res.json.items;
}

/** Waits for the lead holding `submissionId` to be merged, stored raw, and past its first sync. */
export async function waitForLead(
  api: Api,
  token: string,
  submissionId: string,
  done: (lead: any) => boolean = (lead) => lead.sync.status !== 'pending',
  timeoutMs = 15_000,
): Promise<any> {
  return waitFor(
    async () => {
      for (const item of await leadsOf(api, token, '?limit=100')) {
        const res = await api.request('GET', `/leads/${item.id}`, { token });
        const lead = res.json;
        if (lead.submissions?.some((s: any) => s.id === submissionId) && done(lead)) return lead;
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 50, what: `lead of ${submissionId}` },
  );
}

/**
 * Tenant A's lead objects for the cross-tenant matrix (test/auth/route-cases.ts): a published form,
 * one lead fully through the pipeline, and a CRM destination added afterwards (so no sync of A's
 * runs in the background while the matrix compares A's items).
 */
export async function seedLeads(
  t: TestSandbox,
  ownerToken: string,
): Promise<{ formId: string; leadId: string; crmDestinationId: string }> {
  const formId = await publishedForm(t.api, ownerToken);
  const posted = await t.api.request('POST', '/leads', {
    token: ownerToken,
    body: {
      formId,
      fields: { name: 'Fixture Lead', email: `${unique('fixture')}@example.com`, terms: true },
    },
  });
  if (posted.status !== 202) throw new Error(`lead create failed: ${posted.status} ${posted.text}`);
  const lead = await waitForLead(t.api, ownerToken, posted.json.submissionId);
  const destination = await t.api.request('POST', '/crm-destinations', {
    token: ownerToken,
    body: { type: 'webhook', url: 'https://crm.example.invalid/hooks/leads' },
  });
  if (destination.status !== 201) {
    throw new Error(`destination create failed: ${destination.status} ${destination.text}`);
  }
  return { formId, leadId: lead.id, crmDestinationId: destination.json.id };
}

// ------------------------------------------------------------------ a Standard Webhooks receiver

export type Delivery = {
  id: string;
  status: number;
  verified: boolean;
  body: any;
  headers: IncomingMessage['headers'];
};

export type WebhookReceiver = {
  url: string;
  /** Every request, in arrival order (including refused ones). */
  deliveries: Delivery[];
  /** Accepted deliveries by webhook-id: a redelivery of an accepted id is acknowledged, not kept again. */
  accepted: Map<string, any>;
  /**
   * The answer to the next requests (e.g. 503 while "down"). With `stored`, a verified delivery is
   * kept even though the answer is an error: a CRM that committed, then timed out answering.
   */
  respondWith(status: number, opts?: { stored?: boolean }): void;
  setSecret(secret: string): void;
  close(): Promise<void>;
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let status = 200;
  let storeOnError = false;
  let secret = '';
  const deliveries: Delivery[] = [];
  const accepted = new Map<string, any>();
  const server: Server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const headers = {
        'webhook-id': req.headers['webhook-id'] as string | undefined,
        'webhook-timestamp': req.headers['webhook-timestamp'] as string | undefined,
        'webhook-signature': req.headers['webhook-signature'] as string | undefined,
      };
      const verified = secret !== '' && verifyWebhook(secret, headers, raw, new Date());
      const id = headers['webhook-id'] ?? '';
      let answer = verified ? status : 401;
      if (verified && accepted.has(id))
        answer = 200; // a duplicate: acknowledged, not kept again
      else if (answer === 200 || (verified && storeOnError)) accepted.set(id, JSON.parse(raw));
      deliveries.push({
        id,
        status: answer,
        verified,
        body: JSON.parse(raw || 'null'),
        headers: req.headers,
      });
      res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/leads`,
    deliveries,
    accepted,
    respondWith: (s, opts) => {
      status = s;
      storeOnError = opts?.stored ?? false;
    },
    setSecret: (s) => (secret = s),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

// ------------------------------------------------------------------ a HubSpot stand-in

export type HubspotStandIn = {
  baseUrl: string;
  token: string;
  /** Contacts by e-mail, as HubSpot would hold them after the upserts. */
  contacts: Map<string, Record<string, string>>;
  requests: { path: string; auth?: string; body: any }[];
  close(): Promise<void>;
};

/**
 * Answers `POST /crm/v3/objects/contacts/batch/upsert` and `GET /crm/v3/objects/contacts` like
 * HubSpot: 401 `{status:"error", category:"INVALID_AUTHENTICATION", correlationId}` for a wrong
 * token, 400 VALIDATION_ERROR for a bad body, else `{status:"COMPLETE", results:[...]}`.
 */
export async function startHubspotStandIn(token: string): Promise<HubspotStandIn> {
  const contacts = new Map<string, Record<string, string>>();
  const requests: HubspotStandIn['requests'] = [];
  let nextId = 1000;
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      const send = (status: number, json: unknown) =>
        res
          .writeHead(status, { 'content-type': 'application/json;charset=utf-8' })
          .end(JSON.stringify(json));
      const correlationId = `c-${nextId}`;
      if (req.headers.authorization !== `Bearer ${token}`) {
        return send(401, {
          status: 'error',
          message:
            'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
          correlationId,
          category: 'INVALID_AUTHENTICATION',
        });
      }
      if (req.method === 'GET' && req.url?.startsWith('/crm/v3/objects/contacts')) {
        return send(200, { results: [] });
      }
      if (req.method === 'POST' && req.url === '/crm/v3/objects/contacts/batch/upsert') {
        const inputs = body?.inputs;
        if (!Array.isArray(inputs) || inputs.some((i: any) => i.idProperty !== 'email' || !i.id)) {
          return send(400, {
            status: 'error',
            message: 'Invalid input JSON on line 1',
            correlationId,
            category: 'VALIDATION_ERROR',
          });
        }
        const now = new Date().toISOString();
        const results = inputs.map((input: any) => {
          const existing = contacts.get(input.id);
          const properties = { ...existing, ...input.properties };
          contacts.set(input.id, properties);
          return {
            id: String(existing ? properties.hs_object_id : nextId++),
            properties,
            createdAt: now,
            updatedAt: now,
            archived: false,
            new: !existing,
          };
        });
        return send(200, { status: 'COMPLETE', results, startedAt: now, completedAt: now });
      }
      return send(404, {
        status: 'error',
        message: 'Not found',
        correlationId,
        category: 'OBJECT_NOT_FOUND',
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    token,
    contacts,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
