import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, onboard, startAuthSandbox, type AuthSandbox, type Person } from './helpers';

// Fixed-window limits kept in the table (so they hold across Lambda instances): requests per API
// key and per tenant. (Sign-in throttling has its own suite: sign-in-throttle.test.ts.) The
// sandbox's clock is moved instead of sleeping; each test starts at the beginning of a fresh
// window so counts never straddle two.

let t: AuthSandbox;
let tenantId: string;
let owner: Person;

beforeAll(async () => {
  t = await startAuthSandbox({
    auth: {
      requestsPerApiKey: { limit: 3, windowSeconds: 60 },
      requestsPerTenant: { limit: 20, windowSeconds: 60 },
    },
  });
  ({ tenantId, owner } = await onboard(t, 'Limits'));
});

afterAll(async () => {
  await t?.stop();
});

/** Moves the clock to one second into the next window of `seconds`. */
function startOfNextWindow(seconds: number): void {
  const now = t.clock.now().getTime();
  const next = Math.ceil(now / 1000 / seconds) * seconds * 1000;
  t.clock.advance((next - now) / 1000 + 1);
}

function expectRetryLater(
  res: { status: number; json: any; headers: Headers },
  code: string,
  max: number,
) {
  expect(res.status).toBe(429);
  expect(res.json.error.code).toBe(code);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(max);
  expect(res.json.error.retryAfterSeconds).toBe(retryAfter);
}

describe('request limits', () => {
  it('limits requests per API key with 429 rate_limited and Retry-After', async () => {
    startOfNextWindow(60);
    const { key } = await createApiKey(t, owner.session.accessToken, ['read']);
    const call = () => t.api.request('GET', '/conversations', { headers: { 'x-api-key': key } });
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);
    expectRetryLater(await call(), 'rate_limited', 60);
    // A second key of the same tenant has its own budget.
    const { key: other } = await createApiKey(t, owner.session.accessToken, ['read']);
    expect(
      (await t.api.request('GET', '/conversations', { headers: { 'x-api-key': other } })).status,
    ).toBe(200);
    startOfNextWindow(60);
    expect((await call()).status).toBe(200);
  });

  it('limits requests per tenant, whatever the credential', async () => {
    startOfNextWindow(60);
    const call = () => t.api.request('GET', '/users', { token: owner.session.accessToken });
    for (let i = 0; i < 20; i++) expect((await call()).status).toBe(200);
    expectRetryLater(await call(), 'rate_limited', 60);
    startOfNextWindow(60);
    expect((await call()).status).toBe(200);
    expect(tenantId).toBeTruthy();
  });
});
