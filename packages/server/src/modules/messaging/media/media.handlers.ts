import type { UploadedMedia } from '@switchboard/contracts';
import type { Context } from 'hono';
import { AppError } from '../../../engine/errors';
import type { HandlerTable } from '../../../engine/http/route-handler';
import { signedAssetUrl } from '../../../engine/http/public-urls';
import { nowOf } from '../../../engine/http/session-deps';
import { tenantOf } from '../../../engine/http/tenant-caller';
import { MEDIA_URL_TTL_SECONDS } from './media-keys';
import type { UploadedMediaItem } from './media.repo';
import { storeUpload, type UploadInput } from './upload.service';

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

export const mediaHandlers = {
  'media.upload': async ({ c, caller, deps, query }) => {
    const { data, ctx } = tenantOf(caller);
    const file = await fileOf(c, query.filename);
    const uploadedBy: UploadInput['uploadedBy'] =
      ctx.actor.kind === 'user'
        ? { kind: 'user', userId: ctx.actor.userId }
        : ctx.actor.kind === 'apiKey'
          ? { kind: 'apiKey', keyId: ctx.actor.keyId }
          : undefined;
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
} satisfies Partial<HandlerTable>;
