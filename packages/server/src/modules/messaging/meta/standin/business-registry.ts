// Which token may see which WhatsApp Business Account, phone number and Instagram account: what
// Meta knows and Switchboard must ask about before it routes anything to a tenant.
//
// Registered ids (`registerWaba`, `registerInstagramAccount`, called by tests and demos) are Meta's
// truth: only the tokens named there see them, a registered WABA lists exactly its registered
// numbers, and a token's `/me` is the account it was registered for.
//
// Ids nobody registered are the sandbox's open world, so any numeric id works as in the README:
// every well-formed token sees them, an open WABA lists the open numbers this token has looked up
// (newest first, the way a business adds its number to its WABA), and `/me` is the Instagram
// account this token last looked up. No id joins the open world's owner by arrival order: an open
// id stays open until a test registers it.

/** Per token, how many looked-up numbers an open WABA remembers (the oldest are forgotten). */
const seenNumbersLimit = 1000;

export type Access = 'open' | 'granted' | 'denied';
export type RegisteredKind = 'waba' | 'phone_number' | 'instagram_account';

export class BusinessRegistry {
  private readonly wabas = new Map<string, { numbers: string[]; tokens: Set<string> }>();
  private readonly numberWaba = new Map<string, string>();
  private readonly igAccounts = new Map<string, Set<string>>();
  private readonly tokenAccount = new Map<string, string>();
  private readonly seenNumbers = new Map<string, string[]>();
  private readonly lastAccount = new Map<string, string>();

  /** The WABA holds these numbers, and these tokens (hashed) see it; calling again adds to both. */
  registerWaba(wabaId: string, phoneNumberIds: string[], tokenHashes: string[]): void {
    const waba = this.wabas.get(wabaId) ?? { numbers: [], tokens: new Set<string>() };
    for (const id of phoneNumberIds) {
      const previous = this.numberWaba.get(id);
      if (previous && previous !== wabaId) {
        const old = this.wabas.get(previous);
        if (old) old.numbers = old.numbers.filter((n) => n !== id);
      }
      this.numberWaba.set(id, wabaId);
      if (!waba.numbers.includes(id)) waba.numbers.push(id);
    }
    for (const token of tokenHashes) waba.tokens.add(token);
    this.wabas.set(wabaId, waba);
  }

  /** These tokens (hashed) are Instagram User tokens of this account: their `/me` is it. */
  registerInstagramAccount(accountId: string, tokenHashes: string[]): void {
    const tokens = this.igAccounts.get(accountId) ?? new Set<string>();
    for (const token of tokenHashes) {
      tokens.add(token);
      this.tokenAccount.set(token, accountId);
    }
    this.igAccounts.set(accountId, tokens);
  }

  kindOf(id: string): RegisteredKind | undefined {
    if (this.wabas.has(id)) return 'waba';
    if (this.numberWaba.has(id)) return 'phone_number';
    if (this.igAccounts.has(id)) return 'instagram_account';
    return undefined;
  }

  /** May this token read (and act on) this id? */
  access(id: string, tokenHash: string): Access {
    const waba = this.wabas.get(this.numberWaba.get(id) ?? id);
    if (waba) return waba.tokens.has(tokenHash) ? 'granted' : 'denied';
    const account = this.igAccounts.get(id);
    if (account) return account.has(tokenHash) ? 'granted' : 'denied';
    return 'open';
  }

  /** A `GET /{id}` of an open id: remembered so an open WABA can list it, or `/me` name it. */
  noteLookup(id: string, tokenHash: string, as: 'phone_number' | 'instagram_account'): void {
    if (this.access(id, tokenHash) !== 'open') return;
    if (as === 'instagram_account') {
      this.lastAccount.set(tokenHash, id);
      return;
    }
    const seen = (this.seenNumbers.get(tokenHash) ?? []).filter((n) => n !== id);
    seen.unshift(id);
    this.seenNumbers.set(tokenHash, seen.slice(0, seenNumbersLimit));
  }

  /** The numbers `GET /{waba-id}/phone_numbers` lists for this token (call `access` first). */
  phoneNumbersOf(wabaId: string, tokenHash: string): string[] {
    const waba = this.wabas.get(wabaId);
    if (waba) return [...waba.numbers];
    return (this.seenNumbers.get(tokenHash) ?? []).filter(
      (id) => this.access(id, tokenHash) === 'open',
    );
  }

  /** The Instagram account behind a token: registered, else the open one it last looked up. */
  accountBehind(tokenHash: string): string | undefined {
    return this.tokenAccount.get(tokenHash) ?? this.lastAccount.get(tokenHash);
  }

  wabaOfNumber(phoneNumberId: string): string | undefined {
    return this.numberWaba.get(phoneNumberId);
  }
}
