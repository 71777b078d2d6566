import { consentKeywordKey, type ConsentKeywords } from '@switchboard/contracts';

// Which keyword, if any, a customer's message is. Only a message that is the keyword and nothing
// else counts (“stop”, “Stop!”, “STOP ALL”): “please don't stop” is a conversation, not an opt-out.

export type KeywordMatch = {
  status: 'opted_out' | 'opted_in';
  /** The keyword as the workspace wrote it (upper case). */
  keyword: string;
  language: string;
  reply: string;
};

/** Messages longer than this are never a keyword (the longest allowed keyword is 40). */
export const MAX_KEYWORD_MESSAGE = 80;

export function matchConsentKeyword(
  text: string | undefined,
  keywords: ConsentKeywords,
): KeywordMatch | undefined {
  if (!text || text.length > MAX_KEYWORD_MESSAGE) return undefined;
  const key = consentKeywordKey(text);
  if (!key) return undefined;
  const exact = text.trim().toUpperCase();
  let loose: KeywordMatch | undefined;
  // Languages in the workspace's order; an exact spelling (ARRÊT) wins over an accent-free one.
  for (const lang of keywords.languages) {
    for (const [status, words, reply] of [
      ['opted_out', lang.optOut, lang.optOutReply],
      ['opted_in', lang.optIn, lang.optInReply],
    ] as const) {
      for (const word of words) {
        if (consentKeywordKey(word) !== key) continue;
        const match = { status, keyword: word, language: lang.language, reply };
        if (word === exact) return match;
        loose ??= match;
      }
    }
  }
  return loose;
}
