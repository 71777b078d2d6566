import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import type { BlobLister, BlobStore } from '../ports/blobs';
import { rawArchiveDailyPrefix } from './env-names';
import {
  maxArchiveRecordBytes,
  parseArchiveLine,
  type RawArchive,
  type RawArchiveRecord,
} from '../ports/raw-archive';

const archiveDailyPrefix = rawArchiveDailyPrefix;

export class FirehosePutError extends Error {
  override readonly name = 'FirehosePutError';
}

export type FirehoseArchiveOptions = {
  /** Tries of a record Firehose failed (partial failure), backing off from `baseDelayMs`. */
  attempts?: number;
  baseDelayMs?: number;
};

/**
 * The raw archive on Amazon Data Firehose. `append` is one PutRecordBatch (the SDK retries
 * throttling and 5xx; entries the answer lists as failed are sent again here), resolved only once
 * Firehose answered a RecordId for the record: accepted durably, delivered to S3 within its
 * buffer interval, GZIP'd, one JSON record a line. The reader lists a day's delivered objects
 * in the archive bucket and streams them through gunzip.
 */
export class FirehoseArchive implements RawArchive {
  private readonly attempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly firehose: Pick<FirehoseClient, 'send'>,
    private readonly streamName: string,
    private readonly bucket: Pick<BlobStore, 'get'> & BlobLister,
    opts: FirehoseArchiveOptions = {},
  ) {
    this.attempts = opts.attempts ?? 4;
    this.baseDelayMs = opts.baseDelayMs ?? 50;
  }

  append(record: RawArchiveRecord): Promise<void> {
    return this.putAll([record]);
  }

  /** Several records in one call (at most 500 and 4 MiB, Firehose's batch limits). */
  async putAll(records: RawArchiveRecord[]): Promise<void> {
    let pending = records.map((r) => Buffer.from(`${JSON.stringify(r)}\n`, 'utf8'));
    const tooLarge = pending.find((data) => data.length > maxArchiveRecordBytes);
    if (tooLarge) throw new FirehosePutError(`a record of ${tooLarge.length} bytes is too large`);
    let lastError = '';
    for (let attempt = 0; attempt < this.attempts && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(this.baseDelayMs * 2 ** (attempt - 1));
      const out = await this.firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: this.streamName,
          Records: pending.map((Data) => ({ Data })),
        }),
      );
      if (!out.FailedPutCount) return;
      const responses = out.RequestResponses ?? [];
      const failed = pending.filter((_, i) => !responses[i]?.RecordId);
      lastError = responses.find((r) => r.ErrorCode)?.ErrorCode ?? 'unknown';
      pending = failed;
    }
    if (pending.length > 0) {
      throw new FirehosePutError(
        `Firehose failed ${pending.length} record(s) after ${this.attempts} tries: ${lastError}`,
      );
    }
  }

  async chunks(day: string): Promise<string[]> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return [];
    const keys = await this.bucket.list(`${archiveDailyPrefix}${day.replaceAll('-', '/')}/`);
    return keys.filter((key) => key.endsWith('.gz'));
  }

  async *read(chunk: string): AsyncIterable<RawArchiveRecord> {
    if (!chunk.startsWith(archiveDailyPrefix)) return;
    const object = await this.bucket.get(chunk);
    if (!object) return;
    const gunzip = Readable.from([Buffer.from(object.body)]).pipe(createGunzip());
    const lines = createInterface({ input: gunzip, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        const record = parseArchiveLine(line);
        if (record) yield record;
      }
    } finally {
      lines.close();
      gunzip.destroy();
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
