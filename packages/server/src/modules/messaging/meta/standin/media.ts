import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { macMatches } from '../../../../engine/security/mac-compare';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { standInErrors, type StandInError } from './errors';

// The stand-in's inbound attachments and Instagram profiles, held to Meta's contract:
//  - WhatsApp: `GET /{version}/{media-id}` answers `{ messaging_product, url, mime_type, sha256
//    (hex), file_size, id }` for any token (the open world), and Meta's unknown-object error (code
//    100, subcode 33) for an id it does not have or that expired; the `url` is a lookaside URL
//    valid 5 minutes that answers the bytes only with `Authorization: Bearer <token>` (401 without).
//  - Instagram: attachment URLs on a CDN of the stand-in, served to anyone until they expire, then
//    403 "URL signature expired"; unknown ones 404.
//  - `GET /{igsid}?fields=name,username,profile_pic`: a sender's profile (the picture a CDN URL).
// Tests register what a customer sends and post the webhook that names it (test/factories/meta.ts
// and standin/webhooks.ts build them).

export type MediaRegistration = {
  /** Meta says the media id does not exist any more (WhatsApp ids live 30 days). */
  expired?: boolean;
  /** The SHA-256 the media endpoint announces (hex); default the bytes' own. */
  sha256?: string;
  /** The `file_size` the media endpoint announces; default the bytes' length. */
  fileSize?: number;
};

export type StandInMediaHooks = {
  /** A WhatsApp media id for these bytes, as a webhook names it; `GET /{media-id}` resolves it. */
  register(bytes: Uint8Array, mimeType: string, opts?: MediaRegistration): string;
  /** An Instagram CDN URL on the stand-in serving these bytes (403 once expired). */
  cdnUrl(bytes: Uint8Array, mimeType: string, opts?: { expired?: boolean }): string;
  /** Meta's copy goes away now: a media id stops resolving, a CDN URL answers 403. */
  expire(idOrUrl: string): void;
  /** Every media lookup, download, CDN and profile request, oldest first. */
  readonly requests: readonly StandInMediaRequest[];
};

export type StandInMediaRequest = {
  kind: 'lookup' | 'download' | 'cdn' | 'profile';
  /** The media id, the CDN object, or the IGSID. */
  id: string;
  status: number;
};

export type StandInProfile = {
  name?: string;
  username?: string;
  profilePic?: { bytes: Uint8Array; mimeType: string };
};

type Stored = {
  bytes: Buffer;
  mimeType: string;
  sha256: string;
  fileSize: number;
  expired: boolean;
};

/** Lookaside download URLs last 5 minutes, as Meta's do. */
const DOWNLOAD_URL_TTL_MS = 5 * 60_000;
const DOWNLOAD_PATH = '/whatsapp_business/attachments/';
const CDN_PREFIX = '/ig-cdn/v/t51.2885-15/';

const extensionOf = (mimeType: string) =>
  ({
    'image/jpeg': 'jpg',
    'image/png': 'png',
    'image/webp': 'webp',
    'video/mp4': 'mp4',
    'audio/mp4': 'm4a',
    'audio/ogg': 'ogg',
    'application/pdf': 'pdf',
  })[mimeType.split(';')[0]!.trim()] ?? 'bin';

export class StandInMedia {
  private readonly whatsapp = new Map<string, Stored>();
  private readonly cdn = new Map<string, Stored>();
  private readonly profiles = new Map<string, { name?: string; username?: string; pic?: string }>();
  private readonly secret = randomBytes(32);
  readonly requests: StandInMediaRequest[] = [];
  readonly hooks: StandInMediaHooks;

  constructor(private readonly origin: () => string) {
    this.hooks = {
      register: (bytes, mimeType, opts) => this.register(bytes, mimeType, opts),
      cdnUrl: (bytes, mimeType, opts) => this.cdnUrl(bytes, mimeType, opts),
      expire: (idOrUrl) => this.expire(idOrUrl),
      requests: this.requests,
    };
  }

  private stored(bytes: Uint8Array, mimeType: string, opts: MediaRegistration = {}): Stored {
    const body = Buffer.from(bytes);
    return {
      bytes: body,
      mimeType,
      sha256: opts.sha256 ?? createHash('sha256').update(body).digest('hex'),
      fileSize: opts.fileSize ?? body.length,
      expired: opts.expired ?? false,
    };
  }

  register(bytes: Uint8Array, mimeType: string, opts?: MediaRegistration): string {
    // Meta's media ids are 15-16 digits.
    const id = `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
    this.whatsapp.set(id, this.stored(bytes, mimeType, opts));
    return id;
  }

  cdnUrl(bytes: Uint8Array, mimeType: string, opts?: { expired?: boolean }): string {
    const object = `${randomBytes(12).toString('hex')}_n.${extensionOf(mimeType)}`;
    this.cdn.set(object, this.stored(bytes, mimeType, opts));
    const oe = Math.floor(Date.now() / 1000 + 3 * 86_400)
      .toString(16)
      .toUpperCase();
    const oh = this.mac(`cdn\n${object}\n${oe}`).toString('base64url').slice(0, 43);
    return `${this.origin()}${CDN_PREFIX}${object}?stp=dst-jpg_s1080x1080&_nc_cat=1&_nc_ht=scontent.cdninstagram.com&oh=${oh}&oe=${oe}`;
  }

  expire(idOrUrl: string): void {
    const wa = this.whatsapp.get(idOrUrl);
    if (wa) wa.expired = true;
    const object = this.cdnObjectOf(idOrUrl);
    const stored = object ? this.cdn.get(object) : undefined;
    if (stored) stored.expired = true;
  }

  setProfile(igsid: string, profile: StandInProfile): void {
    this.profiles.set(igsid, {
      name: profile.name,
      username: profile.username,
      pic: profile.profilePic && this.cdnUrl(profile.profilePic.bytes, profile.profilePic.mimeType),
    });
  }

  private cdnObjectOf(url: string): string | undefined {
    try {
      const { pathname } = new URL(url, 'http://127.0.0.1');
      return pathname.startsWith(CDN_PREFIX) ? pathname.slice(CDN_PREFIX.length) : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(text: string): Buffer {
    return createHmac('sha256', this.secret).update(text).digest();
  }

  private note(kind: StandInMediaRequest['kind'], id: string, status: number): void {
    this.requests.push({ kind, id, status });
  }

  // ---------------------------------------------------------------- Graph requests (token checked)

  /**
   * `GET /{version}/{id}` is a media lookup when it names a media id of ours, or asks for no
   * `fields` (every node look-up Switchboard makes names its fields; Meta's media endpoint takes
   * none), or checks the media's phone number (`phone_number_id`).
   */
  isMediaLookup(id: string, url: URL): boolean {
    return (
      this.whatsapp.has(id) ||
      !url.searchParams.has('fields') ||
      url.searchParams.has('phone_number_id')
    );
  }

  /** `GET /{version}/{media-id}`. */
  lookup(id: string): { httpStatus: number; body: unknown } {
    const media = this.whatsapp.get(id);
    if (!media || media.expired) {
      const error: StandInError = standInErrors.unknownObject(id);
      this.note('lookup', id, error.httpStatus);
      return error;
    }
    const ext = String(Date.now() + DOWNLOAD_URL_TTL_MS);
    const hash = this.mac(`wa\n${id}\n${ext}`).toString('base64url');
    const url = `${this.origin()}${DOWNLOAD_PATH}?mid=${id}&source=getMedia&ext=${ext}&hash=${hash}`;
    this.note('lookup', id, 200);
    return {
      httpStatus: 200,
      body: {
        messaging_product: 'whatsapp',
        url,
        mime_type: media.mimeType,
        sha256: media.sha256,
        file_size: media.fileSize,
        id,
      },
    };
  }

  /** A profile look-up asks for `profile_pic` (the IG account look-up does not). */
  isProfileLookup(id: string, fields: string[]): boolean {
    return this.profiles.has(id) || fields.includes('profile_pic');
  }

  /** `GET /{igsid}?fields=…`: Meta returns `id` and the fields asked for that are set. */
  profile(igsid: string, fields: string[]): { httpStatus: number; body: unknown } {
    const p = this.profiles.get(igsid);
    const values: Record<string, unknown> = {
      name: p?.name,
      username: p?.username,
      profile_pic: p?.pic,
    };
    const body: Record<string, unknown> = { id: igsid };
    for (const field of fields) if (values[field] !== undefined) body[field] = values[field];
    this.note('profile', igsid, 200);
    return { httpStatus: 200, body };
  }

  // ---------------------------------------------------------------- downloads (no Graph version)

  serves(pathname: string): boolean {
    return pathname === DOWNLOAD_PATH || pathname.startsWith(CDN_PREFIX);
  }

  serve(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (url.pathname === DOWNLOAD_PATH) return this.download(req, res, url);
    return this.serveCdn(res, url);
  }

  private download(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const id = url.searchParams.get('mid') ?? '';
    const ext = url.searchParams.get('ext') ?? '';
    const hash = url.searchParams.get('hash') ?? '';
    const expected = this.mac(`wa\n${id}\n${ext}`);
    const media = this.whatsapp.get(id);
    const token = /^Bearer\s+\S{16,}$/i.test(req.headers.authorization ?? '');
    let status = 200;
    if (!token) status = 401;
    else if (!macMatches(hash, expected) || !media) {
      status = 404;
    } else if (media.expired || Number(ext) < Date.now()) status = 404;
    this.note('download', id, status);
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 401 ? 'Unauthorized' : 'Not Found');
      return;
    }
    res.writeHead(200, {
      'content-type': media!.mimeType,
      'content-length': String(media!.bytes.length),
    });
    res.end(media!.bytes);
  }

  private serveCdn(res: ServerResponse, url: URL): void {
    const object = url.pathname.slice(CDN_PREFIX.length);
    const media = this.cdn.get(object);
    const oe = url.searchParams.get('oe') ?? '';
    const oh = url.searchParams.get('oh') ?? '';
    const valid = oh === this.mac(`cdn\n${object}\n${oe}`).toString('base64url').slice(0, 43);
    let status = 200;
    if (!media || !valid) status = 404;
    else if (media.expired || parseInt(oe, 16) * 1000 < Date.now()) status = 403;
    this.note('cdn', object, status);
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 403 ? 'URL signature expired' : 'Not Found');
      return;
    }
    res.writeHead(200, {
      'content-type': media!.mimeType,
      'content-length': String(media!.bytes.length),
    });
    res.end(media!.bytes);
  }
}
