import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { routes } from '../../src/engine/topology';
import * as meta from '../factories/meta';
import { createTenant, startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import {
  capturingLogger,
  fuzzParams,
  fuzzRuns,
  fuzzSeed,
  rawRequest,
  type LogLine,
} from './fuzz-config';

// Random and mutated Meta envelopes against POST /webhooks/meta. Bodies start from the factories'
// valid entries (so most reach the processor) and are mutated: fields dropped, duplicated and
// retyped, huge strings, deep nesting, odd unicode, numbers as strings; signed and unsigned, up to
// the 4 MiB limit and past it. Never a 5xx, never a crash (the sandbox keeps answering), never an
// enqueued or stored message from a body without a valid signature.

const secret = 'test-app-secret';
const maxBody = routes.find((r) => r.id === 'webhook.receive')?.maxBodyBytes ?? 4 * 1024 * 1024;
const unsignedMarker = 'UNSIGNED-FUZZ-MARK';
const ids = {
  wabaId: '104000000000901',
  phoneNumberId: '109000000000901',
  accountId: '17841400000000901',
};

const builders: ((marker: string) => meta.MetaEntryBody)[] = [
  (text) => meta.waTextEntry({ ...ids, text, name: text }),
  (text) => meta.waReplyEntry({ ...ids, text }),
  (caption) => meta.waImageEntry({ ...ids, caption }),
  () => meta.waAudioEntry(ids),
  () => meta.waVideoEntry(ids),
  (filename) => meta.waDocumentEntry({ ...ids, filename }),
  () => meta.waStickerEntry(ids),
  (placeName) => meta.waLocationEntry({ ...ids, placeName }),
  () => meta.waContactsEntry(ids),
  (title) => meta.waButtonReplyEntry({ ...ids, title }),
  (title) => meta.waListReplyEntry({ ...ids, title }),
  (body) => meta.waNfmReplyEntry({ ...ids, body }),
  (text) => meta.waButtonEntry({ ...ids, text }),
  (emoji) => meta.waReactionEntry({ ...ids, emoji }),
  (text) => meta.waOrderEntry({ ...ids, text }),
  (name) => meta.waSystemEntry({ ...ids, name }),
  () => meta.waUnsupportedEntry(ids),
  () => meta.waStatusEntry({ ...ids, status: 'delivered' }),
  () => meta.waStatusEntry({ ...ids, status: 'failed' }),
  (text) => meta.igTextEntry({ ...ids, text }),
  () => meta.igImageEntry(ids),
  (text) => meta.igStoryReplyEntry({ ...ids, text }),
  () => meta.igStoryMentionEntry(ids),
  (text) => meta.igQuickReplyEntry({ ...ids, text }),
  (title) => meta.igPostbackEntry({ ...ids, title }),
  (text) => meta.igEchoEntry({ ...ids, text }),
  () => meta.igUnsendEntry(ids),
  (emoji) => meta.igReactionEntry({ ...ids, emoji }),
  () => meta.igReadEntry(ids),
  (value) => meta.igChangeEntry({ ...ids, field: 'comments', value: { text: value } }),
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Mutation = {
  op:
    | 'drop'
    | 'duplicate'
    | 'retype'
    | 'huge'
    | 'deep'
    | 'numberAsString'
    | 'stringAsNumber'
    | 'unicode'
    | 'null';
  at: number;
  value: unknown;
  size: number;
  depth: number;
  text: string;
};

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom(
    'drop',
    'duplicate',
    'retype',
    'huge',
    'deep',
    'numberAsString',
    'stringAsNumber',
    'unicode',
    'null',
  ),
  // Where in the tree, uniformly (fast-check's default bias would always pick the first node).
  at: fc.noBias(fc.nat({ max: 999_999 })).map((n) => n / 1_000_000),
  value: fc.jsonValue({ maxDepth: 3 }),
  size: fc.constantFrom(100, 10_000, 300_000, 1_500_000),
  depth: fc.constantFrom(10, 200, 5_000, 100_000),
  text: fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('\ud800', '\udfff', '\u0000', '\u202e', '🙂'.repeat(50), '\\u0000', '"}]'),
  ),
});

const caseArb = fc.record({
  builders: fc.array(fc.nat(builders.length - 1), { minLength: 1, maxLength: 3 }),
  object: fc.oneof(
    { weight: 8, arbitrary: fc.constant<'auto'>('auto') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('page', 'instagram', 'whatsapp_business_account', '', 'x'),
    },
  ),
  // Some bodies stay valid, so the processor sees plenty of accepted entries too.
  mutations: fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 3, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) },
  ),
  signing: fc.constantFrom(
    'signed',
    'signed',
    'signed',
    'unsigned',
    'wrongSecret',
    'tampered',
    'sha1',
  ),
  serializer: fc.constantFrom('meta', 'plain'),
  // About one case in twelve is random bytes instead of an envelope.
  garbage: fc.oneof(
    { weight: 11, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }) },
  ),
});

type Step = { key: string | number; parent: Json[] | { [k: string]: Json } };

/** Every (parent, key) in the tree, depth first; the root itself is not a step. */
function stepsOf(value: Json, out: Step[] = []): Step[] {
  if (Array.isArray(value)) {
    value.forEach((child, i) => {
      out.push({ key: i, parent: value });
      stepsOf(child, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, child] of Object.entries(value)) {
      out.push({ key: k, parent: value });
      stepsOf(child, out);
    }
  }
  return out;
}

const deepToken = '__FUZZ_DEEP__';

function mutate(root: Json, m: Mutation): void {
  const steps = stepsOf(root);
  const step = steps[Math.floor(m.at * steps.length)];
  if (!step) return;
  const { parent, key } = step;
  const get = (): Json => (parent as Record<string | number, Json>)[key] ?? null;
  const set = (v: Json) => void ((parent as Record<string | number, Json>)[key] = v);
  switch (m.op) {
    case 'drop':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      return;
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(get()));
      else parent[`${String(key)}_dup`] = structuredClone(get());
      return;
    case 'retype':
      return set(m.value as Json);
    case 'huge':
      return set(
        (m.text || 'x').repeat(Math.ceil(m.size / Math.max(1, m.text.length))).slice(0, m.size),
      );
    case 'deep':
      return set(`${deepToken}${m.depth}`);
    case 'numberAsString':
      return set(typeof get() === 'number' ? String(get()) : get());
    case 'stringAsNumber': {
      const v = get();
      return set(typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : 12345);
    }
    case 'unicode':
      return set(m.text);
    case 'null':
      return set(null);
  }
}

/** Replaces each deep-nesting token with that many nested arrays, without recursing to build it. */
function expandDeep(raw: string): string {
  return raw.replace(new RegExp(`"${deepToken}(\\d+)"`, 'g'), (_, d: string) => {
    const depth = Number(d);
    return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  });
}

let t: TestSandbox;
let errors: LogLine[];
let enqueued = 0;
let tenantToken: string;

beforeAll(async () => {
  const { log, lines } = capturingLogger();
  errors = lines;
  t = await startTestSandbox({ log, retryDelaySeconds: 0 });
  const queue = t.sb.queues.incoming;
  const send = queue.sendBatch.bind(queue);
  queue.sendBatch = async (batch) => {
    enqueued += batch.length;
    return send(batch);
  };
  const tenant = await createTenant(t.api, t.adminToken, [
    { type: 'whatsapp', wabaId: ids.wabaId, phoneNumberId: ids.phoneNumberId },
    { type: 'instagram', accountId: ids.accountId },
  ]);
  tenantToken = tenant.token;
});
afterAll(async () => {
  await t?.stop();
});

it('answers every mutated or random webhook body without a 5xx, and trusts only signed ones', async () => {
  let runs = 0;
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      runs++;
      const signed = c.signing === 'signed';
      const marker = signed ? 'fuzz' : `${unsignedMarker}-${runs}`;
      let raw: Buffer;
      if (c.garbage) {
        raw = Buffer.from(c.garbage);
      } else {
        const entries = c.builders.map((i) => builders[i]!(marker)) as unknown as Json[];
        const first = entries[0] as { changes?: unknown } | undefined;
        const object =
          c.object === 'auto'
            ? first?.changes
              ? 'whatsapp_business_account'
              : 'instagram'
            : c.object;
        const root: Json = { object, entry: entries };
        for (const m of c.mutations) mutate(root, m);
        const text = c.serializer === 'meta' ? meta.metaJson(root) : JSON.stringify(root);
        raw = Buffer.from(expandDeep(text));
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (c.signing === 'signed') headers['x-hub-signature-256'] = meta.signMeta(raw, secret);
      if (c.signing === 'wrongSecret') headers['x-hub-signature-256'] = meta.signMeta(raw, 'nope');
      if (c.signing === 'sha1') {
        headers['x-hub-signature'] = `sha1=${createHmac('sha1', secret).update(raw).digest('hex')}`;
      }
      if (c.signing === 'tampered') {
        headers['x-hub-signature-256'] = meta.signMeta(raw, secret);
        raw = Buffer.concat([raw, Buffer.from(' ')]);
      }
      const before = enqueued;
      const res = await rawRequest(t.sb.url, 'POST', '/webhooks/meta', headers, raw);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // Over the limit the server may answer 413 and close before the body is sent: no response.
      if (res.status === 0 && raw.length > maxBody) return;
      expect(res.status, res.text.slice(0, 300)).toBeGreaterThan(0);
      expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
      if (!signed) {
        expect([401, 413]).toContain(res.status);
        expect(enqueued).toBe(before);
      }
      if (runs % 25 === 0) {
        const alive = await t.api.request(
          'GET',
          '/webhooks/meta?hub.mode=subscribe&hub.verify_token=test-verify-token&hub.challenge=1',
        );
        expect(alive.status).toBe(200);
      }
    }),
    fuzzParams(fuzzSeed, fuzzRuns(600)),
  );

  // The processor got through everything it was given (poison entries end in the DLQ).
  const queue = t.sb.queues.incoming;
  await waitFor(async () => queue.stats().visible + queue.stats().inFlight === 0, {
    timeoutMs: 120_000,
    what: 'the queue to drain',
  });
  const failures = errors.filter((l) => l.msg === 'webhook entry failed');
  const reasons = new Map<string, number>();
  for (const f of failures) {
    const key = `${String(f.fields?.error)}: ${String(f.fields?.detail).slice(0, 120)}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  console.info(
    `webhook fuzz: ${runs} bodies, statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
      `${t.sb.queues.incomingDlq.stats().visible} records dead-lettered`,
    Object.fromEntries(reasons),
  );
  // A record may fail only for being unprocessable as it is. Poison is the processor's own verdict;
  // the permanent input errors below (ids past DynamoDB's key limits, numbers the document client
  // refuses) also end in the DLQ, but only after 5 receives: reported for the processor to classify
  // as poison. Anything else (a TypeError, a missing archive) is a bug.
  const permanentInput = [
    /^ValidationException: .*(size|Size)/,
    /^Error: Number .* (greater|lesser) than Number\.(MAX|MIN)_SAFE_INTEGER/,
  ];
  const unexpected = [...reasons.keys()].filter(
    (r) => !r.startsWith('PoisonRecordError') && !permanentInput.some((p) => p.test(r)),
  );
  expect(unexpected).toEqual([]);
  expect(errors.filter((l) => l.msg === 'unhandled error')).toEqual([]);

  // Nothing from an unsigned body reached the tenant or the admin's unrouted list.
  const inbox = await t.api.request('GET', '/conversations?limit=100', { token: tenantToken });
  expect(inbox.status).toBe(200);
  expect(inbox.text).not.toContain(unsignedMarker);
  for (const conv of inbox.json.items) {
    const thread = await t.api.request('GET', `/conversations/${conv.id}/messages?limit=200`, {
      token: tenantToken,
    });
    expect(thread.text).not.toContain(unsignedMarker);
  }
  const unrouted = await t.api.request('GET', '/admin/unrouted?limit=100', { token: t.adminToken });
  expect(unrouted.text).not.toContain(unsignedMarker);
});
