/** A fixed-window limit: at most `limit` in each `windowSeconds` window. */
export type Limit = { limit: number; windowSeconds: number };

export type AuthSettings = {
  /** Absolute lifetime of a sign-in (a refresh-token family). */
  refreshTtlSeconds: number;
  inviteTtlSeconds: number;
  /**
   * A refresh token used again this soon after its rotation is a lost race (two tabs at once), not a
   * theft: answered 409 without ending the session. It never yields tokens either way.
   */
  refreshRaceGraceSeconds: number;
  /** Where the web app accepts invitations; the token is appended as `#token=`. */
  inviteUrlBase?: string;
  /** Failed sign-ins (and wrong current passwords) before a lockout, per account and per client IP. */
  signInPerAccount: Limit;
  signInPerIp: Limit;
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
  signInPerAccount: { limit: 5, windowSeconds: 15 * 60 },
  signInPerIp: { limit: 50, windowSeconds: 15 * 60 },
  requestsPerApiKey: { limit: 600, windowSeconds: 60 },
  requestsPerTenant: { limit: 6000, windowSeconds: 60 },
  apiKeyTouchIntervalSeconds: 60,
};

export function authSettings(overrides: AuthOverrides = {}): AuthSettings {
  return { ...defaultAuthSettings, ...overrides };
}
