// Phone numbers to E.164 (`+<country code><number>`, 8-15 digits), so a number typed as
// "+55 (11) 99999-9999" on a form and the WhatsApp sender 5511999999999 are the same contact
// (customer `wa-5511999999999`). Without a leading + or 00 the form's default country code is
// used, after dropping national trunk zeros.

const separators = /[\s().\-/\u00a0]/g;

export function normalisePhone(input: string, defaultCountryCode?: string): string | undefined {
  const compact = input.trim().replace(separators, '');
  if (compact.length === 0 || compact.length > 32) return undefined;
  let digits: string;
  if (compact.startsWith('+')) digits = compact.slice(1);
  else if (compact.startsWith('00')) digits = compact.slice(2);
  else if (defaultCountryCode) digits = defaultCountryCode + compact.replace(/^0+/, '');
  else return undefined;
  if (!/^[1-9]\d{7,14}$/.test(digits)) return undefined;
  return `+${digits}`;
}

/** `+5511999999999` -> `wa-5511999999999`: the id WhatsApp customers get (customer.repo.ts). */
export function whatsappCustomerIdOf(e164: string): string {
  return `wa-${e164.slice(1)}`;
}

/** Lower-cased and trimmed: the form every e-mail is compared in. */
export function normaliseEmail(input: string): string {
  return input.trim().toLowerCase();
}
