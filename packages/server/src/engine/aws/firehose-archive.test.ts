import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawArchiveRecord } from '../ports/raw-archive';
import { FirehoseArchive, FirehosePutError } from './firehose-archive';

// FirehoseArchive with the real SDK against a local stand-in of Firehose's JSON protocol
// (`X-Amz-Target: Firehose_20150804.PutRecordBatch`), which fails the records it is told to.

type Call = { target: string; body: any };
const calls: Call[] = [];
/** How many of the next calls fail each record (partial failure), by call. */
let failPlan: boolean[][] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const target = String(req.headers['x-amz-target']);
      calls.push({ target, body });
      const plan = failPlan.shift() ?? [];
      const responses = (body.Records as unknown[]).map((_, i) =>
        plan[i]
          ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
          : { RecordId: `rec-${calls.length}-${i}` },
      );
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length,
          Encrypted: true,
          RequestResponses: responses,
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = () =>
  new FirehoseClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });

const record = (n: number): RawArchiveRecord => ({
  v: 1,
  id: n.toString(16).padStart(64, '0'),
  receivedAt: '2026-01-02T10:00:00.000Z',
  object: 'instagram',
  signatureVerified: true,
  body: `{"object":"instagram","entry":[],"n":${n}}`,
});

const noBucket = { get: async () => undefined, list: async () => [] };

describe('FirehoseArchive', () => {
  it('puts each record as one JSON line on the named stream', async () => {
    calls.length = 0;
    await new FirehoseArchive(client(), 'raw-archive', noBucket).append(record(1));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.target).toBe('Firehose_20150804.PutRecordBatch');
    expect(calls[0]!.body.DeliveryStreamName).toBe('raw-archive');
    const data = Buffer.from(calls[0]!.body.Records[0].Data, 'base64').toString('utf8');
    expect(data.endsWith('\n')).toBe(true);
    expect(JSON.parse(data)).toEqual(record(1));
  });

  it('sends again only the records a partial failure names', async () => {
    calls.length = 0;
    failPlan = [[false, true, false], [true]];
    const archive = new FirehoseArchive(client(), 'raw-archive', noBucket, { baseDelayMs: 1 });
    await archive.putAll([record(1), record(2), record(3)]);
    expect(calls.map((c) => c.body.Records.length)).toEqual([3, 1, 1]);
    const retried = JSON.parse(Buffer.from(calls[2]!.body.Records[0].Data, 'base64').toString());
    expect(retried.id).toBe(record(2).id);
  });

  it('rejects (so Meta retries) when a record keeps failing', async () => {
    failPlan = [[true], [true], [true]];
    const archive = new FirehoseArchive(client(), 'raw-archive', noBucket, {
      attempts: 3,
      baseDelayMs: 1,
    });
    await expect(archive.append(record(4))).rejects.toBeInstanceOf(FirehosePutError);
    failPlan = [];
  });

  it('reads a day: lists its delivered objects and gunzips their lines, skipping bad ones', async () => {
    const objects: Record<string, Buffer> = {
      'webhooks/raw/daily/2026/01/02/instagram/s-1-2026-01-02-10-00-00-a.gz': gzipSync(
        `${JSON.stringify(record(1))}\n{"torn":\n${JSON.stringify(record(2))}\n`,
      ),
    };
    const listed: string[] = [];
    const bucket = {
      get: async (key: string) =>
        objects[key] ? { body: objects[key], contentType: 'application/octet-stream' } : undefined,
      list: async (prefix: string) => {
        listed.push(prefix);
        return Object.keys(objects).filter((k) => k.startsWith(prefix));
      },
    };
    const archive = new FirehoseArchive(client(), 'raw-archive', bucket);
    const chunks = await archive.chunks('2026-01-02');
    expect(listed).toEqual(['webhooks/raw/daily/2026/01/02/']);
    expect(chunks).toEqual(Object.keys(objects));
    const read: string[] = [];
    for await (const r of archive.read(chunks[0]!)) read.push(r.id);
    expect(read).toEqual([record(1).id, record(2).id]);
  });
});
