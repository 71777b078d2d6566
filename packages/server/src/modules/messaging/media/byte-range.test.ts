import { describe, expect, it } from 'vitest';
import { byteRange } from './byte-range';

describe('byteRange', () => {
  it('reads one range of the three forms, clamped to the file', () => {
    // Act / Assess
    expect(byteRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(byteRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(byteRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(byteRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(byteRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
  });

  it('answers the whole file (undefined) for no range, several, or one it cannot serve', () => {
    // Act / Assess
    for (const header of [
      undefined,
      '',
      'bytes=-',
      'bytes=0-1,5-9',
      'bytes=1000-',
      'bytes=5-2',
      'items=0-1',
      'bytes=-0',
      'bytes=99999999999999999999-',
    ]) {
      expect(byteRange(header, 1000)).toBeUndefined();
    }
    expect(byteRange('bytes=0-1', 0)).toBeUndefined();
  });
});
