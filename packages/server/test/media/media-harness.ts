import { expect } from 'vitest';
import {
  igAttachmentEntry,
  waAudioEntry,
  waDocumentEntry,
  waImageEntry,
  waStickerEntry,
  waVideoEntry,
  type MetaEntryBody,
} from '../factories/meta';
import { createLogger } from '../../src/engine/log';
import { startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import {
  deliver,
  newMetaId,
  newWaId,
  type IgTenant,
  type WaTenant,
} from '../outbound/outbound-harness';
import { sha256Base64 } from './fixtures';

// Inbound media through the sandbox and its Meta stand-in: register what the customer sends with
// the stand-in (a WhatsApp media id, an Instagram CDN URL), post the signed webhook that names it,
// and wait for the MediaFetcher to make it ready or failed. Also usable from the web's browser
// tests (they start the sandbox through this harness).

export async function startMediaSandbox(): Promise<TestSandbox> {
  return startTestSandbox({
    ...(process.env.MEDIA_TEST_LOG ? { log: createLogger('info') } : {}),
    metaStatusDelayMs: 40,
    // One Graph attempt per receive, so a transient failure goes back to the queue; retries 1 s apart.
    graph: { timeoutMs: 2_000, maxAttempts: 1 },
    mediaBackoff: { baseSeconds: 1, maxSeconds: 1 },
  });
}

export type WaMediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';

/**
 * A WhatsApp customer sends `bytes` as a `kind` message: the stand-in holds them under a media id,
 * and the webhook names it with Meta's fields (mime type, base64 sha256, caption, file name).
 */
export async function sendWhatsAppMedia(
  t: TestSandbox,
  tenant: WaTenant,
  kind: WaMediaKind,
  bytes: Buffer,
  opts: {
    mimeType: string;
    from?: string;
    caption?: string;
    filename?: string;
    mediaId?: string;
    sha256?: string;
    register?: Parameters<NonNullable<TestSandbox['sb']['metaStandIn']>['media']['register']>[2];
  },
): Promise<{ mediaId: string; wamid: string; from: string }> {
  const mediaId =
    opts.mediaId ?? t.sb.metaStandIn!.media.register(bytes, opts.mimeType, opts.register);
  const from = opts.from ?? newWaId();
  const wamid = `wamid.${newMetaId()}`;
  const common = {
    wabaId: tenant.wabaId,
    phoneNumberId: tenant.phoneNumberId,
    from,
    wamid,
    mediaId,
    mimeType: opts.mimeType,
    sha256: opts.sha256 ?? sha256Base64(bytes),
    caption: opts.caption,
    timestamp: Math.floor(Date.now() / 1000),
  };
  const entry: MetaEntryBody = {
    image: () => waImageEntry(common),
    audio: () => waAudioEntry({ ...common, voice: true }),
    video: () => waVideoEntry(common),
    document: () => waDocumentEntry({ ...common, filename: opts.filename }),
    sticker: () => waStickerEntry(common),
  }[kind]();
  await deliver(t, [entry]);
  return { mediaId, wamid, from };
}

export type IgMediaKind = 'image' | 'video' | 'audio' | 'file' | 'share' | 'story_mention';

/** An Instagram customer sends attachments: each served by the stand-in's CDN. */
export async function sendInstagramMedia(
  t: TestSandbox,
  tenant: IgTenant,
  kind: IgMediaKind,
  files: { bytes: Buffer; mimeType: string; expired?: boolean }[],
  opts: { senderId?: string } = {},
): Promise<{ urls: string[]; mid: string; senderId: string }> {
  const urls = files.map((f) =>
    t.sb.metaStandIn!.media.cdnUrl(f.bytes, f.mimeType, { expired: f.expired }),
  );
  const senderId = opts.senderId ?? newMetaId();
  const mid = Buffer.from(`ig_item:1:IGMessageThread:${tenant.accountId}:${newMetaId()}`)
    .toString('base64')
    .replace(/=+$/, '');
  await deliver(
    t,
    [
      igAttachmentEntry({
        accountId: tenant.accountId,
        senderId,
        mid,
        urls,
        attachmentType: kind,
        timestamp: Date.now(),
      }),
    ],
    'instagram',
  );
  return { urls, mid, senderId };
}

/** The conversation of one customer (by their WhatsApp number or IGSID) on one channel. */
export async function conversationOf(
  t: TestSandbox,
  token: string,
  channelId: string,
  externalId: string,
): Promise<any> {
  return waitFor(
    async () => {
      const res = await t.api.request('GET', '/conversations?limit=100', { token });
      expect(res.status).toBe(200);
      return res.json.items.find(
        (c: any) =>
          c.channelId === channelId &&
          Object.values(c.customer.identities as Record<string, string>).includes(externalId),
      );
    },
    { what: 'the conversation' },
  );
}

export async function messageOf(
  t: TestSandbox,
  token: string,
  conversationId: string,
  channelMessageId: string,
): Promise<any> {
  const res = await t.api.request('GET', `/conversations/${conversationId}/messages?limit=200`, {
    token,
  });
  expect(res.status).toBe(200);
  return res.json.items.find((m: any) => m.channelMessageId === channelMessageId);
}

/** Waits until the message's attachments are all settled (ready or failed). */
export async function settledMessage(
  t: TestSandbox,
  token: string,
  conversationId: string,
  channelMessageId: string,
  timeoutMs = 15_000,
): Promise<any> {
  return waitFor(
    async () => {
      const message = await messageOf(t, token, conversationId, channelMessageId);
      const all = [message?.media, ...(message?.attachments ?? [])].filter(Boolean);
      return all.length > 0 && all.every((m: any) => m.status !== 'pending') && message;
    },
    { timeoutMs, intervalMs: 50, what: 'the attachment to settle' },
  );
}

/** Waits until the media queue has nothing visible, delayed or in flight. */
export async function waitForMediaDrain(t: TestSandbox, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const stats = t.sb.queues.media.stats();
      return stats.visible === 0 && stats.inFlight === 0;
    },
    { timeoutMs, what: 'media queue drain' },
  );
}
