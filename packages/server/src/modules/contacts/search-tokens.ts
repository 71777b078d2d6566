import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { Item } from '../../engine/data/dynamo';

// What the customer search index holds for a customer, and which index prefixes a search text
// reads. Pure functions: the index repo (customer-search.repo.ts) writes and reads the items.
//
// Token kinds (the prefix keeps them apart, so a phone query never reads name words):
//   t:<word>    each word of the name, folded (lower case, no diacritics), the lower-cased
//               e-mail, the Instagram @username
//   p:<digits>  the phone's E.164 digits, its national number, the Instagram id
//   s:<digits>  the phone's digits reversed: "the last digits" is a prefix of it

const MAX_NAME_WORDS = 12;
const MAX_TOKEN = 60;

/** Lower case without diacritics, so "joao" finds "João". */
export function foldForSearch(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim();
}

/** Folded words of a text: letters and digits, split on anything else. */
export function wordsOf(text: string): string[] {
  return foldForSearch(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .map((w) => w.slice(0, MAX_TOKEN));
}

const digitsOf = (value: string) => value.replace(/\D/g, '');
const reversed = (value: string) => [...value].reverse().join('');

function phoneTokens(e164: string): string[] {
  const digits = digitsOf(e164);
  if (digits.length < 3) return [];
  const national = parsePhoneNumberFromString(e164)?.nationalNumber;
  return [
    `p:${digits}`,
    ...(national && national !== digits ? [`p:${national}`] : []),
    `s:${reversed(digits)}`,
  ];
}

/** The sorted, distinct tokens of a stored customer item; none for a merged one (a pointer). */
export function searchTokensOf(item: Item): string[] {
  if (item.mergedInto) return [];
  const tokens = new Set<string>();
  const name = item.agentName ?? item.name;
  if (typeof name === 'string') {
    for (const w of wordsOf(name).slice(0, MAX_NAME_WORDS)) tokens.add(`t:${w}`);
  }
  if (typeof item.email === 'string') tokens.add(`t:${item.email.toLowerCase().slice(0, 254)}`);
  if (typeof item.username === 'string') {
    tokens.add(`t:${foldForSearch(item.username).slice(0, MAX_TOKEN)}`);
  }
  const phones = new Set<string>();
  if (typeof item.phone === 'string') phones.add(item.phone);
  const wa = item.identities?.whatsapp;
  if (typeof wa === 'string') phones.add(`+${digitsOf(wa)}`);
  for (const phone of phones) for (const t of phoneTokens(phone)) tokens.add(t);
  const ig = item.identities?.instagram;
  if (typeof ig === 'string' && /^\d+$/.test(ig)) tokens.add(`p:${ig}`);
  return [...tokens].sort();
}

/**
 * How a search text is read: the index prefixes in order (a customer is answered at the first
 * one it matches), and the words every answer must also start a `t:` token with.
 */
export type SearchPlan = { prefixes: string[]; alsoWords: string[] };

/**
 * `toE164` turns a complete number typed in any format into E.164 (the workspace's default
 * country for a national one), undefined when it is not one.
 */
export function searchPlanOf(
  text: string,
  toE164: (input: string) => string | undefined,
): SearchPlan | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  if (/^[+\d\s().\-/]+$/.test(trimmed) && digitsOf(trimmed).length >= 3) {
    const e164 = toE164(trimmed);
    const digits = e164 ? digitsOf(e164) : digitsOf(trimmed).replace(/^00/, '');
    return { prefixes: [`p:${digits}`, `s:${reversed(digitsOf(trimmed))}`], alsoWords: [] };
  }
  if (trimmed.includes('@')) {
    return { prefixes: [`t:${trimmed.toLowerCase().slice(0, 254)}`], alsoWords: [] };
  }
  const words = [...new Set(wordsOf(trimmed))];
  if (words.length === 0) return undefined;
  // The longest word reads the fewest index items; the others filter what it found.
  const [first, ...rest] = [...words].sort((a, b) => b.length - a.length);
  return { prefixes: [`t:${first}`], alsoWords: rest };
}

/**
 * Where a customer answers a plan: the first prefix (in plan order) one of its tokens starts
 * with, and the smallest such token. Answering a customer only there means one answer per
 * customer across every page, whichever of its tokens the index hit.
 */
export function firstMatchOf(
  tokens: string[],
  plan: SearchPlan,
): { index: number; token: string } | undefined {
  for (let index = 0; index < plan.prefixes.length; index++) {
    const token = tokens.find((t) => t.startsWith(plan.prefixes[index]!));
    if (token) return { index, token };
  }
  return undefined;
}

export function matchesAllWords(tokens: string[], words: string[]): boolean {
  return words.every((w) => tokens.some((t) => t.startsWith(`t:${w}`)));
}
