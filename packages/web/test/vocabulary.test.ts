import {
  errorCatalog,
  errorCodes,
  messageSchema,
  type NormalizedMessage,
} from '@switchboard/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  IG_DEFAULTS,
  WA_DEFAULTS,
  envelope,
  igImageEntry,
  igPostbackEntry,
  igQuickReplyEntry,
  igReactionEntry,
  igStoryMentionEntry,
  igStoryReplyEntry,
  igTextEntry,
  waAudioEntry,
  waButtonEntry,
  waButtonReplyEntry,
  waContactsEntry,
  waDocumentEntry,
  waImageEntry,
  waListReplyEntry,
  waLocationEntry,
  waNfmReplyEntry,
  waOrderEntry,
  waReactionEntry,
  waReplyEntry,
  waStickerEntry,
  waSystemEntry,
  waTextEntry,
  waUnsupportedEntry,
  waVideoEntry,
  type MetaEntryBody,
  type MetaObject,
} from '../../server/test/factories/meta';
import { normalizeEntry } from '../../server/src/modules/messaging/meta/normalize';
import { api, ApiError } from '../src/lib/api-client';
import { clientErrorCodes, errorMessages } from '../src/lib/errors';

// The web speaks the contracts' vocabulary: the error messages are the catalog's, a missing route
// is recognised by `reason`, and the message schema the web parses threads with accepts every
// message the server's normaliser produces and stores.

describe('error messages', () => {
  it('has the catalog message for every code the server sends, and the client-only codes', () => {
    expect(Object.keys(errorMessages).sort()).toEqual([...errorCodes, ...clientErrorCodes].sort());
    for (const code of errorCodes) expect(errorMessages[code]).toBe(errorCatalog[code].message);
  });

  describe('ApiError from a response', () => {
    afterEach(() => vi.unstubAllGlobals());

    async function failWith(status: number, error: Record<string, unknown>): Promise<ApiError> {
      vi.stubGlobal(
        'fetch',
        vi.fn(async () => Response.json({ error }, { status })),
      );
      return api.call('conversations.list', { anonymous: true }).then(
        () => expect.fail('the request should fail'),
        (err: unknown) => {
          expect(err).toBeInstanceOf(ApiError);
          return err as ApiError;
        },
      );
    }

    it('a 404 with reason no_route is a missing route, whatever its message says', async () => {
      const err = await failWith(404, {
        code: 'not_found',
        message: 'Nothing here.',
        reason: 'no_route',
      });
      expect(err.routeMissing).toBe(true);
      expect(err.code).toBe('not_found');
    });

    it('a 404 for a missing object is not a missing route, even if its text looks like one', async () => {
      const err = await failWith(404, { code: 'not_found', message: 'No route for GET /x' });
      expect(err.routeMissing).toBe(false);
      expect(err.message).toBe(errorCatalog.not_found.message);
    });

    it('shows the catalog message, keeps fields, and reads an unknown code by status', async () => {
      const invalid = await failWith(400, {
        code: 'validation_failed',
        message: 'body.email: Invalid email',
        fields: { email: 'Invalid email' },
      });
      expect(invalid.code).toBe('validation_failed');
      expect(invalid.message).toBe(errorCatalog.validation_failed.message);
      expect(invalid.fields).toEqual({ email: 'Invalid email' });
      const unknown = await failWith(503, { code: 'brand_new_code', message: 'x' });
      expect(unknown.code).toBe('internal_error');
    });
  });
});

describe('messageSchema accepts what the server stores', () => {
  const wa = (...entries: MetaEntryBody[]) => normalized('whatsapp_business_account', entries);
  const ig = (...entries: MetaEntryBody[]) => normalized('instagram', entries);

  function normalized(object: MetaObject, entries: MetaEntryBody[]): NormalizedMessage[] {
    return envelope(object, entries).entry.flatMap((e) =>
      normalizeEntry(object, e).flatMap((ev) => (ev.kind === 'message' ? [ev.message] : [])),
    );
  }

  /** What message.repo stores for an inbound message, and the routes return as is. */
  function stored(message: NormalizedMessage, channel: 'whatsapp' | 'instagram') {
    return {
      ...message,
      id: `msg-${message.channelMessageId}`,
      customerId: 'cus_1',
      conversationId: 'conv_1',
      channel,
      channelId: 'ch_1',
      status: 'received',
      createdAt: new Date().toISOString(),
    };
  }

  it('every WhatsApp and Instagram message type the normaliser produces', () => {
    const whatsapp = wa(
      waTextEntry(),
      waReplyEntry(),
      waImageEntry(),
      waVideoEntry(),
      waAudioEntry({ voice: true }),
      waDocumentEntry({ filename: 'menu.pdf' }),
      waStickerEntry({ animated: true }),
      waLocationEntry(),
      waContactsEntry(),
      waButtonReplyEntry(),
      waListReplyEntry(),
      waNfmReplyEntry(),
      waButtonEntry(),
      waReactionEntry(),
      waOrderEntry(),
      waSystemEntry(),
      waUnsupportedEntry(),
    );
    const instagram = ig(
      igTextEntry(),
      igImageEntry(),
      igStoryReplyEntry(),
      igStoryMentionEntry(),
      igQuickReplyEntry(),
      igPostbackEntry(),
      igReactionEntry(),
    );
    expect(whatsapp.length).toBeGreaterThanOrEqual(17);
    expect(instagram.length).toBeGreaterThanOrEqual(7);
    const all = [
      ...whatsapp.map((m) => stored(m, 'whatsapp')),
      ...instagram.map((m) => stored(m, 'instagram')),
    ];
    for (const message of all) {
      const parsed = messageSchema.safeParse(message);
      expect(parsed.error?.issues, `${message.type}`).toBeUndefined();
      // Nothing the server sends is dropped on the way (fields the contract does not name pass).
      expect(parsed.data).toEqual(message);
    }
    expect(new Set(all.map((m) => m.type)).size).toBeGreaterThanOrEqual(15);
  });

  it('outbound messages: pending, sent by a user or a key, templates, failures, unsent', () => {
    const base = {
      id: 'msg_out',
      customerId: 'cus_1',
      conversationId: 'conv_1',
      channel: 'whatsapp',
      channelId: 'ch_1',
      direction: 'outbound',
      timestamp: new Date().toISOString(),
      createdAt: new Date().toISOString(),
    };
    const messages = [
      {
        ...base,
        type: 'text',
        text: 'Hi',
        status: 'pending',
        sentBy: { kind: 'user', userId: 'u' },
      },
      {
        ...base,
        type: 'template',
        text: 'Your order is ready',
        template: { name: 'order_ready', language: 'pt_BR', parameters: { first_name: 'Ana' } },
        status: 'failed',
        sentBy: { kind: 'apiKey', keyId: 'k' },
        errors: [{ code: 131047, title: 'Re-engagement message' }],
        failure: { code: 'window_closed', message: 'The 24-hour window is closed.' },
      },
      {
        ...base,
        type: 'image',
        media: { url: 'https://example.com/a.png', caption: 'Menu' },
        status: 'read',
        channelMessageId: `wamid.${WA_DEFAULTS.phoneNumberId}`,
        context: { messageId: 'wamid.quoted' },
        replyTo: 'msg_quoted',
        statusAt: new Date().toISOString(),
        acceptedAt: new Date().toISOString(),
      },
      {
        ...base,
        channel: 'instagram',
        direction: 'inbound',
        type: 'text',
        status: 'received',
        channelMessageId: `mid.${IG_DEFAULTS.accountId}`,
        deletedAt: new Date().toISOString(),
      },
    ];
    for (const message of messages) {
      const parsed = messageSchema.safeParse(message);
      expect(parsed.error?.issues, message.type).toBeUndefined();
      expect(parsed.data).toEqual(message);
    }
  });
});
