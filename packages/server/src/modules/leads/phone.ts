// Phone numbers to E.164 (`+<country code><number>`), so "(650) 555-1234" typed on a US landing
// page, "+1 650-555-1234" in a CSV and the WhatsApp sender `16505551234` are one contact
// (customer `wa-16505551234`, see whatsappCustomerIdOf). Parsing and validation use
// libphonenumber-js with its full ("max") metadata: the server is the authority, so it checks
// each country's number patterns, not only lengths (the web form pre-checks with "/min").
// A number without "+" or "00" is read in the default country (a tenant's ISO 3166 alpha-2
// country) or, for a form that sets one, with that form's calling code.
import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';

export type E164Result = { ok: true; e164: string } | { ok: false };

const maxInputLength = 40;

/**
 * `toE164('(650) 555-1234', 'US')` -> `{ ok: true, e164: '+16505551234' }`; an impossible or
 * unparseable number (or a national number with no default to read it in) -> `{ ok: false }`.
 * `defaultCallingCode` ("55") is used only when `defaultCountry` is not given.
 */
export function toE164(
  input: string,
  defaultCountry?: string,
  defaultCallingCode?: string,
): E164Result {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > maxInputLength) return { ok: false };
  // "00 44 20 ..." is the international prefix of most of the world: read it as "+".
  const text = /^00[1-9]/.test(trimmed.replace(/[\s().\-/]/g, ''))
    ? `+${trimmed.replace(/[\s().\-/]/g, '').slice(2)}`
    : trimmed;
  const country = defaultCountry?.toUpperCase();
  const options =
    country && isCountry(country)
      ? { defaultCountry: country }
      : defaultCallingCode
        ? { defaultCallingCode }
        : undefined;
  const parsed = parsePhoneNumberFromString(text, options);
  if (!parsed || !parsed.isValid()) return { ok: false };
  return { ok: true, e164: parsed.number };
}

/** A two-letter country code libphonenumber knows (upper case): the tenant default country. */
export function isCountry(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

/** `+5511999999999` -> `wa-5511999999999`: the id WhatsApp customers get (customer.repo.ts). */
export function whatsappCustomerIdOf(e164: string): string {
  return `wa-${e164.slice(1)}`;
}

/** Lower-cased and trimmed: the form every e-mail is compared in. */
export function normaliseEmail(input: string): string {
  return input.trim().toLowerCase();
}
