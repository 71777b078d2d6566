import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conversationIdOf } from '../packages/server/src/modules/messaging/conversation.repo';
import type { Item, Key } from '../packages/server/src/engine/data/dynamo';
import { keys } from '../packages/server/src/engine/data/keys';
import { tenantData } from '../packages/server/src/engine/data/tenant-data';
import { silentLogger } from '../packages/server/src/engine/log';
import { startSandbox, type Sandbox } from '../packages/server/src/engine/sandbox/sandbox';
import { Api } from '../packages/server/test/helpers/harness';
import { benchAdminPassword, benchSecret } from './bench-sandbox';
import { round, summarize } from './lib';

// Scale: the inbox page and a conversation page for a tenant holding many conversations and
// messages, against the same pages with 10x less data. Items are cloned from ones written by the
// real repos (customer upsert, message storeOnce, conversation applyMessage), keys rebuilt with
// data/keys.ts, and bulk-written with Db.putMany (BatchWriteItem, 25 items, 8 in flight). The data
// dir is cached under bench/.cache, so a rerun only times the pages.

const cacheRoot = join(import.meta.dirname, '.cache');

export type ScaleSpec = { conversations: number; messages: number; hotMessages: number };

export type ScaleManifest = {
  spec: ScaleSpec;
  generated: {
    conversations: number;
    customers: number;
    messages: number;
    hotConversationMessages: number;
  };
  itemsPerSecond: number;
  generationSeconds: number;
  tenantId: string;
  ownerEmail: string;
  hotConversationId: string;
  complete: boolean;
};

export type ScaleTiming = {
  dataset: string;
  inboxFirstP50: number;
  inboxFirstP99: number;
  inboxDeepP50: number;
  inboxDeepP99: number;
  threadFirstP50: number;
  threadFirstP99: number;
  threadDeepP50: number;
  threadDeepP99: number;
  dynamoCallsPerInboxPage: number;
  dynamoCallsPerThreadPage: number;
};

const ownerPassword = 'bench owner password';

async function open(dataDir: string): Promise<Sandbox> {
  return startSandbox({
    dataDir,
    port: 0,
    log: silentLogger,
    metaAppSecret: benchSecret,
    adminPassword: benchAdminPassword,
    processMessages: false,
  });
}

/** Raw items written by the real repos for one conversation: the shapes every clone copies. */
async function templates(sb: Sandbox, tenantId: string, channelId: string) {
  const data = tenantData(sb.db, { tenantId, actor: { kind: 'system', reason: 'test' } });
  const customerId = 'wa-5511000000000';
  const conversationId = conversationIdOf(channelId, customerId);
  const timestamp = '2026-01-01T00:00:00.000Z';
  await data.customers.upsertFromInbound(
    { channel: 'whatsapp', externalId: '5511000000000' },
    { name: 'Template', phone: '+5511000000000' },
    timestamp,
  );
  const { ref } = await data.messages.storeOnce({
    channelMessageId: 'wamid.template',
    direction: 'inbound',
    type: 'text',
    text: 'template',
    timestamp,
    id: 'msg_template',
    customerId,
    conversationId,
    channel: 'whatsapp',
    channelId,
    status: 'received',
    createdAt: timestamp,
  } as Parameters<typeof data.messages.storeOnce>[0]);
  await data.conversations.applyMessage({
    conversationId,
    customerId,
    channel: 'whatsapp',
    channelId,
    messageId: 'msg_template',
    timestamp,
    preview: 'template',
    direction: 'inbound',
  });
  const get = async (key: Key) => {
    const item = await sb.db.get(key);
    if (!item) throw new Error(`template item ${key.PK} ${key.SK} missing`);
    return item;
  };
  return {
    customer: await get(keys.customer(tenantId, customerId)),
    message: await get(ref.key),
    conversation: await get(keys.conversation(tenantId, conversationId)),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

async function generate(
  dataDir: string,
  spec: ScaleSpec,
  budgetSeconds: number,
  log: (s: string) => void,
): Promise<ScaleManifest> {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const sb = await open(dataDir);
  try {
    const api = new Api(sb.url);
    const admin = await api.login(sb.admin.email, benchAdminPassword);
    const ownerEmail = `owner.scale@bench.example.com`;
    const created = await api.request('POST', '/admin/tenants', {
      token: admin,
      body: { name: 'Scale', ownerEmail, ownerPassword },
    });
    if (created.status !== 201) throw new Error(`tenant: ${created.status} ${created.text}`);
    const tenantId = created.json.id as string;
    const token = await api.login(ownerEmail, ownerPassword);
    const channel = await api.request('POST', '/channels', {
      token,
      body: {
        type: 'whatsapp',
        wabaId: '104000000000888',
        phoneNumberId: '109000000000888',
        accessToken: 'EAAG-bench-token-0123456789',
      },
    });
    if (channel.status !== 201) throw new Error(`channel: ${channel.status} ${channel.text}`);
    const channelId = channel.json.id as string;
    const tpl = await templates(sb, tenantId, channelId);
    const tenantPk = keys.tenant(tenantId).PK;
    const inboxPk = keys.inboxPk(tenantId);
    const base = Date.parse('2025-01-01T00:00:00.000Z');

    const customerOf = (i: number) => {
      const phone = `55${String(1_000_000_000 + i)}`;
      const customerId = `wa-${phone}`;
      return { phone, customerId, conversationId: conversationIdOf(channelId, customerId) };
    };
    const messageItem = (
      i: number,
      j: number,
      customerId: string,
      conversationId: string,
      at: number,
    ): Item & Key => {
      const id = `msg_s${i.toString(36)}_${j.toString(36)}`;
      const timestamp = iso(at);
      return {
        ...tpl.message,
        ...keys.message(tenantId, customerId, timestamp, id),
        id,
        channelMessageId: `wamid.scale${i}x${j}`,
        customerId,
        conversationId,
        channelId,
        text: `Message ${j} of conversation ${i}: do you deliver on Saturdays?`,
        timestamp,
        createdAt: timestamp,
      } as Item & Key;
    };
    // Messages per conversation: the hot one (index 0) holds hotMessages; the rest share the remainder.
    const plan = (messages: number) => {
      const rest = Math.max(0, messages - spec.hotMessages);
      const per = rest / Math.max(1, spec.conversations - 1);
      return (i: number) =>
        i === 0 ? spec.hotMessages : Math.max(1, Math.floor(per * (i + 1)) - Math.floor(per * i));
    };
    const items = function* (
      messagesFor: (i: number) => number,
      from: number,
      to: number,
    ): Generator<Item & Key> {
      for (let i = from; i < to; i++) {
        const { phone, customerId, conversationId } = customerOf(i);
        const n = messagesFor(i);
        const last = base + (spec.conversations - i) * 60_000; // conversation 0 is the newest
        const seenAt = iso(last);
        yield {
          ...tpl.customer,
          PK: tenantPk,
          SK: keys.customer(tenantId, customerId).SK,
          id: customerId,
          name: `Customer ${i}`,
          phone: `+${phone}`,
          identities: { whatsapp: phone },
          createdAt: iso(last - n * 1000),
          updatedAt: seenAt,
          nameSeenAt: seenAt,
        } as Item & Key;
        const unread = new Set<string>();
        for (let j = 0; j < n; j++) {
          const m = messageItem(i, j, customerId, conversationId, last - (n - 1 - j) * 1000);
          if (j >= n - 2) unread.add(m.id as string);
          yield m;
        }
        yield {
          ...tpl.conversation,
          ...keys.conversation(tenantId, conversationId),
          id: conversationId,
          customerId,
          channelId,
          GSI1PK: inboxPk,
          GSI1SK: `${seenAt}#${conversationId}`,
          lastMessageAt: seenAt,
          lastInboundAt: seenAt,
          lastMessagePreview: `Message ${n - 1} of conversation ${i}`,
          createdAt: iso(last - n * 1000),
          unreadIds: unread,
        } as Item & Key;
      }
    };
    const write = async (gen: Generator<Item & Key>, onProgress: (n: number) => void) => {
      let batch: (Item & Key)[] = [];
      let written = 0;
      for (const item of gen) {
        batch.push(item);
        if (batch.length === 5_000) {
          await sb.db.putMany(batch, 8);
          written += batch.length;
          onProgress(written);
          batch = [];
        }
      }
      await sb.db.putMany(batch, 8);
      return written + batch.length;
    };

    // Measure the rate on the first slice, then size the rest to the time budget.
    const t0 = performance.now();
    const probeConversations = Math.min(
      spec.conversations,
      Math.max(200, Math.floor(spec.conversations / 50)),
    );
    const full = plan(spec.messages);
    let written = await write(items(full, 0, probeConversations), () => {});
    const rate = written / ((performance.now() - t0) / 1000);
    const remainingItems = spec.messages + 2 * spec.conversations - written;
    const budgetItems = Math.max(0, rate * budgetSeconds - written);
    let messagesFor = full;
    let messagesTotal = spec.messages;
    if (remainingItems > budgetItems) {
      // Too slow for the budget: fewer messages per ordinary conversation, the hot one unchanged.
      messagesTotal = Math.max(
        spec.conversations + spec.hotMessages,
        Math.floor(budgetItems - 2 * spec.conversations + written - 2 * probeConversations),
      );
      messagesFor = plan(messagesTotal);
      log(
        `  generation at ${round(rate, 0)} items/s would take ${round(remainingItems / rate / 60, 1)} min: generating ${messagesTotal} messages instead of ${spec.messages}`,
      );
    }
    let lastLog = performance.now();
    written += await write(items(messagesFor, probeConversations, spec.conversations), (n) => {
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(
          `  … ${written + n} items, ${round((written + n) / ((performance.now() - t0) / 1000), 0)}/s`,
        );
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    let generatedMessages = 0;
    for (let i = 0; i < spec.conversations; i++)
      generatedMessages += i < probeConversations ? full(i) : messagesFor(i);
    const manifest: ScaleManifest = {
      spec,
      generated: {
        conversations: spec.conversations,
        customers: spec.conversations,
        messages: generatedMessages,
        hotConversationMessages: spec.hotMessages,
      },
      itemsPerSecond: round(written / seconds, 0),
      generationSeconds: round(seconds, 0),
      tenantId,
      ownerEmail,
      hotConversationId: customerOf(0).conversationId,
      complete: true,
    };
    writeFileSync(join(dataDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await sb.stop();
  }
}

async function timePages(
  dataDir: string,
  manifest: ScaleManifest,
  samples: number,
  label: string,
): Promise<ScaleTiming> {
  const sb = await open(dataDir);
  try {
    const api = new Api(sb.url);
    const token = await api.login(manifest.ownerEmail, ownerPassword);
    const time = async (path: string) => {
      const t0 = performance.now();
      const res = await api.request('GET', path, { token });
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text.slice(0, 200)}`);
      return { ms, json: res.json };
    };
    // A cursor deep into the inbox (page 40) and into the hot thread (page 100 of 50 messages).
    let inboxCursor: string | null = null;
    for (let p = 0; p < 40; p++)
      inboxCursor = (
        await time(`/conversations?limit=25${inboxCursor ? `&cursor=${inboxCursor}` : ''}`)
      ).json.nextCursor;
    const threadPath = `/conversations/${manifest.hotConversationId}/messages?limit=50`;
    let threadCursor: string | null = null;
    const deepThreadPages = Math.min(100, Math.floor(manifest.spec.hotMessages / 50) - 1);
    for (let p = 0; p < deepThreadPages; p++)
      threadCursor = (await time(`${threadPath}${threadCursor ? `&cursor=${threadCursor}` : ''}`))
        .json.nextCursor;
    const run = async (path: string) => {
      const ms: number[] = [];
      for (let i = 0; i < samples; i++) ms.push((await time(path)).ms);
      return summarize(ms);
    };
    const calls = async (path: string) => {
      const before = { ...sb.db.counts };
      await time(path);
      const after = sb.db.counts;
      return (
        after.reads - before.reads + after.queries - before.queries + after.writes - before.writes
      );
    };
    const inboxFirst = await run('/conversations?limit=25');
    const inboxDeep = await run(`/conversations?limit=25&cursor=${inboxCursor}`);
    const threadFirst = await run(threadPath);
    const threadDeep = await run(`${threadPath}&cursor=${threadCursor}`);
    return {
      dataset: label,
      inboxFirstP50: inboxFirst.p50,
      inboxFirstP99: inboxFirst.p99,
      inboxDeepP50: inboxDeep.p50,
      inboxDeepP99: inboxDeep.p99,
      threadFirstP50: threadFirst.p50,
      threadFirstP99: threadFirst.p99,
      threadDeepP50: threadDeep.p50,
      threadDeepP99: threadDeep.p99,
      dynamoCallsPerInboxPage: await calls('/conversations?limit=25'),
      dynamoCallsPerThreadPage: await calls(threadPath),
    };
  } finally {
    await sb.stop();
  }
}

/** Generates (or reuses) the dataset, then times its pages. */
export async function benchScaleDataset(
  spec: ScaleSpec,
  opts: { samples: number; budgetSeconds: number; log: (s: string) => void },
): Promise<{ manifest: ScaleManifest; timing: ScaleTiming; reused: boolean }> {
  const dataDir = join(
    cacheRoot,
    `scale-${spec.conversations}c-${spec.messages}m-${spec.hotMessages}h`,
  );
  const manifestFile = join(dataDir, 'manifest.json');
  let manifest: ScaleManifest | undefined;
  if (existsSync(manifestFile)) {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as ScaleManifest;
    if (!manifest.complete) manifest = undefined;
  }
  const reused = manifest !== undefined;
  if (!manifest) {
    opts.log(
      `  generating ${spec.conversations} conversations / ${spec.messages} messages into ${dataDir}`,
    );
    manifest = await generate(dataDir, spec, opts.budgetSeconds, opts.log);
  }
  const label = `${manifest.generated.conversations.toLocaleString('en')} conversations, ${manifest.generated.messages.toLocaleString('en')} messages (hot thread ${manifest.generated.hotConversationMessages.toLocaleString('en')})`;
  return { manifest, timing: await timePages(dataDir, manifest, opts.samples, label), reused };
}
