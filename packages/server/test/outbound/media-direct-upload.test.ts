import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../helpers/harness';
import { download, grown, mediaBlobs, mediaItems, samples, sha256 } from './media-fixtures';
import { send, startOutboundSandbox, waInbound, waTenant } from './outbound-harness';

// Direct uploads: files too large for API Gateway and Lambda (6 MB) go create → PUT to a signed
// URL → complete. The sandbox signs URLs on its own API (`PUT /media/uploads/{id}/content`); AWS
// presigns S3 (s3-upload-signer.test.ts). The checks are those of `POST /media`, on the real bytes.

let t: TestSandbox;
beforeAll(async () => {
  t = await startOutboundSandbox();
});
afterAll(async () => {
  await t?.stop();
});

const stand = () => t.sb.metaStandIn!;
const MB = 1024 * 1024;

type Declared = { filename?: string; contentType: string; size: number };

function create(token: string, declared: Declared) {
  return t.api.request('POST', '/media/uploads', { token, body: declared });
}

function complete(token: string, id: string) {
  return t.api.request('POST', `/media/uploads/${id}/complete`, { token });
}

async function put(url: string, headers: Record<string, string>, bytes: Uint8Array) {
  const res = await fetch(url, { method: 'PUT', headers, body: new Uint8Array(bytes) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as any) : undefined };
}

/** Files under the tenant's media prefix other than staging uploads (`<id>/_upload`, its type). */
const finalBlobs = (tenantId: string) =>
  mediaBlobs(t, tenantId).filter((path) => path.includes('/') && !path.includes('/_upload'));

describe('direct upload: create → PUT → complete', () => {
  it('takes a 7 MB PDF (over Lambda’s 6 MB) and sends it on WhatsApp', async () => {
    // Prepare
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const pdf = grown(samples.pdf, 7 * MB);

    // Act
    const created = await create(tenant.token, {
      filename: 'Catálogo 2027.pdf',
      contentType: 'application/pdf',
      size: pdf.length,
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^med_[0-9a-z]{20}$/),
      uploadUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/media\/uploads\/med_/),
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      expiresAt: expect.any(String),
    });
    const ttl = Date.parse(created.json.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    const early = await complete(tenant.token, created.json.id);
    const uploaded = await put(created.json.uploadUrl, created.json.headers, pdf);
    const done = await complete(tenant.token, created.json.id);

    // Assess: not ready before the PUT; then media like POST /media's, with our bytes.
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('media_not_ready');
    expect(uploaded.status).toBe(204);
    expect(done.status).toBe(201);
    expect(done.json).toEqual({
      id: created.json.id,
      type: 'document',
      mimeType: 'application/pdf',
      size: pdf.length,
      filename: 'Catálogo 2027.pdf',
      sha256: sha256(pdf),
      url: expect.stringMatching(/\/assets\//),
    });
    const copy = await download(done.json.url);
    expect(copy.status).toBe(200);
    expect(copy.bytes.equals(pdf)).toBe(true);

    // Sent by its id: Meta's media store gets our 7 MB, and the message names Meta's id.
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      media: { type: 'document', id: done.json.id },
    });
    expect(res.status).toBe(202);
    const metaUpload = stand().outbound.uploads.find(
      (u) => u.phoneNumberId === tenant.phoneNumberId && u.sha256 === sha256(pdf),
    );
    expect(metaUpload).toMatchObject({ mimeType: 'application/pdf', size: pdf.length });
    const sent = stand().sent.find((s) => s.channelMessageId === res.json.channelMessageId);
    expect(sent?.body.document).toMatchObject({ id: metaUpload!.id });
  });

  it('completing twice answers the same media, stored once', async () => {
    const tenant = await waTenant(t);
    const bytes = grown(samples.pdf, 2048);
    const created = await create(tenant.token, { contentType: 'application/pdf', size: 2048 });
    expect((await put(created.json.uploadUrl, created.json.headers, bytes)).status).toBe(204);

    const first = await complete(tenant.token, created.json.id);
    const second = await complete(tenant.token, created.json.id);

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const { url: _a, ...firstMedia } = first.json;
    const { url: _b, ...secondMedia } = second.json;
    expect(secondMedia).toEqual(firstMedia);
    expect(await mediaItems(t, tenant.id)).toHaveLength(1);
  });
});

describe('direct upload: what Meta would refuse', () => {
  it.each([
    { declared: { contentType: 'application/x-msdownload', size: 1024 }, status: 415 },
    { declared: { contentType: 'image/gif', size: 1024 }, status: 415 },
    { declared: { contentType: 'image/png', size: 5 * MB + 1 }, status: 413 },
    { declared: { contentType: 'video/mp4', size: 16 * MB + 1 }, status: 413 },
    { declared: { contentType: 'application/pdf', size: 100 * MB + 1 }, status: 413 },
  ])('declared $declared.contentType, $declared.size bytes: $status at create', async (c) => {
    const tenant = await waTenant(t);
    const res = await create(tenant.token, c.declared);
    expect(res.status).toBe(c.status);
    expect(res.json.error.code).toBe(
      c.status === 415 ? 'media_type_not_accepted' : 'media_too_large',
    );
    expect(mediaBlobs(t, tenant.id)).toEqual([]);
  });

  it('a GIF declared as image/png: written by the PUT, refused at complete, stored as no media', async () => {
    const tenant = await waTenant(t);
    const created = await create(tenant.token, {
      contentType: 'image/png',
      size: samples.gif.length,
    });
    expect((await put(created.json.uploadUrl, created.json.headers, samples.gif)).status).toBe(204);

    const res = await complete(tenant.token, created.json.id);

    expect(res.status).toBe(415);
    expect(res.json.error.code).toBe('media_type_not_accepted');
    expect(await mediaItems(t, tenant.id)).toEqual([]);
    expect(finalBlobs(tenant.id)).toEqual([]);
  });

  it('more bytes than declared, or another Content-Type: refused at the PUT, nothing written', async () => {
    const tenant = await waTenant(t);
    const created = await create(tenant.token, { contentType: 'application/pdf', size: 1024 });
    const url = created.json.uploadUrl;

    const more = await put(url, created.json.headers, grown(samples.pdf, 1025));
    const fewer = await put(url, created.json.headers, grown(samples.pdf, 1000));
    const otherType = await put(url, { 'content-type': 'image/png' }, grown(samples.pdf, 1024));

    expect(more.status).toBe(400);
    expect(fewer.status).toBe(400);
    expect(otherType.status).toBe(404);
    expect(mediaBlobs(t, tenant.id)).toEqual([]);
    const res = await complete(tenant.token, created.json.id);
    expect(res.status).toBe(409);
    expect(await mediaItems(t, tenant.id)).toEqual([]);
  });
});

describe('direct upload: the URL is the only credential', () => {
  /** `url` with one character of its `sig`, `exp`, `size`, `tenant` or id changed. */
  function tampered(url: string, part: 'sig' | 'exp' | 'size' | 'tenant' | 'id'): string {
    const u = new URL(url);
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('a') ? 'b' : 'a');
    const flipDigit = (s: string) => s.slice(0, -1) + (s.endsWith('1') ? '2' : '1');
    if (part === 'id') {
      u.pathname = u.pathname.replace(/(med_[0-9a-z]{19})[0-9a-z]/, (_m, head: string) =>
        flip(`${head}x`),
      );
    } else {
      const value = u.searchParams.get(part)!;
      u.searchParams.set(
        part,
        part === 'sig' || part === 'tenant' ? flip(value) : flipDigit(value),
      );
    }
    return u.toString();
  }

  it.each(['sig', 'exp', 'size', 'tenant', 'id'] as const)(
    'a changed %s: 404, nothing written',
    async (part) => {
      const tenant = await waTenant(t);
      const bytes = grown(samples.pdf, 1024);
      const created = await create(tenant.token, {
        contentType: 'application/pdf',
        size: bytes.length,
      });
      const url = tampered(created.json.uploadUrl, part);
      expect(url).not.toBe(created.json.uploadUrl);

      const res = await put(url, created.json.headers, bytes);

      expect([403, 404]).toContain(res.status);
      expect(mediaBlobs(t, tenant.id)).toEqual([]);
      expect((await complete(tenant.token, created.json.id)).status).toBe(409);
    },
  );

  it('without a signature: 404, nothing written', async () => {
    const tenant = await waTenant(t);
    const created = await create(tenant.token, { contentType: 'application/pdf', size: 1024 });
    const u = new URL(created.json.uploadUrl);
    u.search = '';
    const bare = await put(u.toString(), created.json.headers, grown(samples.pdf, 1024));
    expect(bare.status).toBe(404);
    expect(mediaBlobs(t, tenant.id)).toEqual([]);
  });

  it('tenant B cannot complete A’s upload, and A still can', async () => {
    const a = await waTenant(t);
    const b = await waTenant(t);
    const bytes = grown(samples.pdf, 4096);
    const created = await create(a.token, { contentType: 'application/pdf', size: bytes.length });
    expect((await put(created.json.uploadUrl, created.json.headers, bytes)).status).toBe(204);

    const theirs = await complete(b.token, created.json.id);

    expect(theirs.status).toBe(404);
    expect(await mediaItems(t, b.id)).toEqual([]);
    expect(await mediaItems(t, a.id)).toEqual([]);
    const ours = await complete(a.token, created.json.id);
    expect(ours.status).toBe(201);
    expect(ours.json.sha256).toBe(sha256(bytes));
  });
});
