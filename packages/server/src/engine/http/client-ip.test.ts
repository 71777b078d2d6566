import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientIp } from './client-ip';

const app = new Hono().get('/', (c) => c.json({ ip: clientIp(c) ?? null }));

describe('clientIp', () => {
  it("takes API Gateway's source IP on Lambda, never a client-written header", async () => {
    const res = await app.request(
      '/',
      { headers: { 'x-forwarded-for': '10.9.9.9' } },
      { requestContext: { identity: { sourceIp: '203.0.113.7' } } },
    );
    expect(await res.json()).toEqual({ ip: '203.0.113.7' });
  });

  it('is unknown without a transport (unit tests through app.request)', async () => {
    const res = await app.request('/', { headers: { 'x-forwarded-for': '10.9.9.9' } });
    expect(await res.json()).toEqual({ ip: null });
  });
});
