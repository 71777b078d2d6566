import { request } from 'node:http';
import { assertResponseContract, type ApiResponse } from '../helpers/harness';

// The sandbox takes the client IP from the socket only (engine/http/client-ip.ts), never from a
// header. Every 127.x.y.z address is loopback on Linux, so a test plays several clients by
// binding its side of the connection to a different one: `from('127.0.0.2')`.

export type AddressedApi = {
  readonly address: string;
  request<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
};

export function clientAt(baseUrl: string, address: string): AddressedApi {
  const base = new URL(baseUrl);
  return {
    address,
    request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            method,
            path,
            headers,
            localAddress: address,
            agent: false,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              const responseHeaders = new Headers();
              for (const [name, value] of Object.entries(res.headers)) {
                if (value === undefined) continue;
                for (const v of Array.isArray(value) ? value : [value]) {
                  responseHeaders.append(name, v);
                }
              }
              let json: unknown;
              try {
                json = JSON.parse(text);
              } catch {
                json = undefined;
              }
              const status = res.statusCode ?? 0;
              try {
                assertResponseContract(
                  method,
                  path,
                  new Response(null, { status, headers: responseHeaders }),
                  json,
                );
              } catch (err) {
                reject(err);
                return;
              }
              resolve({ status, json: json as never, text, headers: responseHeaders });
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}
