import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// Outbound HTTP to addresses tenants supply (CRM webhooks) or operators configure (HubSpot).
// SSRF guard: https only and public addresses only; the sandbox may also allow loopback so a
// developer can point a destination at a local receiver. The address check runs inside the
// socket's DNS lookup, on the address actually connected to, so DNS rebinding cannot slip a
// private address in after a check. Redirects are never followed.

export type SafeHttpOptions = {
  /** Sandbox only: http(s) to 127.0.0.1 / ::1 / localhost. */
  allowLoopback: boolean;
  timeoutMs?: number;
};

export class UnsafeDestinationError extends Error {
  override readonly name = 'UnsafeDestinationError';
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Whether connecting to `address` is allowed. */
export function isAllowedAddress(address: string, allowLoopback: boolean): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // IPv4-mapped IPv6 is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isAllowedAddress(mapped, allowLoopback);
  if (/^::ffff:/i.test(address)) return false;
  if (allowLoopback && loopback.check(address, type)) return true;
  return !blocked.check(address, type);
}

/** Checks what can be checked without connecting: scheme, credentials, literal addresses. */
export function checkDestinationUrl(raw: string, opts: SafeHttpOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeDestinationError('Not a valid URL.');
  }
  if (url.username || url.password)
    throw new UnsafeDestinationError('URLs with credentials are not allowed.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host === '127.0.0.1' || host === '::1';
  if (url.protocol !== 'https:' && !(opts.allowLoopback && local && url.protocol === 'http:')) {
    throw new UnsafeDestinationError('Destinations must use https.');
  }
  if (host === 'localhost' && !opts.allowLoopback) {
    throw new UnsafeDestinationError('Destinations must be public addresses.');
  }
  if (isIP(host) && !isAllowedAddress(host, opts.allowLoopback)) {
    throw new UnsafeDestinationError('Destinations must be public addresses.');
  }
  return url;
}

/** A DNS lookup that only hands out allowed addresses: the check runs on what is connected to. */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = (addresses as unknown as LookupAddress[]).filter((a) =>
        isAllowedAddress(a.address, allowLoopback),
      );
      if (list.length === 0) {
        return callback(
          new UnsafeDestinationError(`${hostname} resolves to a non-public address`),
          '',
          0,
        );
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export type HttpResult = { status: number; headers: IncomingHttpHeaders; body: string };

const MAX_RESPONSE_BYTES = 64 * 1024;

/** One request, no redirects, a response body read up to 64 KiB. */
export function safeRequest(
  rawUrl: string,
  init: { method: 'GET' | 'POST' | 'PATCH'; headers: Record<string, string>; body?: string },
  opts: SafeHttpOptions,
): Promise<HttpResult> {
  const url = checkDestinationUrl(rawUrl, opts);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: init.method,
        headers: {
          'user-agent': 'Switchboard-CRM-Sync/1.0',
          ...init.headers,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        lookup: guardedLookup(opts.allowLoopback),
        timeout: opts.timeoutMs ?? 10_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}
