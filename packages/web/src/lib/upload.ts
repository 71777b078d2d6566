import { routeContracts, uploadedMediaSchema, type UploadedMedia } from '@switchboard/contracts';
import {
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

function attempt(url: string, file: Blob, contentType: string, opts: UploadOptions) {
  return new Promise<Answer>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(abortError());
    const xhr = new XMLHttpRequest();
    xhr.open(routeContracts['media.upload'].method, url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', contentType);
    const session = currentSession();
    if (session) xhr.setRequestHeader('authorization', `Bearer ${session.accessToken}`);
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
  const url = `${apiBase}${withQuery(routeContracts['media.upload'].path, { filename: name })}`;
  let answer = await attempt(url, file, contentType, opts);
  if (answer.status === 401 && (await refreshSession())) {
    opts.onProgress?.({ loaded: 0, total: file.size });
    answer = await attempt(url, file, contentType, opts);
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
