import type { NormalizedMedia } from '@switchboard/contracts';
import type { StoredMessage } from '../message.repo';
import type { StoredMedia } from './media-keys';

// Attachments as the API shows them: the internal blob `key` and Meta's `sourceUrl` stripped, and
// a short-lived signed `url` of our copy once it is ready. One mapping for inbound media (fetched
// by the MediaFetcher) and outbound media (stored from an upload), so both are signed alike.

/**
 * A signed URL of one blob (CloudFront deployed, `/assets/...` in the sandbox), made by the HTTP
 * layer: `(key) => signedAssetUrl(c, deps, key, MEDIA_URL_TTL_SECONDS)`.
 */
export type SignMediaUrl = (key: string) => Promise<string>;

type ViewableMessage = Pick<StoredMessage, 'media' | 'attachments' | 'direction'>;

/**
 * One attachment. Without a copy of ours, a stored `url` is kept only when `keepUrl` says it is
 * the sender's own (an outbound link): an inbound one is Meta's, never shown.
 */
export async function mediaView(
  media: StoredMedia,
  sign: SignMediaUrl,
  opts: { keepUrl?: boolean } = {},
): Promise<NormalizedMedia> {
  const { key, sourceUrl, url, ...rest } = media;
  if (key) return { ...rest, url: await sign(key) };
  return opts.keepUrl && url && !sourceUrl ? { ...rest, url } : rest;
}

/** A stored message with its attachments as the API shows them. */
export async function messageView<M extends ViewableMessage>(
  message: M,
  sign: SignMediaUrl,
): Promise<
  Omit<M, 'media' | 'attachments'> & { media?: NormalizedMedia; attachments?: NormalizedMedia[] }
> {
  const { media, attachments, ...rest } = message;
  const opts = { keepUrl: message.direction === 'outbound' };
  return {
    ...rest,
    ...(media ? { media: await mediaView(media, sign, opts) } : {}),
    ...(attachments
      ? { attachments: await Promise.all(attachments.map((m) => mediaView(m, sign, opts))) }
      : {}),
  };
}

/** Many messages, signing each attachment once (Instagram repeats the first as `media`). */
export async function messageViews<M extends ViewableMessage>(messages: M[], sign: SignMediaUrl) {
  const signed = new Map<string, Promise<string>>();
  const once: SignMediaUrl = (key) => {
    let url = signed.get(key);
    if (!url) signed.set(key, (url = sign(key)));
    return url;
  };
  return Promise.all(messages.map((m) => messageView(m, once)));
}
