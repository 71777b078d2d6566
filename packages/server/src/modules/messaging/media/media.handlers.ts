import type { UploadedMedia } from '@switchboard/contracts';
import type { Context } from 'hono';
import { AppError, NotFoundError } from '../../../engine/errors';
import type { TenantContext } from '../../../engine/data/tenant-data';
import type { HandlerTable } from '../../../engine/http/route-handler';
import { apiBaseUrl, signedAssetUrl } from '../../../engine/http/public-urls';
import { nowOf } from '../../../engine/http/session-deps';
import { tenantOf } from '../../../engine/http/tenant-caller';
import { MEDIA_URL_TTL_SECONDS, mediaUploadKey } from './media-keys';
import type { UploadedMediaItem } from './media.repo';
import {
  completeDirectUpload,
  createDirectUpload,
  storeUpload,
  type UploadInput,
} from './upload.service';

// POST /media: the raw file as the body with its Content-Type, or multipart/form-data with a
// `file` part (what a browser form sends). `?filename=` names it; a multipart part's own file name
// is the fallback.

type FileBody = Pick<UploadInput, 'bytes' | 'declaredType' | 'filename'>;

async function fileOf(c: Context, filename: string | undefined): Promise<FileBody> {
  const type = c.req.header('content-type') ?? '';
  if (/^multipart\/form-data\b/i.test(type)) {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      throw new AppError('bad_request', 'The multipart body could not be read.');
    }
    const part = form.get('file');
    if (!part || typeof part === 'string') {
      throw new AppError('bad_request', 'The multipart body needs a `file` part with the file.', {
        param: 'file',
      });
    }
    return {
      bytes: new Uint8Array(await part.arrayBuffer()),
      declaredType: part.type || undefined,
      filename: filename ?? (part.name && part.name !== 'blob' ? part.name : undefined),
    };
  }
  // A form without its file, or JSON (no file type WhatsApp or Instagram takes): not a file upload.
  if (/^(multipart\/|application\/x-www-form-urlencoded\b|application\/json\b)/i.test(type)) {
    throw new AppError(
      'unsupported_media_type',
      'Send the file itself as the body (with its Content-Type), or multipart/form-data with a `file` part.',
    );
  }
  return {
    bytes: new Uint8Array(await c.req.arrayBuffer()),
    declaredType: type || undefined,
    filename,
  };
}

async function uploadedView(
  c: Context,
  deps: Parameters<typeof signedAssetUrl>[1],
  item: UploadedMediaItem,
): Promise<UploadedMedia> {
  return {
    id: item.id,
    type: item.type,
    mimeType: item.mimeType,
    size: item.size,
    ...(item.filename ? { filename: item.filename } : {}),
    sha256: item.sha256,
    url: await signedAssetUrl(c, deps, item.key, MEDIA_URL_TTL_SECONDS),
  };
}

function uploaderOf(ctx: TenantContext): UploadInput['uploadedBy'] {
  return ctx.actor.kind === 'user'
    ? { kind: 'user', userId: ctx.actor.userId }
    : ctx.actor.kind === 'apiKey'
      ? { kind: 'apiKey', keyId: ctx.actor.keyId }
      : undefined;
}

const tenantIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export const mediaHandlers = {
  'media.upload': async ({ c, caller, deps, query }) => {
    const { data, ctx } = tenantOf(caller);
    const file = await fileOf(c, query.filename);
    const uploadedBy = uploaderOf(ctx);
    const item = await storeUpload({ blobs: deps.blobs, now: nowOf(deps) }, data, {
      ...file,
      uploadedBy,
    });
    deps.log.info('media uploaded', {
      tenantId: data.tenantId,
      mediaId: item.id,
      type: item.type,
      size: item.size,
    });
    return c.json(await uploadedView(c, deps, item), 201);
  },

  'media.uploads.create': async ({ c, caller, deps, body }) => {
    const { data, ctx } = tenantOf(caller);
    const input = await body();
    if (!deps.uploads) throw new Error('Direct uploads are not configured (AppDeps.uploads)');
    const { pending, uploadUrl } = await createDirectUpload(
      { uploads: deps.uploads, now: nowOf(deps) },
      data,
      { ...input, uploadedBy: uploaderOf(ctx) },
    );
    deps.log.info('media upload started', {
      tenantId: data.tenantId,
      mediaId: pending.id,
      size: pending.size,
    });
    return c.json(
      {
        id: pending.id,
        uploadUrl: uploadUrl.startsWith('/') ? `${apiBaseUrl(c, deps)}${uploadUrl}` : uploadUrl,
        method: 'PUT' as const,
        headers: { 'content-type': pending.contentType },
        expiresAt: pending.urlExpiresAt,
      },
      201,
    );
  },

  /**
   * The sandbox's S3: takes the bytes of a direct upload only with a valid signature over the
   * upload, its tenant, the Content-Type it carries, the declared size and the expiry. Anything not
   * verifiably signed answers 404 before the body is read, and nothing is written.
   */
  'media.uploads.put': async ({ c, deps, params, query }) => {
    const verify = deps.uploads?.verify;
    const tenantId = query.tenant ?? '';
    const sizeText = query.size ?? '';
    if (!verify || !tenantIdPattern.test(tenantId) || !/^\d{1,10}$/.test(sizeText)) {
      throw new NotFoundError('Upload');
    }
    const target = {
      tenantId,
      uploadId: params.id,
      key: mediaUploadKey(tenantId, params.id),
      contentType: c.req.header('content-type') ?? '',
      size: Number(sizeText),
    };
    const check = await verify.call(
      deps.uploads,
      target,
      query.exp ?? '',
      query.sig ?? '',
      nowOf(deps),
    );
    if (check === 'invalid') throw new NotFoundError('Upload');
    if (check === 'expired') {
      throw new AppError('forbidden', 'This upload link has expired; start the upload again.');
    }
    const declaredLength = c.req.header('content-length');
    if (declaredLength !== undefined && declaredLength !== sizeText) {
      throw new AppError(
        'bad_request',
        `The body is ${declaredLength} bytes; this upload was declared as ${sizeText}.`,
      );
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length !== target.size) {
      throw new AppError(
        'bad_request',
        `The body is ${bytes.length} bytes; this upload was declared as ${sizeText}.`,
      );
    }
    await deps.blobs.put(target.key, bytes, target.contentType);
    return c.body(null, 204);
  },

  'media.uploads.complete': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const item = await completeDirectUpload(
      { blobs: deps.blobs, now: nowOf(deps) },
      data,
      params.id,
    );
    deps.log.info('media upload completed', {
      tenantId: data.tenantId,
      mediaId: item.id,
      type: item.type,
      size: item.size,
    });
    return c.json(await uploadedView(c, deps, item), 201);
  },
} satisfies Partial<HandlerTable>;
