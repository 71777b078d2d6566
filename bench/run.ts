import { writeResult } from './lib';
import { benchWebhookIngest } from './webhook-ingest';

// `npm run bench`: every benchmark, bounded, on 127.0.0.1. Figures are printed and written to
// bench/results/<time>-<name>.json with the machine's description.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const quick = process.argv.includes('--quick');

const ingest = await benchWebhookIngest(quick ? { requestsPerLevel: 300 } : {});
console.log(
  '\nWebhook ack (acknowledged/s, latency ms) — sandbox vs bare node:http + HMAC, same run',
);
console.table(
  ingest.ack.map((row) => {
    const bare = row.bare as { perSecond: number; p50: number; p99: number };
    const sb = row.sandbox as { perSecond: number; p50: number; p99: number };
    return {
      concurrency: row.concurrency,
      'bare/s': bare.perSecond,
      'bare p50': bare.p50,
      'bare p99': bare.p99,
      'sandbox/s': sb.perSecond,
      'sandbox p50': sb.p50,
      'sandbox p99': sb.p99,
      ratio: row.ratio,
    };
  }),
);
console.log('End to end, POST → stored and readable (ms):', ingest.endToEndMs);
console.log('DynamoDB requests per inbound text message:', ingest.dynamodb);
console.log('written', writeResult('webhook-ingest', ingest));
