import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkDestinationUrl, guardedLookup, UnsafeDestinationError } from '../../leads/safe-http';

// Downloads an attachment from Meta: the WhatsApp lookaside URL that `GET /{media-id}` answered
// (with the channel's token), or an Instagram CDN URL from the webhook (no token). Through the
// same SSRF guard as the CRM and SSO calls (leads/safe-http.ts: https, public addresses checked on
// the address connected to, loopback only in the sandbox), and only to Meta's hosts. The body is
// read up to a cap and the connection cut past it, so a server that announces one size and sends
// more can never make us hold more than the cap. Redirects are followed (a CDN may answer one),
// each hop checked again, and the token never leaves the host it was meant for.

/** The domains Meta serves attachments and their lookups from. */
export const META_MEDIA_HOSTS = [
  'fbsbx.com',
  'fbcdn.net',
  'cdninstagram.com',
  'facebook.com',
  'instagram.com',
  'whatsapp.net',
] as const;

export type DownloadOptions = {
  /** The sandbox: http(s) to 127.0.0.1 / ::1 / localhost (its Meta stand-in). */
  allowLoopback: boolean;
  /** Public hosts allowed (suffix match); default Meta's. Empty: loopback only. */
  allowedHosts?: readonly string[];
  /** The most bytes read; more is `too_large`. */
  maxBytes: number;
  /** Sent to the first host only (a redirect elsewhere drops them). */
  headers?: Record<string, string>;
  /** The whole download, connection to last byte. */
  timeoutMs: number;
  maxRedirects?: number;
};

export type DownloadFailure =
  /** The server says it is gone (403, 404, 410): Meta's copy expired. */
  | 'gone'
  /** Announced or sent past the cap. */
  | 'too_large'
  /** Refused for good: an unsafe or foreign host, a 4xx that retrying will not change. */
  | 'refused'
  /** Worth another try: a 5xx, 429, timeout, reset connection. */
  | 'transient';

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    readonly failure: DownloadFailure,
    message: string,
    readonly httpStatus?: number,
    /** Bytes announced or read before giving up, when known. */
    readonly size?: number,
  ) {
    super(message);
  }
}

export type Downloaded = { body: Buffer; contentType?: string };

function hostAllowed(url: URL, opts: DownloadOptions): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (opts.allowLoopback && (host === 'localhost' || host === '127.0.0.1' || host === '::1')) {
    return true;
  }
  const allowed = opts.allowedHosts ?? META_MEDIA_HOSTS;
  return allowed.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
}

function checkUrl(raw: string, opts: DownloadOptions): URL {
  let url: URL;
  try {
    url = checkDestinationUrl(raw, { allowLoopback: opts.allowLoopback });
  } catch (err) {
    throw new DownloadError('refused', (err as Error).message);
  }
  if (!hostAllowed(url, opts)) {
    throw new DownloadError('refused', `${url.hostname} is not a Meta media host`);
  }
  return url;
}

/** One GET, following at most `maxRedirects` redirects, read up to `maxBytes`. */
export async function downloadMedia(rawUrl: string, opts: DownloadOptions): Promise<Downloaded> {
  const deadline = Date.now() + opts.timeoutMs;
  let url = checkUrl(rawUrl, opts);
  const firstHost = url.host;
  for (let hop = 0; ; hop++) {
    const headers = url.host === firstHost ? (opts.headers ?? {}) : {};
    const outcome = await getOnce(url, headers, opts, deadline);
    if ('redirect' in outcome) {
      if (hop >= (opts.maxRedirects ?? 3)) {
        throw new DownloadError('refused', 'too many redirects');
      }
      url = checkUrl(new URL(outcome.redirect, url).toString(), opts);
      continue;
    }
    return outcome;
  }
}

function statusFailure(status: number): DownloadFailure {
  if (status === 403 || status === 404 || status === 410) return 'gone';
  if (status === 408 || status === 429 || status >= 500) return 'transient';
  return 'refused';
}

function getOnce(
  url: URL,
  headers: Record<string, string>,
  opts: DownloadOptions,
  deadline: number,
): Promise<Downloaded | { redirect: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const fail = (err: DownloadError) => {
      finish(() => reject(err));
      req.destroy();
    };
    const remaining = Math.max(1, deadline - Date.now());
    const timer = setTimeout(
      () => fail(new DownloadError('transient', `no complete answer within ${opts.timeoutMs} ms`)),
      remaining,
    );
    const req = send(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'Switchboard-Media/1.0', accept: '*/*', ...headers },
        lookup: guardedLookup(opts.allowLoopback),
        agent: false,
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          finish(() => resolve({ redirect: res.headers.location! }));
          return;
        }
        if (status < 200 || status >= 300) {
          res.resume();
          fail(new DownloadError(statusFailure(status), `answered HTTP ${status}`, status));
          return;
        }
        const announced = Number(res.headers['content-length']);
        if (Number.isFinite(announced) && announced > opts.maxBytes) {
          fail(
            new DownloadError(
              'too_large',
              `announced ${announced} bytes, more than ${opts.maxBytes}`,
              status,
              announced,
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            fail(
              new DownloadError('too_large', `sent more than ${opts.maxBytes} bytes`, status, size),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (!res.complete) {
            fail(new DownloadError('transient', 'the answer was cut', status));
            return;
          }
          const type = res.headers['content-type'];
          finish(() => resolve({ body: Buffer.concat(chunks), contentType: type }));
        });
        res.on('error', (err) =>
          fail(new DownloadError('transient', `the answer was cut: ${err.message}`, status)),
        );
        res.on('aborted', () => fail(new DownloadError('transient', 'the answer was cut', status)));
      },
    );
    req.on('error', (err) => {
      if (err instanceof UnsafeDestinationError) {
        fail(new DownloadError('refused', err.message));
      } else fail(new DownloadError('transient', `unreachable: ${err.message}`));
    });
    req.end();
  });
}
