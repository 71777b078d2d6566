import { z } from 'zod';

/**
 * One accepted Meta delivery, as the raw archive keeps it: newline-delimited JSON, one record a
 * line. The body is kept byte for byte (the signature was over those bytes): as text when it is
 * valid UTF-8 that round-trips exactly, else base64.
 */
export const rawArchiveRecordSchema = z
  .object({
    v: z.literal(1),
    /** sha256 hex of the raw body: a redelivery by Meta has the same id. */
    id: z.string().regex(/^[0-9a-f]{64}$/),
    receivedAt: z.iso.datetime(),
    /** Meta's `object` (`whatsapp_business_account`, `instagram`): Firehose partitions by it. */
    object: z.string().min(1),
    /** Only deliveries whose X-Hub-Signature-256 verified are ever archived. */
    signatureVerified: z.literal(true),
    body: z.string().optional(),
    bodyBase64: z.string().optional(),
    /**
     * Where the body is stored whole, when an entry was too large for a queue message. A body too
     * large for one Firehose record (1,000 KiB) is kept there only, and the record has no body.
     */
    largeRef: z.string().optional(),
  })
  .refine(
    (r) =>
      r.body !== undefined && r.bodyBase64 !== undefined
        ? false
        : r.body !== undefined || r.bodyBase64 !== undefined || r.largeRef !== undefined,
    { message: 'one of body and bodyBase64, or a largeRef alone' },
  );

export type RawArchiveRecord = z.infer<typeof rawArchiveRecordSchema>;

/** The raw body's bytes of a record; undefined when only its `largeRef` holds them. */
export function inlineBodyOf(record: RawArchiveRecord): Buffer | undefined {
  if (record.body !== undefined) return Buffer.from(record.body, 'utf8');
  if (record.bodyBase64 !== undefined) return Buffer.from(record.bodyBase64, 'base64');
  return undefined;
}

/** The record's body field: text when the bytes are UTF-8 that round-trips, else base64. */
export function bodyField(raw: Uint8Array): { body: string } | { bodyBase64: string } {
  const bytes = Buffer.from(raw);
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes)
    ? { body: text }
    : { bodyBase64: bytes.toString('base64') };
}

/** Firehose refuses a record above 1,000 KiB: a larger one keeps its body behind `largeRef`. */
export const maxArchiveRecordBytes = 1000 * 1024;

/** `2024-05-01` (UTC) of an instant. */
export function utcDay(at: Date | string): string {
  return (typeof at === 'string' ? at : at.toISOString()).slice(0, 10);
}

/**
 * The raw webhook archive: Amazon Data Firehose to S3 in AWS (batched, compressed), a daily
 * append-only file in the sandbox. Meta cannot replay past deliveries; this is the only copy.
 */
export type RawArchive = {
  /**
   * Durable when the promise resolves: the sandbox fsyncs its day file; Firehose's PutRecordBatch
   * answers only once the stream has durably accepted the record (it reaches S3 within the buffer
   * interval). A rejection means nothing is promised: the receiver fails and Meta retries.
   */
  append(record: RawArchiveRecord): Promise<void>;
  /**
   * The chunks of one UTC day (a day file locally, one delivered S3 object each in AWS), in order.
   * Records of a day may sit in the next day's first chunk (Firehose buffers), so a reader of a
   * range looks at the day after as well and filters by `receivedAt`.
   */
  chunks(day: string): Promise<string[]>;
  /** The records of one chunk, in order. A torn or unreadable line is skipped, never fatal. */
  read(chunk: string): AsyncIterable<RawArchiveRecord>;
};

/** Parses one archive line; undefined for a torn or foreign line. */
export function parseArchiveLine(line: string): RawArchiveRecord | undefined {
  if (line.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = rawArchiveRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
