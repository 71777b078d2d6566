import { checkResponse, routeFor } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/engine/log';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/engine/sandbox/sandbox';
import type { DynamoDbEndpoint } from '../../src/engine/sandbox/supervised-database';
import { metaJson, signMeta, type MetaEnvelopeBody } from '../factories/meta';
import { dynamoDbLocalClientConfig } from './dynamodb-local';

export type ApiResponse<T = unknown> = { status: number; json: T; text: string; headers: Headers };

/**
 * Every answer the integration suites receive is checked against its route's contract (status,
 * body schema with no undeclared field, error code the route may answer): a field added on one
 * side and not the other fails the test that saw it. Set RESPONSE_CONTRACT=off to look past it.
 */
export function assertResponseContract(
  method: string,
  path: string,
  res: Response,
  json: unknown,
): void {
  if (process.env.RESPONSE_CONTRACT === 'off') return;
  const route = routeFor(method, path);
  if (!route) return;
  const violation = checkResponse(route, res.status, res.headers.get('content-type'), json);
  if (violation && process.env.RESPONSE_CONTRACT_LOG) {
    // Survey mode: note every violation of a run in one file instead of failing at the first.
    appendFileSync(
      process.env.RESPONSE_CONTRACT_LOG,
      `${JSON.stringify({ method, path, ...violation })}\n`,
    );
    return;
  }
  if (violation) {
    throw new Error(
      `response contract: ${method} ${path} → ${res.status} (${violation.route})\n  ${violation.problems.join('\n  ')}`,
    );
  }
}

/** A tiny client for the sandbox's real HTTP interface. */
export class Api {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    opts: {
      token?: string;
      body?: unknown;
      raw?: string | Uint8Array;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Uint8Array | undefined = opts.raw;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body as BodyInit | undefined,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    assertResponseContract(method, path, res, json);
    return { status: res.status, json: json as T, text, headers: res.headers };
  }

  async login(email: string, password: string): Promise<string> {
    const res = await this.request('POST', '/auth/login', { body: { email, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    return res.json.accessToken as string;
  }
}

export type TestTenant = { id: string; token: string; channelIds: string[] };

let tenantSeq = 0;

/** Onboards a tenant through the admin API and connects the given channels as its owner. */
export async function createTenant(
  api: Api,
  adminToken: string,
  channels: (
    | { type: 'whatsapp'; wabaId: string; phoneNumberId: string }
    | { type: 'instagram'; accountId: string }
  )[],
): Promise<TestTenant> {
  tenantSeq++;
  const email = `owner${tenantSeq}-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  const created = await api.request('POST', '/admin/tenants', {
    token: adminToken,
    body: { name: `Tenant ${tenantSeq}`, ownerEmail: email, ownerPassword: password },
  });
  if (created.status !== 201)
    throw new Error(`tenant create failed: ${created.status} ${created.text}`);
  const token = await api.login(email, password);
  const channelIds: string[] = [];
  for (const channel of channels) {
    const res = await api.request('POST', '/channels', {
      token,
      body: { ...channel, accessToken: 'EAAG-test-token-0123456789' },
    });
    if (res.status !== 201) throw new Error(`channel create failed: ${res.status} ${res.text}`);
    channelIds.push(res.json.id);
  }
  return { id: created.json.id, token, channelIds };
}

export async function postWebhook(
  api: Api,
  secret: string,
  body: MetaEnvelopeBody,
): Promise<ApiResponse> {
  const raw = metaJson(body);
  return api.request('POST', '/webhooks/meta', {
    raw,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(raw, secret) },
  });
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

/** Waits until the incoming queue has nothing visible or in flight. */
export async function waitForDrain(sb: Sandbox, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const stats = sb.queues.incoming.stats();
      return stats.visible === 0 && stats.inFlight === 0;
    },
    { timeoutMs, what: 'queue drain' },
  );
}

export type TestSandbox = { sb: Sandbox; api: Api; adminToken: string; stop(): Promise<void> };

/**
 * The engine a test sandbox runs on: dynalite (its own child) by default; with
 * SWITCHBOARD_TEST_DYNAMODB=local (the `dynamodb-local` vitest project), the run's one DynamoDB
 * Local (test/dynamodb-local/global-setup.ts) and a table of its own, named from the data dir so a
 * sandbox restarted on the same dir finds its data again.
 */
export async function testDatabaseEngine(dataDir: string): Promise<DynamoDbEndpoint | undefined> {
  if (process.env.SWITCHBOARD_TEST_DYNAMODB !== 'local') return undefined;
  const { inject } = await import('vitest');
  const endpoint = inject('dynamodbLocalEndpoint');
  if (!endpoint) {
    throw new Error(
      'SWITCHBOARD_TEST_DYNAMODB=local, but no DynamoDB Local was started: run the dynamodb-local project',
    );
  }
  const suffix = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return { endpoint, ...dynamoDbLocalClientConfig, tableName: `SocialCRMTable-${suffix}` };
}

export async function startTestSandbox(opts: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const sb = await startSandbox({
    port: 0,
    log: silentLogger,
    adminPassword: 'admin-password-for-tests',
    metaAppSecret: 'test-app-secret',
    metaVerifyToken: 'test-verify-token',
    dynamodb: await testDatabaseEngine(dataDir),
    ...opts,
    dataDir,
  });
  const api = new Api(sb.url);
  const adminToken = await api.login(sb.admin.email, sb.admin.password);
  return {
    sb,
    api,
    adminToken,
    async stop() {
      await sb.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
