import * as oidc from 'openid-client';
import { safeRequest, UnsafeDestinationError } from '../leads/safe-http';

// The OpenID Connect relying party, on openid-client: discovery, the authorization request
// (authorization code with PKCE S256, state and nonce) and the code exchange with every check of
// the ID token (issuer, audience = our client id, nonce, expiry, and its signature against the
// provider's JWKS, even over TLS). Every request to a provider goes through safe-http: https and
// public addresses only (the sandbox may allow loopback), no redirects followed, answers capped,
// because a workspace owner chooses the issuer URL. No HTTP framework here: plain inputs.

/** One identity provider as a client of it: the platform's, or a workspace's. */
export type IdentityProvider = {
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only). */
  clientSecret?: string;
};

/** The platform's identity provider (deployment configuration; the secret from the secret store). */
export type PlatformIdentityProvider = {
  issuer: string;
  clientId: string;
  clientSecret: () => Promise<string | undefined>;
  /** What the login page calls it. */
  name: string;
  /**
   * `required` when the provider itself asks every user for a second factor (the Cognito pool
   * with MFA required): its sign-ins then count as two-factor ones (see sso.service.ts).
   */
  mfa?: 'off' | 'optional' | 'required';
};

export type SsoDeps = {
  platform?: PlatformIdentityProvider;
  /** Sandbox only: issuers on 127.0.0.1 / localhost, over http too. */
  allowLoopback?: boolean;
  /** Per request to a provider (default 10 s). */
  timeoutMs?: number;
  /** Sign-ins one client IP may start per minute (default 30; each writes a flow record). */
  startsPerIpPerMinute?: number;
};

/** What a provider proved about the person, after every check. */
export type VerifiedIdentity = {
  issuer: string;
  subject: string;
  email?: string;
  emailVerified: boolean;
  /** RFC 8176 authentication methods (`mfa`, `otp`, `pwd` …), when the provider says. */
  amr: string[];
};

/** Why a step with the provider failed; the message is for logs, never for the person. */
export class OidcError extends Error {
  override readonly name = 'OidcError';
  constructor(
    readonly reason: 'discovery' | 'denied' | 'exchange' | 'id_token' | 'userinfo',
    message: string,
    /** The openid-client / oauth4webapi code or the provider's `error`, for the audit trail. */
    readonly code?: string,
  ) {
    super(message);
  }
}

const discoveryTtlMs = 10 * 60 * 1000;
const metadataCache = new Map<string, { at: number; metadata: oidc.ServerMetadata }>();
const jwksCache = new Map<string, oidc.ExportedJWKSCache>();

function isPlainHttp(issuer: string): boolean {
  return new URL(issuer).protocol === 'http:';
}

function bodyText(body: oidc.CustomFetchOptions['body']): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new Error('unsupported request body for an identity provider');
}

/** openid-client's fetch, through safe-http (checked scheme and address, no redirects, capped). */
function guardedFetch(deps: SsoDeps): oidc.CustomFetch {
  return async (url, init) => {
    const method = init.method.toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw new Error(`unexpected method ${method}`);
    const res = await safeRequest(
      url,
      { method, headers: init.headers, body: bodyText(init.body) },
      { allowLoopback: deps.allowLoopback === true, timeoutMs: deps.timeoutMs ?? 10_000 },
    );
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined || ['content-length', 'transfer-encoding'].includes(name)) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    const empty = res.status === 204 || res.status === 304;
    return new Response(empty ? null : res.body, { status: res.status, headers });
  };
}

/** The provider's discovery document, cached for ten minutes per issuer. */
export async function discover(issuer: string, deps: SsoDeps): Promise<oidc.ServerMetadata> {
  const cached = metadataCache.get(issuer);
  if (cached && Date.now() - cached.at < discoveryTtlMs) return cached.metadata;
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(new URL(issuer), 'discovery', undefined, undefined, {
      [oidc.customFetch]: guardedFetch(deps),
      execute: isPlainHttp(issuer) && deps.allowLoopback ? [oidc.allowInsecureRequests] : [],
      timeout: Math.ceil((deps.timeoutMs ?? 10_000) / 1000),
    });
  } catch (err) {
    const reason =
      err instanceof UnsafeDestinationError
        ? err.message
        : `discovery of ${issuer} failed: ${(err as Error).message}`;
    throw new OidcError('discovery', reason, (err as { code?: string }).code);
  }
  const metadata = { ...config.serverMetadata() };
  if (!metadata.authorization_endpoint || !metadata.token_endpoint || !metadata.jwks_uri) {
    throw new OidcError('discovery', `${issuer} lacks an authorization, token or JWKS endpoint`);
  }
  metadataCache.set(issuer, { at: Date.now(), metadata });
  return metadata;
}

async function configurationOf(idp: IdentityProvider, deps: SsoDeps): Promise<oidc.Configuration> {
  const metadata = await discover(idp.issuer, deps);
  // Basic unless the provider lists only client_secret_post (the spec's default is Basic).
  const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  const auth = !idp.clientSecret
    ? oidc.None()
    : methods.includes('client_secret_basic') || !methods.includes('client_secret_post')
      ? oidc.ClientSecretBasic(idp.clientSecret)
      : oidc.ClientSecretPost(idp.clientSecret);
  const config = new oidc.Configuration(metadata, idp.clientId, undefined, auth);
  config[oidc.customFetch] = guardedFetch(deps);
  config.timeout = Math.ceil((deps.timeoutMs ?? 10_000) / 1000);
  if (isPlainHttp(idp.issuer) && deps.allowLoopback) oidc.allowInsecureRequests(config);
  // Verify the ID token's signature too, not only TLS to the token endpoint.
  oidc.enableNonRepudiationChecks(config);
  const jwks = jwksCache.get(idp.issuer);
  if (jwks) oidc.setJwksCache(config, jwks);
  return config;
}

function keepJwks(idp: IdentityProvider, config: oidc.Configuration): void {
  const jwks = oidc.getJwksCache(config);
  if (jwks) jwksCache.set(idp.issuer, jwks);
}

/** The secrets of one authorization request: kept server-side until the callback. */
export type AuthorizationRequest = {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
};

/** Builds the redirect to the provider: code flow, PKCE S256, state, nonce. */
export async function authorizationRequest(
  idp: IdentityProvider,
  deps: SsoDeps,
  input: { redirectUri: string; loginHint?: string },
): Promise<AuthorizationRequest> {
  const config = await configurationOf(idp, deps);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const parameters: Record<string, string> = {
    redirect_uri: input.redirectUri,
    scope: 'openid email profile',
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  if (input.loginHint) parameters.login_hint = input.loginHint;
  return { url: oidc.buildAuthorizationUrl(config, parameters).href, state, nonce, codeVerifier };
}

function isEntraIssuer(issuer: string): boolean {
  return new URL(issuer).hostname === 'login.microsoftonline.com';
}

function claimString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `true`, or the string `"true"` some providers (Cognito's userinfo, older ones) send. */
function claimTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * The callback: checks state, exchanges the code with the PKCE verifier, validates the ID token
 * (iss, aud, azp, exp, iat, nonce, signature) and reads the e-mail from it, or from the userinfo
 * endpoint when the provider keeps it there (with the same `sub`).
 */
export async function exchangeCode(
  idp: IdentityProvider,
  deps: SsoDeps,
  input: {
    /** The callback as the provider called it: our redirect URI plus its query. */
    callbackUrl: URL;
    state: string;
    nonce: string;
    codeVerifier: string;
  },
): Promise<VerifiedIdentity> {
  const config = await configurationOf(idp, deps);
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, input.callbackUrl, {
      pkceCodeVerifier: input.codeVerifier,
      expectedState: input.state,
      expectedNonce: input.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw asOidcError(err);
  } finally {
    keepJwks(idp, config);
  }
  const claims = tokens.claims();
  if (!claims) throw new OidcError('id_token', 'no ID token in the token response');
  let email = claimString(claims.email);
  let verified = claimTrue(claims.email_verified);
  if ((!email || claims.email_verified === undefined) && tokens.access_token) {
    // Providers that follow the spec's default keep scope claims in userinfo.
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      email ??= claimString(info.email);
      if (claims.email_verified === undefined) verified = claimTrue(info.email_verified);
    } catch (err) {
      const e = asOidcError(err);
      throw new OidcError('userinfo', e.message, e.code);
    }
  }
  // Entra ID has no email_verified; its optional claim `xms_edov` says the domain owner verified it.
  if (claims.email_verified === undefined && isEntraIssuer(claims.iss)) {
    verified = claimTrue(claims.xms_edov) || claims.xms_edov === 1;
  }
  return {
    issuer: claims.iss,
    subject: claims.sub,
    email: email?.toLowerCase(),
    emailVerified: verified,
    amr: Array.isArray(claims.amr) ? claims.amr.filter((v) => typeof v === 'string') : [],
  };
}

function asOidcError(err: unknown): OidcError {
  if (err instanceof OidcError) return err;
  if (err instanceof oidc.AuthorizationResponseError) {
    return new OidcError('denied', err.error_description ?? err.error, err.error);
  }
  if (err instanceof oidc.ResponseBodyError) {
    // The token endpoint refused: a spent or foreign code (invalid_grant), a wrong secret, …
    return new OidcError('exchange', err.error_description ?? err.error, err.error);
  }
  const code = (err as { code?: string }).code;
  // openid-client's message is generic; the cause it wraps names the claim ("aud", "nonce" …).
  const cause = (err as { cause?: unknown }).cause;
  const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
  const message = `${(err as Error).message ?? String(err)}${detail}`;
  const idTokenCodes = [
    'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
    'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
    'OAUTH_KEY_SELECTION_FAILED',
    'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  ];
  return new OidcError(
    code && idTokenCodes.includes(code) ? 'id_token' : 'exchange',
    message,
    code,
  );
}
