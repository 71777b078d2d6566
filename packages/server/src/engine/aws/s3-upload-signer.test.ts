import { describe, expect, it } from 'vitest';
import { s3UploadClient, S3UploadSigner } from './s3-upload-signer';

// The presigned PUT of a direct upload, signed locally (no AWS call): the media bucket and the
// staging key, 15 minutes, and the declared type and size as signed headers.

describe('S3UploadSigner', () => {
  it('presigns a PUT of the staging key on the media bucket, 900 s, content-type and length signed', async () => {
    const s3 = s3UploadClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const signer = new S3UploadSigner(s3, 'switchboard-media-123');
    const key = 'tenants/tn_abc/media/med_0123456789abcdefghij/_upload';

    const url = new URL(
      await signer.sign(
        {
          tenantId: 'tn_abc',
          uploadId: 'med_0123456789abcdefghij',
          key,
          contentType: 'application/pdf',
          size: 7_340_032,
        },
        900,
        new Date('2026-12-02T00:00:00Z'),
      ),
    );

    expect(url.protocol).toBe('https:');
    expect(url.hostname).toBe('switchboard-media-123.s3.eu-west-1.amazonaws.com');
    expect(decodeURIComponent(url.pathname)).toBe(`/${key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261202T000000Z');
    const signed = url.searchParams.get('X-Amz-SignedHeaders')!.split(';');
    expect(signed).toEqual(expect.arrayContaining(['content-type', 'content-length', 'host']));
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // No checksum of an empty body, which S3 would hold against the real bytes.
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
  });
});
