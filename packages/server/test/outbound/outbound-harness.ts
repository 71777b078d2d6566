import { expect } from 'vitest';
import { envelope, igTextEntry, waTextEntry, type MetaEntryBody } from '../factories/meta';
import {
  createTenant,
  postWebhook,
  startTestSandbox,
  waitFor,
  waitForDrain,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';

// Shared by the outbound test files: a sandbox whose built-in Meta stand-in answers quickly
// (statuses 40 ms apart, Graph retries without real waiting), tenants with their own Meta ids,
// and inbound messages that open the 24-hour window.

export const APP_SECRET = 'test-app-secret';

export async function startOutboundSandbox(): Promise<TestSandbox> {
  return startTestSandbox({
    retryDelaySeconds: 0,
    metaStatusDelayMs: 40,
    graph: { timeoutMs: 2_000, maxAttempts: 3, backoffBaseMs: 5, backoffMaxMs: 20 },
  });
}

let idSeq = 0;
/** Numeric Meta ids unique per process and file (the worker id keeps parallel files apart). */
export function newMetaId(): string {
  const worker = process.env.VITEST_WORKER_ID ?? '0';
  return `20${worker.padStart(3, '0')}${String(Date.now() % 1e6).padStart(6, '0')}${String(idSeq++).padStart(4, '0')}`;
}

export function newWaId(): string {
  return `55119${newMetaId().slice(-8)}`;
}

export type WaTenant = TestTenant & { wabaId: string; phoneNumberId: string; channelId: string };
export type IgTenant = TestTenant & { accountId: string; channelId: string };

export async function waTenant(t: TestSandbox): Promise<WaTenant> {
  const wabaId = newMetaId();
  const phoneNumberId = newMetaId();
  const tenant = await createTenant(t.api, t.adminToken, [
    { type: 'whatsapp', wabaId, phoneNumberId },
  ]);
  return { ...tenant, wabaId, phoneNumberId, channelId: tenant.channelIds[0]! };
}

export async function igTenant(t: TestSandbox): Promise<IgTenant> {
  const accountId = newMetaId();
  const tenant = await createTenant(t.api, t.adminToken, [{ type: 'instagram', accountId }]);
  return { ...tenant, accountId, channelId: tenant.channelIds[0]! };
}

export async function deliver(
  t: TestSandbox,
  entries: MetaEntryBody[],
  object: 'whatsapp_business_account' | 'instagram' = 'whatsapp_business_account',
): Promise<void> {
  const res = await postWebhook(t.api, APP_SECRET, envelope(object, entries));
  expect(res.status).toBe(200);
  await waitForDrain(t.sb);
}

/** A customer writes on WhatsApp `ageSeconds` ago; returns the conversation. */
export async function waInbound(
  t: TestSandbox,
  tenant: WaTenant,
  opts: { from?: string; text?: string; ageSeconds?: number; name?: string } = {},
): Promise<{ conversation: any; from: string; message: any }> {
  const from = opts.from ?? newWaId();
  await deliver(t, [
    waTextEntry({
      wabaId: tenant.wabaId,
      phoneNumberId: tenant.phoneNumberId,
      from,
      name: opts.name,
      text: opts.text ?? 'Oi! Meu pedido chegou?',
      timestamp: Math.floor(Date.now() / 1000) - (opts.ageSeconds ?? 60),
    }),
  ]);
  const conversation = await conversationOf(t, tenant.token, `wa-${from}`);
  const messages = await messagesOf(t, tenant.token, conversation.id);
  return { conversation, from, message: messages.find((m) => m.direction === 'inbound') };
}

export async function igInbound(
  t: TestSandbox,
  tenant: IgTenant,
  opts: { senderId?: string; text?: string } = {},
): Promise<{ conversation: any; senderId: string }> {
  const senderId = opts.senderId ?? newMetaId();
  await deliver(
    t,
    [
      igTextEntry({
        accountId: tenant.accountId,
        senderId,
        text: opts.text ?? 'Oi! Ainda tem o tênis 42?',
        timestamp: Date.now() - 30_000,
      }),
    ],
    'instagram',
  );
  return { conversation: await conversationOf(t, tenant.token, `ig-${senderId}`), senderId };
}

export async function conversationOf(t: TestSandbox, token: string, customerId: string) {
  return waitFor(
    async () => {
      const res = await t.api.request('GET', '/conversations?limit=100', { token });
      return (res.json.items as any[]).find((c) => c.customer.id === customerId);
    },
    { what: `conversation of ${customerId}` },
  );
}

export async function messagesOf(
  t: TestSandbox,
  token: string,
  conversationId: string,
): Promise<any[]> {
  const res = await t.api.request('GET', `/conversations/${conversationId}/messages?limit=200`, {
    token,
  });
  expect(res.status).toBe(200);
  return res.json.items;
}

export async function messageById(
  t: TestSandbox,
  token: string,
  conversationId: string,
  id: string,
) {
  return (await messagesOf(t, token, conversationId)).find((m) => m.id === id);
}

export async function send(
  t: TestSandbox,
  token: string,
  body: unknown,
  headers?: Record<string, string>,
) {
  return t.api.request('POST', '/send-message', { token, body, headers });
}
