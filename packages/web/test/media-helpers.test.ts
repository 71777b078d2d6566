import { errorCatalog, mediaLimits } from '@switchboard/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api-client';
import {
  checkAttachment,
  displayKindOf,
  hasPendingMedia,
  humanSize,
  mediaSrc,
  mimeTypeOf,
  stableMediaUrl,
} from '../src/lib/media';
import { uploadMedia } from '../src/lib/upload';

// The composer refuses what Meta would refuse before anything is uploaded, in plain words; the
// thread keeps one URL per attachment while it is valid; the upload goes through XMLHttpRequest
// (for its progress) and answers what `api.call` would.

const MB = 1024 * 1024;

describe('checkAttachment', () => {
  it('takes the types Meta takes, filed under their kind', () => {
    expect(checkAttachment({ name: 'menu.png', type: 'image/png', size: 20_000 })).toEqual({
      ok: true,
      kind: 'image',
      mimeType: 'image/png',
    });
    expect(checkAttachment({ name: 'nota.m4a', type: 'audio/x-m4a', size: 1000 })).toMatchObject({
      ok: true,
      kind: 'audio',
      mimeType: 'audio/mp4',
    });
    // No type from the browser: the name says it.
    expect(checkAttachment({ name: 'orçamento.pdf', type: '', size: 1000 })).toMatchObject({
      ok: true,
      kind: 'document',
    });
    expect(checkAttachment({ name: 'smile.webp', type: 'image/webp', size: 1000 })).toMatchObject({
      ok: true,
      kind: 'sticker',
    });
  });

  it('refuses a type Meta does not take, saying what it takes', () => {
    const gif = checkAttachment({ name: 'party.gif', type: 'image/gif', size: 1000 });
    expect(gif.ok).toBe(false);
    if (gif.ok) return;
    expect(gif.message).toContain('“party.gif” (image/gif) is not a file type WhatsApp');
    expect(gif.message).toContain('JPEG or PNG');
    const unknown = checkAttachment({ name: 'setup', type: '', size: 1000 });
    expect(!unknown.ok && unknown.message).toMatch(/^“setup” is not a file type/);
  });

  it('refuses a file over the limit for its kind, with the limit', () => {
    const big = checkAttachment({ name: 'foto.jpg', type: 'image/jpeg', size: 6 * MB });
    expect(big).toEqual({
      ok: false,
      message: '“foto.jpg” is 6 MB; WhatsApp takes images up to 5 MB.',
    });
    const sticker = checkAttachment({ name: 's.webp', type: 'image/webp', size: 600 * 1024 });
    expect(!sticker.ok && sticker.message).toMatch(/stickers up to 500 KB.*JPEG or PNG/);
    const video = checkAttachment({
      name: 'v.mp4',
      type: 'video/mp4',
      size: mediaLimits.video.maxBytes + 1,
    });
    expect(!video.ok && video.message).toContain('videos up to 16 MB');
    expect(checkAttachment({ name: 'e.txt', type: 'text/plain', size: 0 })).toEqual({
      ok: false,
      message: '“e.txt” is empty.',
    });
  });

  it('narrows the kinds when asked (a template’s image header)', () => {
    const pdf = checkAttachment({ name: 'a.pdf', type: 'application/pdf', size: 10 }, ['image']);
    expect(pdf).toEqual({ ok: false, message: '“a.pdf” is a document; this needs an image.' });
  });

  it('spells MIME types as Meta does', () => {
    expect(mimeTypeOf({ name: 'x.jpg', type: 'image/jpg' })).toBe('image/jpeg');
    expect(mimeTypeOf({ name: 'x.opus', type: '' })).toBe('audio/ogg');
    expect(mimeTypeOf({ name: 'x.docx', type: 'application/octet-stream' })).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
  });
});

describe('sizes and kinds', () => {
  it('humanSize uses binary units, as Meta states its limits', () => {
    expect(humanSize(512)).toBe('512 B');
    expect(humanSize(1536)).toBe('1.5 KB');
    expect(humanSize(500 * 1024)).toBe('500 KB');
    expect(humanSize(5 * MB)).toBe('5 MB');
    expect(humanSize(undefined)).toBe('');
  });

  it('shows an attachment by its MIME type, else by its message type', () => {
    expect(displayKindOf({ mimeType: 'image/jpeg' }, 'image')).toBe('image');
    expect(displayKindOf({ mimeType: 'image/webp' }, 'sticker')).toBe('sticker');
    expect(displayKindOf({ mimeType: 'video/mp4' }, 'image')).toBe('video');
    expect(displayKindOf({ mimeType: 'audio/ogg; codecs=opus' }, 'audio')).toBe('audio');
    expect(displayKindOf({ mimeType: 'application/pdf' }, 'document')).toBe('document');
    expect(displayKindOf({}, 'audio')).toBe('audio');
    expect(displayKindOf({}, 'story_mention')).toBe('image');
  });

  it('knows when a page still has an attachment being fetched', () => {
    expect(hasPendingMedia([{ media: { status: 'ready' } }])).toBe(false);
    expect(hasPendingMedia([{ attachments: [{ status: 'ready' }, { status: 'pending' }] }])).toBe(
      true,
    );
    expect(hasPendingMedia(undefined)).toBe(false);
    // One stuck for an hour is not worth polling faster for.
    const now = Date.parse('2026-01-01T12:00:00Z');
    const pending = { media: { status: 'pending' as const } };
    expect(hasPendingMedia([{ ...pending, timestamp: '2026-01-01T11:59:50Z' }], now)).toBe(true);
    expect(hasPendingMedia([{ ...pending, timestamp: '2026-01-01T11:00:00Z' }], now)).toBe(false);
  });
});

describe('media URLs', () => {
  it('loads our signed URLs, relative or absolute, and nothing else', () => {
    expect(mediaSrc('/assets/tenants%2Ft1%2Fmedia%2Fm1%2Fa.jpg?exp=1&sig=x')).toBe(
      '/assets/tenants%2Ft1%2Fmedia%2Fm1%2Fa.jpg?exp=1&sig=x',
    );
    expect(mediaSrc('https://media.example.com/a.jpg?Expires=1')).toBe(
      'https://media.example.com/a.jpg?Expires=1',
    );
    expect(mediaSrc('javascript:alert(1)')).toBeUndefined();
    expect(mediaSrc('//evil.example/a.jpg')).toBeUndefined();
    expect(mediaSrc(undefined)).toBeUndefined();
  });

  it('keeps one URL per file while it is valid, so a refetch does not reload it', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const exp = (s: number) => Math.floor(now / 1000) + s;
    const first = `/assets/k1?exp=${exp(3600)}&sig=a`;
    expect(stableMediaUrl(first, now)).toBe(first);
    // A second later the server signs it again: the first URL stays.
    expect(stableMediaUrl(`/assets/k1?exp=${exp(3601)}&sig=b`, now + 1000)).toBe(first);
    // Close to its expiry, the newer one takes over.
    const later = `/assets/k1?exp=${exp(7000)}&sig=c`;
    expect(stableMediaUrl(later, now + 3400_000)).toBe(later);
    expect(stableMediaUrl(`/assets/k2?exp=${exp(10)}&sig=d`, now)).toBe(
      `/assets/k2?exp=${exp(10)}&sig=d`,
    );
  });
});

// A stand-in for the browser's XMLHttpRequest: records the request, then answers.
type Answer = { status: number; body: unknown };
class FakeXhr {
  static answers: Answer[] = [];
  static sent: { method: string; url: string; headers: Record<string, string>; body: unknown }[] =
    [];
  status = 0;
  responseText = '';
  withCredentials = false;
  upload: { onprogress: ((e: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;
  onloadend: (() => void) | null = null;
  private method = '';
  private url = '';
  private headers: Record<string, string> = {};
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  abort() {
    this.onabort?.();
  }
  send(body: Blob) {
    FakeXhr.sent.push({ method: this.method, url: this.url, headers: this.headers, body });
    const answer = FakeXhr.answers.shift() ?? { status: 500, body: {} };
    queueMicrotask(() => {
      this.upload.onprogress?.({ loaded: 5, total: 10, lengthComputable: true } as ProgressEvent);
      this.upload.onprogress?.({ loaded: 10, total: 10, lengthComputable: true } as ProgressEvent);
      this.status = answer.status;
      this.responseText = JSON.stringify(answer.body);
      this.onload?.();
      this.onloadend?.();
    });
  }
}

describe('uploadMedia', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeXhr.sent = [];
    FakeXhr.answers = [];
  });

  const file = new File([new Uint8Array(10)], 'menu do dia.png', { type: 'image/png' });

  it('posts the raw file with its type and name, reports progress, parses the answer', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const uploaded = {
      id: 'med_1',
      type: 'image',
      mimeType: 'image/png',
      size: 10,
      filename: 'menu do dia.png',
      sha256: 'abc',
      url: '/assets/x?exp=1&sig=y',
    };
    FakeXhr.answers.push({ status: 201, body: uploaded });
    const progress: number[] = [];
    const result = await uploadMedia(file, {
      onProgress: (p) => progress.push(p.loaded / p.total),
    });
    expect(result).toEqual(uploaded);
    expect(progress).toEqual([0.5, 1]);
    expect(FakeXhr.sent[0]).toMatchObject({
      method: 'POST',
      url: '/media?filename=menu+do+dia.png',
      headers: { 'content-type': 'image/png', accept: 'application/json' },
    });
    expect(FakeXhr.sent[0]!.body).toBe(file);
  });

  it('a refusal is the ApiError a call would throw, with the catalog sentence', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    FakeXhr.answers.push({
      status: 413,
      body: { error: { code: 'media_too_large', message: 'too big' } },
    });
    const err = await uploadMedia(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('media_too_large');
    expect((err as ApiError).message).toBe(errorCatalog.media_too_large.message);
  });

  it('over 4 MB: create, PUT to the signed URL with its headers and no token, then complete', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const big = new File([new Uint8Array(4 * 1024 * 1024 + 1)], 'catálogo.pdf', {
      type: 'application/pdf',
    });
    const uploadUrl =
      'https://media.s3.amazonaws.com/tenants/t/media/med_1/_upload?X-Amz-Signature=s';
    const completed = {
      id: 'med_1',
      type: 'document',
      mimeType: 'application/pdf',
      size: big.size,
      filename: 'catálogo.pdf',
      sha256: 'abc',
      url: '/assets/x?exp=1&sig=y',
    };
    const calls: { method: string; url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ method: init.method ?? 'GET', url, body: JSON.parse(String(init.body)) });
        const json = url.endsWith('/complete')
          ? completed
          : {
              id: 'med_1',
              uploadUrl,
              method: 'PUT',
              headers: { 'content-type': 'application/pdf' },
              expiresAt: '2026-12-02T00:15:00.000Z',
            };
        return new Response(JSON.stringify(json), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        });
      }),
    );
    FakeXhr.answers.push({ status: 200, body: '' });
    const progress: number[] = [];

    const result = await uploadMedia(big, { onProgress: (p) => progress.push(p.loaded / p.total) });

    expect(result).toEqual(completed);
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ['POST', '/media/uploads'],
      ['POST', '/media/uploads/med_1/complete'],
    ]);
    expect(calls[0]!.body).toEqual({
      filename: 'catálogo.pdf',
      contentType: 'application/pdf',
      size: big.size,
    });
    expect(FakeXhr.sent).toHaveLength(1);
    expect(FakeXhr.sent[0]).toEqual({
      method: 'PUT',
      url: uploadUrl,
      headers: { 'content-type': 'application/pdf' },
      body: big,
    });
    expect(progress).toEqual([0.5, 1]);
  });

  it('at 4 MB or less: still POST /media', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    vi.stubGlobal('fetch', vi.fn());
    const four = new File([new Uint8Array(4 * 1024 * 1024)], 'a.pdf', { type: 'application/pdf' });
    FakeXhr.answers.push({
      status: 201,
      body: {
        id: 'med_2',
        type: 'document',
        mimeType: 'application/pdf',
        size: four.size,
        sha256: 'x',
        url: '/a',
      },
    });
    await uploadMedia(four);
    expect(FakeXhr.sent[0]).toMatchObject({ method: 'POST', url: '/media?filename=a.pdf' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('a cancelled upload rejects with an AbortError', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const abort = new AbortController();
    abort.abort();
    const err = await uploadMedia(file, { signal: abort.signal }).catch((e: unknown) => e);
    expect((err as DOMException).name).toBe('AbortError');
  });
});
