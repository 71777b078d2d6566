import { createHash, randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { mediaKindOf, mediaLimits, mediaTypeSchema, type MediaKind } from '@switchboard/contracts';
import { z } from 'zod';
import type { Logger } from '../../../../engine/log';
import { standInErrors, type StandInError } from './errors';
import type { StandInTemplate } from './templates';

// The stand-in's side of rich outbound messaging, held to Meta's contract: WhatsApp media uploads
// (`POST /{phone-number-id}/media`, multipart, Meta's types and size limits), sends that reference
// an upload by id (only ids this number uploaded, and not expired), interactive messages within
// Meta's limits, reactions, template header and button parameters checked against the approved
// template, read receipts and typing indicators (`status: read`); Instagram sender actions
// (`mark_seen`, `typing_on`/`typing_off`, `react`/`unreact`), quick replies, `reply_to`, and
// attachments by URL, which the stand-in really downloads, as Meta does, refusing what it cannot
// fetch. `server.ts` hands each request here first; an undefined answer lets the send go on.

/** A response the server writes as it is (Meta's error bodies are StandInErrors too). */
export type StandInAnswer = { httpStatus: number; body: unknown };

/** Receipts, typing indicators and Instagram sender actions Meta accepted, oldest first. */
export type StandInAction = {
  channel: 'whatsapp' | 'instagram';
  /** The phone number id, or the Instagram account id. */
  senderId: string;
  /** `read`, `typing` (WhatsApp); Instagram's `sender_action`. */
  action: 'read' | 'typing' | 'mark_seen' | 'typing_on' | 'typing_off' | 'react' | 'unreact';
  /** Instagram: the IGSID; WhatsApp: the wamid read. */
  recipientId?: string;
  body: Record<string, unknown>;
};

export type StandInUpload = {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  filename?: string;
  size: number;
  /** Hex SHA-256 of the bytes received. */
  sha256: string;
  bytes: Buffer;
  expired: boolean;
};

/** An attachment URL the stand-in downloaded for an Instagram send. */
export type StandInFetch = {
  url: string;
  status: number;
  contentType?: string;
  size: number;
  sha256?: string;
};

export type OutboundStandIn = {
  readonly actions: StandInAction[];
  readonly uploads: StandInUpload[];
  readonly fetched: StandInFetch[];
  /** Meta deleted this upload (30 days passed): sends naming it now fail. */
  expireUpload(id: string): void;
};

export type OutboundStandInDeps = {
  /** Meta answers an id the token may not see exactly like one that does not exist. */
  hidden: (id: string, token: string) => boolean;
  /** Recipients whose 24-hour window is closed. */
  closed: ReadonlySet<string>;
  /** The templates of the number's WABA. */
  templatesOf: (phoneNumberId: string) => Promise<StandInTemplate[]>;
  log: Logger;
};

/** Meta's limit on an upload's body: the largest kind (documents, 100 MB) plus the form's framing. */
const MAX_UPLOAD_BYTES = 100 * 1024 * 1024 + 64 * 1024;
/** Instagram's largest attachments (video, audio) are 25 MB. */
const MAX_FETCH_BYTES = 25 * 1024 * 1024;

const acceptedTypes = mediaTypeSchema.options.flatMap((kind) => [...mediaLimits[kind].mimeTypes]);

const fail = (error: StandInError): StandInAnswer => error;

async function readLimited(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Meta's wording for a bad parameter: `Param interactive['action']['buttons'] is invalid: …`. */
function issueOf(error: z.ZodError, ...root: string[]): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid parameter';
  const [head, ...rest] = [...root, ...issue.path.map(String)];
  const param = head ? `${head}${rest.map((p) => `['${p}']`).join('')}` : 'body';
  return issue.code === 'invalid_type' && issue.message.includes('undefined')
    ? `Param ${param} is required.`
    : `Param ${param} is invalid: ${issue.message}`;
}

// ---------------------------------------------------------------- WhatsApp shapes (Meta's limits)

const waReadSchema = z
  .object({
    messaging_product: z.literal('whatsapp'),
    status: z.literal('read'),
    message_id: z.string().min(1),
    typing_indicator: z
      .object({ type: z.literal('text') })
      .strict()
      .optional(),
  })
  .strict();

const waText = (max: number) => z.object({ text: z.string().min(1).max(max) }).strict();
const waInteractiveSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('button'),
      header: z.object({ type: z.literal('text'), text: z.string().min(1).max(60) }).optional(),
      body: waText(1024),
      footer: waText(60).optional(),
      action: z
        .object({
          buttons: z
            .array(
              z
                .object({
                  type: z.literal('reply'),
                  reply: z
                    .object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) })
                    .strict(),
                })
                .strict(),
            )
            .min(1)
            .max(3),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      type: z.literal('list'),
      header: z.object({ type: z.literal('text'), text: z.string().min(1).max(60) }).optional(),
      body: waText(4096),
      footer: waText(60).optional(),
      action: z
        .object({
          button: z.string().min(1).max(20),
          sections: z
            .array(
              z
                .object({
                  title: z.string().min(1).max(24).optional(),
                  rows: z
                    .array(
                      z
                        .object({
                          id: z.string().min(1).max(200),
                          title: z.string().min(1).max(24),
                          description: z.string().min(1).max(72).optional(),
                        })
                        .strict(),
                    )
                    .min(1)
                    .max(10),
                })
                .strict(),
            )
            .min(1)
            .max(10),
        })
        .strict(),
    })
    .strict(),
]);

const waReactionSchema = z
  .object({ message_id: z.string().min(1), emoji: z.string().max(16) })
  .strict();

type Component = {
  type?: unknown;
  sub_type?: unknown;
  index?: unknown;
  parameters?: Record<string, unknown>[];
};

// ---------------------------------------------------------------- Instagram shapes

const igActionSchema = z
  .object({
    recipient: z.object({ id: z.string().min(1) }).strict(),
    sender_action: z.enum(['mark_seen', 'typing_on', 'typing_off', 'react', 'unreact']),
    payload: z
      .object({ message_id: z.string().min(1), reaction: z.literal('love').optional() })
      .strict()
      .optional(),
  })
  .strict();

const igQuickRepliesSchema = z
  .array(
    z
      .object({
        content_type: z.literal('text'),
        title: z.string().min(1).max(20),
        payload: z.string().min(1).max(1000),
      })
      .strict(),
  )
  .min(1)
  .max(13);

const igExpectedContent: Record<string, RegExp> = {
  image: /^image\/(jpeg|png|gif|webp)$/,
  video: /^video\//,
  audio: /^audio\//,
  file: /^[a-z]+\/[\w.+-]+$/,
};

export function createOutboundStandIn(deps: OutboundStandInDeps): OutboundStandIn & {
  /** `POST /{phone-number-id}/media`. */
  upload(req: IncomingMessage, phoneNumberId: string, token: string): Promise<StandInAnswer>;
  /**
   * `POST /{phone-number-id}/messages`: the answer to a receipt or a refused send, or undefined
   * when the send may go on.
   */
  whatsapp(phoneNumberId: string, raw: unknown): Promise<StandInAnswer | undefined>;
  /** `POST /{ig-id}/messages`: the answer to a sender action or a refused send, or undefined. */
  instagram(accountId: string, raw: unknown): Promise<StandInAnswer | undefined>;
} {
  const actions: StandInAction[] = [];
  const uploads: StandInUpload[] = [];
  const fetched: StandInFetch[] = [];

  function usableUpload(id: string, phoneNumberId: string): StandInUpload | undefined {
    return uploads.find((u) => u.id === id && u.phoneNumberId === phoneNumberId && !u.expired);
  }

  async function upload(
    req: IncomingMessage,
    phoneNumberId: string,
    token: string,
  ): Promise<StandInAnswer> {
    if (deps.hidden(phoneNumberId, token)) {
      return fail(standInErrors.unknownObject(phoneNumberId));
    }
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\b/i.test(contentType)) {
      return fail(standInErrors.invalidParameter('Param file is required.'));
    }
    const raw = await readLimited(req, MAX_UPLOAD_BYTES);
    if (!raw) return fail(standInErrors.uploadTooLarge('the file', 100 * 1024 * 1024));
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': contentType },
      }).formData();
    } catch {
      return fail(standInErrors.invalidParameter('The multipart body could not be parsed.'));
    }
    if (form.get('messaging_product') !== 'whatsapp') {
      return fail(standInErrors.invalidParameter('Param messaging_product is required.'));
    }
    const file = form.get('file');
    if (!file || typeof file === 'string' || file.size === 0) {
      return fail(standInErrors.invalidParameter('Param file is required.'));
    }
    const type = String(form.get('type') ?? file.type ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    const kind = mediaKindOf(type);
    if (!kind) return fail(standInErrors.uploadType(type || 'unknown', acceptedTypes));
    if (file.size > mediaLimits[kind].maxBytes) {
      return fail(standInErrors.uploadTooLarge(type, mediaLimits[kind].maxBytes));
    }
    const bytes = Buffer.from(await file.arrayBuffer());
    const id = `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
    uploads.push({
      id,
      phoneNumberId,
      mimeType: type,
      ...(file.name ? { filename: file.name } : {}),
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes,
      expired: false,
    });
    return { httpStatus: 200, body: { id } };
  }

  /** A media object of a send: an id must be this number's upload, of the kind the send says. */
  function checkMediaObject(
    phoneNumberId: string,
    kind: MediaKind,
    media: unknown,
    param: string,
  ): StandInAnswer | undefined {
    if (!media || typeof media !== 'object') return undefined;
    const { id } = media as { id?: unknown };
    if (id === undefined) return undefined;
    const found = typeof id === 'string' ? usableUpload(id, phoneNumberId) : undefined;
    if (!found || mediaKindOf(found.mimeType) !== kind) {
      return fail(standInErrors.unknownMediaId(`${param}['id']`));
    }
    if (kind === 'sticker' && 'caption' in (media as object)) {
      return fail(standInErrors.invalidParameter(`Param ${param}['caption'] is not allowed.`));
    }
    return undefined;
  }

  /** Header and button parameters against the approved template (body parameters: server.ts). */
  async function checkTemplate(
    phoneNumberId: string,
    template: { name?: unknown; language?: { code?: unknown }; components?: unknown },
  ): Promise<StandInAnswer | undefined> {
    const known = (await deps.templatesOf(phoneNumberId)).find(
      (t) =>
        t.name === template.name &&
        t.language === template.language?.code &&
        t.status === 'APPROVED',
    );
    // An unknown template is server.ts's error (132001).
    if (!known) return undefined;
    const components = (
      Array.isArray(template.components) ? template.components : []
    ) as Component[];
    const of = (type: string) =>
      components.filter((c) => String(c.type ?? '').toLowerCase() === type);
    const defined = (type: string) =>
      known.components.find((c) => String(c.type).toUpperCase() === type);

    const header = defined('HEADER');
    const format = String(header?.format ?? '').toUpperCase();
    const headerParam = of('header')[0]?.parameters?.[0];
    if (format === 'IMAGE' || format === 'VIDEO' || format === 'DOCUMENT') {
      const kind = format.toLowerCase() as 'image' | 'video' | 'document';
      const media = headerParam?.[kind] as { id?: unknown; link?: unknown } | undefined;
      if (String(headerParam?.type ?? '').toLowerCase() !== kind || !media) {
        return fail(
          standInErrors.templateFormat(
            `header: Format mismatch, expected ${format}, received ${String(headerParam?.type ?? 'UNKNOWN').toUpperCase()}`,
          ),
        );
      }
      if (media.id === undefined && typeof media.link !== 'string') {
        return fail(standInErrors.templateParamMissing(`header: Param ${kind} is required.`));
      }
      const refused = checkMediaObject(
        phoneNumberId,
        kind,
        media,
        `template['components'][0]['parameters'][0]['${kind}']`,
      );
      if (refused) return refused;
    } else if (format === 'TEXT' && /\{\{/.test(String(header?.text ?? ''))) {
      if (String(headerParam?.type ?? '') !== 'text' || typeof headerParam?.text !== 'string') {
        return fail(
          standInErrors.templateParams(
            'header: number of localizable_params (0) does not match the expected number of params (1)',
          ),
        );
      }
    } else if (headerParam) {
      return fail(
        standInErrors.templateParams(
          'header: number of localizable_params (1) does not match the expected number of params (0)',
        ),
      );
    }

    const listed = defined('BUTTONS')?.buttons;
    const buttons = (Array.isArray(listed) ? listed : []) as Record<string, unknown>[];
    const given = of('button');
    for (const component of given) {
      const index = Number(component.index);
      const button = Number.isInteger(index) ? buttons[index] : undefined;
      const subType = String(component.sub_type ?? '').toLowerCase();
      const param = component.parameters?.[0];
      if (!button) {
        return fail(
          standInErrors.invalidParameter(
            `buttons: Button at index ${String(component.index)} does not exist`,
          ),
        );
      }
      const type = String(button.type ?? '').toUpperCase();
      if (subType === 'url') {
        if (type !== 'URL' || !/\{\{/.test(String(button.url ?? ''))) {
          return fail(
            standInErrors.templateFormat(
              `buttons: Button at index ${index} is not a dynamic URL button`,
            ),
          );
        }
        if (param?.type !== 'text' || typeof param.text !== 'string' || !param.text) {
          return fail(
            standInErrors.templateParamMissing(
              `buttons: Button at index ${index} of type Url requires a parameter`,
            ),
          );
        }
      } else if (subType === 'quick_reply') {
        if (type !== 'QUICK_REPLY') {
          return fail(
            standInErrors.templateFormat(
              `buttons: Button at index ${index} is not a quick reply button`,
            ),
          );
        }
        if (param && (param.type !== 'payload' || typeof param.payload !== 'string')) {
          return fail(
            standInErrors.invalidParameter(
              `buttons: Button at index ${index} takes a payload parameter`,
            ),
          );
        }
      } else {
        return fail(
          standInErrors.invalidParameter(
            `Param template['components']['sub_type'] is invalid: ${subType}`,
          ),
        );
      }
    }
    for (const [index, button] of buttons.entries()) {
      const dynamic =
        String(button.type ?? '').toUpperCase() === 'URL' && /\{\{/.test(String(button.url ?? ''));
      const filled = given.some(
        (c) => Number(c.index) === index && String(c.sub_type).toLowerCase() === 'url',
      );
      if (dynamic && !filled) {
        return fail(
          standInErrors.templateParamMissing(
            `buttons: Button at index ${index} of type Url requires a parameter`,
          ),
        );
      }
    }
    return undefined;
  }

  async function whatsapp(phoneNumberId: string, raw: unknown): Promise<StandInAnswer | undefined> {
    const body = (raw ?? {}) as Record<string, unknown>;
    if (body.status !== undefined) {
      const parsed = waReadSchema.safeParse(raw);
      if (!parsed.success) return fail(standInErrors.invalidParameter(issueOf(parsed.error)));
      actions.push({
        channel: 'whatsapp',
        senderId: phoneNumberId,
        action: parsed.data.typing_indicator ? 'typing' : 'read',
        recipientId: parsed.data.message_id,
        body,
      });
      return { httpStatus: 200, body: { success: true } };
    }
    const type = body.type;
    if (type === 'interactive') {
      const parsed = waInteractiveSchema.safeParse(body.interactive);
      if (!parsed.success) {
        return fail(standInErrors.invalidParameter(issueOf(parsed.error, 'interactive')));
      }
      const interactive = parsed.data;
      const ids =
        interactive.type === 'button'
          ? interactive.action.buttons.map((b) => b.reply.id)
          : interactive.action.sections.flatMap((s) => s.rows.map((r) => r.id));
      if (new Set(ids).size !== ids.length) {
        return fail(standInErrors.invalidParameter('Param interactive has duplicate ids.'));
      }
      if (interactive.type === 'button') {
        const titles = interactive.action.buttons.map((b) => b.reply.title);
        if (new Set(titles).size !== titles.length) {
          return fail(standInErrors.invalidParameter('Button titles must be unique.'));
        }
      } else {
        const sections = interactive.action.sections;
        if (sections.reduce((n, s) => n + s.rows.length, 0) > 10) {
          return fail(
            standInErrors.invalidParameter('Total row count exceed max allowed count: 10'),
          );
        }
        if (sections.length > 1 && sections.some((s) => !s.title)) {
          return fail(
            standInErrors.invalidParameter(
              "Param interactive['action']['sections'][0]['title'] is required.",
            ),
          );
        }
      }
      return undefined;
    }
    if (type === 'reaction') {
      const parsed = waReactionSchema.safeParse(body.reaction);
      if (!parsed.success) {
        return fail(standInErrors.invalidParameter(issueOf(parsed.error, 'reaction')));
      }
      if (body.context !== undefined) {
        return fail(standInErrors.invalidParameter('Param context is not allowed for reactions.'));
      }
      return undefined;
    }
    if (type === 'template') {
      return checkTemplate(
        phoneNumberId,
        (body.template ?? {}) as Parameters<typeof checkTemplate>[1],
      );
    }
    const kind = mediaTypeSchema.safeParse(type);
    if (kind.success) return checkMediaObject(phoneNumberId, kind.data, body[kind.data], kind.data);
    return undefined;
  }

  /** Downloads an attachment as Instagram would; a refusal is Meta's error. */
  async function fetchAttachment(url: string, type: string): Promise<StandInAnswer | undefined> {
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      deps.log.warn('meta stand-in could not fetch an attachment', { error: String(err) });
      fetched.push({ url, status: 0, size: 0 });
      return fail(standInErrors.igFetchFailed());
    }
    const contentType = res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (!res.ok) {
      await res.body?.cancel();
      fetched.push({ url, status: res.status, contentType, size: 0 });
      return fail(standInErrors.igFetchFailed());
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    fetched.push({
      url,
      status: res.status,
      contentType,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const expected = igExpectedContent[type];
    if (
      bytes.length === 0 ||
      bytes.length > MAX_FETCH_BYTES ||
      (expected && !expected.test(contentType ?? ''))
    ) {
      return fail(standInErrors.igFetchFailed());
    }
    return undefined;
  }

  async function instagram(accountId: string, raw: unknown): Promise<StandInAnswer | undefined> {
    const body = (raw ?? {}) as Record<string, unknown>;
    if (body.sender_action !== undefined) {
      const parsed = igActionSchema.safeParse(raw);
      if (!parsed.success) return fail(standInErrors.igInvalidParameter(issueOf(parsed.error)));
      const { sender_action: action, payload, recipient } = parsed.data;
      const reacting = action === 'react' || action === 'unreact';
      if (reacting !== (payload !== undefined) || (action === 'react' && !payload?.reaction)) {
        return fail(
          standInErrors.igInvalidParameter(
            reacting ? 'Param payload is required.' : 'Param payload is not allowed.',
          ),
        );
      }
      if (deps.closed.has(recipient.id)) return fail(standInErrors.igOutsideWindow());
      actions.push({
        channel: 'instagram',
        senderId: accountId,
        action,
        recipientId: recipient.id,
        body,
      });
      return { httpStatus: 200, body: { recipient_id: recipient.id } };
    }
    if (body.reply_to !== undefined) {
      const replyTo = z
        .object({ mid: z.string().min(1) })
        .strict()
        .safeParse(body.reply_to);
      if (!replyTo.success)
        return fail(standInErrors.igInvalidParameter('Param reply_to[mid] is invalid.'));
    }
    const message = (body.message ?? {}) as Record<string, unknown>;
    if (message.quick_replies !== undefined) {
      const parsed = igQuickRepliesSchema.safeParse(message.quick_replies);
      if (!parsed.success) {
        return fail(
          standInErrors.igInvalidParameter(issueOf(parsed.error, 'message', 'quick_replies')),
        );
      }
      if (typeof message.text !== 'string') {
        return fail(standInErrors.igInvalidParameter('Quick replies need a text message.'));
      }
    }
    const attachment = message.attachment as
      { type?: unknown; payload?: { url?: unknown } } | undefined;
    if (
      attachment &&
      typeof attachment.payload?.url === 'string' &&
      /^https?:\/\//.test(attachment.payload.url)
    ) {
      const recipient = (body.recipient as { id?: unknown } | undefined)?.id;
      if (typeof recipient === 'string' && deps.closed.has(recipient)) return undefined;
      return fetchAttachment(attachment.payload.url, String(attachment.type ?? ''));
    }
    return undefined;
  }

  return {
    actions,
    uploads,
    fetched,
    expireUpload: (id) => {
      for (const u of uploads) if (u.id === id) u.expired = true;
    },
    upload,
    whatsapp,
    instagram,
  };
}
