import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  IG_DEFAULTS,
  WA_CONTACT_CARD,
  WA_DEFAULTS,
  WA_FAILED_ERROR,
  envelope,
  igAttachmentEntry,
  igChangeEntry,
  igEchoEntry,
  igImageEntry,
  igMessagingEntry,
  igPostbackEntry,
  igQuickReplyEntry,
  igReactionEntry,
  igReadEntry,
  igStoryMentionEntry,
  igStoryReplyEntry,
  igTextEntry,
  igUnsendEntry,
  metaJson,
  signMeta,
  signedMetaRequest,
  waAudioEntry,
  waButtonEntry,
  waButtonReplyEntry,
  waContactsEntry,
  waDocumentEntry,
  waImageEntry,
  waListReplyEntry,
  waLocationEntry,
  waMessageEntry,
  waNfmReplyEntry,
  waOrderEntry,
  waReactionEntry,
  waReplyEntry,
  waStatusEntry,
  waStickerEntry,
  waSystemEntry,
  waTextEntry,
  waUnsupportedEntry,
  waVideoEntry,
  type MetaEntryBody,
  type MetaObject,
} from '../../../../test/factories/meta';
import { inboundEventSchema, type InboundEvent, type NormalizedMessage } from './inbound-event';
import { MetaPayloadError, igReactionMessageId, normalizeEntry } from './normalize';
import { metaEnvelopeSchema } from './webhook-envelope';

// Same path as production: Meta's bytes → JSON.parse → envelope schema → one entry at a time.
function run(object: MetaObject, ...entries: MetaEntryBody[]): InboundEvent[] {
  const raw = metaJson(envelope(object, entries));
  const env = metaEnvelopeSchema.parse(JSON.parse(raw));
  const events = env.entry.flatMap((e) => normalizeEntry(env.object, e));
  // Every produced event must satisfy the published model schema.
  for (const event of events) inboundEventSchema.parse(event);
  return events;
}

function only(events: InboundEvent[]): InboundEvent {
  expect(events).toHaveLength(1);
  return events[0] as InboundEvent;
}

function onlyMessage(events: InboundEvent[]): NormalizedMessage {
  const event = only(events);
  if (event.kind !== 'message') throw new Error(`expected message, got ${JSON.stringify(event)}`);
  return event.message;
}

const WA_ROUTING = {
  channel: 'whatsapp',
  phoneNumberId: WA_DEFAULTS.phoneNumberId,
  wabaId: WA_DEFAULTS.wabaId,
} as const;
const WA_ISO = '2026-01-01T00:00:00.000Z';
const IG_ROUTING = { channel: 'instagram', accountId: IG_DEFAULTS.accountId } as const;
const IG_ISO = '2026-01-01T00:00:00.123Z';
const WA = 'whatsapp_business_account';
const IG = 'instagram';

describe('WhatsApp messages', () => {
  it('text: routing from entry/metadata, customer from contacts, unix seconds → ISO', () => {
    const entry = waTextEntry({
      wabaId: '111',
      phoneNumberId: '222',
      from: '15551234567',
      name: 'Zoë',
      wamid: 'wamid.TEXT1',
      text: 'Hello / olá 👋',
      timestamp: '1700000000',
    });
    expect(run(WA, entry)).toEqual([
      {
        kind: 'message',
        routing: { channel: 'whatsapp', phoneNumberId: '222', wabaId: '111' },
        customer: { externalId: '15551234567', name: 'Zoë', phone: '+15551234567' },
        message: {
          channelMessageId: 'wamid.TEXT1',
          direction: 'inbound',
          type: 'text',
          timestamp: '2023-11-14T22:13:20.000Z',
          text: 'Hello / olá 👋',
        },
      },
    ]);
  });

  it('customer name is matched by wa_id, not by position', () => {
    const entry = waTextEntry({ from: '15550000001', wamid: 'wamid.X' });
    const value = (entry.changes?.[0] as { value: { contacts: unknown[] } }).value;
    value.contacts.unshift({ profile: { name: 'Someone Else' }, wa_id: '15550000999' });
    const event = only(run(WA, entry));
    expect(event.kind === 'message' && event.customer.name).toBe(WA_DEFAULTS.name);
  });

  it('image / video with caption, mime, sha256 and url', () => {
    const img = onlyMessage(
      run(
        WA,
        waImageEntry({
          wamid: 'wamid.IMG',
          mediaId: '9001',
          caption: 'Foto 📷',
          url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=9001',
        }),
      ),
    );
    expect(img).toEqual({
      channelMessageId: 'wamid.IMG',
      direction: 'inbound',
      type: 'image',
      timestamp: WA_ISO,
      media: {
        id: '9001',
        mimeType: 'image/jpeg',
        sha256: 'n3Xo0qVB4Y7f0y1M3Dsl3oHD0qoy4EJAmF4VOrnxXEc=',
        caption: 'Foto 📷',
        url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=9001',
      },
    });
    const video = onlyMessage(run(WA, waVideoEntry({ mediaId: '9002' })));
    expect(video.type).toBe('video');
    expect(video.media).toMatchObject({ id: '9002', mimeType: 'video/mp4' });
  });

  it('audio keeps voice flag, sticker keeps animated, document keeps filename', () => {
    const audio = onlyMessage(run(WA, waAudioEntry({ mediaId: 'a1', voice: true })));
    expect(audio).toMatchObject({
      type: 'audio',
      media: { id: 'a1', mimeType: 'audio/ogg; codecs=opus', voice: true },
    });

    const sticker = onlyMessage(run(WA, waStickerEntry({ mediaId: 's1', animated: true })));
    expect(sticker).toMatchObject({
      type: 'sticker',
      media: { id: 's1', mimeType: 'image/webp', animated: true },
    });

    const doc = onlyMessage(
      run(WA, waDocumentEntry({ mediaId: 'd1', filename: 'orçamento/2026.pdf', caption: 'Segue' })),
    );
    expect(doc).toMatchObject({
      type: 'document',
      media: {
        id: 'd1',
        mimeType: 'application/pdf',
        filename: 'orçamento/2026.pdf',
        caption: 'Segue',
      },
    });
  });

  it('location', () => {
    const msg = onlyMessage(
      run(WA, waLocationEntry({ latitude: 38.7223, longitude: -9.1393, placeName: 'Rossio' })),
    );
    expect(msg).toMatchObject({
      type: 'location',
      location: {
        latitude: 38.7223,
        longitude: -9.1393,
        name: 'Rossio',
        address: 'Av. Paulista, 1578 - Bela Vista, São Paulo - SP',
        url: 'https://masp.org.br/',
      },
    });
  });

  it('contacts are passed through as Meta sent them', () => {
    const msg = onlyMessage(run(WA, waContactsEntry()));
    expect(msg.type).toBe('contacts');
    expect(msg.contacts).toEqual([WA_CONTACT_CARD]);
  });

  it('interactive button_reply / list_reply / nfm_reply, with reply context', () => {
    const button = onlyMessage(
      run(WA, waButtonReplyEntry({ buttonId: 'yes', title: 'Sim ✅', replyToWamid: 'wamid.ASK' })),
    );
    expect(button).toMatchObject({
      type: 'interactive',
      text: 'Sim ✅',
      interactive: { kind: 'button_reply', id: 'yes', title: 'Sim ✅' },
      context: { messageId: 'wamid.ASK', from: WA_DEFAULTS.displayPhoneNumber },
    });

    const list = onlyMessage(
      run(WA, waListReplyEntry({ rowId: 'r2', title: 'Sexta', description: 'Pinheiros' })),
    );
    expect(list).toMatchObject({
      type: 'interactive',
      text: 'Sexta',
      interactive: { kind: 'list_reply', id: 'r2', title: 'Sexta', description: 'Pinheiros' },
    });

    const nfm = onlyMessage(run(WA, waNfmReplyEntry({ responseJson: '{"a":1}' })));
    expect(nfm).toMatchObject({
      type: 'interactive',
      text: 'Sent',
      interactive: { kind: 'nfm_reply', title: 'flow', payload: '{"a":1}' },
    });
  });

  it('template quick-reply button → button with text and payload', () => {
    const msg = onlyMessage(
      run(
        WA,
        waButtonEntry({ text: 'Quero receber', payload: 'OPT_IN', replyToWamid: 'wamid.TPL' }),
      ),
    );
    expect(msg).toMatchObject({
      type: 'button',
      text: 'Quero receber',
      interactive: { kind: 'quick_reply', title: 'Quero receber', payload: 'OPT_IN' },
      context: { messageId: 'wamid.TPL' },
    });
  });

  it('reaction and reaction removal (no emoji)', () => {
    const react = onlyMessage(
      run(WA, waReactionEntry({ wamid: 'wamid.R1', reactedWamid: 'wamid.OUT', emoji: '👍' })),
    );
    expect(react).toEqual({
      channelMessageId: 'wamid.R1',
      direction: 'inbound',
      type: 'reaction',
      timestamp: WA_ISO,
      reaction: { messageId: 'wamid.OUT', emoji: '👍', action: 'react' },
    });
    const removed = onlyMessage(
      run(WA, waReactionEntry({ reactedWamid: 'wamid.OUT', emoji: null })),
    );
    expect(removed.reaction).toEqual({ messageId: 'wamid.OUT', action: 'unreact' });
  });

  it('reply and forwarded context', () => {
    const reply = onlyMessage(
      run(WA, waReplyEntry({ replyToWamid: 'wamid.PREV', replyToFrom: '15550109988' })),
    );
    expect(reply.context).toEqual({ messageId: 'wamid.PREV', from: '15550109988' });

    const fwd = onlyMessage(
      run(WA, waTextEntry({ context: { forwarded: true, frequentlyForwarded: true } })),
    );
    expect(fwd.context).toEqual({ forwarded: true, frequentlyForwarded: true });
  });

  it('order', () => {
    const msg = onlyMessage(run(WA, waOrderEntry({ catalogId: 'cat-1', text: 'Sem cebola' })));
    expect(msg).toMatchObject({
      type: 'order',
      text: 'Sem cebola',
      order: {
        catalogId: 'cat-1',
        text: 'Sem cebola',
        items: [
          { product_retailer_id: 'SKU-CAFE-250', quantity: 2, item_price: 34.9, currency: 'BRL' },
          { product_retailer_id: 'SKU-PAO-QJ', quantity: 12, item_price: 1.5, currency: 'BRL' },
        ],
      },
    });
  });

  it('system (number change): no contacts array, new id from system.wa_id', () => {
    const event = only(
      run(
        WA,
        waSystemEntry({ from: '5511987654321', newWaId: '5511912345678', wamid: 'wamid.SYS' }),
      ),
    );
    expect(event).toEqual({
      kind: 'message',
      routing: WA_ROUTING,
      customer: { externalId: '5511987654321', phone: '+5511987654321' },
      message: {
        channelMessageId: 'wamid.SYS',
        direction: 'inbound',
        type: 'system',
        timestamp: WA_ISO,
        system: {
          body: `User ${WA_DEFAULTS.name} changed from 5511987654321 to 5511912345678`,
          type: 'user_changed_number',
          newWaId: '5511912345678',
        },
      },
    });
  });

  it('legacy system.new_wa_id is still understood', () => {
    const entry = waMessageEntry(
      {},
      {
        type: 'system',
        system: { body: 'x', new_wa_id: 5511900000000, type: 'customer_changed_number' },
      },
    );
    expect(onlyMessage(run(WA, entry)).system).toEqual({
      body: 'x',
      type: 'customer_changed_number',
      newWaId: '5511900000000',
    });
  });

  it('unsupported keeps Meta errors and the original type', () => {
    const msg = onlyMessage(run(WA, waUnsupportedEntry({ unsupportedType: 'edit' })));
    expect(msg).toMatchObject({
      type: 'unsupported',
      originalType: 'edit',
      errors: [
        {
          code: 131051,
          title: 'Message type unknown',
          message: 'Message type unknown',
          details: 'Message type is currently not supported.',
        },
      ],
    });
  });

  it('unknown message type → unsupported, never a failure', () => {
    const entry = waMessageEntry(
      { wamid: 'wamid.NEW' },
      { type: 'hologram', hologram: { id: 'h1', depth: 3 } },
    );
    expect(onlyMessage(run(WA, entry))).toEqual({
      channelMessageId: 'wamid.NEW',
      direction: 'inbound',
      type: 'unsupported',
      originalType: 'hologram',
      timestamp: WA_ISO,
    });
  });

  it('known type with a malformed payload or unknown interactive kind → unsupported', () => {
    expect(onlyMessage(run(WA, waMessageEntry({}, { type: 'image' }))).type).toBe('unsupported');
    const entry = waMessageEntry(
      {},
      {
        type: 'interactive',
        interactive: { type: 'call_permission_reply', call_permission_reply: {} },
      },
    );
    expect(onlyMessage(run(WA, entry))).toMatchObject({
      type: 'unsupported',
      originalType: 'interactive:call_permission_reply',
    });
  });

  it('request_welcome and click-to-WhatsApp referral', () => {
    expect(onlyMessage(run(WA, waMessageEntry({}, { type: 'request_welcome' }))).type).toBe(
      'request_welcome',
    );
    const referral = {
      source_url: 'https://fb.me/3cr4Wqqkk',
      source_id: '120212345678901234',
      source_type: 'ad',
      headline: 'Promoção de verão',
      body: 'Fale conosco',
      media_type: 'image',
      image_url: 'https://scontent.xx.fbcdn.net/v/t45.1600-4/ad.jpg',
      ctwa_clid:
        'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-ZABcD',
    };
    expect(onlyMessage(run(WA, waTextEntry({ referral }))).referral).toEqual(referral);
  });

  it('BSUID: username users without a phone number are keyed by their business-scoped id', () => {
    const entry = waTextEntry({ bsuid: 'BR.1502576394655843', wamid: 'wamid.B1' });
    const value = (
      entry.changes?.[0] as {
        value: { messages: Record<string, unknown>[]; contacts: Record<string, unknown>[] };
      }
    ).value;
    delete value.messages[0]?.['from'];
    delete value.contacts[0]?.['wa_id'];
    const event = only(run(WA, entry));
    expect(event.kind === 'message' && event.customer).toEqual({
      externalId: 'BR.1502576394655843',
      name: WA_DEFAULTS.name,
      bsuid: 'BR.1502576394655843',
    });
  });

  it('several messages and statuses in one change keep their order', () => {
    const entry = waTextEntry({ wamid: 'wamid.A' });
    const value = (entry.changes?.[0] as { value: { messages: unknown[] } }).value;
    const second = (
      waImageEntry({ wamid: 'wamid.B' }).changes?.[0] as { value: { messages: unknown[] } }
    ).value.messages[0];
    value.messages.push(second);
    const events = run(WA, entry, waStatusEntry({ wamid: 'wamid.OUT', status: 'sent' }));
    expect(events.map((e) => (e.kind === 'message' ? e.message.channelMessageId : e.kind))).toEqual(
      ['wamid.A', 'wamid.B', 'status'],
    );
  });
});

describe('WhatsApp statuses', () => {
  it('delivered keeps conversation and pricing', () => {
    const event = only(
      run(
        WA,
        waStatusEntry({
          wamid: 'wamid.OUT1',
          status: 'delivered',
          recipientId: '447700900123',
          timestamp: 1767225660,
        }),
      ),
    );
    expect(event).toMatchObject({
      kind: 'status',
      routing: WA_ROUTING,
      channelMessageId: 'wamid.OUT1',
      recipientId: '447700900123',
      status: 'delivered',
      timestamp: '2026-01-01T00:01:00.000Z',
      conversation: { origin: { type: 'service' } },
      pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
    });
  });

  it('read and sent', () => {
    expect(only(run(WA, waStatusEntry({ status: 'read' })))).toMatchObject({
      kind: 'status',
      status: 'read',
    });
    expect(only(run(WA, waStatusEntry({ status: 'sent' })))).toMatchObject({
      kind: 'status',
      status: 'sent',
    });
  });

  it('failed keeps errors', () => {
    const event = only(run(WA, waStatusEntry({ wamid: 'wamid.F', status: 'failed' })));
    expect(event).toEqual({
      kind: 'status',
      routing: WA_ROUTING,
      channelMessageId: 'wamid.F',
      recipientId: WA_DEFAULTS.from,
      status: 'failed',
      timestamp: WA_ISO,
      errors: [
        {
          code: WA_FAILED_ERROR.code,
          title: WA_FAILED_ERROR.title,
          message: WA_FAILED_ERROR.message,
          details: WA_FAILED_ERROR.error_data.details,
        },
      ],
    });
  });

  it('statuses outside our lifecycle (voice note played) are ignored, not failed', () => {
    expect(only(run(WA, waStatusEntry({ status: 'played' })))).toEqual({
      kind: 'ignored',
      routing: WA_ROUTING,
      reason: 'unhandled status: played',
    });
  });
});

describe('WhatsApp robustness', () => {
  it('unknown fields at every level are ignored', () => {
    const plain = run(WA, waTextEntry({ wamid: 'wamid.U', text: 'hi' }));
    const noisy = waTextEntry({ wamid: 'wamid.U', text: 'hi' }) as MetaEntryBody &
      Record<string, unknown>;
    noisy['future_entry_field'] = { a: 1 };
    const change = noisy.changes?.[0] as Record<string, unknown> & {
      value: Record<string, unknown>;
    };
    change['future_change_field'] = true;
    change.value['future_value_field'] = [1, 2];
    (change.value['metadata'] as Record<string, unknown>)['business_username'] = '@loja';
    const msg = (change.value['messages'] as Record<string, unknown>[])[0] as Record<
      string,
      unknown
    >;
    msg['from_logical_id'] = '95000398405635';
    msg['group_id'] = undefined;
    (msg['text'] as Record<string, unknown>)['preview_url'] = false;
    const contact = (change.value['contacts'] as Record<string, unknown>[])[0] as Record<
      string,
      unknown
    >;
    contact['identity_key_hash'] = 'DF2lS5v2W6x=';
    contact['country_code'] = 'BR';
    expect(run(WA, noisy)).toEqual(plain);
  });

  it('a malformed optional part does not sink the message', () => {
    const entry = waTextEntry({ wamid: 'wamid.M', text: 'ok' });
    const msg = (entry.changes?.[0] as { value: { messages: Record<string, unknown>[] } }).value
      .messages[0];
    if (msg) {
      msg['context'] = 'not-an-object';
      msg['errors'] = [{ code: 'x' }];
    }
    expect(onlyMessage(run(WA, entry))).toEqual({
      channelMessageId: 'wamid.M',
      direction: 'inbound',
      type: 'text',
      timestamp: WA_ISO,
      text: 'ok',
    });
  });

  it('non-message fields, missing metadata and broken items become ignored events', () => {
    const template = {
      id: WA_DEFAULTS.wabaId,
      changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }],
    };
    expect(run(WA, template)).toEqual([
      { kind: 'ignored', reason: 'unhandled field: message_template_status_update' },
    ]);

    const noMeta = {
      id: WA_DEFAULTS.wabaId,
      changes: [{ field: 'messages', value: { messaging_product: 'whatsapp' } }],
    };
    expect(only(run(WA, noMeta))).toMatchObject({ kind: 'ignored' });

    const broken = waTextEntry();
    const value = (broken.changes?.[0] as { value: { messages: unknown[] } }).value;
    value.messages = [{ type: 'text', text: { body: 'no id' } }];
    expect(only(run(WA, broken))).toEqual({
      kind: 'ignored',
      routing: WA_ROUTING,
      reason: 'malformed message',
    });
  });

  it('value-level errors are reported as ignored events with the code', () => {
    const entry = {
      id: WA_DEFAULTS.wabaId,
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: {
              display_phone_number: WA_DEFAULTS.displayPhoneNumber,
              phone_number_id: WA_DEFAULTS.phoneNumberId,
            },
            errors: [
              {
                code: 131000,
                title: 'Something went wrong',
                message: 'Something went wrong',
                error_data: { details: 'x' },
              },
            ],
          },
        },
      ],
    };
    expect(only(run(WA, entry))).toEqual({
      kind: 'ignored',
      routing: WA_ROUTING,
      reason: 'whatsapp error 131000: Something went wrong',
    });
  });
});

describe('Instagram messaging', () => {
  it('text: routing from entry.id, unix ms → ISO', () => {
    const entry = igTextEntry({
      mid: 'MID.T1',
      senderId: '555',
      text: 'Oi 👟',
      timestamp: 1767225600123,
    });
    expect(run(IG, entry)).toEqual([
      {
        kind: 'message',
        routing: IG_ROUTING,
        customer: { externalId: '555' },
        message: {
          channelMessageId: 'MID.T1',
          direction: 'inbound',
          type: 'text',
          timestamp: IG_ISO,
          text: 'Oi 👟',
        },
      },
    ]);
  });

  it('image attachment, and several attachments in one message', () => {
    const img = onlyMessage(
      run(IG, igImageEntry({ mid: 'MID.I', url: 'https://cdn.example/a.jpg' })),
    );
    expect(img).toEqual({
      channelMessageId: 'MID.I',
      direction: 'inbound',
      type: 'image',
      timestamp: IG_ISO,
      media: { url: 'https://cdn.example/a.jpg' },
    });
    const multi = onlyMessage(
      run(
        IG,
        igAttachmentEntry({ urls: ['https://cdn.example/1.jpg', 'https://cdn.example/2.jpg'] }),
      ),
    );
    expect(multi.media).toEqual({ url: 'https://cdn.example/1.jpg' });
    expect(multi.attachments).toEqual([
      { url: 'https://cdn.example/1.jpg' },
      { url: 'https://cdn.example/2.jpg' },
    ]);
  });

  it('file → document, share/reel → share, unknown attachment → unsupported', () => {
    expect(onlyMessage(run(IG, igAttachmentEntry({ attachmentType: 'file' }))).type).toBe(
      'document',
    );
    expect(onlyMessage(run(IG, igAttachmentEntry({ attachmentType: 'ig_reel' }))).type).toBe(
      'share',
    );
    expect(onlyMessage(run(IG, igAttachmentEntry({ attachmentType: 'share' }))).type).toBe('share');
    expect(onlyMessage(run(IG, igAttachmentEntry({ attachmentType: 'hologram' })))).toMatchObject({
      type: 'unsupported',
      originalType: 'hologram',
    });
  });

  it('story reply → story_reply with story context', () => {
    const msg = onlyMessage(
      run(
        IG,
        igStoryReplyEntry({
          mid: 'MID.S',
          text: 'Lindo!',
          storyId: '1798',
          storyUrl: 'https://cdn.example/story',
        }),
      ),
    );
    expect(msg).toEqual({
      channelMessageId: 'MID.S',
      direction: 'inbound',
      type: 'story_reply',
      timestamp: IG_ISO,
      text: 'Lindo!',
      context: { storyUrl: 'https://cdn.example/story', storyId: '1798' },
    });
  });

  it('reply to a message keeps reply_to.mid as context', () => {
    const entry = igMessagingEntry(
      {},
      { message: { mid: 'MID.R', text: 'this one', reply_to: { mid: 'MID.ORIG' } } },
    );
    expect(onlyMessage(run(IG, entry)).context).toEqual({ messageId: 'MID.ORIG' });
  });

  it('story mention → story_mention with the story media url', () => {
    const msg = onlyMessage(run(IG, igStoryMentionEntry({ url: 'https://cdn.example/mention' })));
    expect(msg).toMatchObject({
      type: 'story_mention',
      media: { url: 'https://cdn.example/mention' },
    });
  });

  it('quick reply → text with interactive quick_reply', () => {
    const msg = onlyMessage(
      run(IG, igQuickReplyEntry({ text: 'Quero orçamento', payload: 'QR_QUOTE' })),
    );
    expect(msg).toMatchObject({
      type: 'text',
      text: 'Quero orçamento',
      interactive: { kind: 'quick_reply', title: 'Quero orçamento', payload: 'QR_QUOTE' },
    });
  });

  it('postback → postback with interactive', () => {
    const event = only(
      run(IG, igPostbackEntry({ mid: 'MID.P', title: 'Falar com atendente', payload: 'HUMAN' })),
    );
    expect(event).toEqual({
      kind: 'message',
      routing: IG_ROUTING,
      customer: { externalId: IG_DEFAULTS.senderId },
      message: {
        channelMessageId: 'MID.P',
        direction: 'inbound',
        type: 'postback',
        timestamp: IG_ISO,
        text: 'Falar com atendente',
        interactive: { kind: 'postback', title: 'Falar com atendente', payload: 'HUMAN' },
      },
    });
  });

  it('echo → outbound message whose customer is the recipient', () => {
    const event = only(run(IG, igEchoEntry({ mid: 'MID.E', senderId: '777', text: 'Temos sim!' })));
    expect(event).toEqual({
      kind: 'message',
      routing: IG_ROUTING,
      customer: { externalId: '777' },
      message: {
        channelMessageId: 'MID.E',
        direction: 'outbound',
        type: 'text',
        timestamp: IG_ISO,
        text: 'Temos sim!',
      },
    });
  });

  it('echo is recognised by is_echo even when sender id differs from entry.id', () => {
    const entry = igMessagingEntry(
      {},
      { message: { mid: 'MID.E2', text: 'from the app', is_echo: true } },
      { fromBusiness: true },
    );
    const event = entry.messaging?.[0] as { sender: { id: string } };
    event.sender.id = '90010000000000001';
    const result = only(run(IG, entry));
    expect(result).toMatchObject({
      kind: 'message',
      customer: { externalId: IG_DEFAULTS.senderId },
      message: { direction: 'outbound' },
    });
  });

  it('is_deleted → unsend', () => {
    expect(only(run(IG, igUnsendEntry({ mid: 'MID.D', senderId: '888' })))).toEqual({
      kind: 'unsend',
      routing: IG_ROUTING,
      customerExternalId: '888',
      channelMessageId: 'MID.D',
      timestamp: IG_ISO,
    });
  });

  it('reaction / unreact → reaction messages with deterministic, distinct ids', () => {
    const react = igReactionEntry({ reactedMid: 'MID.OUT', emoji: '❤️', timestamp: 1767225600123 });
    const first = only(run(IG, react));
    const redelivered = only(run(IG, react));
    expect(first).toEqual(redelivered);
    expect(first).toEqual({
      kind: 'message',
      routing: IG_ROUTING,
      customer: { externalId: IG_DEFAULTS.senderId },
      message: {
        channelMessageId: `MID.OUT:reaction:${IG_DEFAULTS.senderId}:1767225600123`,
        direction: 'inbound',
        type: 'reaction',
        timestamp: IG_ISO,
        reaction: { messageId: 'MID.OUT', emoji: '❤️', action: 'react' },
      },
    });
    const unreact = onlyMessage(
      run(
        IG,
        igReactionEntry({ reactedMid: 'MID.OUT', action: 'unreact', timestamp: 1767225700000 }),
      ),
    );
    expect(unreact.reaction).toEqual({ messageId: 'MID.OUT', action: 'unreact' });
    expect(unreact.channelMessageId).toBe(
      igReactionMessageId('MID.OUT', IG_DEFAULTS.senderId, 1767225700000),
    );
    expect(unreact.channelMessageId).not.toBe(
      first.kind === 'message' && first.message.channelMessageId,
    );
  });

  it('read → status read for read.mid, recipient is the reader', () => {
    expect(only(run(IG, igReadEntry({ readMid: 'MID.OUT', senderId: '999' })))).toEqual({
      kind: 'status',
      routing: IG_ROUTING,
      channelMessageId: 'MID.OUT',
      recipientId: '999',
      status: 'read',
      timestamp: IG_ISO,
    });
  });

  it('unknown fields are ignored and odd events become ignored', () => {
    const entry = igTextEntry({ mid: 'MID.X', text: 'hi' }) as MetaEntryBody &
      Record<string, unknown>;
    const event = entry.messaging?.[0] as Record<string, unknown> & {
      message: Record<string, unknown>;
    };
    event['future'] = 1;
    event.message['is_self'] = false;
    expect(onlyMessage(run(IG, entry))).toMatchObject({
      channelMessageId: 'MID.X',
      type: 'text',
      text: 'hi',
    });

    const edit = igMessagingEntry({}, { message_edit: { mid: 'MID.X', text: 'hi!', num_edit: 1 } });
    expect(only(run(IG, edit))).toEqual({
      kind: 'ignored',
      routing: IG_ROUTING,
      reason: 'unhandled messaging event: message_edit',
    });
  });

  it('`changes` with field messages (dashboard test format, seconds as a string) is normalised', () => {
    const entry = igChangeEntry({
      field: 'messages',
      value: {
        sender: { id: '12334' },
        recipient: { id: IG_DEFAULTS.accountId },
        timestamp: '1767225600',
        message: { mid: 'random_mid', text: 'random_text' },
      },
    });
    expect(onlyMessage(run(IG, entry))).toEqual({
      channelMessageId: 'random_mid',
      direction: 'inbound',
      type: 'text',
      timestamp: WA_ISO,
      text: 'random_text',
    });
  });

  it('`changes` for mentions / story_insights / comments are ignored', () => {
    for (const field of ['mentions', 'story_insights', 'comments']) {
      const entry = igChangeEntry({
        field,
        value: { media_id: '17887498072083520', comment_id: '17894227972186120' },
      });
      expect(only(run(IG, entry))).toEqual({
        kind: 'ignored',
        routing: IG_ROUTING,
        reason: `unhandled field: ${field}`,
      });
    }
  });

  it('object "page" with messaging events is handled like Instagram; watermark-only reads are ignored', () => {
    const text = igTextEntry({ accountId: '1122334455', mid: 'm_page', text: 'hi' });
    expect(only(run('page', text))).toMatchObject({
      kind: 'message',
      routing: { channel: 'instagram', accountId: '1122334455' },
      message: { channelMessageId: 'm_page', type: 'text' },
    });
    const read = igMessagingEntry(
      { accountId: '1122334455' },
      { read: { watermark: 1767225600000 } },
    );
    expect(only(run('page', read))).toMatchObject({ kind: 'ignored' });
  });
});

describe('envelope and entry validation', () => {
  it('accepts every factory envelope and unknown fields', () => {
    const ok = metaEnvelopeSchema.safeParse({ ...envelope(WA, [waTextEntry()]), extra: true });
    expect(ok.success).toBe(true);
    expect(metaEnvelopeSchema.safeParse(envelope(IG, [igTextEntry(), igReadEntry()])).success).toBe(
      true,
    );
  });

  it.each([
    ['null', null],
    ['array', []],
    ['missing entry', { object: WA }],
    ['empty entry', { object: WA, entry: [] }],
    ['unknown object', { object: 'user', entry: [{ id: '1', changes: [] }] }],
    ['numeric entry id', { object: IG, entry: [{ id: 1784, messaging: [] }] }],
    ['entry without id', { object: IG, entry: [{ messaging: [] }] }],
    ['changes not an array', { object: WA, entry: [{ id: '1', changes: {} }] }],
    ['a different webhook', { action: 'opened', repository: { id: 1 } }],
  ])('rejects a non-envelope: %s', (_name, body) => {
    expect(metaEnvelopeSchema.safeParse(body).success).toBe(false);
  });

  it('normalizeEntry throws MetaPayloadError only for structural problems', () => {
    expect(() => normalizeEntry(WA, null)).toThrow(MetaPayloadError);
    expect(() => normalizeEntry(WA, { id: 5 })).toThrow(MetaPayloadError);
    expect(() => normalizeEntry('user', { id: '1' })).toThrow(MetaPayloadError);
    try {
      normalizeEntry(IG, 'nope');
    } catch (error) {
      expect((error as Error).name).toBe('MetaPayloadError');
    }
    expect(normalizeEntry(WA, { id: '1' })).toEqual([
      { kind: 'ignored', reason: 'whatsapp entry without changes' },
    ]);
  });
});

describe('metaJson and signMeta', () => {
  const body = envelope(IG, [igTextEntry({ text: 'Olá / tênis 👟 — ok' })]);

  it('parses back to the same object', () => {
    expect(JSON.parse(metaJson(body))).toEqual(body);
  });

  it('escapes non-ASCII as lowercase \\uXXXX (surrogate pairs for emoji) and / as \\/', () => {
    const raw = metaJson(body);
    expect(raw).toContain('\\u');
    expect(raw).toContain('\\/');
    expect(raw).toContain('Ol\\u00e1 \\/ t\\u00eanis \\ud83d\\udc5f \\u2014 ok');
    expect(/[\u0080-\uffff]/.test(raw)).toBe(false);
    expect(raw).not.toMatch(/(?<!\\)\//);
  });

  it('signs the exact bytes with HMAC-SHA256', () => {
    // RFC-style known vector for HMAC-SHA256.
    expect(signMeta('The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
    const raw = metaJson(body);
    expect(signMeta(Buffer.from(raw), 's3cret')).toBe(signMeta(raw, 's3cret'));
    // Re-serialising the parsed body changes the bytes, so the signature no longer matches.
    expect(signMeta(JSON.stringify(JSON.parse(raw)), 's3cret')).not.toBe(signMeta(raw, 's3cret'));
    const req = signedMetaRequest(body, 's3cret');
    expect(req.headers['x-hub-signature-256']).toBe(
      `sha256=${createHmac('sha256', 's3cret').update(raw).digest('hex')}`,
    );
  });
});
