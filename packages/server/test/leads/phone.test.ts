import { describe, expect, it } from 'vitest';
import { isCountry, toE164, whatsappCustomerIdOf } from '../../src/modules/leads/phone';

describe('toE164', () => {
  it('reads a national number in the default country', () => {
    expect(toE164('(650) 555-1234', 'US')).toEqual({ ok: true, e164: '+16505551234' });
    expect(toE164('650.555.1234', 'us')).toEqual({ ok: true, e164: '+16505551234' });
    expect(toE164('11 99999-0001', 'BR')).toEqual({ ok: true, e164: '+5511999990001' });
    expect(toE164('020 7946 0958', 'GB')).toEqual({ ok: true, e164: '+442079460958' });
  });

  it('keeps an international number whatever the default country', () => {
    expect(toE164('+1 650-555-1234', 'BR')).toEqual({ ok: true, e164: '+16505551234' });
    expect(toE164('+55 (11) 99999-0001')).toEqual({ ok: true, e164: '+5511999990001' });
    expect(toE164('00 44 20 7946 0958')).toEqual({ ok: true, e164: '+442079460958' });
  });

  it('uses a form calling code only without a default country', () => {
    expect(toE164('11 99999-0001', undefined, '55')).toEqual({ ok: true, e164: '+5511999990001' });
    expect(toE164('(650) 555-1234', 'US', '55')).toEqual({ ok: true, e164: '+16505551234' });
  });

  it('refuses impossible numbers and national ones with nothing to read them in', () => {
    expect(toE164('(650) 555-1234')).toEqual({ ok: false });
    expect(toE164('123', 'US')).toEqual({ ok: false });
    expect(toE164('+1 123 456 7890')).toEqual({ ok: false });
    expect(toE164('555-0100', 'US')).toEqual({ ok: false });
    expect(toE164('+0 123 456 789')).toEqual({ ok: false });
    expect(toE164('not a phone', 'US')).toEqual({ ok: false });
    expect(toE164('', 'US')).toEqual({ ok: false });
    expect(toE164(`+1 650 555 1234${' '.repeat(40)}x`, 'US')).toEqual({ ok: false });
    // An unknown default country is ignored, not trusted.
    expect(toE164('(650) 555-1234', 'ZZ')).toEqual({ ok: false });
  });

  it('meets the WhatsApp customer id', () => {
    const result = toE164('(650) 555-1234', 'US');
    expect(result.ok && whatsappCustomerIdOf(result.e164)).toBe('wa-16505551234');
  });

  it('knows countries', () => {
    expect(isCountry('US')).toBe(true);
    expect(isCountry('ZZ')).toBe(false);
    expect(isCountry('us')).toBe(false);
  });
});
