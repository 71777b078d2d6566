import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError, downloadMedia, type DownloadOptions } from './media-download';

// The download path of inbound attachments against a local server that lies: sizes it does not
// announce, more bytes than it announced, redirects elsewhere, errors of every kind.

type Route = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Route>();
const seen: { path: string; authorization?: string }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ path, authorization: req.headers.authorization });
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const opts = (over: Partial<DownloadOptions> = {}): DownloadOptions => ({
  allowLoopback: true,
  allowedHosts: [],
  maxBytes: 1_000,
  timeoutMs: 2_000,
  ...over,
});

async function failureOf(promise: Promise<unknown>): Promise<DownloadError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DownloadError);
  return err as DownloadError;
}

describe('downloadMedia', () => {
  it('answers the body and its type', async () => {
    // Prepare
    routes.set('/ok', (_req, res) =>
      res.writeHead(200, { 'content-type': 'image/png' }).end('png!'),
    );

    // Act
    const got = await downloadMedia(`${base}/ok`, opts());

    // Assess
    expect(got.body.toString()).toBe('png!');
    expect(got.contentType).toBe('image/png');
  });

  it('refuses an announced size past the cap before reading, and cuts an unannounced one', async () => {
    // Prepare: one says 5 000 bytes; one streams 5 000 without saying
    routes.set('/announced', (_req, res) =>
      res.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5_000)),
    );
    routes.set('/chunked', (_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 50; i++) res.write(Buffer.alloc(100));
      res.end();
    });

    // Act
    const announced = await failureOf(downloadMedia(`${base}/announced`, opts()));
    const chunked = await failureOf(downloadMedia(`${base}/chunked`, opts()));

    // Assess
    expect(announced).toMatchObject({ failure: 'too_large', size: 5_000 });
    expect(chunked.failure).toBe('too_large');
    expect(chunked.size).toBeLessThanOrEqual(1_100);
  });

  it('tells gone (403, 404, 410) from worth another try (5xx, 429) from refused', async () => {
    // Prepare
    for (const status of [403, 410, 500, 503, 429, 400, 401]) {
      routes.set(`/status/${status}`, (_req, res) => res.writeHead(status).end());
    }
    const failure = async (status: number) =>
      (await failureOf(downloadMedia(`${base}/status/${status}`, opts()))).failure;

    // Act / Assess
    expect(await failure(403)).toBe('gone');
    expect(await failure(410)).toBe('gone');
    expect((await failureOf(downloadMedia(`${base}/missing`, opts()))).failure).toBe('gone');
    expect(await failure(500)).toBe('transient');
    expect(await failure(503)).toBe('transient');
    expect(await failure(429)).toBe('transient');
    expect(await failure(400)).toBe('refused');
    expect(await failure(401)).toBe('refused');
  });

  it('times out a server that never finishes', async () => {
    // Prepare
    routes.set('/slow', (_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
    });

    // Act
    const err = await failureOf(downloadMedia(`${base}/slow`, opts({ timeoutMs: 200 })));

    // Assess
    expect(err.failure).toBe('transient');
  });

  it('follows a redirect, and sends the token only to the host it was meant for', async () => {
    // Prepare: a redirect on the same host, then one to another host (localhost)
    routes.set('/hop', (_req, res) => res.writeHead(302, { location: '/ok' }).end());
    const other = base.replace('127.0.0.1', 'localhost');
    routes.set('/away', (_req, res) => res.writeHead(302, { location: `${other}/ok` }).end());
    seen.length = 0;

    // Act
    const same = await downloadMedia(
      `${base}/hop`,
      opts({ headers: { authorization: 'Bearer T' } }),
    );
    const away = await downloadMedia(
      `${base}/away`,
      opts({ headers: { authorization: 'Bearer T' } }),
    );

    // Assess
    expect(same.body.toString()).toBe('png!');
    expect(away.body.toString()).toBe('png!');
    expect(seen.map((s) => [s.path, s.authorization])).toEqual([
      ['/hop', 'Bearer T'],
      ['/ok', 'Bearer T'],
      ['/away', 'Bearer T'],
      ['/ok', undefined],
    ]);
  });

  it('refuses hosts that are not Meta’s, plain http and private addresses', async () => {
    // Act / Assess
    const foreign = await failureOf(
      downloadMedia(
        'https://example.com/a.jpg',
        opts({ allowLoopback: false, allowedHosts: undefined }),
      ),
    );
    expect(foreign.failure).toBe('refused');
    const plain = await failureOf(
      downloadMedia(
        'http://lookaside.fbsbx.com/a',
        opts({ allowLoopback: false, allowedHosts: undefined }),
      ),
    );
    expect(plain.failure).toBe('refused');
    const loopback = await failureOf(downloadMedia(`${base}/ok`, opts({ allowLoopback: false })));
    expect(loopback.failure).toBe('refused');
    const privateIp = await failureOf(
      downloadMedia(
        'https://10.0.0.1/a',
        opts({ allowLoopback: false, allowedHosts: ['10.0.0.1'] }),
      ),
    );
    expect(privateIp.failure).toBe('refused');
  });
});
