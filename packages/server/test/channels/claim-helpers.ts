import { expect } from 'vitest';
import { keys, type RouteKind } from '../../src/engine/data/keys';
import { envelope, igTextEntry, waTextEntry } from '../factories/meta';
import {
  createTenant,
  postWebhook,
  waitForDrain,
  type ApiResponse,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';

// Shared steps of the channel-claim suites: connect as a tenant, deliver a webhook, see where it
// landed, read a routing key as it is stored.

let seq = 0;
/** Meta-looking ids unique to this process and run. */
export const metaId = (prefix = '10') =>
  `${prefix}${String(process.pid % 1000).padStart(3, '0')}${String(Date.now() % 1e6).padStart(6, '0')}${String(++seq).padStart(4, '0')}`;

/** A token of the stand-in's shape, unique per call. */
export const waToken = (label: string) => `EAAG-${label}-${metaId('')}`;
export const igToken = (label: string) => `IGAA-${label}-${metaId('')}`;

export type WaConnect = { wabaId: string; phoneNumberId: string; accessToken: string };

export async function onboard(t: TestSandbox): Promise<TestTenant> {
  return createTenant(t.api, t.adminToken, []);
}

export function connectWa(t: TestSandbox, tenant: TestTenant, body: WaConnect) {
  return t.api.request('POST', '/channels', {
    token: tenant.token,
    body: { type: 'whatsapp', ...body },
  });
}

export function connectIg(
  t: TestSandbox,
  tenant: TestTenant,
  body: { accountId: string; accessToken: string },
) {
  return t.api.request('POST', '/channels', {
    token: tenant.token,
    body: { type: 'instagram', ...body },
  });
}

export async function channelsOf(t: TestSandbox, tenant: TestTenant): Promise<any[]> {
  const res = await t.api.request('GET', '/channels', { token: tenant.token });
  expect(res.status).toBe(200);
  return res.json.items;
}

export async function conversationsOf(t: TestSandbox, tenant: TestTenant): Promise<any[]> {
  const res = await t.api.request('GET', '/conversations', { token: tenant.token });
  expect(res.status).toBe(200);
  return res.json.items;
}

export async function route(t: TestSandbox, kind: RouteKind, externalId: string) {
  return t.sb.db.get(keys.route(kind, externalId));
}

/** One WhatsApp text (sent now) to `phoneNumberId` of `wabaId`, through the signed webhook; waits until stored. */
export async function deliverWa(
  t: TestSandbox,
  c: { wabaId: string; phoneNumberId: string; from: string; text: string },
): Promise<void> {
  const res = await postWebhook(
    t.api,
    t.sb.meta.appSecret,
    envelope('whatsapp_business_account', [
      waTextEntry({ ...c, timestamp: Math.floor(Date.now() / 1000) }),
    ]),
  );
  expect(res.status).toBe(200);
  await waitForDrain(t.sb);
}

export async function deliverIg(
  t: TestSandbox,
  c: { accountId: string; senderId: string; text: string },
): Promise<void> {
  const res = await postWebhook(
    t.api,
    t.sb.meta.appSecret,
    envelope('instagram', [igTextEntry({ ...c, timestamp: Date.now() })]),
  );
  expect(res.status).toBe(200);
  await waitForDrain(t.sb);
}

/** The unrouted entry holding this text, if the platform admin's list has it. */
export async function unroutedWith(t: TestSandbox, text: string) {
  const res = await t.api.request('GET', '/admin/unrouted?limit=100', { token: t.adminToken });
  expect(res.status).toBe(200);
  return (res.json.items as any[]).find((e) => JSON.stringify(e.entry).includes(text));
}

export function expectError(res: ApiResponse<any>, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.json.error.code, res.text).toBe(code);
}
