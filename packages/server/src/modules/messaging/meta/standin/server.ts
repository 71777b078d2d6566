import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Logger } from '../../../../engine/log';
import { BusinessRegistry, type RegisteredKind } from './business-registry';
import { graphError, standInErrors, type StandInError } from './errors';
import { defaultTemplates, expectedBodyParameters, type StandInTemplate } from './templates';
import { WebhookPoster, igReadWebhook, waStatusWebhook } from './webhooks';
import { createOutboundStandIn, type OutboundStandIn } from './outbound';
import { StandInMedia, type StandInMediaHooks, type StandInProfile } from './media';

// The sandbox's Meta: a real HTTP server on 127.0.0.1 that honours the Graph API's contract for
// the calls Switchboard makes — WhatsApp Cloud API sends, Instagram sends, phone number and account
// lookups, a WABA's phone numbers, the account behind a token (`/me`), message templates — with
// Meta's success and error bodies, and that posts signed status webhooks (sent → delivered → read)
// back to the sandbox a few hundred ms apart, so the whole loop runs without Meta. Tokens are
// accepted by shape (`EAA…`/`IGAA…`, ≥ 16 chars), the way a real token is opaque. Who owns which
// WABA, number and account is `business-registry.ts`: registered ids are strict, the others open.
// The hooks below let tests and demos make Meta refuse things.

export type MetaStandInOptions = {
  appSecret: string;
  /** The sandbox's `/webhooks/meta`; settable later, since the sandbox's port is known after it listens. */
  webhookUrl?: string;
  /** A phone number's WABA, for the `entry.id` of status webhooks (the sandbox reads its routing keys). */
  wabaIdOf?: (phoneNumberId: string) => Promise<string | undefined>;
  /** Gap between sent, delivered and read. */
  statusDelayMs?: number;
  log: Logger;
};

export type StandInSend = {
  channel: 'whatsapp' | 'instagram';
  senderId: string;
  recipientId: string;
  channelMessageId: string;
  body: Record<string, unknown>;
};

/** A `POST /{id}/messages` as it arrived, whatever the answer (rate checks read their times). */
export type StandInMessageRequest = {
  /** Date.now() when the request reached the stand-in. */
  at: number;
  senderId: string;
  /** The WhatsApp `to`, when the body was read (not for an injected failure, answered first). */
  to?: string;
  httpStatus?: number;
};

export type InjectedError = {
  httpStatus: number;
  code: number;
  message: string;
  subcode?: number;
  details?: string;
  type?: string;
  retryAfterSeconds?: number;
};

export type MetaStandIn = {
  baseUrl: string;
  setWebhookUrl(url: string): void;
  /** The recipient's 24-hour window is closed: WhatsApp answers 131047, Instagram code 10. */
  closeWindow(recipientId: string): void;
  openWindow(recipientId: string): void;
  /** WhatsApp: accepted, then a `failed` status with 131026; Instagram: 551 at once. */
  markUndeliverable(recipientId: string): void;
  /** From now on this token gets 190 (expired or revoked). */
  revokeToken(token: string): void;
  /** Meta no longer knows this phone number or account id (100 / subcode 33). */
  forgetId(id: string): void;
  /** The next `times` calls (any endpoint) get this error. */
  failNext(error: InjectedError, times?: number): void;
  /**
   * The next `times` WhatsApp sends to this recipient get this error (Meta's throttles come per
   * pair: 131056 is about one business and one customer).
   */
  failSendsTo(to: string, error: InjectedError, times?: number): void;
  /** Every `POST /{id}/messages`, oldest first, with its arrival time. */
  readonly messageRequests: StandInMessageRequest[];
  /** The next call is answered only after `ms` (a slow Meta). */
  holdNext(ms: number): void;
  setTemplates(wabaId: string, templates: StandInTemplate[]): void;
  /**
   * Meta's truth for a WABA from now on: it holds exactly these numbers, and only these tokens see
   * it and them (others get code 100). Calling again adds numbers and tokens (a shared WABA).
   */
  registerWaba(wabaId: string, opts: { phoneNumberIds: string[]; tokens: string[] }): void;
  /** These Instagram User tokens belong to this account (their `/me`); only they see it. */
  registerInstagramAccount(accountId: string, opts: { tokens: string[] }): void;
  /** Sends Meta accepted, oldest first. */
  readonly sent: StandInSend[];
  /** Media uploads, receipts and sender actions, downloaded attachments (outbound.ts). */
  readonly outbound: OutboundStandIn;
  /** Inbound attachments: WhatsApp media ids and Instagram CDN URLs the stand-in serves (media.ts). */
  readonly media: StandInMediaHooks;
  /** What `GET /{igsid}?fields=name,username,profile_pic` answers for this sender. */
  setInstagramProfile(igsid: string, profile: StandInProfile): void;
  /** Resolves once every scheduled webhook has been delivered. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

const tokenShape = /^(EAA|IGAA)\S{13,}$/;

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

const waMediaSchema = z
  .object({
    link: z.url({ protocol: /^https?$/ }).optional(),
    id: z.string().optional(),
    caption: z.string().max(1024).optional(),
    filename: z.string().optional(),
  })
  .refine((m) => m.link || m.id, 'Param link or id is required.');

const waSendSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.literal('individual').optional(),
  to: z.string().regex(/^\+?\d{6,20}$/, 'Param to must be a phone number.'),
  type: z
    .enum([
      'text',
      'image',
      'document',
      'video',
      'audio',
      'sticker',
      'template',
      'interactive',
      'reaction',
    ])
    .optional()
    .default('text'),
  context: z.object({ message_id: z.string().min(1) }).optional(),
  text: z
    .object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() })
    .optional(),
  image: waMediaSchema.optional(),
  document: waMediaSchema.optional(),
  video: waMediaSchema.optional(),
  audio: waMediaSchema.optional(),
  template: z
    .object({
      name: z.string().min(1),
      language: z.object({ code: z.string().min(2), policy: z.string().optional() }),
      components: z
        .array(
          z.object({
            type: z.string(),
            parameters: z
              .array(
                z.object({
                  type: z.string(),
                  text: z.string().optional(),
                  parameter_name: z.string().optional(),
                }),
              )
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

const igSendSchema = z.object({
  recipient: z.object({ id: z.string().min(1) }),
  message: z.union([
    z.object({ text: z.string().min(1) }),
    z.object({
      attachment: z.object({
        type: z.enum(['image', 'video', 'audio', 'file']),
        payload: z.object({ url: z.url({ protocol: /^https?$/ }) }),
      }),
    }),
  ]),
  messaging_type: z.string().optional(),
});

function issueDetails(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid parameter';
  const path = issue.path.map(String);
  const param = path.length
    ? `${path[0]}${path
        .slice(1)
        .map((p) => `['${p}']`)
        .join('')}`
    : 'body';
  return issue.code === 'invalid_type' && issue.message.includes('undefined')
    ? `Param ${param} is required.`
    : `Param ${param} is invalid: ${issue.message}`;
}

const nodeTypes: Record<RegisteredKind, string> = {
  waba: 'WhatsAppBusinessAccount',
  phone_number: 'WhatsAppBusinessPhoneNumber',
  instagram_account: 'IGUser',
};

/** A phone number node's fields, as `GET /{phone-number-id}` and a WABA's `phone_numbers` show them. */
function phoneNumberValues(id: string): Record<string, unknown> {
  return {
    id,
    display_phone_number: `+1 555-${id.slice(-7, -4).padStart(3, '0')}-${id.slice(-4).padStart(4, '0')}`,
    verified_name: 'Sandbox Business',
    code_verification_status: 'VERIFIED',
    quality_rating: 'GREEN',
    platform_type: 'CLOUD_API',
    throughput: { level: 'STANDARD' },
  };
}

/** An app-scoped user id (what `/me` calls `id`): digits derived from a seed. */
function appScopedId(seed: string): string {
  const hex = createHash('sha256').update(`asid:${seed}`).digest('hex').slice(0, 15);
  return `2${BigInt(`0x${hex}`).toString().padStart(18, '0')}`;
}

/** Meta returns `id` and the fields asked for, and nothing else. */
function pick(values: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { id: values.id };
  for (const field of fields) if (field in values) out[field] = values[field];
  return out;
}

function displayNumberOf(phoneNumberId: string): string {
  return `1555${phoneNumberId.slice(-7).padStart(7, '0')}`;
}

function newWamid(to: string): string {
  const blob = Buffer.concat([
    Buffer.from(`\u0018\u000c${to}\u0015\u0002\u0000\u0011\u0018\u0012`),
    randomBytes(9),
  ]);
  return `wamid.${blob.toString('base64')}`;
}

function newMid(accountId: string): string {
  return Buffer.from(`ig_item:1:IGMessageThread:${accountId}:${randomBytes(12).toString('hex')}`)
    .toString('base64')
    .replace(/=+$/, '');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startMetaStandIn(opts: MetaStandInOptions): Promise<MetaStandIn> {
  const delay = opts.statusDelayMs ?? 300;
  const poster = new WebhookPoster(opts.appSecret, opts.log, opts.webhookUrl);
  const closed = new Set<string>();
  const undeliverable = new Set<string>();
  const revoked = new Set<string>();
  const unknownIds = new Set<string>();
  const injected: { error: InjectedError; times: number }[] = [];
  const holds: number[] = [];
  const templates = new Map<string, StandInTemplate[]>();
  const registry = new BusinessRegistry();
  const sent: StandInSend[] = [];
  const messageRequests: StandInMessageRequest[] = [];
  const injectedFor = new Map<string, { error: InjectedError; times: number }>();
  // Its URLs name this server, whose port is known once it listens.
  let origin = '';
  const media = new StandInMedia(() => origin);
  const outbound = createOutboundStandIn({
    hidden: (id, token) => hidden(id, token),
    closed,
    templatesOf: async (phoneNumberId) =>
      templates.get(await wabaOf(phoneNumberId)) ?? defaultTemplates,
    log: opts.log,
  });
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  function later(ms: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped)
        void run().catch((err: unknown) =>
          opts.log.warn('meta stand-in webhook failed', { error: String(err) }),
        );
    }, ms);
    timers.add(timer);
  }

  async function wabaOf(phoneNumberId: string): Promise<string> {
    return (
      registry.wabaOfNumber(phoneNumberId) ??
      (await opts.wabaIdOf?.(phoneNumberId).catch(() => undefined)) ??
      phoneNumberId
    );
  }

  /** Meta answers an id the token may not see exactly like one that does not exist. */
  function hidden(id: string, token: string): boolean {
    return unknownIds.has(id) || registry.access(id, hash(token)) === 'denied';
  }

  function reply(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  }

  function fail(res: ServerResponse, error: StandInError, headers?: Record<string, string>) {
    reply(res, error.httpStatus, error.body, headers);
  }

  function lookup(res: ServerResponse, id: string, fields: string[], token: string) {
    if (hidden(id, token)) return fail(res, standInErrors.unknownObject(id));
    const values: Record<string, unknown> = {
      ...phoneNumberValues(id),
      username: `sandbox_${id.slice(-6)}`,
      name: 'Sandbox Account',
    };
    // What the caller asks for says what it takes the id for (the open world has no types).
    if (fields.includes('username')) registry.noteLookup(id, hash(token), 'instagram_account');
    else if (fields.includes('display_phone_number') || fields.includes('verified_name')) {
      registry.noteLookup(id, hash(token), 'phone_number');
    }
    reply(res, 200, pick(values, fields));
  }

  /** `GET /{waba-id}/phone_numbers`: the numbers of a WABA this token sees, paged like Meta. */
  function listPhoneNumbers(res: ServerResponse, wabaId: string, url: URL, token: string) {
    if (hidden(wabaId, token)) return fail(res, standInErrors.unknownObject(wabaId));
    const kind = registry.kindOf(wabaId);
    if (kind && kind !== 'waba') {
      return fail(res, standInErrors.nonexistingField('phone_numbers', nodeTypes[kind]));
    }
    const fields = (url.searchParams.get('fields') ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const all = registry.phoneNumbersOf(wabaId, hash(token));
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 25) || 25, 100);
    const start = Number(
      Buffer.from(url.searchParams.get('after') ?? '', 'base64url').toString() || 0,
    );
    const page = all.slice(start, start + limit);
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    reply(res, 200, {
      data: page.map((id) =>
        fields.length ? pick(phoneNumberValues(id), fields) : phoneNumberValues(id),
      ),
      paging: {
        cursors: { before: cursor(start), after: cursor(start + page.length) },
        ...(start + limit < all.length
          ? {
              next: `${url.origin}${url.pathname}?limit=${limit}&after=${cursor(start + page.length)}`,
            }
          : {}),
      },
    });
  }

  /**
   * `GET /me` (Instagram API with Instagram Login): the account behind the token. `user_id` is the
   * professional account id, `id` an app-scoped id of the same user. A token behind no known
   * account answers as a user of its own, which is no account anyone claimed.
   */
  function me(res: ServerResponse, fields: string[], token: string) {
    const accountId = registry.accountBehind(hash(token));
    const values: Record<string, unknown> = accountId
      ? {
          id: appScopedId(accountId),
          user_id: accountId,
          username: `sandbox_${accountId.slice(-6)}`,
          name: 'Sandbox Account',
          account_type: 'BUSINESS',
        }
      : { id: appScopedId(hash(token)), name: 'Sandbox User' };
    reply(res, 200, pick(values, fields));
  }

  async function listTemplates(res: ServerResponse, wabaId: string, url: URL, token: string) {
    if (hidden(wabaId, token)) return fail(res, standInErrors.unknownObject(wabaId));
    const all = templates.get(wabaId) ?? defaultTemplates;
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 25) || 25, 100);
    const start = Number(
      Buffer.from(url.searchParams.get('after') ?? '', 'base64url').toString() || 0,
    );
    const data = all.slice(start, start + limit);
    const next = start + limit < all.length;
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    reply(res, 200, {
      data,
      paging: {
        cursors: { before: cursor(start), after: cursor(start + data.length) },
        ...(next
          ? {
              next: `${url.origin}${url.pathname}?limit=${limit}&after=${cursor(start + data.length)}`,
            }
          : {}),
      },
    });
  }

  async function sendWhatsApp(
    res: ServerResponse,
    phoneNumberId: string,
    raw: unknown,
    token: string,
  ) {
    if (hidden(phoneNumberId, token)) return fail(res, standInErrors.unknownObject(phoneNumberId));
    const parsed = waSendSchema.safeParse(raw);
    if (!parsed.success)
      return fail(res, standInErrors.invalidParameter(issueDetails(parsed.error)));
    const body = parsed.data;
    const to = body.to.replace(/^\+/, '');
    const wabaId = await wabaOf(phoneNumberId);
    let category = 'service';
    if (body.type === 'template') {
      const t = body.template;
      if (!t) return fail(res, standInErrors.invalidParameter('Param template is required.'));
      const template = (templates.get(wabaId) ?? defaultTemplates).find(
        (x) => x.name === t.name && x.language === t.language.code && x.status === 'APPROVED',
      );
      if (!template) return fail(res, standInErrors.templateMissing(t.name, t.language.code));
      const given = (t.components ?? [])
        .filter((c) => c.type.toLowerCase() === 'body')
        .flatMap((c) => c.parameters ?? []);
      const expected = expectedBodyParameters(template);
      const mismatch =
        template.parameter_format === 'NAMED'
          ? given.length !== expected.length ||
            given.some((p) => !p.parameter_name || !expected.includes(p.parameter_name))
          : given.length !== expected.length;
      if (mismatch) {
        return fail(
          res,
          standInErrors.templateParams(
            `body: number of localizable_params (${given.length}) does not match the expected number of params (${expected.length})`,
          ),
        );
      }
      category = template.category.toLowerCase();
    } else {
      // Media, interactive and reaction objects were checked by outbound.ts.
      const content = (raw as Record<string, unknown>)[body.type];
      if (!content)
        return fail(res, standInErrors.invalidParameter(`Param ${body.type} is required.`));
      if (closed.has(to)) return fail(res, standInErrors.reEngagement());
    }
    const wamid = newWamid(to);
    sent.push({
      channel: 'whatsapp',
      senderId: phoneNumberId,
      recipientId: to,
      channelMessageId: wamid,
      body: raw as Record<string, unknown>,
    });
    reply(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: to }],
      messages: [
        { id: wamid, ...(body.type === 'template' ? { message_status: 'accepted' } : {}) },
      ],
    });
    const base = {
      wabaId,
      phoneNumberId,
      displayPhoneNumber: displayNumberOf(phoneNumberId),
      wamid,
      recipientId: to,
      category,
      conversationId: createHash('md5').update(`${phoneNumberId}:${to}`).digest('hex'),
    };
    const now = () => Math.floor(Date.now() / 1000);
    const steps: {
      status: 'sent' | 'delivered' | 'read' | 'failed';
      errors?: Parameters<typeof waStatusWebhook>[0]['errors'];
    }[] = undeliverable.has(to)
      ? [
          { status: 'sent' },
          {
            status: 'failed',
            errors: [
              {
                code: 131026,
                title: 'Message undeliverable',
                message: 'Message undeliverable',
                details: 'Message Undeliverable.',
              },
            ],
          },
        ]
      : [{ status: 'sent' }, { status: 'delivered' }, { status: 'read' }];
    // One chain, so the statuses leave in order, each `delay` after the previous one.
    let chain = Promise.resolve();
    steps.forEach((step, i) =>
      later(delay * (i + 1), async () => {
        chain = chain.then(() =>
          poster.post(waStatusWebhook({ ...base, ...step, timestamp: now() })),
        );
        await chain;
      }),
    );
  }

  function sendInstagram(res: ServerResponse, accountId: string, raw: unknown, token: string) {
    if (hidden(accountId, token)) return fail(res, standInErrors.unknownObject(accountId));
    const parsed = igSendSchema.safeParse(raw);
    if (!parsed.success)
      return fail(res, standInErrors.igInvalidParameter(issueDetails(parsed.error)));
    const body = parsed.data;
    if ('text' in body.message && Buffer.byteLength(body.message.text) > 1000) {
      return fail(
        res,
        standInErrors.igInvalidParameter('Message text must be 1000 bytes or less.'),
      );
    }
    const recipient = body.recipient.id;
    if (closed.has(recipient)) return fail(res, standInErrors.igOutsideWindow());
    if (undeliverable.has(recipient)) return fail(res, standInErrors.igUnavailable());
    const mid = newMid(accountId);
    sent.push({
      channel: 'instagram',
      senderId: accountId,
      recipientId: recipient,
      channelMessageId: mid,
      body: raw as Record<string, unknown>,
    });
    reply(res, 200, { recipient_id: recipient, message_id: mid });
    // Instagram reports no sent/delivered: the customer reading it is the next event.
    later(delay * 2, () =>
      poster.post(
        igReadWebhook({ accountId, customerId: recipient, mid, timestampMs: Date.now() }),
      ),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hold = holds.shift();
    if (hold) await new Promise((resolve) => setTimeout(resolve, hold));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Attachment downloads and CDN URLs are not Graph paths (media.ts checks their own auth).
    if (req.method === 'GET' && media.serves(url.pathname)) return media.serve(req, res, url);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [version, id, edge, ...rest] = parts;
    if (!version || !/^v\d+\.\d+$/.test(version) || !id || rest.length > 0) {
      return fail(res, standInErrors.unknownPath(url.pathname));
    }
    const token =
      /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ??
      url.searchParams.get('access_token') ??
      undefined;
    const request: StandInMessageRequest | undefined =
      req.method === 'POST' && edge === 'messages' ? { at: Date.now(), senderId: id } : undefined;
    if (request) {
      messageRequests.push(request);
      res.once('finish', () => (request.httpStatus = res.statusCode));
    }
    if (!token) return fail(res, standInErrors.missingToken());
    if (!tokenShape.test(token)) return fail(res, standInErrors.invalidToken());
    if (revoked.has(hash(token))) return fail(res, standInErrors.expiredToken());
    const injection = injected[0];
    if (injection) {
      if (--injection.times <= 0) injected.shift();
      const e = injection.error;
      return fail(
        res,
        graphError(e.httpStatus, e.code, e.message, {
          subcode: e.subcode,
          details: e.details,
          type: e.type,
          whatsapp: e.code >= 130000,
        }),
        e.retryAfterSeconds !== undefined ? { 'retry-after': String(e.retryAfterSeconds) } : {},
      );
    }
    if (req.method === 'GET' && edge === undefined) {
      const fields = (url.searchParams.get('fields') ?? 'id').split(',').map((f) => f.trim());
      if (id === 'me') return me(res, fields, token);
      if (media.isMediaLookup(id, url)) {
        const answer = media.lookup(id);
        return reply(res, answer.httpStatus, answer.body);
      }
      if (media.isProfileLookup(id, fields)) {
        const answer = media.profile(id, fields);
        return reply(res, answer.httpStatus, answer.body);
      }
      return lookup(res, id, fields, token);
    }
    if (req.method === 'GET' && edge === 'phone_numbers') {
      return listPhoneNumbers(res, id, url, token);
    }
    if (req.method === 'GET' && edge === 'message_templates') {
      return listTemplates(res, id, url, token);
    }
    if (req.method === 'POST' && edge === 'media') {
      const answer = await outbound.upload(req, id, token);
      return reply(res, answer.httpStatus, answer.body);
    }
    if (req.method === 'POST' && edge === 'messages') {
      let raw: unknown;
      try {
        raw = JSON.parse(await readBody(req));
      } catch {
        return fail(res, standInErrors.invalidParameter('The request body is not valid JSON.'));
      }
      const isWhatsApp = (raw as { messaging_product?: unknown })?.messaging_product !== undefined;
      if (isWhatsApp) {
        const to = (raw as { to?: unknown }).to;
        if (request && typeof to === 'string') request.to = to;
        const forTo = typeof to === 'string' ? injectedFor.get(to) : undefined;
        if (forTo) {
          if (--forTo.times <= 0) injectedFor.delete(to as string);
          const e = forTo.error;
          return fail(
            res,
            graphError(e.httpStatus, e.code, e.message, {
              subcode: e.subcode,
              details: e.details,
              type: e.type,
              whatsapp: e.code >= 130000,
            }),
            e.retryAfterSeconds !== undefined ? { 'retry-after': String(e.retryAfterSeconds) } : {},
          );
        }
        if (hidden(id, token)) return fail(res, standInErrors.unknownObject(id));
        const early = await outbound.whatsapp(id, raw);
        if (early) return reply(res, early.httpStatus, early.body);
        return sendWhatsApp(res, id, raw, token);
      }
      const accountId = id === 'me' ? registry.accountBehind(hash(token)) : id;
      if (!accountId) return fail(res, standInErrors.unknownObject(id));
      if (hidden(accountId, token)) return fail(res, standInErrors.unknownObject(accountId));
      const early = await outbound.instagram(accountId, raw);
      if (early) return reply(res, early.httpStatus, early.body);
      return sendInstagram(res, accountId, raw, token);
    }
    return fail(res, standInErrors.unknownPath(url.pathname));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log.error('meta stand-in failed', { error: String(err) });
      if (!res.headersSent)
        reply(res, 500, {
          error: {
            message: 'An unexpected error has occurred. Please retry your request later.',
            type: 'OAuthException',
            code: 2,
            is_transient: true,
          },
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    setWebhookUrl: (webhookUrl) => poster.setUrl(webhookUrl),
    closeWindow: (recipient) => void closed.add(recipient),
    openWindow: (recipient) => void closed.delete(recipient),
    markUndeliverable: (recipient) => void undeliverable.add(recipient),
    revokeToken: (token) => void revoked.add(hash(token)),
    forgetId: (id) => void unknownIds.add(id),
    failNext: (error, times = 1) => void injected.push({ error, times }),
    failSendsTo: (to, error, times = 1) => void injectedFor.set(to, { error, times }),
    messageRequests,
    holdNext: (ms) => void holds.push(ms),
    setTemplates: (wabaId, list) => void templates.set(wabaId, list),
    registerWaba: (wabaId, { phoneNumberIds, tokens }) =>
      registry.registerWaba(wabaId, phoneNumberIds, tokens.map(hash)),
    registerInstagramAccount: (accountId, { tokens }) =>
      registry.registerInstagramAccount(accountId, tokens.map(hash)),
    sent,
    outbound,
    media: media.hooks,
    setInstagramProfile: (igsid, profile) => media.setProfile(igsid, profile),
    async idle() {
      while (timers.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await poster.idle();
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await poster.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
