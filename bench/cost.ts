import { conversationIdOf } from '../packages/server/src/modules/messaging/conversation.repo';
import type { CallCounts } from '../packages/server/src/engine/data/dynamo';
import { tenantData } from '../packages/server/src/engine/data/tenant-data';
import { storeOutboundMessage } from '../packages/server/src/modules/messaging/outbound-message.service';
import { routes } from '../packages/server/src/engine/topology';
import { functions } from '../packages/server/src/engine/topology';
import {
  envelope,
  metaJson,
  signMeta,
  waImageEntry,
  waStatusEntry,
  waTextEntry,
} from '../packages/server/test/factories/meta';
import type { LeadQueueName } from '../packages/server/src/engine/sandbox/lead-pipeline';
import {
  contactFormBody,
  publishedForm,
  startWebhookReceiver,
} from '../packages/server/test/leads/lead-fixtures';
import { createHash } from 'node:crypto';
import { bodyField } from '../packages/server/src/engine/ports/raw-archive';
import { benchSecret, type BenchSandbox } from './bench-sandbox';
import { round } from './lib';
import { jpegLike } from './media-mix';

// Cost per message, from the real calls: DynamoDB requests counted by data/dynamo.ts (`db.counts`),
// queue requests and bytes counted on the sandbox's queue, for an inbound text message (new and known
// customer), a status update, an outbound send (POST /send-message, with the status webhooks Meta's
// stand-in sends back) and a lead (a public form submission: LeadIngest, the bus, LeadStore,
// LeadMerge and one CRM webhook delivery to a local Standard Webhooks receiver). Turned into dollars per million at
// AWS list prices (us-east-1, on-demand, no free tier, first pricing tier).

export const prices = {
  asOf: '2026-11 (list prices, us-east-1)',
  dynamoWriteRequestUnitPerMillion: 0.625,
  dynamoReadRequestUnitPerMillion: 0.125,
  sqsRequestPerMillion: 0.4,
  lambdaRequestPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  apiGatewayRestPerMillion: 3.5,
  wafRequestPerMillion: 0.6,
  s3PutPerThousand: 0.005,
  s3StandardGbMonth: 0.023,
  cloudFrontGbOut: 0.085,
  cloudFrontHttpsPer10k: 0.01,
  eventBridgeEventPerMillion: 1.0,
  firehoseIngestGb: 0.029,
  firehoseIngestIncrementBytes: 5 * 1024,
  firehoseDynamicPartitioningGb: 0.02,
  firehoseDynamicPartitioningPerThousandObjects: 0.005,
  sources: [
    'DynamoDB on-demand: https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625/M WRU, $0.125/M RRU since the Nov 2024 cut)',
    'SQS: https://aws.amazon.com/sqs/pricing/ (standard $0.40/M requests; each 64 KiB chunk of a payload is one request)',
    'Lambda: https://aws.amazon.com/lambda/pricing/ (Arm $0.0000133334/GB-s, $0.20/M requests)',
    'API Gateway: https://aws.amazon.com/api-gateway/pricing/ (REST $3.50/M, first 333M)',
    'WAF: https://aws.amazon.com/waf/pricing/ ($0.60/M requests inspected)',
    'S3: https://aws.amazon.com/s3/pricing/ (Standard PUT $0.005 per 1,000, raw webhook archive and media; Standard storage $0.023/GB-month)',
    'CloudFront: https://aws.amazon.com/cloudfront/pricing/ ($0.085/GB out, first 10 TB, US/EU; HTTPS $0.01 per 10,000 requests)',
    'EventBridge: https://aws.amazon.com/eventbridge/pricing/ (custom events $1.00/M; each 64 KB chunk of an event is one event)',
    'Amazon Data Firehose: https://aws.amazon.com/firehose/pricing/ (Direct PUT $0.029/GB ingested, each record rounded up to 5 KB; dynamic partitioning $0.020/GB and $0.005 per 1,000 objects delivered; its JQ processing hours are time-based and not counted)',
  ],
};

/** Webhooks per second assumed for how many objects Firehose delivers (one per partition per buffer interval). */
export const assumedWebhooksPerSecond = 100;

/** What the archive records of the measured webhooks weighed (one JSON line each, as the receiver appends it). */
const archived = { records: 0, bytes: 0 };
const averageRecordBytes = () => (archived.records ? archived.bytes / archived.records : 1500);

/**
 * The raw archive per million webhooks: before, one S3 PUT each; after, Firehose ingestion (by
 * 5 KB increment), dynamic partitioning by bytes and by object, and one S3 PUT per delivered
 * object (64 MB / 300 s buffers, two partitions: whatsapp_business_account and instagram).
 */
export function archivePerMillionWebhooks(recordBytes: number): { before: number; after: number } {
  const gb = 2 ** 30;
  const increment = prices.firehoseIngestIncrementBytes;
  const billedBytes = Math.ceil(recordBytes / increment) * increment;
  const seconds = 1e6 / assumedWebhooksPerSecond;
  const byTime = 2 * Math.ceil(seconds / 300);
  const bySize = Math.ceil((1e6 * recordBytes) / (64 * 2 ** 20));
  const objects = Math.max(byTime, bySize);
  const after =
    ((1e6 * billedBytes) / gb) * prices.firehoseIngestGb +
    ((1e6 * recordBytes) / gb) * prices.firehoseDynamicPartitioningGb +
    (objects / 1000) *
      (prices.firehoseDynamicPartitioningPerThousandObjects + prices.s3PutPerThousand);
  return { before: prices.s3PutPerThousand * 1000, after };
}

/** The average archive record of the webhooks measured so far, in bytes. */
export const measuredArchiveRecordBytes = averageRecordBytes;
const archiveAfter = () => archivePerMillionWebhooks(averageRecordBytes()).after;

type QueueCounts = {
  sendRequests: number;
  sendChunks: number;
  bytes: number;
  messages: number;
  batches: number;
  batchMs: number;
};

export type CostRow = {
  kind: string;
  n: number;
  dynamoWrites: number;
  dynamoReads: number;
  conditionalFailures: number;
  queueMessages: number;
  queueBytes: number;
  sqsRequests: number;
  dollarsPerMillion: number;
  /** The same, with the raw archive as it was: one S3 PUT per webhook. */
  dollarsPerMillionBefore: number;
  breakdown: Record<string, number>;
};

/** Counts queue traffic the way SQS bills it: sends by 64 KiB chunk, plus receive + delete per batch. */
function countQueue(bench: BenchSandbox): { counts: QueueCounts; onBatch: (ms: number) => void } {
  const counts: QueueCounts = {
    sendRequests: 0,
    sendChunks: 0,
    bytes: 0,
    messages: 0,
    batches: 0,
    batchMs: 0,
  };
  const queue = bench.sb.queues.incoming;
  const send = queue.sendBatch.bind(queue);
  queue.sendBatch = async (batch) => {
    const bytes = batch.reduce((n, m) => n + Buffer.byteLength(m.body), 0);
    counts.sendRequests++;
    counts.sendChunks += Math.max(1, Math.ceil(bytes / 65_536));
    counts.bytes += bytes;
    counts.messages += batch.length;
    return send(batch);
  };
  return { counts, onBatch: (ms) => ((counts.batches += 1), (counts.batchMs += ms)) };
}

const diff = (a: CallCounts, b: CallCounts) => ({
  writes: b.writes - a.writes,
  reads: b.reads - a.reads + b.queries - a.queries,
  conditionalFailures: b.conditionalFailures - a.conditionalFailures,
});

async function post(bench: BenchSandbox, entries: ReturnType<typeof waTextEntry>[]): Promise<void> {
  const raw = metaJson(envelope('whatsapp_business_account', entries));
  const record = {
    v: 1,
    id: createHash('sha256').update(raw).digest('hex'),
    receivedAt: new Date().toISOString(),
    object: 'whatsapp_business_account',
    signatureVerified: true,
    ...bodyField(Buffer.from(raw)),
  };
  archived.records++;
  archived.bytes += Buffer.byteLength(`${JSON.stringify(record)}\n`);
  const res = await bench.api.request('POST', '/webhooks/meta', {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signMeta(raw, benchSecret),
    },
  });
  if (res.status !== 200) throw new Error(`webhook ${res.status}`);
}

/**
 * `webhookHandlerMs`: server-side time of one webhook (the ack p50 at concurrency 1), used as the
 * WebhookReceiver Lambda's billed duration; the processor's duration is measured per batch here.
 */
export async function benchCost(
  bench: BenchSandbox,
  opts: { n: number; nonce: string; webhookHandlerMs: number },
): Promise<CostRow[]> {
  const { counts, onBatch } = countQueue(bench);
  bench.batchTimer.onBatch = onBatch;
  const rows: CostRow[] = [];
  const receiverGb = functions.WebhookReceiver.memoryMb / 1024;
  const processorGb = functions.MessageProcessor.memoryMb / 1024;
  const apiGb = functions.Api.memoryMb / 1024;

  const measure = async (
    kind: string,
    n: number,
    act: () => Promise<void>,
    model: { webhooks: number; apiCalls: number; apiMs: number },
  ) => {
    await bench.waitForDrain();
    const db0 = { ...bench.sb.db.counts };
    const q0 = { ...counts };
    await act();
    await bench.waitForDrain();
    const d = diff(db0, bench.sb.db.counts);
    const q = Object.fromEntries(
      Object.entries(counts).map(([k, v]) => [k, v - q0[k as keyof QueueCounts]]),
    ) as QueueCounts;
    // SQS as billed on AWS: send chunks + one ReceiveMessage and one DeleteMessageBatch per batch.
    const sqsRequests = q.sendChunks + 2 * q.batches;
    const per = (x: number) => x / n;
    const breakdown = {
      dynamoWrites: per(d.writes) * prices.dynamoWriteRequestUnitPerMillion,
      dynamoReads: per(d.reads) * prices.dynamoReadRequestUnitPerMillion,
      sqs: per(sqsRequests) * prices.sqsRequestPerMillion,
      apiGateway: per(model.webhooks + model.apiCalls) * prices.apiGatewayRestPerMillion,
      waf: per(model.webhooks + model.apiCalls) * prices.wafRequestPerMillion,
      archive: per(model.webhooks) * archiveAfter(),
      lambdaRequests:
        per(model.webhooks + model.apiCalls + q.batches) * prices.lambdaRequestPerMillion,
      lambdaCompute:
        per(
          model.webhooks * receiverGb * (opts.webhookHandlerMs / 1000) +
            processorGb * (q.batchMs / 1000) +
            model.apiCalls * apiGb * (model.apiMs / 1000),
        ) *
        prices.lambdaArmGbSecond *
        1e6,
    };
    rows.push({
      kind,
      n,
      dynamoWrites: round(per(d.writes)),
      dynamoReads: round(per(d.reads)),
      conditionalFailures: round(per(d.conditionalFailures)),
      queueMessages: round(per(q.messages)),
      queueBytes: round(per(q.bytes), 0),
      sqsRequests: round(per(sqsRequests)),
      dollarsPerMillion: round(Object.values(breakdown).reduce((a, b) => a + b, 0)),
      dollarsPerMillionBefore: round(
        Object.values(breakdown).reduce((a, b) => a + b, 0) -
          breakdown.archive +
          per(model.webhooks) * prices.s3PutPerThousand * 1000,
      ),
      breakdown: Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, round(v, 3)])),
    });
  };

  const { wabaId, phoneNumberId } = bench;
  const customers = Array.from({ length: opts.n }, (_, i) => `55116${String(i).padStart(8, '0')}`);
  // Recent timestamps: replies are only allowed within 24 hours of the customer's last message.
  let ts = Math.floor(Date.now() / 1000) - 7_200;
  const texts = (tag: string) =>
    customers.map((from, i) =>
      waTextEntry({
        wabaId,
        phoneNumberId,
        from,
        wamid: `wamid.cost${opts.nonce}${tag}${i}`,
        timestamp: ts++,
        text: 'cost',
      }),
    );
  // One webhook per message, as Meta mostly sends them.
  const sendEach = async (entries: ReturnType<typeof waTextEntry>[]) => {
    for (const e of entries) await post(bench, [e]);
  };
  await measure('inbound text, new customer', opts.n, () => sendEach(texts('a')), {
    webhooks: opts.n,
    apiCalls: 0,
    apiMs: 0,
  });
  await measure('inbound text, known customer', opts.n, () => sendEach(texts('b')), {
    webhooks: opts.n,
    apiCalls: 0,
    apiMs: 0,
  });

  // Status updates for outbound messages stored the way the send path stores them.
  const channelId = bench.tenant.channelIds[0]!;
  const data = tenantData(bench.sb.db, {
    tenantId: bench.tenant.id,
    actor: { kind: 'system', reason: 'test' },
  });
  const outbound = customers.map((from, i) => {
    const customerId = `wa-${from}`;
    const at = new Date((ts + i) * 1000).toISOString();
    return {
      id: `msg_cost_${opts.nonce}_${i}`,
      channelMessageId: `wamid.costout${opts.nonce}${i}`,
      customerId,
      conversationId: conversationIdOf(channelId, customerId),
      channel: 'whatsapp' as const,
      channelId,
      direction: 'outbound' as const,
      type: 'text' as const,
      text: 'reply',
      status: 'sent' as const,
      timestamp: at,
      createdAt: at,
    };
  });
  for (const m of outbound) await storeOutboundMessage(data, m);
  await measure(
    'status update (delivered)',
    opts.n,
    () =>
      sendEach(
        outbound.map((m, i) =>
          waStatusEntry({
            wabaId,
            phoneNumberId,
            wamid: m.channelMessageId,
            recipientId: customers[i],
            status: 'delivered',
            timestamp: ts + i + 5,
          }),
        ),
      ),
    { webhooks: opts.n, apiCalls: 0, apiMs: 0 },
  );

  if (bench.sb.metaStandIn) {
    rows.push(
      await measureImage(
        bench,
        { n: Math.min(opts.n, 50), nonce: opts.nonce, ts, webhookHandlerMs: opts.webhookHandlerMs },
        counts,
      ),
    );
    ts += opts.n;
  }

  if (routes.some((r) => r.id === 'messages.send')) {
    const sends = Math.min(opts.n, 50);
    let apiMs = 0;
    const before = counts.messages;
    await measure(
      'outbound send (POST /send-message + its status webhooks)',
      sends,
      async () => {
        for (let i = 0; i < sends; i++) {
          const t0 = performance.now();
          const res = await bench.api.request('POST', '/send-message', {
            token: bench.tenant.token,
            body: { conversationId: outbound[i]!.conversationId, text: `bench reply ${i}` },
          });
          apiMs += performance.now() - t0;
          if (res.status >= 300) throw new Error(`send-message ${res.status} ${res.text}`);
        }
        // The stand-in posts status webhooks back; give them a moment to arrive before draining.
        await new Promise((r) => setTimeout(r, 1500));
      },
      { webhooks: 0, apiCalls: sends, apiMs: 0 },
    );
    const row = rows[rows.length - 1]!;
    const statusWebhooks = counts.messages - before;
    // Re-price with the status webhooks (each an API Gateway request, a receiver run and an S3 PUT).
    const perSend = statusWebhooks / sends;
    row.breakdown.apiGateway = round((1 + perSend) * prices.apiGatewayRestPerMillion, 3);
    row.breakdown.waf = round((1 + perSend) * prices.wafRequestPerMillion, 3);
    row.breakdown.archive = round(perSend * archiveAfter(), 3);
    row.breakdown.lambdaCompute = round(
      row.breakdown.lambdaCompute! +
        ((apiMs / sends / 1000) * apiGb + perSend * receiverGb * (opts.webhookHandlerMs / 1000)) *
          prices.lambdaArmGbSecond *
          1e6,
      3,
    );
    row.dollarsPerMillion = round(Object.values(row.breakdown).reduce((a, b) => a + b, 0));
    row.dollarsPerMillionBefore = round(
      row.dollarsPerMillion - row.breakdown.archive! + perSend * prices.s3PutPerThousand * 1000,
    );
    row.kind += ` (${round(perSend, 1)} status webhooks each)`;
  }

  if (routes.some((r) => r.id === 'public-forms.submit')) {
    rows.push(await measureLead(bench, { n: opts.n, nonce: opts.nonce }));
  }
  return rows;
}

/** What an inbound photo is assumed to weigh (a WhatsApp-compressed phone photo). */
export const imageBytes = 100 * 1024;
/**
 * MediaFetcher's billed time per image on AWS: the Graph media lookup and the download from Meta's
 * CDN are two round trips from us-east-1 (about 150 ms each), plus the S3 PUT. The sandbox
 * measures loopback, far faster, so the larger of the two is billed.
 */
export const assumedMediaFetchMs = 400;

/**
 * Per inbound WhatsApp image: the text path (webhook, archive, processor) plus what media adds,
 * counted from the real calls: one MediaQueue message (its send chunks), the fetcher's DynamoDB
 * requests, one receive + delete per fetcher batch, one MediaFetcher invocation per batch billed
 * at 1024 MB for max(measured, assumed) time, one S3 PUT into the media bucket, and (not per
 * message, shown for scale) a month of Standard storage and one view through CloudFront.
 * Images are sent one at a time and each is fetched before the next: one record per batch, the
 * dearest case.
 */
async function measureImage(
  bench: BenchSandbox,
  opts: { n: number; nonce: string; ts: number; webhookHandlerMs: number },
  incoming: QueueCounts,
): Promise<CostRow> {
  const standIn = bench.sb.metaStandIn!;
  const bytes = jpegLike(imageBytes);
  const sha256 = createHash('sha256').update(bytes).digest('base64');
  const mediaQueue = bench.sb.queues.media;
  const media = { sendChunks: 0, messages: 0, bytes: 0, batches: 0, fetchMs: 0 };
  const send = mediaQueue.sendBatch.bind(mediaQueue);
  let sentAt = 0;
  mediaQueue.sendBatch = async (batch) => {
    const size = batch.reduce((n, m) => n + Buffer.byteLength(m.body), 0);
    media.sendChunks += Math.max(1, Math.ceil(size / 65_536));
    media.messages += batch.length;
    media.bytes += size;
    sentAt = performance.now();
    return send(batch);
  };
  const entries = Array.from({ length: opts.n }, (_, i) =>
    waImageEntry({
      wabaId: bench.wabaId,
      phoneNumberId: bench.phoneNumberId,
      from: `55119${String(i).padStart(8, '0')}`,
      wamid: `wamid.costimg${opts.nonce}${i}`,
      timestamp: opts.ts + i,
      mediaId: standIn.media.register(bytes, 'image/jpeg'),
      mimeType: 'image/jpeg',
      sha256,
    }),
  );
  await bench.waitForDrain();
  await bench.waitForMediaDrain();
  const db0 = { ...bench.sb.db.counts };
  const q0 = { ...incoming };
  try {
    for (const entry of entries) {
      await post(bench, [entry]);
      // From the record's send to both queues being empty again: the fetcher's batch (and the
      // poller's pick-up), an upper bound of its run time.
      const deadline = Date.now() + 30_000;
      while (sentAt === 0 || bench.mediaQueueDepth() > 0 || bench.queueDepth() > 0) {
        if (Date.now() > deadline) throw new Error('an image was not fetched within 30 s');
        await new Promise((r) => setTimeout(r, 1));
      }
      media.fetchMs += performance.now() - sentAt;
      media.batches++;
      sentAt = 0;
    }
  } finally {
    mediaQueue.sendBatch = send;
  }
  const d = diff(db0, bench.sb.db.counts);
  const q = Object.fromEntries(
    Object.entries(incoming).map(([k, v]) => [k, v - q0[k as keyof QueueCounts]]),
  ) as QueueCounts;
  const per = (x: number) => x / opts.n;
  const gb = (name: keyof typeof functions) => functions[name].memoryMb / 1024;
  const fetchMs = Math.max(per(media.fetchMs), assumedMediaFetchMs);
  const sqsRequests = q.sendChunks + 2 * q.batches + media.sendChunks + 2 * media.batches;
  const imageGb = bytes.length / 2 ** 30;
  const breakdown = {
    dynamoWrites: per(d.writes) * prices.dynamoWriteRequestUnitPerMillion,
    dynamoReads: per(d.reads) * prices.dynamoReadRequestUnitPerMillion,
    sqs: per(sqsRequests) * prices.sqsRequestPerMillion,
    apiGateway: prices.apiGatewayRestPerMillion,
    waf: prices.wafRequestPerMillion,
    archive: archiveAfter(),
    s3MediaPut: prices.s3PutPerThousand * 1000,
    lambdaRequests: per(opts.n + q.batches + media.batches) * prices.lambdaRequestPerMillion,
    lambdaCompute:
      (gb('WebhookReceiver') * (opts.webhookHandlerMs / 1000) +
        per(gb('MessageProcessor') * (q.batchMs / 1000)) +
        per(media.batches) * gb('MediaFetcher') * (fetchMs / 1000)) *
      prices.lambdaArmGbSecond *
      1e6,
  };
  const perMillion = Object.values(breakdown).reduce((a, b) => a + b, 0);
  return {
    kind: `inbound image, ${imageBytes / 1024} KB (MediaFetcher billed ${round(fetchMs, 0)} ms; measured ${round(per(media.fetchMs), 1)} ms on loopback)`,
    n: opts.n,
    dynamoWrites: round(per(d.writes)),
    dynamoReads: round(per(d.reads)),
    conditionalFailures: round(per(d.conditionalFailures)),
    queueMessages: round(per(q.messages + media.messages)),
    queueBytes: round(per(q.bytes + media.bytes), 0),
    sqsRequests: round(per(sqsRequests)),
    dollarsPerMillion: round(perMillion),
    dollarsPerMillionBefore: round(perMillion - breakdown.archive + prices.s3PutPerThousand * 1000),
    breakdown: {
      ...Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, round(v, 3)])),
      // Not in the total: they recur (storage) or depend on agents (views).
      'storage / month (not in total)': round(imageGb * prices.s3StandardGbMonth * 1e6, 3),
      'one CloudFront view (not in total)': round(
        imageGb * prices.cloudFrontGbOut * 1e6 + (prices.cloudFrontHttpsPer10k / 10_000) * 1e6,
        3,
      ),
    },
  };
}

const leadQueues: LeadQueueName[] = ['LeadStoreQueue', 'LeadMergeQueue', 'CrmSyncQueue'];
const leadConsumer: Record<LeadQueueName, keyof typeof functions> = {
  LeadStoreQueue: 'LeadStore',
  LeadMergeQueue: 'LeadMerge',
  CrmSyncQueue: 'CrmSync',
  IntegrationEventsQueue: 'EventDelivery',
};

/**
 * Per lead: `n` public form submissions (name, e-mail, phone, consent), each through LeadIngest, the
 * bus (LeadSubmitted → LeadStoreQueue + LeadMergeQueue, LeadUpserted → CrmSyncQueue), the three
 * consumers and one delivery to a webhook CRM destination. Counted from the real calls: DynamoDB
 * requests (db.counts), bus events and their bytes (the bus's publish), queue messages and bytes
 * (the lead queues' sends), consumer batches and their duration.
 */
async function measureLead(
  bench: BenchSandbox,
  opts: { n: number; nonce: string },
): Promise<CostRow> {
  const { sb, api } = bench;
  const token = bench.tenant.token;
  const origin = 'https://landing.example.com';
  const receiver = await startWebhookReceiver();
  try {
    const destination = await api.request('POST', '/crm-destinations', {
      token,
      body: { type: 'webhook', url: receiver.url },
    });
    if (destination.status !== 201) throw new Error(`destination ${destination.status}`);
    receiver.setSecret(destination.json.secret);
    const formId = await publishedForm(api, token, contactFormBody({ allowedOrigins: [origin] }));

    const q = { sends: 0, sendChunks: 0, messages: 0, bytes: 0, events: 0, eventChunks: 0 };
    const restore: (() => void)[] = [];
    for (const name of leadQueues) {
      const queue = sb.leads.queues[name].queue;
      const send = queue.sendBatch.bind(queue);
      queue.sendBatch = async (batch) => {
        q.sends++;
        for (const m of batch) {
          const bytes = Buffer.byteLength(m.body);
          // EventBridge delivers each event to an SQS target with its own SendMessage.
          q.sendChunks += Math.max(1, Math.ceil(bytes / 65_536));
          q.bytes += bytes;
          q.messages++;
        }
        return send(batch);
      };
      restore.push(() => (queue.sendBatch = send));
    }
    const bus = sb.leads.bus;
    const publish = bus.publish.bind(bus);
    bus.publish = async (events) => {
      for (const e of events) {
        q.events++;
        q.eventChunks += Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(e)) / 65_536));
      }
      return publish(events);
    };
    restore.push(() => (bus.publish = publish));
    const batches = { count: 0, gbSeconds: 0 };
    bench.leadBatchTimer.onBatch = (queue, ms) => {
      batches.count++;
      batches.gbSeconds += (functions[leadConsumer[queue]].memoryMb / 1024) * (ms / 1000);
    };
    const idle = () =>
      leadQueues.every((name) => {
        const s = sb.leads.queues[name].queue.stats();
        return s.visible + s.inFlight === 0;
      });

    const db0 = { ...sb.db.counts };
    let apiMs = 0;
    try {
      for (let i = 0; i < opts.n; i++) {
        const t0 = performance.now();
        const res = await api.request('POST', `/public/forms/${formId}/submissions`, {
          headers: { origin },
          body: {
            fields: {
              name: `Cost Lead ${i}`,
              email: `cost-${opts.nonce}-${i}@bench.example.com`,
              phone: `+55117${String(i).padStart(8, '0')}`,
              interest: 'demo',
              terms: true,
              utm_source: 'bench',
            },
          },
        });
        apiMs += performance.now() - t0;
        if (res.status !== 202) throw new Error(`lead submission ${res.status} ${res.text}`);
      }
      const deadline = Date.now() + 120_000;
      while (!(idle() && receiver.accepted.size >= opts.n)) {
        if (Date.now() > deadline) throw new Error(`leads not drained: ${receiver.accepted.size}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      restore.forEach((r) => r());
      bench.leadBatchTimer.onBatch = undefined;
    }
    const d = diff(db0, sb.db.counts);
    const per = (x: number) => x / opts.n;
    const sqsRequests = q.sendChunks + 2 * batches.count;
    const ingestGb = functions.LeadIngest.memoryMb / 1024;
    const breakdown = {
      dynamoWrites: per(d.writes) * prices.dynamoWriteRequestUnitPerMillion,
      dynamoReads: per(d.reads) * prices.dynamoReadRequestUnitPerMillion,
      eventBridge: per(q.eventChunks) * prices.eventBridgeEventPerMillion,
      sqs: per(sqsRequests) * prices.sqsRequestPerMillion,
      apiGateway: prices.apiGatewayRestPerMillion,
      waf: prices.wafRequestPerMillion,
      lambdaRequests: per(opts.n + batches.count) * prices.lambdaRequestPerMillion,
      lambdaCompute:
        per(ingestGb * (apiMs / 1000) + batches.gbSeconds) * prices.lambdaArmGbSecond * 1e6,
    };
    return {
      kind: `lead (public form submission → stored, merged, 1 CRM webhook; ${round(per(q.events), 1)} bus events each)`,
      n: opts.n,
      dynamoWrites: round(per(d.writes)),
      dynamoReads: round(per(d.reads)),
      conditionalFailures: round(per(d.conditionalFailures)),
      queueMessages: round(per(q.messages)),
      queueBytes: round(per(q.bytes), 0),
      sqsRequests: round(per(sqsRequests)),
      dollarsPerMillion: round(Object.values(breakdown).reduce((a, b) => a + b, 0)),
      // No webhook: the archive is not on a lead's path.
      dollarsPerMillionBefore: round(Object.values(breakdown).reduce((a, b) => a + b, 0)),
      breakdown: Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, round(v, 3)])),
    };
  } finally {
    await receiver.close();
  }
}
