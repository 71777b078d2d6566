import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, importJWK, type JWTPayload } from 'jose';
import type { Db, Item } from '../../src/engine/data/dynamo';
import { keys, tenantPk } from '../../src/engine/data/keys';
import { tenantData } from '../../src/engine/data/tenant-data';
import { linksOf, parseMessage } from '../../src/engine/local/mime';
import type { Sandbox, SandboxOptions } from '../../src/engine/sandbox/sandbox';
import { LocalTokenCipher } from '../../src/engine/security/token-cipher';
import type { Role } from '../../src/engine/topology';
import { envelope, waTextEntry } from '../factories/meta';
import { postWebhook, startTestSandbox, waitForDrain, type TestSandbox } from '../helpers/harness';

// Shared set-up for the auth tests. scrypt costs ~50 ms per hash: create people sparingly and
// reuse them across a file.

export const password = 'correct horse battery staple';

/** A clock the sandbox reads for sessions, rate-limit windows and audit times; tests move it. */
export class TestClock {
  offsetMs = 0;
  readonly now = () => new Date(Date.now() + this.offsetMs);
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export type AuthSandbox = TestSandbox & { clock: TestClock };

export async function startAuthSandbox(opts: Partial<SandboxOptions> = {}): Promise<AuthSandbox> {
  const clock = new TestClock();
  const t = await startTestSandbox({ now: clock.now, ...opts });
  return { ...t, clock };
}

export type Session = {
  accessToken: string;
  refreshToken: string;
  tenantId?: string;
  user: { id: string; email: string };
  tenants: { tenantId: string; role: Role }[];
};

export type Person = { id: string; email: string; password: string; session: Session };

let seq = 0;
export const uniqueEmail = (label: string) =>
  `${label}-${process.pid}-${Date.now()}-${++seq}@example.com`;

export async function signIn(t: TestSandbox, email: string, pass = password): Promise<Session> {
  const res = await t.api.request('POST', '/auth/login', { body: { email, password: pass } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.json;
}

/** Onboards a tenant through the admin API; its owner signs in. */
export async function onboard(
  t: TestSandbox,
  name = 'Tenant',
): Promise<{ tenantId: string; owner: Person }> {
  const email = uniqueEmail('owner');
  const res = await t.api.request('POST', '/admin/tenants', {
    token: t.adminToken,
    body: { name, ownerEmail: email, ownerPassword: password },
  });
  if (res.status !== 201) throw new Error(`tenant create failed: ${res.status} ${res.text}`);
  const session = await signIn(t, email);
  return { tenantId: res.json.id, owner: { id: session.user.id, email, password, session } };
}

// ---- the sandbox's mailbox: every mail is an RFC 5322 file `<dataDir>/mail/*.eml`

export type Mail = {
  file: string;
  raw: string;
  from: string;
  to: string;
  subject: string;
  kind?: string;
  text: string;
  html?: string;
  links: string[];
};

/** Every mail the sandbox wrote to `address` (oldest first), read from the .eml files. */
export function mailsTo(sb: Sandbox, address: string, kind?: string): Mail[] {
  const dir = join(sb.dataDir, 'mail');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((file) => {
      const raw = readFileSync(join(dir, file), 'utf8');
      const parsed = parseMessage(raw);
      const h = parsed.headers;
      const text = parsed.text ?? '';
      return {
        file,
        raw,
        from: h.get('from') ?? '',
        to: h.get('to') ?? '',
        subject: h.get('subject') ?? '',
        kind: h.get('x-switchboard-kind'),
        text,
        html: parsed.html,
        links: linksOf(text),
      };
    })
    .filter((m) => m.to.toLowerCase().includes(`<${address.toLowerCase()}>`))
    .filter((m) => !kind || m.kind === kind);
}

/** The newest mail of that kind to `address`; fails the test when there is none. */
export function lastMailTo(sb: Sandbox, address: string, kind?: string): Mail {
  const mail = mailsTo(sb, address, kind).at(-1);
  if (!mail) throw new Error(`no ${kind ?? ''} mail to ${address}`);
  return mail;
}

/**
 * The token of the mail's link to a web app page (`/invite/?token=…`, `/reset-password/?token=…`;
 * or whatever page `inviteUrlBase` names).
 */
export function tokenOf(mail: Mail, page: 'invite' | 'reset-password'): string {
  const urls = mail.links.map((l) => new URL(l)).filter((u) => u.searchParams.has('token'));
  const url = urls.find((u) => u.pathname === `/${page}/`) ?? urls[0];
  const token = url?.searchParams.get('token');
  if (!token) throw new Error(`no ${page} link in ${mail.file}:\n${mail.text}`);
  return token;
}

/** Invites a person with `role` and accepts (from the mailed link) as a new account. */
export async function addMember(
  t: TestSandbox,
  ownerToken: string,
  role: Role,
  email = uniqueEmail(role),
): Promise<Person> {
  const invite = await t.api.request('POST', '/users', {
    token: ownerToken,
    body: { email, role },
  });
  if (invite.status !== 201) throw new Error(`invite failed: ${invite.status} ${invite.text}`);
  const accepted = await t.api.request('POST', '/auth/accept-invite', {
    body: { token: tokenOf(lastMailTo(t.sb, email, 'invitation'), 'invite'), password },
  });
  if (accepted.status !== 200) {
    throw new Error(`accept failed: ${accepted.status} ${accepted.text}`);
  }
  return { id: accepted.json.user.id, email, password, session: accepted.json };
}

export async function createApiKey(
  t: TestSandbox,
  token: string,
  scopes: string[],
  name = 'test key',
): Promise<{ id: string; key: string }> {
  const res = await t.api.request('POST', '/api-keys', { token, body: { name, scopes } });
  if (res.status !== 201) throw new Error(`api key create failed: ${res.status} ${res.text}`);
  return { id: res.json.id, key: res.json.key };
}

let metaSeq = 0;
export const newMetaId = () =>
  `77${String(process.pid % 1000).padStart(3, '0')}${String(Date.now() % 1e7).padStart(7, '0')}${String(++metaSeq).padStart(4, '0')}`;

function sandboxCipher(sb: Sandbox): LocalTokenCipher {
  return new LocalTokenCipher(
    readFileSync(join(sb.dataDir, 'secrets', 'channelTokenKey.secret'), 'utf8').trim(),
  );
}

/**
 * Gives a tenant a WhatsApp channel (written through the tenant-scoped data layer, so these tests do
 * not depend on Meta's stand-in) and one inbound conversation delivered through the real webhook.
 */
export async function seedInbox(
  t: TestSandbox,
  tenantId: string,
  accessToken: string,
): Promise<{
  channelId: string;
  wabaId: string;
  phoneNumberId: string;
  customerId: string;
  conversationId: string;
  from: string;
}> {
  const wabaId = newMetaId();
  const phoneNumberId = newMetaId();
  const from = `55119${newMetaId().slice(-8)}`;
  const data = tenantData(t.sb.db, { tenantId, actor: { kind: 'system', reason: 'test' } });
  const channel = await data.channels.create({
    type: 'whatsapp',
    wabaId,
    phoneNumberId,
    tokenCiphertext: await sandboxCipher(t.sb).encrypt('EAAG-test-token-0123456789', { tenantId }),
  });
  const res = await postWebhook(
    t.api,
    t.sb.meta.appSecret,
    envelope('whatsapp_business_account', [
      waTextEntry({ wabaId, phoneNumberId, from, text: `hello ${tenantId}` }),
    ]),
  );
  if (res.status !== 200) throw new Error(`webhook failed: ${res.status}`);
  await waitForDrain(t.sb);
  const convs = await t.api.request('GET', '/conversations', { token: accessToken });
  const conv = convs.json.items[0];
  if (!conv) throw new Error(`no conversation: ${convs.status} ${convs.text}`);
  return {
    channelId: channel.id,
    wabaId,
    phoneNumberId,
    customerId: conv.customer.id,
    conversationId: conv.id,
    from,
  };
}

/** Every item a tenant owns (its partitions), to prove a request changed nothing. */
export async function tenantSnapshot(db: Db, tenantId: string, extraPks: string[] = []) {
  const out: Item[] = [];
  for (const pk of [tenantPk(tenantId), ...extraPks]) {
    let startKey: Item | undefined;
    do {
      const page = await db.query({ pk, startKey, consistent: true });
      out.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
  }
  return JSON.stringify(out, (_k, v) => (v instanceof Set ? [...v].sort() : v));
}

export const messagesPk = (tenantId: string, customerId: string) =>
  keys.messagePk(tenantId, customerId);

/** Signs a token with the sandbox's own key: how the tests build expired or forged-claim tokens. */
export async function signWithSandboxKey(
  sb: Sandbox,
  payload: JWTPayload,
  opts: { expiresIn?: string | number; issuedAt?: number } = {},
): Promise<string> {
  const set = JSON.parse(
    readFileSync(join(sb.dataDir, 'secrets', 'jwtSigningKeys.secret'), 'utf8'),
  ) as { keys: { kid: string; privateJwk: Record<string, string> }[] };
  const key = set.keys[0]!;
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer('switchboard')
    .setAudience('switchboard-api')
    .setIssuedAt(opts.issuedAt)
    .setExpirationTime(opts.expiresIn ?? '15m');
  return jwt.sign(await importJWK(key.privateJwk, 'ES256'));
}

export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
