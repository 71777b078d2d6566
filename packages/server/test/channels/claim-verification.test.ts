import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/engine/data/keys';
import { signMeta } from '../factories/meta';
import { startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
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
  unroutedWith,
  waToken,
} from './claim-helpers';

// Channel claims are verified with Meta before anything is written (security review: "Channel
// claims are not verified with Meta"). The Meta stand-in holds the truth these tests register:
// which token sees which WABA and its numbers, and which Instagram account is behind a token.

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox({ retryDelaySeconds: 0 });
});
afterAll(async () => {
  await t?.stop();
});

async function openClaimsOf(tenantId: string): Promise<any[]> {
  const res = await t.api.request('GET', '/admin/channel-claims?limit=100', {
    token: t.adminToken,
  });
  expect(res.status).toBe(200);
  return res.json.items.filter((c: any) => c.claimant.tenantId === tenantId);
}

describe('WhatsApp: the WABA must list the number for the tenant’s token', () => {
  it('refuses a tenant claiming another business’s WABA with its own number; the owner connects, and its other numbers never reach the claimant', async () => {
    // Prepare: what Meta knows. A's business owns a WABA with two numbers; B's owns its own.
    const a = { token: waToken('owner-a'), wabaId: metaId('104'), numbers: [metaId(), metaId()] };
    const b = { token: waToken('owner-b'), wabaId: metaId('104'), number: metaId() };
    const stand = t.sb.metaStandIn!;
    stand.registerWaba(a.wabaId, { phoneNumberIds: a.numbers, tokens: [a.token] });
    stand.registerWaba(b.wabaId, { phoneNumberIds: [b.number], tokens: [b.token] });
    const tenantA = await onboard(t);
    const tenantB = await onboard(t);

    // Act: B claims A's WABA id with B's own number and B's own (valid) token.
    const attack = await connectWa(t, tenantB, {
      wabaId: a.wabaId,
      phoneNumberId: b.number,
      accessToken: b.token,
    });

    // Assess: refused with a code, and nothing was written: no channel, no route, no claim.
    expectError(attack, 422, 'channel_not_verified');
    expect(attack.json.error.param).toBe('wabaId');
    expect(attack.text).not.toContain(b.token);
    expect(await channelsOf(t, tenantB)).toEqual([]);
    expect(await route(t, 'wa-phone', b.number)).toBeUndefined();
    expect(await route(t, 'wa-waba', a.wabaId)).toBeUndefined();
    expect(await openClaimsOf(tenantB.id)).toEqual([]);

    // The real owner connects without a 409, and its WABA route is a proven one.
    const owner = await connectWa(t, tenantA, {
      wabaId: a.wabaId,
      phoneNumberId: a.numbers[0]!,
      accessToken: a.token,
    });
    expect(owner.status, owner.text).toBe(201);
    expect(await route(t, 'wa-waba', a.wabaId)).toMatchObject({
      tenantId: tenantA.id,
      channelId: owner.json.id,
      verifiedAt: expect.any(String),
    });
    // B connects what is really B's.
    const own = await connectWa(t, tenantB, {
      wabaId: b.wabaId,
      phoneNumberId: b.number,
      accessToken: b.token,
    });
    expect(own.status, own.text).toBe(201);

    // A message to A's other number (not connected: the WABA fallback) reaches A, never B.
    await deliverWa(t, {
      wabaId: a.wabaId,
      phoneNumberId: a.numbers[1]!,
      from: '5511911110001',
      text: 'to the second number of A',
    });
    await deliverWa(t, {
      wabaId: b.wabaId,
      phoneNumberId: b.number,
      from: '5511911110002',
      text: 'to B',
    });
    const ofA = await conversationsOf(t, tenantA);
    const ofB = await conversationsOf(t, tenantB);
    expect(ofA.map((c) => c.lastMessagePreview)).toEqual(['to the second number of A']);
    expect(ofB.map((c) => c.lastMessagePreview)).toEqual(['to B']);
  });

  it('refuses a number that the WABA does not list, though the token sees both', async () => {
    const token = waToken('two-wabas');
    const [wabaX, wabaY] = [metaId('104'), metaId('104')];
    const [inX, inY] = [metaId(), metaId()];
    t.sb.metaStandIn!.registerWaba(wabaX, { phoneNumberIds: [inX], tokens: [token] });
    t.sb.metaStandIn!.registerWaba(wabaY, { phoneNumberIds: [inY], tokens: [token] });
    const tenant = await onboard(t);

    const res = await connectWa(t, tenant, {
      wabaId: wabaX,
      phoneNumberId: inY,
      accessToken: token,
    });

    expectError(res, 422, 'channel_not_verified');
    expect(await channelsOf(t, tenant)).toEqual([]);
    expect(await route(t, 'wa-phone', inY)).toBeUndefined();
    expect(await route(t, 'wa-waba', wabaX)).toBeUndefined();
    // The right pair connects.
    const ok = await connectWa(t, tenant, {
      wabaId: wabaY,
      phoneNumberId: inY,
      accessToken: token,
    });
    expect(ok.status, ok.text).toBe(201);
  });

  it('refuses a number the token cannot see at all, as Meta hides it', async () => {
    const owner = waToken('hidden-owner');
    const wabaId = metaId('104');
    const number = metaId();
    t.sb.metaStandIn!.registerWaba(wabaId, { phoneNumberIds: [number], tokens: [owner] });
    const tenant = await onboard(t);

    const res = await connectWa(t, tenant, {
      wabaId,
      phoneNumberId: number,
      accessToken: waToken('someone-else'),
    });

    expectError(res, 422, 'channel_not_found');
    expect(res.json.error.meta).toMatchObject({ code: 100 });
    expect(await channelsOf(t, tenant)).toEqual([]);
    expect(await route(t, 'wa-phone', number)).toBeUndefined();
  });

  it('keeps the proven WABA fallback when one of the tenant’s two numbers is disconnected', async () => {
    const token = waToken('two-numbers');
    const wabaId = metaId('104');
    const numbers = [metaId(), metaId(), metaId()];
    t.sb.metaStandIn!.registerWaba(wabaId, { phoneNumberIds: numbers, tokens: [token] });
    const tenant = await onboard(t);
    const first = await connectWa(t, tenant, {
      wabaId,
      phoneNumberId: numbers[0]!,
      accessToken: token,
    });
    const second = await connectWa(t, tenant, {
      wabaId,
      phoneNumberId: numbers[1]!,
      accessToken: token,
    });
    expect([first.status, second.status]).toEqual([201, 201]);

    const removed = await t.api.request('DELETE', `/channels/${second.json.id}`, {
      token: tenant.token,
    });

    expect(removed.status).toBe(204);
    expect(await route(t, 'wa-waba', wabaId)).toMatchObject({
      tenantId: tenant.id,
      channelId: first.json.id,
      verifiedAt: expect.any(String),
    });
    await deliverWa(t, {
      wabaId,
      phoneNumberId: numbers[2]!,
      from: '5511911110005',
      text: 'fallback after a disconnect',
    });
    expect((await conversationsOf(t, tenant)).map((c) => c.lastMessagePreview)).toEqual([
      'fallback after a disconnect',
    ]);
  });

  it('routes nothing by a WABA key nobody proved (from before verification); the proven owner takes it over', async () => {
    // Prepare: a WABA route as the old, unverified connect wrote it for a squatter.
    const squatter = await onboard(t);
    const wabaId = metaId('104');
    await t.sb.db.put({
      ...keys.route('wa-waba', wabaId),
      tenantId: squatter.id,
      channelId: 'ch_legacyunverified00000',
      entity: 'Route',
    });

    // Act: a message for a number of that WABA that no one connected.
    await deliverWa(t, {
      wabaId,
      phoneNumberId: metaId(),
      from: '5511911110003',
      text: 'for an unproven waba',
    });

    // Assess: kept for the platform admin, not delivered to the squatter.
    expect(await conversationsOf(t, squatter)).toEqual([]);
    expect(await unroutedWith(t, 'for an unproven waba')).toMatchObject({
      reason: 'waba_not_verified',
      routingKeys: { wabaId },
    });

    // The business that proves the WABA (its token lists its number there) takes the route over.
    const owner = await onboard(t);
    const token = waToken('legacy-owner');
    const number = metaId();
    t.sb.metaStandIn!.registerWaba(wabaId, { phoneNumberIds: [number], tokens: [token] });
    const res = await connectWa(t, owner, { wabaId, phoneNumberId: number, accessToken: token });
    expect(res.status, res.text).toBe(201);
    expect(await route(t, 'wa-waba', wabaId)).toMatchObject({
      tenantId: owner.id,
      verifiedAt: expect.any(String),
    });
    await deliverWa(t, {
      wabaId,
      phoneNumberId: metaId(),
      from: '5511911110004',
      text: 'for the proven waba',
    });
    expect((await conversationsOf(t, owner)).map((c) => c.lastMessagePreview)).toEqual([
      'for the proven waba',
    ]);
    expect(await conversationsOf(t, squatter)).toEqual([]);
  });
});

describe('Instagram: the account behind the token must be the claimed id', () => {
  it('refuses an account id that is not the token’s own, writes nothing, and connects the token’s own', async () => {
    const token = igToken('account-b');
    const own = metaId('178414');
    t.sb.metaStandIn!.registerInstagramAccount(own, { tokens: [token] });
    const tenant = await onboard(t);
    const someoneElses = metaId('178414');

    const res = await connectIg(t, tenant, { accountId: someoneElses, accessToken: token });

    expectError(res, 422, 'channel_not_verified');
    expect(res.json.error.param).toBe('accountId');
    expect(await channelsOf(t, tenant)).toEqual([]);
    expect(await route(t, 'ig', someoneElses)).toBeUndefined();
    expect(await openClaimsOf(tenant.id)).toEqual([]);

    const ok = await connectIg(t, tenant, { accountId: own, accessToken: token });
    expect(ok.status, ok.text).toBe(201);
    await deliverIg(t, { accountId: own, senderId: '6100000000000101', text: 'oi conta certa' });
    expect((await conversationsOf(t, tenant)).map((c) => c.lastMessagePreview)).toEqual([
      'oi conta certa',
    ]);
  });

  it('refuses another business’s registered account: Meta hides it from this token', async () => {
    const theirs = metaId('178414');
    t.sb.metaStandIn!.registerInstagramAccount(theirs, { tokens: [igToken('account-a')] });
    const mine = igToken('account-c');
    t.sb.metaStandIn!.registerInstagramAccount(metaId('178414'), { tokens: [mine] });
    const tenant = await onboard(t);

    const res = await connectIg(t, tenant, { accountId: theirs, accessToken: mine });

    expectError(res, 422, 'channel_not_found');
    expect(res.json.error.meta).toMatchObject({ code: 100 });
    expect(await channelsOf(t, tenant)).toEqual([]);
    expect(await route(t, 'ig', theirs)).toBeUndefined();
  });
});

describe('the README’s Try-it flow, verified by the stand-in', () => {
  it('connects the README’s number and account with its tokens, routes both webhooks, and replies', async () => {
    // The README's exact ids and tokens: ids nobody registered are the stand-in's open world.
    const tenant = await onboard(t);
    const wa = await connectWa(t, tenant, {
      wabaId: '1040000000',
      phoneNumberId: '1090000000',
      accessToken: 'EAAG-example-token',
    });
    expect(wa.status, wa.text).toBe(201);
    const body = `{"object":"whatsapp_business_account","entry":[{"id":"1040000000","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"1090000000"},"contacts":[{"profile":{"name":"Ana"},"wa_id":"5511900000001"}],"messages":[{"from":"5511900000001","id":"wamid.TEST1","timestamp":"${Math.floor(Date.now() / 1000)}","type":"text","text":{"body":"Oi!"}}]}}]}]}`;
    await postRaw(body);
    const [conv] = await waitFor(async () => {
      const items = await conversationsOf(t, tenant);
      return items.length > 0 && items;
    });
    expect(conv.lastMessagePreview).toBe('Oi!');

    const sent = await t.api.request('POST', '/send-message', {
      token: tenant.token,
      body: { conversationId: conv.id, text: 'Olá Ana!' },
    });
    expect(sent.status, sent.text).toBe(202);
    await waitFor(
      async () => {
        const res = await t.api.request('GET', `/conversations/${conv.id}/messages`, {
          token: tenant.token,
        });
        return res.json.items.find((m: any) => m.id === sent.json.id)?.status === 'read';
      },
      { what: 'read status' },
    );

    const ig = await connectIg(t, tenant, {
      accountId: '17841400000000001',
      accessToken: 'IGAA-example-token',
    });
    expect(ig.status, ig.text).toBe(201);
    const now = Date.now();
    await postRaw(
      `{"object":"instagram","entry":[{"id":"17841400000000001","time":${now},"messaging":[{"sender":{"id":"6100000000000001"},"recipient":{"id":"17841400000000001"},"timestamp":${now},"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx","text":"Oi! Ainda tem o tênis 42?"}}]}]}`,
    );
    const igConvs = await waitFor(async () => {
      const res = await t.api.request('GET', '/conversations?channel=instagram', {
        token: tenant.token,
      });
      return res.json.items.length > 0 && res.json.items;
    });
    expect(igConvs[0].lastMessagePreview).toBe('Oi! Ainda tem o tênis 42?');
  });
});

/** Posts bytes as the README's curl does (the signature over exactly these bytes). */
async function postRaw(raw: string): Promise<void> {
  const res = await t.api.request('POST', '/webhooks/meta', {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signMeta(raw, t.sb.meta.appSecret),
    },
  });
  expect(res.status, res.text).toBe(200);
}
