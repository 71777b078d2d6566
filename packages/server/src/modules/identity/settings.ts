/** A fixed-window limit: at most `limit` in each `windowSeconds` window. */
export type Limit = { limit: number; windowSeconds: number };

/**
 * Growing waits for one account from one client (sign-in-throttle.ts): `freeFailures` wrong
 * passwords cost nothing, then each further one makes that client wait `baseDelaySeconds`,
 * doubling up to `maxDelaySeconds`. A client with no failure for `forgetAfterSeconds` starts over.
 */
export type ThrottleSettings = {
  freeFailures: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  forgetAfterSeconds: number;
};

export type AuthSettings = {
  /** Absolute lifetime of a sign-in (a refresh-token family). */
  refreshTtlSeconds: number;
  inviteTtlSeconds: number;
  /**
   * A refresh token used again this soon after its rotation is a lost race (two tabs at once), not a
   * theft: answered 409 without ending the session. It never yields tokens either way.
   */
  refreshRaceGraceSeconds: number;
  /**
   * Where the mailed invitation links point (the token is appended as `?token=`); default the web
   * app's `/invite/` page.
   */
  inviteUrlBase?: string;
  /** How long a password reset link works (once). */
  passwordResetTtlSeconds: number;
  /** Reset mails asked for one address, and reset requests or uses from one client IP. */
  passwordResetPerAddress: Limit;
  passwordResetPerIp: Limit;
  /**
   * A reset request is answered no sooner than this, whether or not the address has an account,
   * so the time the answer takes does not tell (the lookup, token and mail fit well inside it).
   */
  passwordResetMinResponseMs: number;
  /** How long a self-serve sign-up's verification link works (once). */
  signupTtlSeconds: number;
  /** Sign-up mails asked for one address, and sign-ups or confirmations from one client IP. */
  signupPerAddress: Limit;
  signupPerIp: Limit;
  /** A sign-up is answered no sooner than this, new address or not (like a reset request). */
  signupMinResponseMs: number;
  /**
   * Wrong passwords (sign-in, password change, invitations) slow down only the client that sends
   * them: per account and client, growing waits; per client IP across accounts, a looser cap.
   */
  signInThrottle: ThrottleSettings;
  signInPerIp: Limit;
  /** How long a two-factor challenge (password right, code still to come) stays valid. */
  twoFactorChallengeTtlSeconds: number;
  /** Wrong codes one challenge may take before it is spent. */
  twoFactorAttemptsPerChallenge: number;
  /** Wrong codes per account (sign-in, enrolment, disabling), whatever the challenge. */
  twoFactorPerAccount: Limit;
  /** The issuer authenticator apps show next to the account. */
  twoFactorIssuer: string;
  requestsPerApiKey: Limit;
  requestsPerTenant: Limit;
  /** API keys record their last use at most this often, to save writes. */
  apiKeyTouchIntervalSeconds: number;
};

export type AuthOverrides = Partial<AuthSettings>;

export const defaultAuthSettings: AuthSettings = {
  refreshTtlSeconds: 30 * 24 * 3600,
  inviteTtlSeconds: 7 * 24 * 3600,
  refreshRaceGraceSeconds: 10,
  signInThrottle: {
    freeFailures: 5,
    baseDelaySeconds: 1,
    maxDelaySeconds: 15 * 60,
    forgetAfterSeconds: 24 * 3600,
  },
  signInPerIp: { limit: 50, windowSeconds: 15 * 60 },
  twoFactorChallengeTtlSeconds: 5 * 60,
  twoFactorAttemptsPerChallenge: 5,
  twoFactorPerAccount: { limit: 10, windowSeconds: 15 * 60 },
  twoFactorIssuer: 'Switchboard',
  requestsPerApiKey: { limit: 600, windowSeconds: 60 },
  requestsPerTenant: { limit: 6000, windowSeconds: 60 },
  apiKeyTouchIntervalSeconds: 60,
  passwordResetTtlSeconds: 30 * 60,
  passwordResetPerAddress: { limit: 10, windowSeconds: 3600 },
  passwordResetPerIp: { limit: 100, windowSeconds: 15 * 60 },
  passwordResetMinResponseMs: 400,
  signupTtlSeconds: 24 * 3600,
  signupPerAddress: { limit: 5, windowSeconds: 3600 },
  signupPerIp: { limit: 30, windowSeconds: 3600 },
  signupMinResponseMs: 400,
};

export function authSettings(overrides: AuthOverrides = {}): AuthSettings {
  return { ...defaultAuthSettings, ...overrides };
}
