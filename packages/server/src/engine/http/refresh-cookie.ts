import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { AppError } from '../errors';
import { parseJsonText } from './route-input';

// The web app keeps its access token in memory and its refresh token in this cookie: httpOnly (no
// script can read it, so an XSS cannot steal a long-lived credential), SameSite=Strict (no other
// site can make the browser send it), Secure behind https, and scoped to /auth so no other route
// ever receives it. API clients keep using the refresh token from the JSON body.

export const refreshCookieName = 'sb_refresh';

function isHttps(c: Context): boolean {
  // Behind CloudFront / API Gateway the scheme arrives in X-Forwarded-Proto.
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  return (forwarded ?? new URL(c.req.url).protocol.replace(':', '')) === 'https';
}

/** Sets the cookie from a session response (login, refresh, switch-tenant, accept-invite). */
export function setRefreshCookie(
  c: Context,
  session: { refreshToken?: string; refreshExpiresIn?: number },
): void {
  if (!session.refreshToken) return;
  setCookie(c, refreshCookieName, session.refreshToken, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    path: '/auth',
    maxAge: session.refreshExpiresIn,
  });
}

export function clearRefreshCookie(c: Context): void {
  deleteCookie(c, refreshCookieName, { path: '/auth', secure: isHttps(c), sameSite: 'Strict' });
}

const refreshBody = z.object({ refreshToken: z.string().min(1).max(512).optional() });

/**
 * The refresh token from the body when there is one, else from the cookie, and which it was: an
 * answer to a cookie keeps the new token in the cookie only (never in script-readable JSON).
 */
export async function presentedRefreshToken(
  c: Context,
): Promise<{ token: string; from: 'body' | 'cookie' }> {
  const text = await c.req.text();
  const body = text.trim() ? parseJsonText(text, refreshBody) : {};
  if (body.refreshToken) return { token: body.refreshToken, from: 'body' };
  const token = getCookie(c, refreshCookieName);
  // No token at all is "not signed in" (a browser without the cookie), not a malformed request.
  if (!token) {
    throw new AppError('unauthenticated', 'No refresh token: send one in the body or sign in.');
  }
  return { token, from: 'cookie' };
}

/** A session answer without its refresh token, for a client that keeps it in the cookie. */
export function withoutRefreshToken<T extends { refreshToken?: string }>(
  response: T,
): Omit<T, 'refreshToken'> {
  const { refreshToken: _cookieOnly, ...rest } = response;
  return rest;
}
