import { describe, expect, it } from 'vitest';
import {
  WA_CONTACT_CARD,
  WA_DEFAULTS,
  WA_FAILED_ERROR,
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
} from '../../../../../test/factories/meta';
import { WA, WA_ISO, WA_ROUTING, only, onlyMessage, run } from '../normalize.test-support';

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
