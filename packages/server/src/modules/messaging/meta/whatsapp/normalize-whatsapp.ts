// WhatsApp Cloud API webhook entries (`object: whatsapp_business_account`) → normalised events.
import type {
  Customer,
  DeliveryStatus,
  InboundEvent,
  MetaError,
  NormalizedMedia,
  NormalizedMessage,
  Routing,
} from '../inbound-event';
import { compact, compactOrUndefined, ignored, parseOr, toIso } from '../normalize-shared';
import {
  metaChangeSchema,
  waButtonSchema,
  waContactSchema,
  waContactsMessageSchema,
  waContextSchema,
  waErrorSchema,
  waInteractiveSchema,
  waLocationSchema,
  waMediaSchema,
  waMessageBaseSchema,
  waMessagesValueSchema,
  waOrderSchema,
  waReactionSchema,
  waReferralSchema,
  waStatusSchema,
  waSystemSchema,
  waTextSchema,
  waUnsupportedSchema,
  type MetaEntry,
  type WaContact,
  type WaMessageBase,
  type WaMessagesValue,
} from '../webhook-envelope';

export function normalizeWhatsAppEntry(entry: MetaEntry): InboundEvent[] {
  if (!entry.changes) return [ignored('whatsapp entry without changes')];
  return entry.changes.flatMap((change) => normalizeWhatsAppChange(entry.id, change));
}

function normalizeWhatsAppChange(wabaId: string, rawChange: unknown): InboundEvent[] {
  const change = parseOr(metaChangeSchema, rawChange);
  if (!change) return [ignored('malformed change')];
  // Other fields (account_update, message_template_status_update, ...) are not inbox events.
  if (change.field !== 'messages') return [ignored(`unhandled field: ${change.field}`)];

  const value = parseOr(waMessagesValueSchema, change.value);
  if (!value) return [ignored('messages change without metadata.phone_number_id')];

  const routing: Routing = {
    channel: 'whatsapp',
    phoneNumberId: value.metadata.phone_number_id,
    wabaId,
  };
  const events = [
    ...(value.messages ?? []).map((m) => normalizeWaMessage(m, value, routing)),
    ...(value.statuses ?? []).map((s) => normalizeWaStatus(s, routing)),
    ...valueErrorEvents(value, routing),
  ];
  return events.length > 0 ? events : [ignored('empty messages change', routing)];
}

// Value-level errors (no messages/statuses) describe platform problems, not conversations.
function valueErrorEvents(value: WaMessagesValue, routing: Routing): InboundEvent[] {
  const errors = toMetaErrors(value.errors);
  if (!errors) return [];
  return errors.map((e) =>
    ignored(`whatsapp error ${String(e.code)}: ${e.title ?? e.message ?? ''}`.trim(), routing),
  );
}

function normalizeWaStatus(raw: unknown, routing: Routing): InboundEvent {
  const s = parseOr(waStatusSchema, raw);
  if (!s) return ignored('malformed status', routing);
  const status = toDeliveryStatus(s.status);
  // e.g. `played` (voice note) or `deleted`: not part of our delivery lifecycle.
  if (!status) return ignored(`unhandled status: ${s.status}`, routing);
  const timestamp = toIso(s.timestamp);
  if (!timestamp) return ignored('status with invalid timestamp', routing);
  return compact({
    kind: 'status' as const,
    routing,
    channelMessageId: s.id,
    recipientId: s.recipient_id ?? s.recipient_user_id ?? '',
    status,
    timestamp,
    errors: toMetaErrors(s.errors),
    conversation: s.conversation,
    pricing: s.pricing,
  });
}

function toDeliveryStatus(status: string): DeliveryStatus | undefined {
  switch (status) {
    case 'sent':
    case 'delivered':
    case 'read':
    case 'failed':
      return status;
    default:
      return undefined;
  }
}

function normalizeWaMessage(raw: unknown, value: WaMessagesValue, routing: Routing): InboundEvent {
  const base = parseOr(waMessageBaseSchema, raw);
  if (!base) return ignored('malformed message', routing);
  const timestamp = toIso(base.timestamp);
  if (!timestamp) return ignored('message with invalid timestamp', routing);

  const message: NormalizedMessage = compact({
    channelMessageId: base.id,
    direction: 'inbound' as const,
    timestamp,
    ...waContent(base),
    context: waContext(base.context),
    referral: parseOr(waReferralSchema, base.referral),
  });
  // Errors are attached to unsupported messages by Meta; keep them wherever they appear.
  const errors = toMetaErrors(base.errors);
  if (errors) message.errors = errors;

  return { kind: 'message', routing, customer: waCustomer(base, value), message };
}

function waCustomer(base: WaMessageBase, value: WaMessagesValue): Customer {
  const contact = findContact(value.contacts ?? [], base);
  const bsuid = base.from_user_id ?? contact?.user_id;
  return compact<Customer>({
    // `from` (wa_id) stays the primary key; the BSUID is the fallback for username-only users.
    externalId: base.from ?? bsuid ?? '',
    name: contact?.profile?.name,
    phone: base.from ? `+${base.from}` : undefined,
    bsuid,
  });
}

function findContact(rawContacts: unknown[], base: WaMessageBase): WaContact | undefined {
  const contacts = rawContacts.flatMap((c) => {
    const parsed = parseOr(waContactSchema, c);
    return parsed ? [parsed] : [];
  });
  return contacts.find(
    (c) =>
      (base.from !== undefined && c.wa_id === base.from) ||
      (base.from_user_id !== undefined && c.user_id === base.from_user_id),
  );
}

type Content = Pick<
  NormalizedMessage,
  | 'type'
  | 'text'
  | 'media'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'reaction'
  | 'order'
  | 'system'
  | 'originalType'
>;

const WA_MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type WaMediaType = (typeof WA_MEDIA_TYPES)[number];

function isWaMediaType(type: string): type is WaMediaType {
  return (WA_MEDIA_TYPES as readonly string[]).includes(type);
}

/** Maps the type-specific object (`message[message.type]`) to our content fields. */
function waContent(base: WaMessageBase): Content {
  const type = base.type;
  const payload: unknown = base[type];
  const content = isWaMediaType(type)
    ? waMediaContent(type, payload)
    : waOtherContent(type, payload);
  return content ?? { type: 'unsupported', originalType: type };
}

function waMediaContent(type: WaMediaType, payload: unknown): Content | undefined {
  const m = parseOr(waMediaSchema, payload);
  if (!m) return undefined;
  const media = compact<NormalizedMedia>({
    id: m.id,
    url: m.url,
    mimeType: m.mime_type,
    sha256: m.sha256,
    caption: m.caption,
    filename: m.filename,
    animated: m.animated,
    voice: m.voice,
  });
  return { type, media };
}

function waOtherContent(type: string, payload: unknown): Content | undefined {
  switch (type) {
    case 'text': {
      const t = parseOr(waTextSchema, payload);
      return t && { type, text: t.body };
    }
    case 'location': {
      const l = parseOr(waLocationSchema, payload);
      return l && { type, location: compact(l) };
    }
    case 'contacts': {
      const c = parseOr(waContactsMessageSchema, payload);
      return c && { type, contacts: c };
    }
    case 'interactive':
      return waInteractiveContent(payload);
    case 'button': {
      const b = parseOr(waButtonSchema, payload);
      // Template quick-reply button: the closest interactive kind is `quick_reply`.
      return (
        b &&
        compact({
          type,
          text: b.text,
          interactive: compact({ kind: 'quick_reply' as const, title: b.text, payload: b.payload }),
        })
      );
    }
    case 'reaction': {
      const r = parseOr(waReactionSchema, payload);
      return (
        r && {
          type,
          reaction: compact({
            messageId: r.message_id,
            emoji: r.emoji,
            action: r.emoji ? ('react' as const) : ('unreact' as const),
          }),
        }
      );
    }
    case 'order': {
      const o = parseOr(waOrderSchema, payload);
      return (
        o &&
        compact({
          type,
          text: o.text,
          order: compact({ catalogId: o.catalog_id, items: o.product_items, text: o.text }),
        })
      );
    }
    case 'system':
      return waSystemContent(payload);
    case 'request_welcome':
      return { type };
    case 'unsupported': {
      const u = parseOr(waUnsupportedSchema, payload);
      return compact({ type: 'unsupported' as const, originalType: u?.type });
    }
    default:
      return undefined;
  }
}

function waInteractiveContent(payload: unknown): Content | undefined {
  const i = parseOr(waInteractiveSchema, payload);
  if (!i) return undefined;
  if (i.type === 'button_reply' && i.button_reply) {
    const { id, title } = i.button_reply;
    return { type: 'interactive', text: title, interactive: { kind: 'button_reply', id, title } };
  }
  if (i.type === 'list_reply' && i.list_reply) {
    const { id, title, description } = i.list_reply;
    return {
      type: 'interactive',
      text: title,
      interactive: compact({ kind: 'list_reply' as const, id, title, description }),
    };
  }
  if (i.type === 'nfm_reply' && i.nfm_reply) {
    // Flow / address submissions: `response_json` is the structured answer, `name` the flow kind.
    const { name, body, response_json } = i.nfm_reply;
    return compact({
      type: 'interactive' as const,
      text: body,
      interactive: compact({ kind: 'nfm_reply' as const, title: name, payload: response_json }),
    });
  }
  return { type: 'unsupported', originalType: `interactive:${i.type}` };
}

function waSystemContent(payload: unknown): Content | undefined {
  const s = parseOr(waSystemSchema, payload);
  if (!s) return undefined;
  const newWaId = s.wa_id ?? (s.new_wa_id === undefined ? undefined : String(s.new_wa_id));
  return { type: 'system', system: compact({ body: s.body, type: s.type, newWaId }) };
}

function waContext(raw: unknown): NormalizedMessage['context'] {
  const c = parseOr(waContextSchema, raw);
  if (!c) return undefined;
  return compactOrUndefined({
    messageId: c.id,
    from: c.from,
    forwarded: c.forwarded,
    frequentlyForwarded: c.frequently_forwarded,
  });
}

function toMetaErrors(raw: unknown[] | undefined): MetaError[] | undefined {
  if (!raw) return undefined;
  const errors = raw.flatMap((item) => {
    const e = parseOr(waErrorSchema, item);
    if (!e) return [];
    return [
      compact<MetaError>({
        code: e.code,
        title: e.title,
        message: e.message,
        details: e.error_data?.details,
      }),
    ];
  });
  return errors.length > 0 ? errors : undefined;
}
