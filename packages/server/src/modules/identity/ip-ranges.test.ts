import { describe, expect, it } from 'vitest';
import { ipRangeMatcher } from './ip-ranges';

describe('ipRangeMatcher', () => {
  it('matches IPv4 and IPv6 ranges and single addresses', () => {
    // Prepare
    const allowed = ipRangeMatcher(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7']);

    // Act / Assess
    expect(allowed('203.0.113.200')).toBe(true);
    expect(allowed('203.0.114.1')).toBe(false);
    expect(allowed('2001:db8:1::5')).toBe(true);
    expect(allowed('2001:db9::1')).toBe(false);
    expect(allowed('198.51.100.7')).toBe(true);
    expect(allowed('198.51.100.8')).toBe(false);
  });

  it('sees an IPv4-mapped IPv6 peer as its IPv4 address, and refuses an unknown one', () => {
    // Prepare
    const allowed = ipRangeMatcher(['127.0.0.0/8']);

    // Act / Assess
    expect(allowed('::ffff:127.0.0.1')).toBe(true);
    expect(allowed(undefined)).toBe(false);
    expect(allowed('not-an-ip')).toBe(false);
  });
});
