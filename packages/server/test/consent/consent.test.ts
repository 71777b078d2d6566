import { defaultConsentKeywords } from '@switchboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waTextEntry } from '../factories/meta';
import { waitFor, type TestSandbox } from '../helpers/harness';
import { addMember } from '../auth/helpers';
import { contactFormBody, publishedForm, waitForLead } from '../leads/lead-fixtures';
import {
  deliver,
  messagesOf,
  newWaId,
  startOutboundSandbox,
  waTenant,
  type WaTenant,
} from '../outbound/outbound-harness';
import { matchConsentKeyword } from '../../src/modules/consent/consent-keywords';

// Consent end to end on the sandbox: a customer's STOP (in their language) through signed
// webhooks, the confirmation through the Meta stand-in, an agent's manual entry, the keyword
// settings, and a form's WhatsApp opt-in box.

let t: TestSandbox;
let tenant: WaTenant;

beforeAll(async () => {
  t = await startOutboundSandbox();
  tenant = await waTenant(t);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const replyOf = (language: string, list: 'optOutReply' | 'optInReply') =>
  defaultConsentKeywords.languages.find((l) => l.language === language)![list];

/** What the stand-in was asked to send to this number, as text bodies. */
const textsSentTo = (to: string) =>
  t.sb
    .metaStandIn!.sent.filter((s) => s.recipientId === to && s.body.type === 'text')
    .map((s) => (s.body.text as { body: string }).body);

async function consentOf(token: string, customerId: string) {
  const res = await t.api.request('GET', `/customers/${customerId}/consent`, { token });
  expect(res.status).toBe(200);
  return res.json.items as any[];
}

/** A customer writes `text` at `secondsAgo`; the same delivery arrives `times` times. */
async function customerWrites(from: string, text: string, secondsAgo: number, times = 1) {
  const entry = waTextEntry({
    wabaId: tenant.wabaId,
    phoneNumberId: tenant.phoneNumberId,
    from,
    text,
    timestamp: Math.floor(Date.now() / 1000) - secondsAgo,
  });
  for (let i = 0; i < times; i++) await deliver(t, [entry]);
}

describe('keywords: what counts as one', () => {
  it('matches the whole message, case, accents and punctuation aside', () => {
    const k = defaultConsentKeywords;
    expect(matchConsentKeyword('Stop!', k)).toMatchObject({ status: 'opted_out', language: 'en' });
    expect(matchConsentKeyword('  stop all ', k)).toMatchObject({ keyword: 'STOP ALL' });
    expect(matchConsentKeyword('Arrêt', k)).toMatchObject({ keyword: 'ARRÊT', language: 'fr' });
    expect(matchConsentKeyword('arret.', k)).toMatchObject({ keyword: 'ARRET', language: 'fr' });
    expect(matchConsentKeyword('start', k)).toMatchObject({ status: 'opted_in', language: 'en' });
    expect(matchConsentKeyword("please don't stop", k)).toBeUndefined();
    expect(matchConsentKeyword('!!!', k)).toBeUndefined();
  });
});

describe('opt-out keywords from WhatsApp', () => {
  it.each([
    ['en', 'STOP', 'STOP'],
    ['es', 'BAJA', 'BAJA'],
    ['fr', 'Arrêt', 'ARRÊT'],
  ])(
    '%s: "%s" opts the number out and is confirmed once, even delivered twice',
    async (language, text, keyword) => {
      // Prepare: a customer who never said anything about consent.
      const from = newWaId();

      // Act: the STOP webhook, delivered twice (Meta retries).
      await customerWrites(from, text, 30, 2);

      // Assess: opted out with the message as evidence; one reply in the language; the message
      // itself is in the inbox like any other, the reply after it.
      const [consent] = await consentOf(tenant.token, `wa-${from}`);
      expect(consent).toMatchObject({
        channel: 'whatsapp',
        address: `+${from}`,
        status: 'opted_out',
        latest: { status: 'opted_out', evidence: { source: 'keyword', keyword, language } },
      });
      expect(consent.history).toHaveLength(1);
      expect(textsSentTo(from)).toEqual([replyOf(language, 'optOutReply')]);
      const conversationId = `${tenant.channelId}:wa-${from}`;
      const conversations = await t.api.request('GET', '/conversations?limit=100', {
        token: tenant.token,
      });
      const conversation = (conversations.json.items as any[]).find(
        (c) => c.customer.id === `wa-${from}`,
      );
      expect(conversation).toBeDefined();
      const messages = await messagesOf(t, tenant.token, conversation?.id ?? conversationId);
      expect(messages.filter((m) => m.direction === 'inbound').map((m) => m.text)).toEqual([text]);
      expect(consent.latest.evidence.messageId).toBe(
        messages.find((m) => m.direction === 'inbound').id,
      );
      expect(messages.filter((m) => m.direction === 'outbound').map((m) => m.text)).toEqual([
        replyOf(language, 'optOutReply'),
      ]);
    },
  );

  it('START opts the number back in, and the history keeps both', async () => {
    const from = newWaId();
    await customerWrites(from, 'STOP', 90);

    await customerWrites(from, 'start', 30, 2);

    const [consent] = await consentOf(tenant.token, `wa-${from}`);
    expect(consent.status).toBe('opted_in');
    expect(consent.history.map((h: any) => h.status)).toEqual(['opted_in', 'opted_out']);
    expect(textsSentTo(from)).toEqual([replyOf('en', 'optOutReply'), replyOf('en', 'optInReply')]);
  });

  it('a message that only contains the word is a conversation, not an opt-out', async () => {
    const from = newWaId();
    await customerWrites(from, 'Please do not stop sending me offers', 30);

    const [consent] = await consentOf(tenant.token, `wa-${from}`);
    expect(consent).toMatchObject({ status: 'unknown', history: [] });
    expect(textsSentTo(from)).toEqual([]);
  });
});

describe('manual entry', () => {
  it('records the agent and the note in the history and the audit trail', async () => {
    // Prepare: a customer who wrote, and an agent of the workspace.
    const from = newWaId();
    await customerWrites(from, 'Oi, tudo bem?', 30);
    const agent = await addMember(t, tenant.token, 'agent');
    const note = 'Agreed on the phone call of 3 Dec to get our offers on WhatsApp.';

    // Act
    const res = await t.api.request('PUT', `/customers/wa-${from}/consent`, {
      token: agent.session.accessToken,
      body: { status: 'opted_in', note },
    });

    // Assess
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      address: `+${from}`,
      status: 'opted_in',
      latest: { evidence: { source: 'manual', userId: agent.id, note } },
    });
    const [consent] = await consentOf(tenant.token, `wa-${from}`);
    expect(consent.history).toEqual([res.json.latest]);
    const audit = await t.api.request('GET', '/audit-events?limit=50', { token: tenant.token });
    expect(audit.status).toBe(200);
    const entry = (audit.json.items as any[]).find(
      (e) => e.action === 'consent.changed' && e.target?.id === `wa-${from}`,
    );
    expect(entry).toMatchObject({
      actor: { kind: 'user', id: agent.id },
      details: { status: 'opted_in', source: 'manual', note, changeId: res.json.latest.id },
    });
  });

  it('refuses an entry without a note (400) and a viewer (403)', async () => {
    const from = newWaId();
    await customerWrites(from, 'Olá', 30);
    const path = `/customers/wa-${from}/consent`;

    const noNote = await t.api.request('PUT', path, {
      token: tenant.token,
      body: { status: 'opted_out' },
    });
    const blank = await t.api.request('PUT', path, {
      token: tenant.token,
      body: { status: 'opted_out', note: '   ' },
    });
    const viewer = await addMember(t, tenant.token, 'viewer');
    const byViewer = await t.api.request('PUT', path, {
      token: viewer.session.accessToken,
      body: { status: 'opted_out', note: 'Asked to stop.' },
    });

    expect(noNote.status).toBe(400);
    expect(noNote.json.error.code).toBe('validation_failed');
    expect(blank.status).toBe(400);
    expect(byViewer.status).toBe(403);
    const [consent] = await consentOf(viewer.session.accessToken, `wa-${from}`);
    expect(consent).toMatchObject({ status: 'unknown', history: [] });
  });

  it('another workspace cannot read or set it: 404, like a missing contact', async () => {
    const from = newWaId();
    await customerWrites(from, 'STOP', 30);
    const other = await waTenant(t);

    const read = await t.api.request('GET', `/customers/wa-${from}/consent`, {
      token: other.token,
    });
    const write = await t.api.request('PUT', `/customers/wa-${from}/consent`, {
      token: other.token,
      body: { status: 'opted_in', note: 'Trying another workspace.' },
    });

    expect(read.status).toBe(404);
    expect(write.status).toBe(404);
    const [consent] = await consentOf(tenant.token, `wa-${from}`);
    expect(consent.status).toBe('opted_out');
    expect(consent.history).toHaveLength(1);
  });
});

describe('keyword settings', () => {
  it('starts with the defaults; a new set is used for the next message and audited', async () => {
    const other = await waTenant(t);
    const path = '/settings/consent-keywords';
    const initial = await t.api.request('GET', path, { token: other.token });
    expect(initial.json).toEqual(defaultConsentKeywords);

    const set = await t.api.request('PUT', path, {
      token: other.token,
      body: {
        languages: [
          {
            language: 'it',
            optOut: ['basta', 'Disiscrivi'],
            optIn: ['iscrivi'],
            optOutReply: 'Non riceverai più i nostri messaggi.',
            optInReply: 'Sei di nuovo iscritto.',
          },
        ],
      },
    });
    expect(set.status).toBe(200);
    expect(set.json.languages[0].optOut).toEqual(['BASTA', 'DISISCRIVI']);

    const from = newWaId();
    const entry = waTextEntry({
      wabaId: other.wabaId,
      phoneNumberId: other.phoneNumberId,
      from,
      text: 'Basta!',
      timestamp: Math.floor(Date.now() / 1000) - 30,
    });
    await deliver(t, [entry]);
    const [consent] = await consentOf(other.token, `wa-${from}`);
    expect(consent.latest.evidence).toMatchObject({ keyword: 'BASTA', language: 'it' });
    expect(textsSentTo(from)).toEqual(['Non riceverai più i nostri messaggi.']);
    // STOP is no longer one of this workspace's words.
    const from2 = newWaId();
    await deliver(t, [
      waTextEntry({
        wabaId: other.wabaId,
        phoneNumberId: other.phoneNumberId,
        from: from2,
        text: 'STOP',
        timestamp: Math.floor(Date.now() / 1000) - 30,
      }),
    ]);
    expect((await consentOf(other.token, `wa-${from2}`))[0].status).toBe('unknown');
    const audit = await t.api.request('GET', '/audit-events?limit=50', { token: other.token });
    expect((audit.json.items as any[]).map((e) => e.action)).toContain('consent.keywords_changed');
  });

  it('refuses a word in both lists, in any spelling or language (400)', async () => {
    const lang = (language: string, optOut: string[], optIn: string[]) => ({
      language,
      optOut,
      optIn,
      optOutReply: 'Bye.',
      optInReply: 'Hi.',
    });
    const path = '/settings/consent-keywords';
    const same = await t.api.request('PUT', path, {
      token: tenant.token,
      body: { languages: [lang('en', ['STOP', 'END'], ['start', 'end'])] },
    });
    const spelled = await t.api.request('PUT', path, {
      token: tenant.token,
      body: { languages: [lang('fr', ['ARRÊT'], []), lang('en', [], ['arret'])] },
    });

    expect(same.status).toBe(400);
    expect(same.json.error.code).toBe('validation_failed');
    expect(spelled.status).toBe(400);
    expect(spelled.json.error.code).toBe('validation_failed');
    const now = await t.api.request('GET', path, { token: tenant.token });
    expect(now.json).toEqual(defaultConsentKeywords);
  });
});

describe('form opt-in', () => {
  const label = 'Quero receber ofertas pelo WhatsApp (posso cancelar quando quiser).';

  it('a ticked WhatsApp opt-in box opts the phone in, with its exact label', async () => {
    // Prepare: a form with the contact form's fields and a WhatsApp opt-in box.
    const body = contactFormBody();
    const formId = await publishedForm(t.api, tenant.token, {
      ...body,
      fields: [
        ...body.fields,
        {
          key: 'wa_optin',
          type: 'checkbox',
          label,
          required: false,
          consent: true,
          consentChannel: 'whatsapp',
        },
      ],
    });
    const digits = newWaId();
    const page = 'https://landing.example.com/oferta?utm_source=ads';

    // Act
    const res = await t.api.request('POST', `/public/forms/${formId}/submissions`, {
      body: {
        fields: { name: 'Ana', phone: `+${digits}`, terms: true, wa_optin: true },
      },
      headers: { origin: 'https://landing.example.com', referer: page },
    });
    expect(res.status).toBe(202);
    await waitForLead(t.api, tenant.token, res.json.submissionId, () => true);

    // Assess
    const consent = await waitFor(
      async () => {
        const [c] = await consentOf(tenant.token, `wa-${digits}`);
        return c?.status === 'opted_in' && c;
      },
      { what: 'the form opt-in' },
    );
    expect(consent.latest.evidence).toEqual({
      source: 'form',
      formId,
      leadId: expect.any(String),
      label,
      pageUrl: page,
    });
    expect(consent.history).toHaveLength(1);
  });

  it('an unticked box, or the terms box alone, records nothing', async () => {
    const body = contactFormBody();
    const formId = await publishedForm(t.api, tenant.token, {
      ...body,
      fields: [
        ...body.fields,
        { key: 'wa_optin', type: 'checkbox', label, consent: true, consentChannel: 'whatsapp' },
      ],
    });
    const digits = newWaId();
    const res = await t.api.request('POST', `/public/forms/${formId}/submissions`, {
      body: { fields: { name: 'Bia', phone: `+${digits}`, terms: true } },
      headers: { origin: 'https://landing.example.com' },
    });
    expect(res.status).toBe(202);
    await waitForLead(t.api, tenant.token, res.json.submissionId, () => true);

    const [consent] = await consentOf(tenant.token, `wa-${digits}`);
    expect(consent).toMatchObject({ status: 'unknown', history: [] });
  });

  it('refuses a channel opt-in on a box that is not a consent (400)', async () => {
    const body = contactFormBody();
    const res = await t.api.request('POST', '/forms', {
      token: tenant.token,
      body: {
        ...body,
        fields: [
          ...body.fields,
          { key: 'news', type: 'checkbox', label: 'News', consentChannel: 'whatsapp' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('validation_failed');
  });
});
