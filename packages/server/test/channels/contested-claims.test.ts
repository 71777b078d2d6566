import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestSandbox,
  type ApiResponse,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import {
  channelsOf,
  connectIg,
  connectWa,
  conversationsOf,
  deliverIg,
  deliverWa,
  expectError,
  igToken,
  metaId,
  onboard,
  route,
  waToken,
} from './claim-helpers';

// Two workspaces that both prove an id to Meta (a WABA shared between businesses, a token of the
// same Instagram account): the first holder keeps it, the second gets 409
// `channel_claim_contested`, and the platform admin lists and decides the claim. Arrival order
// settles nothing.

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox({ retryDelaySeconds: 0 });
});
afterAll(async () => {
  await t?.stop();
});

async function claims(status: 'open' | 'closed' = 'open'): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse<any> = await t.api.request(
      'GET',
      `/admin/channel-claims?status=${status}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: t.adminToken },
    );
    expect(res.status, res.text).toBe(200);
    items.push(...res.json.items);
    cursor = res.json.nextCursor;
  } while (cursor);
  return items;
}

function resolve(claimId: string, body: unknown, token = t.adminToken) {
  return t.api.request('POST', `/admin/channel-claims/${claimId}/resolve`, { token, body });
}

/** A WABA that two businesses' tokens both see (Meta allows sharing a WABA). */
function sharedWaba(numbers: number) {
  const w = {
    wabaId: metaId('104'),
    numbers: Array.from({ length: numbers }, () => metaId()),
    tokenA: waToken('shared-a'),
    tokenB: waToken('shared-b'),
  };
  t.sb.metaStandIn!.registerWaba(w.wabaId, {
    phoneNumberIds: w.numbers,
    tokens: [w.tokenA, w.tokenB],
  });
  return w;
}

describe('a contested WhatsApp number', () => {
  let a: TestTenant;
  let b: TestTenant;
  let w: ReturnType<typeof sharedWaba>;
  let claimId: string;

  beforeAll(async () => {
    w = sharedWaba(2);
    a = await onboard(t);
    b = await onboard(t);
    const first = await connectWa(t, a, {
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      accessToken: w.tokenA,
    });
    expect(first.status, first.text).toBe(201);
  });

  it('answers the second verified claimant 409 channel_claim_contested, and the holder keeps routing', async () => {
    const res = await connectWa(t, b, {
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      accessToken: w.tokenB,
    });

    expectError(res, 409, 'channel_claim_contested');
    claimId = res.json.error.claimId;
    expect(claimId).toMatch(/^cc_/);
    // The claimant learns what is contested, never who holds it.
    expect(res.json.error.contested).toEqual([
      { kind: 'whatsapp_phone_number', externalId: w.numbers[0] },
      { kind: 'whatsapp_business_account', externalId: w.wabaId },
    ]);
    expect(res.text).not.toContain(a.id);
    expect(res.text).not.toContain(w.tokenB);
    expect(await channelsOf(t, b)).toEqual([]);
    expect(await route(t, 'wa-phone', w.numbers[0]!)).toMatchObject({ tenantId: a.id });

    await deliverWa(t, {
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      from: '5511922220001',
      text: 'still for A',
    });
    expect((await conversationsOf(t, a)).map((c) => c.lastMessagePreview)).toEqual(['still for A']);
    expect(await conversationsOf(t, b)).toEqual([]);
  });

  it('lists the claim for the platform admin, once per claimant however often it retries', async () => {
    const retry = await connectWa(t, b, {
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      accessToken: w.tokenB,
    });
    expectError(retry, 409, 'channel_claim_contested');
    expect(retry.json.error.claimId).toBe(claimId);

    const listed = (await claims()).filter((c) => c.id === claimId);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      status: 'open',
      channelType: 'whatsapp',
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0],
      claimant: { tenantId: b.id, tenantName: expect.any(String) },
      contested: [
        {
          kind: 'whatsapp_phone_number',
          externalId: w.numbers[0],
          holderTenantId: a.id,
          holderTenantName: expect.any(String),
        },
        { kind: 'whatsapp_business_account', externalId: w.wabaId, holderTenantId: a.id },
      ],
      verifiedWith: 'waba_phone_numbers',
      attempts: 2,
    });
    expect(JSON.stringify(listed)).not.toContain(w.tokenB);
    expect(JSON.stringify(listed)).not.toContain('tokenCiphertext');
  });

  it('is for platform admins only', async () => {
    const list = await t.api.request('GET', '/admin/channel-claims', { token: b.token });
    expectError(list, 403, 'forbidden');
    const decide = await resolve(claimId, { awardTo: 'claimant' }, b.token);
    expectError(decide, 403, 'forbidden');
    expect(await channelsOf(t, b)).toEqual([]);
  });

  it('keeps the number with the holder when the admin says so, audited, and decides only once', async () => {
    const res = await resolve(claimId, { awardTo: 'holder', note: 'A showed the contract' });

    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      id: claimId,
      status: 'kept_by_holder',
      resolution: { awardedTo: 'holder', note: 'A showed the contract', at: expect.any(String) },
    });
    expect((await claims()).map((c) => c.id)).not.toContain(claimId);
    expect((await claims('closed')).map((c) => c.id)).toContain(claimId);
    expect(await route(t, 'wa-phone', w.numbers[0]!)).toMatchObject({ tenantId: a.id });
    expectError(await resolve(claimId, { awardTo: 'claimant' }), 409, 'conflict');
    expect(await channelsOf(t, b)).toEqual([]);

    const trail = await t.api.request('GET', '/admin/audit-events?limit=50', {
      token: t.adminToken,
    });
    expect(trail.json.items).toContainEqual(
      expect.objectContaining({
        action: 'channel.claim_resolved',
        target: { type: 'channel_claim', id: claimId },
      }),
    );
    const ofHolder = await t.api.request('GET', '/audit-events?limit=50', { token: a.token });
    const event = ofHolder.json.items.find((e: any) => e.action === 'channel.claim_resolved');
    expect(event?.details).toMatchObject({ awardedTo: 'this_workspace' });
    expect(JSON.stringify(ofHolder.json)).not.toContain(b.id);
  });

  it('answers an unknown claim 404', async () => {
    expectError(await resolve('cc_00000000000000000000', { awardTo: 'holder' }), 404, 'not_found');
  });
});

describe('awarding a claim to the claimant', () => {
  it('moves a contested WABA route: the claimant gets its number and the fallback, the holder keeps its own number', async () => {
    const w = sharedWaba(3);
    const a = await onboard(t);
    const b = await onboard(t);
    expect(
      (
        await connectWa(t, a, {
          wabaId: w.wabaId,
          phoneNumberId: w.numbers[0]!,
          accessToken: w.tokenA,
        })
      ).status,
    ).toBe(201);
    // B's number is free, but the WABA's fallback route is A's, proven: that is contested.
    const res = await connectWa(t, b, {
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[1]!,
      accessToken: w.tokenB,
    });
    expectError(res, 409, 'channel_claim_contested');
    expect(res.json.error.contested).toEqual([
      { kind: 'whatsapp_business_account', externalId: w.wabaId },
    ]);
    expect(await route(t, 'wa-phone', w.numbers[1]!)).toBeUndefined();

    const decided = await resolve(res.json.error.claimId, { awardTo: 'claimant' });

    expect(decided.status, decided.text).toBe(200);
    expect(decided.json.status).toBe('awarded_to_claimant');
    const [channel] = await channelsOf(t, b);
    expect(channel).toMatchObject({ phoneNumberId: w.numbers[1], status: 'active' });
    expect(await route(t, 'wa-waba', w.wabaId)).toMatchObject({
      tenantId: b.id,
      channelId: channel.id,
      verifiedAt: expect.any(String),
    });
    expect((await channelsOf(t, a)).map((c) => c.phoneNumberId)).toEqual([w.numbers[0]]);

    // Exact routes stay exact; the WABA's third number now falls back to B.
    for (const [phoneNumberId, from, text] of [
      [w.numbers[0]!, '5511922220010', 'A own number'],
      [w.numbers[1]!, '5511922220011', 'B awarded number'],
      [w.numbers[2]!, '5511922220012', 'WABA fallback'],
    ] as const) {
      await deliverWa(t, { wabaId: w.wabaId, phoneNumberId, from, text });
    }
    const previewsOf = async (tenant: TestTenant) =>
      (await conversationsOf(t, tenant)).map((c) => c.lastMessagePreview).sort();
    expect(await previewsOf(a)).toEqual(['A own number']);
    expect(await previewsOf(b)).toEqual(['B awarded number', 'WABA fallback'].sort());
    // The claimant's channel works with the token it proved: it can send.
    const [conv] = await conversationsOf(t, b);
    const sent = await t.api.request('POST', '/send-message', {
      token: b.token,
      body: { conversationId: conv.id, text: 'Olá!' },
    });
    expect(sent.status, sent.text).toBe(202);
  });

  it('takes a contested number from the holder, whose channel is disconnected and whose conversations stay', async () => {
    const w = sharedWaba(1);
    const a = await onboard(t);
    const b = await onboard(t);
    const held = await connectWa(t, a, {
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      accessToken: w.tokenA,
    });
    expect(held.status).toBe(201);
    await deliverWa(t, {
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      from: '5511922220003',
      text: 'before the award',
    });
    const claim = await connectWa(t, b, {
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      accessToken: w.tokenB,
    });
    expectError(claim, 409, 'channel_claim_contested');

    const decided = await resolve(claim.json.error.claimId, { awardTo: 'claimant' });

    expect(decided.status, decided.text).toBe(200);
    expect(await channelsOf(t, a)).toEqual([]);
    const [channel] = await channelsOf(t, b);
    expect(await route(t, 'wa-phone', w.numbers[0]!)).toMatchObject({
      tenantId: b.id,
      channelId: channel.id,
    });
    expect(await route(t, 'wa-waba', w.wabaId)).toMatchObject({ tenantId: b.id });
    await deliverWa(t, {
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      from: '5511922220004',
      text: 'after the award',
    });
    expect((await conversationsOf(t, b)).map((c) => c.lastMessagePreview)).toEqual([
      'after the award',
    ]);
    expect((await conversationsOf(t, a)).map((c) => c.lastMessagePreview)).toEqual([
      'before the award',
    ]);
    const ofHolder = await t.api.request('GET', '/audit-events?limit=50', { token: a.token });
    expect(
      ofHolder.json.items.find((e: any) => e.action === 'channel.claim_resolved')?.details,
    ).toMatchObject({ awardedTo: 'other_workspace', disconnectedChannelIds: held.json.id });
  });

  it('refuses the award when the number changed hands since the claim, and the claim stays open', async () => {
    const w = sharedWaba(1);
    const tokenC = waToken('shared-c');
    t.sb.metaStandIn!.registerWaba(w.wabaId, { phoneNumberIds: [], tokens: [tokenC] });
    const [a, b, c] = [await onboard(t), await onboard(t), await onboard(t)];
    const body = (accessToken: string) => ({
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      accessToken,
    });
    const held = await connectWa(t, a, body(w.tokenA));
    expect(held.status).toBe(201);
    const claim = await connectWa(t, b, body(w.tokenB));
    expectError(claim, 409, 'channel_claim_contested');
    // A lets go, and C connects the number before the admin decides.
    expect(
      (await t.api.request('DELETE', `/channels/${held.json.id}`, { token: a.token })).status,
    ).toBe(204);
    expect((await connectWa(t, c, body(tokenC))).status).toBe(201);

    const decided = await resolve(claim.json.error.claimId, { awardTo: 'claimant' });

    expectError(decided, 409, 'conflict');
    expect((await claims()).map((x) => x.id)).toContain(claim.json.error.claimId);
    expect(await channelsOf(t, b)).toEqual([]);
    expect(await route(t, 'wa-phone', w.numbers[0]!)).toMatchObject({ tenantId: c.id });
  });
});

describe('claims that lapse, and Instagram', () => {
  it('closes a claim as lapsed when the holder releases the number and the claimant connects it', async () => {
    const w = sharedWaba(1);
    const [a, b] = [await onboard(t), await onboard(t)];
    const body = (accessToken: string) => ({
      wabaId: w.wabaId,
      phoneNumberId: w.numbers[0]!,
      accessToken,
    });
    const held = await connectWa(t, a, body(w.tokenA));
    const claim = await connectWa(t, b, body(w.tokenB));
    expectError(claim, 409, 'channel_claim_contested');
    await t.api.request('DELETE', `/channels/${held.json.id}`, { token: a.token });

    const connected = await connectWa(t, b, body(w.tokenB));

    expect(connected.status, connected.text).toBe(201);
    const closed = (await claims('closed')).find((x) => x.id === claim.json.error.claimId);
    expect(closed).toMatchObject({ status: 'lapsed' });
    expect(closed.resolution).toBeUndefined();
  });

  it('contests an Instagram account whose tokens two workspaces hold', async () => {
    const accountId = metaId('178414');
    const [tokenA, tokenB] = [igToken('ig-a'), igToken('ig-b')];
    t.sb.metaStandIn!.registerInstagramAccount(accountId, { tokens: [tokenA, tokenB] });
    const [a, b] = [await onboard(t), await onboard(t)];
    expect((await connectIg(t, a, { accountId, accessToken: tokenA })).status).toBe(201);

    const res = await connectIg(t, b, { accountId, accessToken: tokenB });

    expectError(res, 409, 'channel_claim_contested');
    expect((await claims()).find((c) => c.id === res.json.error.claimId)).toMatchObject({
      channelType: 'instagram',
      accountId,
      verifiedWith: 'instagram_me',
      contested: [{ kind: 'instagram_account', externalId: accountId, holderTenantId: a.id }],
    });
    await deliverIg(t, { accountId, senderId: '6100000000000201', text: 'ig for A' });
    expect((await conversationsOf(t, a)).map((c) => c.lastMessagePreview)).toEqual(['ig for A']);
    expect(await conversationsOf(t, b)).toEqual([]);
  });
});
