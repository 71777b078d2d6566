import { reservedKeys, type FieldValue as LeadValue } from './form-schema';

// How large a lead may grow. A lead is one DynamoDB item, which cannot pass 400 KB; custom fields
// are what clients can grow without bound (PATCH after PATCH, a person submitting form after form,
// each merge adding its keys), so they are capped on the lead as stored, whichever way a value
// arrives: a synchronous write that would pass a cap is refused (422 `lead_too_large`) before any
// write; the merge of a submission fits what it can and leaves the rest in the stored submission.
// Submission ids are kept up to a cap and counted beyond it.

/** Custom fields on one lead. */
export const LEAD_CUSTOM_MAX_KEYS = 100;
/** One custom value, as DynamoDB counts it (UTF-8 bytes). */
export const LEAD_CUSTOM_MAX_VALUE_BYTES = 32 * 1024;
/** All custom fields of one lead together, as DynamoDB counts them. */
export const LEAD_CUSTOM_MAX_BYTES = 64 * 1024;
/** Submission ids listed on a lead; later submissions are counted (`extraSubmissions`). */
export const LEAD_MAX_SUBMISSION_IDS = 500;

type CustomValue = LeadValue | null;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** A value's size as DynamoDB counts it (strings in UTF-8, a few bytes of overhead per list). */
export function valueBytes(value: CustomValue): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return String(value).length;
  if (Array.isArray(value)) return 3 + value.reduce((n, item) => n + utf8(item) + 1, 0);
  return 1;
}

const entryBytes = (key: string, value: CustomValue) => utf8(key) + valueBytes(value) + 1;

export type CustomSize = { keys: number; bytes: number };

export function customSize(custom: Record<string, CustomValue>): CustomSize {
  let bytes = 3;
  let keys = 0;
  for (const [key, value] of Object.entries(custom)) {
    bytes += entryBytes(key, value);
    keys++;
  }
  return { keys, bytes };
}

/** Why `custom` cannot be a lead's custom fields, as a sentence; undefined when it can. */
export function customLimitIssue(custom: Record<string, CustomValue>): string | undefined {
  const size = customSize(custom);
  if (size.keys > LEAD_CUSTOM_MAX_KEYS) {
    return `A lead holds at most ${LEAD_CUSTOM_MAX_KEYS} custom fields (this would be ${size.keys}).`;
  }
  const big = Object.entries(custom).find(([, v]) => valueBytes(v) > LEAD_CUSTOM_MAX_VALUE_BYTES);
  if (big) {
    return `Custom field ${big[0]} is ${valueBytes(big[1])} bytes; one value holds at most ${LEAD_CUSTOM_MAX_VALUE_BYTES}.`;
  }
  if (size.bytes > LEAD_CUSTOM_MAX_BYTES) {
    return `A lead's custom fields hold at most ${LEAD_CUSTOM_MAX_BYTES} bytes together (this would be ${size.bytes}).`;
  }
  return undefined;
}

/**
 * A user's edit of the custom fields: refused when the result passes a cap and is larger than
 * what the lead holds now (so an edit that shrinks an oversized lead is always allowed).
 */
export function customEditIssue(
  before: Record<string, CustomValue>,
  after: Record<string, CustomValue>,
): string | undefined {
  const issue = customLimitIssue(after);
  if (!issue) return undefined;
  const was = customSize(before);
  const will = customSize(after);
  return will.keys > was.keys || will.bytes > was.bytes ? issue : undefined;
}

/**
 * `incoming` merged over `existing`, key by key in order, each value taken only while the result
 * stays within the caps. `skipped` names the keys left out (they stay in the stored submission).
 */
export function mergeCustomWithinLimits(
  existing: Record<string, LeadValue>,
  incoming: Record<string, LeadValue>,
): { custom: Record<string, LeadValue>; skipped: string[] } {
  const custom: Record<string, LeadValue> = { ...existing };
  let { keys, bytes } = customSize(custom);
  const skipped: string[] = [];
  for (const [key, value] of Object.entries(incoming)) {
    const had = Object.hasOwn(custom, key);
    const nextKeys = had ? keys : keys + 1;
    const nextBytes = bytes - (had ? entryBytes(key, custom[key]!) : 0) + entryBytes(key, value);
    const fits =
      !reservedKeys.has(key) &&
      valueBytes(value) <= LEAD_CUSTOM_MAX_VALUE_BYTES &&
      nextKeys <= LEAD_CUSTOM_MAX_KEYS &&
      (nextBytes <= LEAD_CUSTOM_MAX_BYTES || nextBytes <= bytes);
    if (!fits) {
      skipped.push(key);
      continue;
    }
    custom[key] = value;
    keys = nextKeys;
    bytes = nextBytes;
  }
  return { custom, skipped };
}
