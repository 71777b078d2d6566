import { describe, expect, it } from 'vitest';
import {
  customEditIssue,
  customLimitIssue,
  customSize,
  LEAD_CUSTOM_MAX_BYTES,
  LEAD_CUSTOM_MAX_KEYS,
  LEAD_CUSTOM_MAX_VALUE_BYTES,
  mergeCustomWithinLimits,
} from '../../src/modules/leads/lead-limits';

// A lead's custom fields stay within their caps whichever way they grow: refused on a direct
// write, fitted on a merge.

const filled = (prefix: string, keys: number, chars: number) =>
  Object.fromEntries(Array.from({ length: keys }, (_, i) => [`${prefix}${i}`, 'x'.repeat(chars)]));

describe('custom field caps', () => {
  it('count bytes as DynamoDB does (UTF-8), keys and values', () => {
    expect(customSize({})).toEqual({ keys: 0, bytes: 3 });
    expect(customSize({ a: 'é' })).toEqual({ keys: 1, bytes: 3 + 1 + 2 + 1 });
    expect(customSize({ n: 12345, b: true, l: ['ab', 'c'] }).keys).toBe(3);
  });

  it('refuse too many keys, one value too large, or too much together', () => {
    expect(customLimitIssue(filled('k', LEAD_CUSTOM_MAX_KEYS, 1))).toBeUndefined();
    expect(customLimitIssue(filled('k', LEAD_CUSTOM_MAX_KEYS + 1, 1))).toMatch(/at most 100/);
    expect(customLimitIssue({ big: '😀'.repeat(LEAD_CUSTOM_MAX_VALUE_BYTES / 4 + 1) })).toMatch(
      /one value holds at most/,
    );
    expect(customLimitIssue(filled('k', 8, 9000))).toMatch(/hold at most 65536 bytes/);
  });

  it('let an edit shrink an oversized lead, never grow it', () => {
    const oversized = filled('k', 8, 9000);
    const smaller = filled('k', 7, 9000);
    expect(customEditIssue(oversized, smaller)).toBeUndefined();
    expect(customEditIssue(smaller, oversized)).toMatch(/at most 65536/);
  });

  it('fit a merge key by key: what passes the caps is left out, not written', () => {
    // Prepare: a lead at 54 KB, and a submission bringing 54 KB more under new keys.
    const existing = filled('a', 6, 9000);
    const incoming = { ...filled('b', 6, 9000), a0: 'replaced' };

    // Act
    const { custom, skipped } = mergeCustomWithinLimits(existing, incoming);

    // Assess
    expect(customSize(custom).bytes).toBeLessThanOrEqual(LEAD_CUSTOM_MAX_BYTES);
    expect(custom.a0).toBe('replaced');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((k) => k.startsWith('b'))).toBe(true);
    expect(Object.keys(custom).filter((k) => k.startsWith('b'))).toHaveLength(6 - skipped.length);
  });

  it('never take a reserved key from a merge', () => {
    const incoming = JSON.parse('{"__proto__":{"x":1},"constructor":"c","ok":"yes"}');
    const { custom, skipped } = mergeCustomWithinLimits({}, incoming);
    expect(Object.keys(custom)).toEqual(['ok']);
    expect(skipped.sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(custom)).toBe(Object.prototype);
  });
});
