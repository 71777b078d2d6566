import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waTextEntry } from '../factories/meta';
import { waitFor, type TestSandbox } from '../helpers/harness';
import {
  deliver,
  messagesOf,
  startOutboundSandbox,
  waTenant,
  type WaTenant,
} from '../outbound/outbound-harness';

// Writing first: POST /conversations sends an approved template (checked by the Meta stand-in) to
// a number nobody has written from, creating the contact and conversation the person's reply
// then lands in; POST /conversations/{id}/lead makes a lead of the contact, once.

let t: TestSandbox;
let tenant: WaTenant;

beforeAll(async () => {
  t = await startOutboundSandbox();
  tenant = await waTenant(t);
  const branding = await t.api.request('PUT', '/branding', {
    token: tenant.token,
    body: { colors: {}, defaultCountry: 'US' },
  });
  expect(branding.status).toBe(200);
});

afterAll(async () => {
  await t?.stop();
});

const template = {
  name: 'appointment_reminder',
  language: 'en_US',
  parameters: { first_name: 'Jane', date: 'Friday 10:00' },
};

function start(body: unknown, headers?: Record<string, string>) {
  return t.api.request('POST', '/conversations', { token: tenant.token, body, headers });
}

describe('starting a conversation', () => {
  it('sends the template to a new number and answers the conversation and the message', async () => {
    const res = await start(
      { channelId: tenant.channelId, to: '(650) 555-2368', template },
      { 'idempotency-key': 'start-jane-1' },
    );
    expect(res.status, res.text).toBe(201);
    expect(res.json.conversation).toMatchObject({
      channel: 'whatsapp',
      channelId: tenant.channelId,
      customer: { id: 'wa-16505552368' },
      lastMessageDirection: 'outbound',
    });
    expect(res.json.message.conversationId).toBe(res.json.conversation.id);
    const sent = t.sb.metaStandIn!.sent.find(
      (s) => s.channelMessageId === res.json.message.channelMessageId,
    );
    expect(sent?.body).toMatchObject({
      to: '16505552368',
      type: 'template',
      template: { name: 'appointment_reminder', language: { code: 'en_US' } },
    });
    const thread = await messagesOf(t, tenant.token, res.json.conversation.id);
    expect(thread).toHaveLength(1);
    expect(thread[0]).toMatchObject({ type: 'template', direction: 'outbound' });

    // A retry with the same key: the same message, nothing sent again.
    const before = t.sb.metaStandIn!.sent.length;
    const again = await start(
      { channelId: tenant.channelId, to: '(650) 555-2368', template },
      { 'idempotency-key': 'start-jane-1' },
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json.message.id).toBe(res.json.message.id);
    expect(t.sb.metaStandIn!.sent.length).toBe(before);

    // The person answers on WhatsApp: the same conversation.
    await deliver(t, [
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from: '16505552368',
        name: 'Jane',
        text: 'Yes, Friday works',
      }),
    ]);
    const replied = await waitFor(async () => {
      const thread2 = await messagesOf(t, tenant.token, res.json.conversation.id);
      return thread2.some((m) => m.direction === 'inbound') && thread2;
    });
    expect(replied).toHaveLength(2);
  });

  it('writes to an existing contact by id', async () => {
    const res = await start({
      channelId: tenant.channelId,
      customerId: 'wa-16505552368',
      template,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.conversation.customer.id).toBe('wa-16505552368');
  });

  it('refuses an impossible number as a field error, and sends nothing', async () => {
    const before = t.sb.metaStandIn!.sent.length;
    const res = await start({ channelId: tenant.channelId, to: '(123) 456-7890', template });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('validation_failed');
    expect(res.json.error.fields.to).toEqual(expect.any(String));
    expect(t.sb.metaStandIn!.sent.length).toBe(before);
  });

  it('refuses a template Meta does not have, an unknown channel or contact, and both addresses', async () => {
    const unknownTemplate = await start({
      channelId: tenant.channelId,
      to: '+1 650 555 2369',
      template: { name: 'summer_promo', language: 'en_US' },
    });
    expect(unknownTemplate.status).toBe(422);
    expect(unknownTemplate.json.error.code).toBe('template_not_found');
    const noChannel = await start({ channelId: 'ch_unknown', to: '+16505552369', template });
    expect(noChannel.status).toBe(404);
    const noContact = await start({ channelId: tenant.channelId, customerId: 'wa-1999', template });
    expect(noContact.status).toBe(404);
    const both = await start({
      channelId: tenant.channelId,
      to: '+16505552369',
      customerId: 'wa-16505552368',
      template,
    });
    expect(both.status).toBe(400);
  });
});

describe('a lead from a conversation', () => {
  it('is created once, from the contact, and answered again on a second call', async () => {
    const started = await start({ channelId: tenant.channelId, to: '+1 (415) 555-0142', template });
    expect(started.status, started.text).toBe(201);
    const conversationId = started.json.conversation.id;

    const first = await t.api.request('POST', `/conversations/${conversationId}/lead`, {
      token: tenant.token,
    });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({
      customerId: 'wa-14155550142',
      phone: '+14155550142',
      source: 'conversation',
      conversationId,
      submissionCount: 1,
    });
    const second = await t.api.request('POST', `/conversations/${conversationId}/lead`, {
      token: tenant.token,
    });
    expect(second.status).toBe(200);
    expect(second.json.id).toBe(first.json.id);

    // The lead is the contact's: listed under it, once.
    const leads = await t.api.request('GET', `/leads?customerId=wa-14155550142`, {
      token: tenant.token,
    });
    expect(leads.json.items.map((l: any) => l.id)).toEqual([first.json.id]);
  });

  it('joins the open lead the contact already has instead of making a second one', async () => {
    const submitted = await t.api.request('POST', '/leads', {
      token: tenant.token,
      body: { fields: { name: 'Sam Form', phone: '(415) 555-0177' } },
    });
    expect(submitted.status).toBe(202);
    const formLead = await waitFor(async () => {
      const res = await t.api.request('GET', '/leads?customerId=wa-14155550177', {
        token: tenant.token,
      });
      return res.json.items[0];
    });
    const started = await start({ channelId: tenant.channelId, to: '4155550177', template });
    const res = await t.api.request('POST', `/conversations/${started.json.conversation.id}/lead`, {
      token: tenant.token,
    });
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(formLead.id);
    expect(res.json.submissionCount).toBe(2);
  });

  it('is 404 for a conversation that does not exist', async () => {
    const res = await t.api.request('POST', '/conversations/cv_nope/lead', {
      token: tenant.token,
    });
    expect(res.status).toBe(404);
  });
});
