import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

// A real OpenID provider (oidc-provider) on 127.0.0.1 for the single sign-on tests. Its login is
// a custom interaction (devInteractions off) that signs in the test account named in the
// interaction URL's `?account=`; consent is implied for the registered clients (first party).
// `signIn` plays the browser: it follows the provider's redirects by hand, with a cookie jar of
// its own, until the provider sends it back to a client's redirect URI.

export type TestAccount = { email?: string; emailVerified: boolean; amr?: string[] };
export type TestClient = { id: string; secret: string; redirectUri: string };

export type TestIdp = {
  issuer: string;
  addAccount(id: string, account: TestAccount): void;
  /** From an authorization URL to the URL the provider redirects back to, signed in as `accountId`. */
  signIn(authorizationUrl: string, accountId: string): Promise<string>;
  /** The next token response carries this ID token instead of its own. */
  swapNextIdToken(idToken: string): void;
  /** A whole code flow (PKCE) for another registered client: the ID token it gets. */
  idTokenFor(clientId: string, accountId: string, nonce: string): Promise<string>;
  /** Token endpoint requests the provider answered (grant type and status). */
  tokenRequests: { status: number; error?: string }[];
  stop(): Promise<void>;
};

/** A port free right now on 127.0.0.1 (the provider's issuer must be known before it listens). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const b64url = (buf: Buffer) => buf.toString('base64url');

export async function startTestIdp(opts: {
  port?: number;
  clients: TestClient[];
}): Promise<TestIdp> {
  const port = opts.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, TestAccount>();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-idp-1', alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      redirect_uris: [c.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [b64url(randomBytes(32))] },
    features: { devInteractions: { enabled: false } },
    // amr with the openid scope, so the ID token says how the person signed in.
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'] },
    pkce: { required: () => true },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          ...(account.email ? { email: account.email } : {}),
          email_verified: account.emailVerified,
        }),
      };
    },
    // First-party clients: every requested scope is granted without a consent screen.
    loadExistingGrant: async (ctx: {
      oidc: {
        client: { clientId: string };
        session: { accountId: string; grantIdFor(clientId: string): string | undefined };
        result?: { consent?: { grantId?: string } };
        provider: {
          Grant: {
            find(id: string): Promise<unknown>;
            new (input: { accountId: string; clientId: string }): {
              addOIDCScope(scope: string): void;
              save(): Promise<string>;
            };
          };
        };
      };
    }) => {
      const { oidc } = ctx;
      const existing =
        oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      if (existing) return oidc.provider.Grant.find(existing);
      const grant = new oidc.provider.Grant({
        accountId: oidc.session.accountId,
        clientId: oidc.client.clientId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });

  let swap: string | undefined;
  const tokenRequests: TestIdp['tokenRequests'] = [];
  provider.use(async (ctx, next) => {
    const interaction = /^\/interaction\/[^/]+$/.exec(ctx.path);
    if (interaction && ctx.method === 'GET') {
      await provider.interactionDetails(ctx.req, ctx.res);
      const accountId = String(ctx.query.account ?? '');
      const account = accounts.get(accountId);
      const result = account
        ? { login: { accountId, ...(account.amr ? { amr: account.amr } : {}) } }
        : { error: 'access_denied', error_description: 'no such test account' };
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
        mergeWithLastSubmission: false,
      });
      ctx.redirect(returnTo);
      ctx.status = 303;
      return;
    }
    await next();
    if (ctx.path === '/token' && ctx.method === 'POST') {
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      tokenRequests.push({ status: ctx.status, error: body.error as string | undefined });
      if (swap && ctx.status === 200 && body.id_token) {
        ctx.body = { ...body, id_token: swap };
        swap = undefined;
      }
    }
  });

  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, '127.0.0.1', () => resolve(s));
  });

  async function signIn(authorizationUrl: string, accountId: string): Promise<string> {
    const jar = new Map<string, string>();
    let url = authorizationUrl;
    for (let hop = 0; hop < 10; hop++) {
      const target = new URL(url);
      if (target.origin !== issuer) return url;
      if (target.pathname.startsWith('/interaction/'))
        target.searchParams.set('account', accountId);
      const res = await fetch(target, {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const cookie of res.headers.getSetCookie()) {
        const pair = cookie.split(';')[0]!;
        const eq = pair.indexOf('=');
        const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
        if (!value || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name);
        else jar.set(name, value);
      }
      const location = res.headers.get('location');
      if (!location) {
        throw new Error(
          `the provider answered ${res.status} without a redirect: ${await res.text()}`,
        );
      }
      url = new URL(location, target).href;
    }
    throw new Error('too many redirects at the provider');
  }

  async function idTokenFor(clientId: string, accountId: string, nonce: string): Promise<string> {
    const client = opts.clients.find((c) => c.id === clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    const verifier = b64url(randomBytes(32));
    const challenge = b64url(createHash('sha256').update(verifier).digest());
    const auth = new URL(`${issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: client.id,
      redirect_uri: client.redirectUri,
      response_type: 'code',
      scope: 'openid email',
      state: b64url(randomBytes(16)),
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })) {
      auth.searchParams.set(k, v);
    }
    const back = new URL(await signIn(auth.href, accountId));
    const code = back.searchParams.get('code');
    if (!code) throw new Error(`no code for ${clientId}: ${back.href}`);
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: client.redirectUri,
        code_verifier: verifier,
      }),
    });
    const json = (await res.json()) as { id_token?: string };
    if (!json.id_token) throw new Error(`no ID token for ${clientId}: ${JSON.stringify(json)}`);
    return json.id_token;
  }

  return {
    issuer,
    addAccount: (id, account) => accounts.set(id, account),
    signIn,
    swapNextIdToken: (idToken) => {
      swap = idToken;
    },
    idTokenFor,
    tokenRequests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
