import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsBatchHandler } from '../../src/engine/ports/queue';
import { startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import { messagesOf, newWaId, waTenant, type WaTenant } from '../outbound/outbound-harness';
import { contactFormBody, publishedForm, waitForLead } from './lead-fixtures';

// A form's WhatsApp follow-up, end to end through the sandbox's HTTP API and the Meta stand-in:
// a ticked opt-in box on a public submission sends the form's approved template to the submitted
// phone once the lead exists, in the conversation the lead is linked to, with the box's consent
// recorded first; a redelivered or replayed event sends nothing again; no tick, nothing sent.

const optInLabel = 'Send me updates on WhatsApp (I can stop them any time).';
const origin = 'https://landing.example.com';

let t: TestSandbox;
let tenant: WaTenant;
/** Every LeadMergeQueue body the consumer received, oldest first (to deliver them again). */
const mergeBodies: string[] = [];

beforeAll(async () => {
  t = await startTestSandbox({
    retryDelaySeconds: 0,
    metaStatusDelayMs: 40,
    graph: { timeoutMs: 2_000, maxAttempts: 3, backoffBaseMs: 5, backoffMaxMs: 20 },
    wrapLeadConsumer: (queue, handler): SqsBatchHandler =>
      queue !== 'LeadMergeQueue'
        ? handler
        : async (event, context) => {
            for (const record of event.Records) mergeBodies.push(record.body);
            return handler(event, context);
          },
  });
  tenant = await waTenant(t);
});

afterAll(async () => {
  await t?.stop();
});

/** The contact form, a WhatsApp opt-in box, and a follow-up mapping the first name and a field. */
function handoffForm(overrides: Record<string, unknown> = {}) {
  const body = contactFormBody();
  return {
    ...body,
    fields: [
      ...body.fields,
      {
        key: 'wa_optin',
        type: 'checkbox',
        label: optInLabel,
        required: false,
        consent: true,
        consentChannel: 'whatsapp',
      },
    ],
    whatsappHandoff: {
      channelId: tenant.channelId,
      template: {
        name: 'appointment_reminder',
        language: 'en_US',
        parameters: {
          first_name: { field: 'contact.first_name', fallback: 'there' },
          date: { field: 'contact.attributes.interest', fallback: 'soon' },
        },
      },
    },
    ...overrides,
  };
}

async function submit(formId: string, fields: Record<string, unknown>) {
  const res = await t.api.request('POST', `/public/forms/${formId}/submissions`, {
    body: { fields },
    headers: { origin, referer: `${origin}/book` },
  });
  expect(res.status, res.text).toBe(202);
  return res.json.submissionId as string;
}

const sendsTo = (digits: string) =>
  t.sb.metaStandIn!.sent.filter((s) => s.channel === 'whatsapp' && s.recipientId === digits);

/** Until every lead queue is empty: what a submission sets off has run. */
async function leadQueuesDrained() {
  await waitFor(
    async () =>
      Object.values(t.sb.leads.queues).every(({ queue }) => {
        const stats = queue.stats();
        return stats.visible + stats.inFlight === 0;
      }),
    { what: 'the lead queues to drain' },
  );
}

describe('form to WhatsApp', () => {
  it('sends the template once, links the lead to its conversation, consent first', async () => {
    // Prepare
    const formId = await publishedForm(t.api, tenant.token, handoffForm());
    const digits = newWaId();

    // Act
    const submissionId = await submit(formId, {
      name: 'Ana Lima',
      phone: `+${digits}`,
      interest: 'demo',
      terms: true,
      wa_optin: true,
    });

    // Assess: one template to that number, the parameters mapped from the submission.
    const lead = await waitForLead(t.api, tenant.token, submissionId, (l) => !!l.conversationId);
    const sent = await waitFor(async () => sendsTo(digits).length > 0 && sendsTo(digits), {
      what: 'the follow-up at the stand-in',
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({
      to: digits,
      type: 'template',
      template: {
        name: 'appointment_reminder',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            // Named parameters: their order is not Meta's concern (nor kept by every engine).
            parameters: expect.arrayContaining([
              { type: 'text', parameter_name: 'first_name', text: 'Ana' },
              { type: 'text', parameter_name: 'date', text: 'demo' },
            ]),
          },
        ],
      },
    });

    // The lead names the conversation, which shows the outbound template.
    const conversation = await t.api.request('GET', `/conversations/${lead.conversationId}`, {
      token: tenant.token,
    });
    expect(conversation.status).toBe(200);
    expect(conversation.json.customer.id).toBe(lead.customerId);
    const thread = await messagesOf(t, tenant.token, lead.conversationId);
    expect(thread).toHaveLength(1);
    expect(thread[0]).toMatchObject({
      direction: 'outbound',
      type: 'template',
      channelMessageId: sent[0]!.channelMessageId,
      template: { name: 'appointment_reminder', language: 'en_US' },
    });

    // The box's consent, with its label and the lead as the evidence.
    const consent = await t.api.request('GET', `/customers/${lead.customerId}/consent`, {
      token: tenant.token,
    });
    expect(consent.status).toBe(200);
    expect(consent.json.items[0]).toMatchObject({
      status: 'opted_in',
      latest: {
        evidence: {
          source: 'form',
          formId,
          leadId: lead.id,
          label: optInLabel,
          pageUrl: `${origin}/book`,
        },
      },
    });

    // Redelivered as it was (same event id), and replayed under a new event id: nothing again.
    await leadQueuesDrained();
    const delivered = mergeBodies.filter(
      (body) => JSON.parse(body).detail.submissionId === submissionId,
    );
    expect(delivered.length).toBeGreaterThan(0);
    const replayed = JSON.stringify({ ...JSON.parse(delivered[0]!), id: `${submissionId}-again` });
    await t.sb.leads.queues.LeadMergeQueue.queue.sendBatch([
      { body: delivered[0]! },
      { body: replayed },
    ]);
    await waitFor(async () => mergeBodies.filter((body) => body === replayed).length > 0, {
      what: 'the replay to reach the merge',
    });
    await leadQueuesDrained();
    expect(sendsTo(digits)).toHaveLength(1);
    expect(await messagesOf(t, tenant.token, lead.conversationId)).toHaveLength(1);
  });

  it('sends nothing when the box is not ticked', async () => {
    const formId = await publishedForm(t.api, tenant.token, handoffForm());
    const digits = newWaId();
    const submissionId = await submit(formId, {
      name: 'Bia',
      phone: `+${digits}`,
      terms: true,
    });
    const lead = await waitForLead(t.api, tenant.token, submissionId, () => true);
    await leadQueuesDrained();
    expect(sendsTo(digits)).toHaveLength(0);
    const again = await t.api.request('GET', `/leads/${lead.id}`, { token: tenant.token });
    expect(again.json.conversationId).toBeUndefined();
  });

  it('sends nothing to a submission without a phone, ticked or not', async () => {
    const formId = await publishedForm(t.api, tenant.token, handoffForm());
    const before = t.sb.metaStandIn!.sent.length;
    const submissionId = await submit(formId, {
      name: 'Duda',
      email: `duda-${newWaId()}@example.com`,
      terms: true,
      wa_optin: true,
    });
    const lead = await waitForLead(t.api, tenant.token, submissionId, () => true);
    await leadQueuesDrained();
    expect(t.sb.metaStandIn!.sent.length).toBe(before);
    expect(lead.conversationId).toBeUndefined();
  });

  it('keeps the lead and shows Meta’s refusal on the outbound message', async () => {
    const formId = await publishedForm(t.api, tenant.token, handoffForm());
    const digits = newWaId();
    t.sb.metaStandIn!.failSendsTo(digits, {
      httpStatus: 400,
      code: 131026,
      message: 'Message undeliverable',
    });
    const submissionId = await submit(formId, {
      name: 'Caio',
      phone: `+${digits}`,
      terms: true,
      wa_optin: true,
    });
    const lead = await waitForLead(t.api, tenant.token, submissionId, (l) => !!l.conversationId);
    const thread = await messagesOf(t, tenant.token, lead.conversationId);
    expect(thread).toHaveLength(1);
    expect(thread[0]).toMatchObject({ direction: 'outbound', type: 'template', status: 'failed' });
    expect(sendsTo(digits)).toHaveLength(0);
  });

  it('refuses to save a follow-up whose template is not approved, or another channel (422)', async () => {
    const pending = handoffForm({
      whatsappHandoff: {
        channelId: tenant.channelId,
        template: { name: 'summer_promo', language: 'en_US', parameters: [{ text: '20%' }] },
      },
    });
    const created = await t.api.request('POST', '/forms', { token: tenant.token, body: pending });
    expect(created.status).toBe(422);
    expect(created.json.error.code).toBe('template_not_found');

    const draft = await t.api.request('POST', '/forms', {
      token: tenant.token,
      body: contactFormBody(),
    });
    expect(draft.status).toBe(201);
    const elsewhere = handoffForm({
      whatsappHandoff: { ...handoffForm().whatsappHandoff, channelId: 'ch_not_ours' },
    });
    const updated = await t.api.request('PUT', `/forms/${draft.json.id}`, {
      token: tenant.token,
      body: elsewhere,
    });
    expect(updated.status).toBe(422);
    expect(updated.json.error.code).toBe('channel_not_found');
  });

  it('refuses a follow-up on a form without a WhatsApp opt-in box (400)', async () => {
    const body = contactFormBody({ whatsappHandoff: handoffForm().whatsappHandoff });
    const res = await t.api.request('POST', '/forms', { token: tenant.token, body });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('validation_failed');
  });
});
