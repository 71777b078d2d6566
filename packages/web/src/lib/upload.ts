import { routeContracts, uploadedMediaSchema, type UploadedMedia } from '@switchboard/contracts';
import {
  api,
  apiBase,
  ApiError,
  currentSession,
  errorFromBody,
  refreshSession,
  withQuery,
} from './api-client';
import { mimeTypeOf } from './media';

// `POST /media` through XMLHttpRequest, the one browser API that reports upload progress. It
// sends what `api.call` sends (the session's bearer token, credentials, an expired token renewed
// once and the request replayed) and answers the contract's `uploadedMediaSchema`, or throws the
// same `ApiError` a call would (413 `media_too_large`, 415 `media_type_not_accepted`…).
//
// Files over 4 MB go direct: `POST /media/uploads` (the declared type and size, refused up front
// like `POST /media` would), a PUT of the bytes to the signed `uploadUrl` it answers (S3 on AWS,
// whose 6 MB Lambda and 10 MB API Gateway limits the bytes then never meet; the sandbox's own API
// locally) with exactly its headers and no Authorization, then `POST /media/uploads/{id}/complete`,
// which checks the real bytes and answers what `POST /media` answers.

/** Above this, an upload goes direct (create → PUT → complete) instead of `POST /media`. */
export const DIRECT_UPLOAD_THRESHOLD_BYTES = 4 * 1024 * 1024;

export type UploadProgress = { loaded: number; total: number };

export type UploadOptions = {
  /** Shown to the customer for documents; defaults to the file's own name. */
  filename?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
};

type Answer = { status: number; text: string };

function abortError(): DOMException {
  return new DOMException('The upload was cancelled.', 'AbortError');
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

type Target = {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The API (bearer token, cookies); false for a signed upload URL, which is its own credential. */
  api: boolean;
};

function attempt(target: Target, file: Blob, opts: UploadOptions) {
  return new Promise<Answer>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(abortError());
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.url);
    for (const [name, value] of Object.entries(target.headers)) xhr.setRequestHeader(name, value);
    if (target.api) {
      xhr.withCredentials = true;
      xhr.setRequestHeader('accept', 'application/json');
      const session = currentSession();
      if (session) xhr.setRequestHeader('authorization', `Bearer ${session.accessToken}`);
    }
    xhr.upload.onprogress = (e) =>
      opts.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'upload failed'));
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => reject(abortError());
    const onAbort = () => xhr.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    xhr.onloadend = () => opts.signal?.removeEventListener('abort', onAbort);
    xhr.send(file);
  });
}

/** Uploads a file for sending; `id` goes into `messages.send` as `media.id` (or a template header). */
export async function uploadMedia(
  file: Blob & { name?: string },
  opts: UploadOptions = {},
): Promise<UploadedMedia> {
  const name = opts.filename ?? file.name;
  const contentType = mimeTypeOf({ name: name ?? '', type: file.type });
  if (file.size > DIRECT_UPLOAD_THRESHOLD_BYTES) {
    return uploadDirect(file, { ...opts, filename: name }, contentType);
  }
  const target: Target = {
    method: routeContracts['media.upload'].method,
    url: `${apiBase}${withQuery(routeContracts['media.upload'].path, { filename: name })}`,
    headers: { 'content-type': contentType },
    api: true,
  };
  let answer = await attempt(target, file, opts);
  if (answer.status === 401 && (await refreshSession())) {
    opts.onProgress?.({ loaded: 0, total: file.size });
    answer = await attempt(target, file, opts);
  }
  if (answer.status < 200 || answer.status >= 300) throw errorFromBody(answer.status, answer.text);
  if (answer.status !== 201) {
    console.error(`Unexpected status ${answer.status} from media.upload`);
    throw new ApiError(answer.status, 'bad_response', `undeclared status ${answer.status}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  const parsed = uploadedMediaSchema.safeParse(json);
  if (!parsed.success) {
    console.error('Unexpected response from media.upload', JSON.stringify(parsed.error.issues));
    throw new ApiError(answer.status, 'bad_response', parsed.error.message);
  }
  return parsed.data;
}

/** create → PUT to the signed URL (the progress) → complete. */
async function uploadDirect(
  file: Blob,
  opts: UploadOptions,
  contentType: string,
): Promise<UploadedMedia> {
  if (opts.signal?.aborted) throw abortError();
  const created = await api.call('media.uploads.create', {
    body: {
      ...(opts.filename ? { filename: opts.filename } : {}),
      contentType,
      size: file.size,
    },
  });
  const put = await attempt(
    { method: created.method, url: created.uploadUrl, headers: created.headers, api: false },
    file,
    opts,
  );
  if (put.status < 200 || put.status >= 300) {
    // S3 answers XML, the sandbox JSON: either way the bytes were not taken.
    console.error(`The upload PUT answered ${put.status}`, put.text.slice(0, 500));
    throw put.text.trim().startsWith('{')
      ? errorFromBody(put.status, put.text)
      : new ApiError(put.status, 'network_error', `upload PUT answered ${put.status}`);
  }
  if (opts.signal?.aborted) throw abortError();
  return api.call('media.uploads.complete', { params: { id: created.id } });
}
