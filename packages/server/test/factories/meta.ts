import { createHmac } from 'node:crypto';

// Factories for complete Meta webhook bodies (WhatsApp Cloud API + Instagram messaging),
// shaped like the payloads documented by Meta. Builders return ONE entry; wrap entries with
// `envelope()` and serialise with `metaJson()` to get the exact bytes Meta signs.
// All ids/timestamps default to realistic values; pass them explicitly when a test asserts on them.

export type MetaObject = 'whatsapp_business_account' | 'instagram' | 'page';
export type MetaEntryBody = {
  id: string;
  time?: number;
  changes?: unknown[];
  messaging?: unknown[];
};
export type MetaEnvelopeBody = { object: MetaObject; entry: MetaEntryBody[] };

let seq = 0;
const nextSeq = (): number => ++seq;

export function envelope(object: MetaObject, entries: MetaEntryBody[]): MetaEnvelopeBody {
  return { object, entry: entries };
}

// ----------------------------------------------------------------- serialisation and signing

/**
 * Serialises like Meta: JSON where every non-ASCII UTF-16 code unit is escaped as a lowercase
 * `\uXXXX` (emoji become surrogate pairs) and `/` becomes `\/`. The signature covers these bytes,
 * so a receiver that re-serialises the parsed body will fail verification — as it should.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

/** `X-Hub-Signature-256` header value: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export function signMeta(rawBody: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Body + headers of a signed webhook POST, ready for `app.request(path, { method: 'POST', ...req })`. */
export function signedMetaRequest(
  body: MetaEnvelopeBody,
  appSecret: string,
): { body: string; headers: Record<string, string> } {
  const raw = metaJson(body);
  return {
    body: raw,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signMeta(raw, appSecret),
    },
  };
}

// ----------------------------------------------------------------- WhatsApp

export type WaCommon = {
  wabaId?: string;
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  /** Customer wa_id (phone digits, no `+`). */
  from?: string;
  /** Customer profile name shown in `contacts[]`. */
  name?: string;
  /** Business-scoped user id; adds `contacts[].user_id` and `messages[].from_user_id`. */
  bsuid?: string;
  wamid?: string;
  /** Unix seconds (Meta sends it as a string). */
  timestamp?: number | string;
  context?: { id?: string; from?: string; forwarded?: boolean; frequentlyForwarded?: boolean };
  referral?: Record<string, unknown>;
};

export const WA_DEFAULTS = {
  wabaId: '104857600112233',
  phoneNumberId: '109283746501928',
  displayPhoneNumber: '15550109988',
  from: '5511987654321',
  name: 'João Conceição',
  timestamp: 1767225600,
} as const;

export function fakeWamid(from: string = WA_DEFAULTS.from): string {
  const n = nextSeq();
  // Real wamids are base64 of a binary blob embedding the phone number; this mimics the look.
  const blob = Buffer.from(
    `\u0018\u000c${from}\u0015\u0002\u0000\u0012\u0018\u0014${n.toString(16).padStart(20, 'A')}`,
  );
  return `wamid.${blob.toString('base64')}`;
}

function waValue(c: WaCommon, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    metadata: {
      display_phone_number: c.displayPhoneNumber ?? WA_DEFAULTS.displayPhoneNumber,
      phone_number_id: c.phoneNumberId ?? WA_DEFAULTS.phoneNumberId,
    },
    ...extra,
  };
}

function waEntry(c: WaCommon, value: Record<string, unknown>, field = 'messages'): MetaEntryBody {
  return { id: c.wabaId ?? WA_DEFAULTS.wabaId, changes: [{ value, field }] };
}

function waContextBody(ctx: NonNullable<WaCommon['context']>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (ctx.forwarded !== undefined) body['forwarded'] = ctx.forwarded;
  if (ctx.frequentlyForwarded !== undefined) body['frequently_forwarded'] = ctx.frequentlyForwarded;
  if (ctx.from !== undefined) body['from'] = ctx.from;
  if (ctx.id !== undefined) body['id'] = ctx.id;
  return body;
}

/**
 * Any incoming message: `typeFields` is `{ type, [type]: payload }` (or anything else Meta adds).
 * Use it directly for types without a dedicated builder (e.g. an unknown future type).
 */
export function waMessageEntry(
  c: WaCommon,
  typeFields: Record<string, unknown> & { type: string },
  opts: { withContacts?: boolean } = {},
): MetaEntryBody {
  const from = c.from ?? WA_DEFAULTS.from;
  const message: Record<string, unknown> = {
    ...(c.context ? { context: waContextBody(c.context) } : {}),
    from,
    ...(c.bsuid ? { from_user_id: c.bsuid } : {}),
    id: c.wamid ?? fakeWamid(from),
    timestamp: String(c.timestamp ?? WA_DEFAULTS.timestamp),
    ...(c.referral ? { referral: c.referral } : {}),
    ...typeFields,
  };
  const contact = {
    profile: { name: c.name ?? WA_DEFAULTS.name },
    wa_id: from,
    ...(c.bsuid ? { user_id: c.bsuid } : {}),
  };
  // System messages are the one kind Meta sends without a contacts array.
  const withContacts = opts.withContacts ?? true;
  return waEntry(
    c,
    waValue(c, { ...(withContacts ? { contacts: [contact] } : {}), messages: [message] }),
  );
}

export function waTextEntry(c: WaCommon & { text?: string } = {}): MetaEntryBody {
  return waMessageEntry(c, {
    type: 'text',
    text: { body: c.text ?? 'Olá! Vocês entregam em São Paulo?' },
  });
}

/** Text message replying to (or forwarding) another message; defaults to a reply. */
export function waReplyEntry(
  c: WaCommon & { text?: string; replyToWamid?: string; replyToFrom?: string } = {},
): MetaEntryBody {
  const context = c.context ?? {
    from: c.replyToFrom ?? c.displayPhoneNumber ?? WA_DEFAULTS.displayPhoneNumber,
    id: c.replyToWamid ?? fakeWamid(),
  };
  return waTextEntry({ ...c, context, text: c.text ?? 'Sim, pode ser amanhã.' });
}

type WaMediaInput = WaCommon & {
  mediaId?: string;
  mimeType?: string;
  sha256?: string;
  caption?: string;
  /** Cloud API now also includes a short-lived download URL. */
  url?: string;
};

function mediaBody(m: WaMediaInput, defaults: { mimeType: string }): Record<string, unknown> {
  return {
    ...(m.caption !== undefined ? { caption: m.caption } : {}),
    mime_type: m.mimeType ?? defaults.mimeType,
    sha256: m.sha256 ?? 'n3Xo0qVB4Y7f0y1M3Dsl3oHD0qoy4EJAmF4VOrnxXEc=',
    id: m.mediaId ?? String(1_000_000_000_000_000 + nextSeq()),
    ...(m.url !== undefined ? { url: m.url } : {}),
  };
}

export function waImageEntry(m: WaMediaInput = {}): MetaEntryBody {
  return waMessageEntry(m, { type: 'image', image: mediaBody(m, { mimeType: 'image/jpeg' }) });
}

export function waVideoEntry(m: WaMediaInput = {}): MetaEntryBody {
  return waMessageEntry(m, { type: 'video', video: mediaBody(m, { mimeType: 'video/mp4' }) });
}

export function waAudioEntry(m: WaMediaInput & { voice?: boolean } = {}): MetaEntryBody {
  const audio = { ...mediaBody(m, { mimeType: 'audio/ogg; codecs=opus' }), voice: m.voice ?? true };
  return waMessageEntry(m, { type: 'audio', audio });
}

export function waDocumentEntry(m: WaMediaInput & { filename?: string } = {}): MetaEntryBody {
  const document = {
    ...mediaBody(m, { mimeType: 'application/pdf' }),
    filename: m.filename ?? 'orçamento/2026.pdf',
  };
  return waMessageEntry(m, { type: 'document', document });
}

export function waStickerEntry(m: WaMediaInput & { animated?: boolean } = {}): MetaEntryBody {
  const sticker = { ...mediaBody(m, { mimeType: 'image/webp' }), animated: m.animated ?? false };
  return waMessageEntry(m, { type: 'sticker', sticker });
}

export function waLocationEntry(
  c: WaCommon & {
    latitude?: number;
    longitude?: number;
    /** Place name (`name` on WaCommon is the customer's profile name). */
    placeName?: string;
    address?: string;
    url?: string;
  } = {},
): MetaEntryBody {
  const location = {
    address: c.address ?? 'Av. Paulista, 1578 - Bela Vista, São Paulo - SP',
    latitude: c.latitude ?? -23.561414,
    longitude: c.longitude ?? -46.655881,
    name: c.placeName ?? 'MASP',
    url: c.url ?? 'https://masp.org.br/',
  };
  return waMessageEntry(c, { type: 'location', location });
}

export const WA_CONTACT_CARD = {
  addresses: [
    {
      city: 'Lisboa',
      country: 'Portugal',
      country_code: 'PT',
      street: 'Rua Augusta 10',
      type: 'WORK',
    },
  ],
  emails: [{ email: 'ines@example.pt', type: 'WORK' }],
  name: { first_name: 'Inês', last_name: 'Marçal', formatted_name: 'Inês Marçal' },
  org: { company: 'Padaria Marçal', title: 'Gerente' },
  phones: [{ phone: '+351 912 345 678', wa_id: '351912345678', type: 'CELL' }],
  urls: [{ url: 'https://example.pt/', type: 'WORK' }],
};

export function waContactsEntry(c: WaCommon & { contacts?: unknown[] } = {}): MetaEntryBody {
  return waMessageEntry(c, { type: 'contacts', contacts: c.contacts ?? [WA_CONTACT_CARD] });
}

export function waButtonReplyEntry(
  c: WaCommon & { buttonId?: string; title?: string; replyToWamid?: string } = {},
): MetaEntryBody {
  const context = c.context ?? {
    from: c.displayPhoneNumber ?? WA_DEFAULTS.displayPhoneNumber,
    id: c.replyToWamid ?? fakeWamid(),
  };
  return waMessageEntry(
    { ...c, context },
    {
      type: 'interactive',
      interactive: {
        type: 'button_reply',
        button_reply: { id: c.buttonId ?? 'confirm_yes', title: c.title ?? 'Sim ✅' },
      },
    },
  );
}

export function waListReplyEntry(
  c: WaCommon & {
    rowId?: string;
    title?: string;
    description?: string;
    replyToWamid?: string;
  } = {},
): MetaEntryBody {
  const context = c.context ?? {
    from: c.displayPhoneNumber ?? WA_DEFAULTS.displayPhoneNumber,
    id: c.replyToWamid ?? fakeWamid(),
  };
  return waMessageEntry(
    { ...c, context },
    {
      type: 'interactive',
      interactive: {
        type: 'list_reply',
        list_reply: {
          id: c.rowId ?? 'slot_2026_01_02_10h',
          title: c.title ?? 'Sexta 10h',
          description: c.description ?? 'Unidade Pinheiros',
        },
      },
    },
  );
}

export function waNfmReplyEntry(
  c: WaCommon & {
    responseJson?: string;
    flowName?: string;
    body?: string;
    replyToWamid?: string;
  } = {},
): MetaEntryBody {
  const context = c.context ?? {
    from: c.displayPhoneNumber ?? WA_DEFAULTS.displayPhoneNumber,
    id: c.replyToWamid ?? fakeWamid(),
  };
  return waMessageEntry(
    { ...c, context },
    {
      type: 'interactive',
      interactive: {
        type: 'nfm_reply',
        nfm_reply: {
          response_json: c.responseJson ?? '{"flow_token":"lead-form-1","budget":"5k-10k"}',
          body: c.body ?? 'Sent',
          name: c.flowName ?? 'flow',
        },
      },
    },
  );
}

/** Template quick-reply button tap (`type: "button"`), always a reply to the template message. */
export function waButtonEntry(
  c: WaCommon & { text?: string; payload?: string; replyToWamid?: string } = {},
): MetaEntryBody {
  const context = c.context ?? {
    from: c.displayPhoneNumber ?? WA_DEFAULTS.displayPhoneNumber,
    id: c.replyToWamid ?? fakeWamid(),
  };
  return waMessageEntry(
    { ...c, context },
    {
      type: 'button',
      button: { payload: c.payload ?? 'OPT_IN_PROMOS', text: c.text ?? 'Quero receber' },
    },
  );
}

/** Reaction to a business message; `emoji: null` builds the removal webhook (no emoji field). */
export function waReactionEntry(
  c: WaCommon & { reactedWamid?: string; emoji?: string | null } = {},
): MetaEntryBody {
  const reaction: Record<string, unknown> = { message_id: c.reactedWamid ?? fakeWamid() };
  if (c.emoji !== null) reaction['emoji'] = c.emoji ?? '❤️';
  return waMessageEntry(c, { type: 'reaction', reaction });
}

export function waOrderEntry(
  c: WaCommon & { catalogId?: string; text?: string; items?: unknown[] } = {},
): MetaEntryBody {
  const order = {
    catalog_id: c.catalogId ?? '730125864399180',
    text: c.text ?? 'Entrega até às 18h, por favor',
    product_items: c.items ?? [
      { product_retailer_id: 'SKU-CAFE-250', quantity: 2, item_price: 34.9, currency: 'BRL' },
      { product_retailer_id: 'SKU-PAO-QJ', quantity: 12, item_price: 1.5, currency: 'BRL' },
    ],
  };
  return waMessageEntry(c, { type: 'order', order });
}

/** Customer changed number: sent from the OLD number, no contacts array, new id in `system.wa_id`. */
export function waSystemEntry(c: WaCommon & { newWaId?: string } = {}): MetaEntryBody {
  const from = c.from ?? WA_DEFAULTS.from;
  const newWaId = c.newWaId ?? '5511912345678';
  const system = {
    body: `User ${c.name ?? WA_DEFAULTS.name} changed from ${from} to ${newWaId}`,
    wa_id: newWaId,
    type: 'user_changed_number',
  };
  return waMessageEntry(c, { type: 'system', system }, { withContacts: false });
}

export function waUnsupportedEntry(c: WaCommon & { unsupportedType?: string } = {}): MetaEntryBody {
  return waMessageEntry(c, {
    type: 'unsupported',
    errors: [
      {
        code: 131051,
        title: 'Message type unknown',
        message: 'Message type unknown',
        error_data: { details: 'Message type is currently not supported.' },
      },
    ],
    unsupported: { type: c.unsupportedType ?? 'poll_creation' },
  });
}

export type WaStatusInput = Omit<WaCommon, 'context' | 'referral' | 'name' | 'from'> & {
  status?: 'sent' | 'delivered' | 'read' | 'failed' | (string & {});
  recipientId?: string;
  errors?: unknown[];
};

export const WA_FAILED_ERROR = {
  code: 131047,
  title: 'Re-engagement message',
  message: 'Re-engagement message',
  error_data: {
    details:
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
};

export function waStatusEntry(s: WaStatusInput = {}): MetaEntryBody {
  const status = s.status ?? 'delivered';
  const recipientId = s.recipientId ?? WA_DEFAULTS.from;
  const timestamp = String(s.timestamp ?? WA_DEFAULTS.timestamp);
  const billable = status === 'sent' || status === 'delivered';
  const body: Record<string, unknown> = {
    id: s.wamid ?? fakeWamid(recipientId),
    status,
    timestamp,
    recipient_id: recipientId,
    ...(s.bsuid ? { recipient_user_id: s.bsuid } : {}),
    ...(billable
      ? {
          conversation: {
            id: 'c0f2e3b1a9d84e6f8a7b6c5d4e3f2a1b',
            ...(status === 'sent'
              ? { expiration_timestamp: String(Number(timestamp) + 86_400) }
              : {}),
            origin: { type: 'service' },
          },
          pricing: {
            billable: true,
            pricing_model: 'PMP',
            category: 'service',
            type: 'free_customer_service',
          },
        }
      : {}),
    ...(status === 'failed'
      ? { errors: s.errors ?? [WA_FAILED_ERROR] }
      : s.errors
        ? { errors: s.errors }
        : {}),
  };
  return waEntry(s, waValue(s, { statuses: [body] }));
}

// ----------------------------------------------------------------- Instagram

export type IgCommon = {
  /** Our Instagram professional account id (entry.id). */
  accountId?: string;
  /** Customer Instagram-scoped id (IGSID). */
  senderId?: string;
  mid?: string;
  /** Unix milliseconds. */
  timestamp?: number;
  /** Meta's delivery time for the entry (`entry.time`), unix milliseconds. */
  time?: number;
};

export const IG_DEFAULTS = {
  accountId: '17841455566677788',
  senderId: '7362514098123456',
  timestamp: 1767225600123,
} as const;

export function fakeMid(accountId: string = IG_DEFAULTS.accountId): string {
  const id = `ig_item:1:IGMessageThread:${accountId}:${String(nextSeq()).padStart(20, '0')}`;
  return Buffer.from(id).toString('base64').replace(/=+$/, '');
}

/** An entry with one messaging event; `sender`/`recipient` default to customer → our account. */
export function igMessagingEntry(
  c: IgCommon,
  event: Record<string, unknown>,
  opts: { fromBusiness?: boolean } = {},
): MetaEntryBody {
  const accountId = c.accountId ?? IG_DEFAULTS.accountId;
  const customer = c.senderId ?? IG_DEFAULTS.senderId;
  const timestamp = c.timestamp ?? IG_DEFAULTS.timestamp;
  const [sender, recipient] = opts.fromBusiness ? [accountId, customer] : [customer, accountId];
  return {
    time: c.time ?? timestamp + 412,
    id: accountId,
    messaging: [{ sender: { id: sender }, recipient: { id: recipient }, timestamp, ...event }],
  };
}

function igMessage(
  c: IgCommon,
  fields: Record<string, unknown>,
  opts: { fromBusiness?: boolean } = {},
): MetaEntryBody {
  return igMessagingEntry(c, { message: { mid: c.mid ?? fakeMid(c.accountId), ...fields } }, opts);
}

export function igTextEntry(c: IgCommon & { text?: string } = {}): MetaEntryBody {
  return igMessage(c, { text: c.text ?? 'Oi! Ainda tem o tênis 42? 👟' });
}

export function igAttachmentEntry(
  c: IgCommon & { attachmentType?: string; url?: string; urls?: string[] } = {},
): MetaEntryBody {
  const urls = c.urls ?? [
    c.url ??
      'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18034567890123456&signature=AbCdEf',
  ];
  const attachments = urls.map((url) => ({ type: c.attachmentType ?? 'image', payload: { url } }));
  return igMessage(c, { attachments });
}

export function igImageEntry(c: IgCommon & { url?: string } = {}): MetaEntryBody {
  return igAttachmentEntry({ ...c, attachmentType: 'image' });
}

export function igStoryReplyEntry(
  c: IgCommon & { text?: string; storyId?: string; storyUrl?: string } = {},
): MetaEntryBody {
  return igMessage(c, {
    text: c.text ?? 'Que lindo esse look! Quanto custa?',
    reply_to: {
      story: {
        url:
          c.storyUrl ??
          'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17987654321098765&signature=Story1',
        id: c.storyId ?? '17987654321098765',
      },
    },
  });
}

export function igStoryMentionEntry(c: IgCommon & { url?: string } = {}): MetaEntryBody {
  return igAttachmentEntry({
    ...c,
    attachmentType: 'story_mention',
    url:
      c.url ??
      'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18011122233344455&signature=Mention1',
  });
}

export function igQuickReplyEntry(
  c: IgCommon & { text?: string; payload?: string } = {},
): MetaEntryBody {
  return igMessage(c, {
    text: c.text ?? 'Quero orçamento',
    quick_reply: { payload: c.payload ?? 'QR_QUOTE' },
  });
}

export function igPostbackEntry(
  c: IgCommon & { title?: string; payload?: string } = {},
): MetaEntryBody {
  return igMessagingEntry(c, {
    postback: {
      mid: c.mid ?? fakeMid(c.accountId),
      title: c.title ?? 'Falar com atendente',
      payload: c.payload ?? 'ICEBREAKER_HUMAN',
    },
  });
}

/** A message our account sent (from the Instagram app or the API), echoed back. */
export function igEchoEntry(c: IgCommon & { text?: string } = {}): MetaEntryBody {
  return igMessage(
    c,
    { text: c.text ?? 'Temos sim! Envio hoje 📦', is_echo: true },
    { fromBusiness: true },
  );
}

export function igUnsendEntry(c: IgCommon = {}): MetaEntryBody {
  return igMessage(c, { is_deleted: true });
}

export function igReactionEntry(
  c: IgCommon & { reactedMid?: string; action?: 'react' | 'unreact'; emoji?: string } = {},
): MetaEntryBody {
  const action = c.action ?? 'react';
  const reaction: Record<string, unknown> = { mid: c.reactedMid ?? fakeMid(c.accountId), action };
  if (action === 'react') {
    reaction['reaction'] = 'love';
    reaction['emoji'] = c.emoji ?? '❤️';
  }
  return igMessagingEntry(c, { reaction });
}

export function igReadEntry(c: IgCommon & { readMid?: string } = {}): MetaEntryBody {
  return igMessagingEntry(c, { read: { mid: c.readMid ?? fakeMid(c.accountId) } });
}

/** Non-messaging Instagram change (comments, mentions, story_insights, ...). */
export function igChangeEntry(c: IgCommon & { field: string; value: unknown }): MetaEntryBody {
  return {
    id: c.accountId ?? IG_DEFAULTS.accountId,
    time: c.time ?? Math.floor((c.timestamp ?? IG_DEFAULTS.timestamp) / 1000),
    changes: [{ field: c.field, value: c.value }],
  };
}
