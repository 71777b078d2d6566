import { request as httpRequest } from 'node:http';
import type { Logger } from '../../src/engine/log';

// Fuzz runs are reproducible: a fixed seed unless FUZZ_SEED says otherwise, and a default number of
// runs sized for a few minutes; FUZZ_RUNS=5000 (say) for a longer run on demand. A failure prints the
// seed and the counterexample; FUZZ_SHRINK=1 makes fast-check shrink it first (slower).

export const fuzzSeed = Number(process.env.FUZZ_SEED ?? 20260101);

export function fuzzRuns(defaultRuns: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(runs) && runs > 0 ? runs : defaultRuns;
}

export const fuzzParams = (seed: number, numRuns: number) => ({
  seed,
  numRuns,
  endOnFailure: !process.env.FUZZ_SHRINK,
  verbose: 1 as const,
});

export type LogLine = { level: string; msg: string; fields?: Record<string, unknown> };

/** A logger that keeps warnings and errors for the assertions (and prints nothing). */
export function capturingLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const keep = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, msg, fields });
  return {
    lines,
    log: { debug: () => {}, info: () => {}, warn: keep('warn'), error: keep('error') },
  };
}

/** Hostile strings for ids, query values and fields. */
export const hostileStrings = [
  '',
  ' ',
  '.',
  '..',
  '../..',
  '%2e%2e%2f',
  '%00',
  '\u0000',
  'null',
  'undefined',
  'true',
  '-1',
  '0',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  "' OR '1'='1",
  '{"$ne":null}',
  '<script>alert(1)</script>',
  '${7*7}',
  '%',
  '%zz',
  '?a=1',
  '#frag',
  'a/b',
  'TENANT#',
  'MSG#',
  'CONV#x',
  '🙂',
  'זה טקסט',
  '\ud800',
  '\u202e',
  'x'.repeat(5_000),
];

export type RawResponse = { status: number; text: string };

/**
 * One request on its own connection (no keep-alive), so a server that answers early and closes
 * (413 before reading the body) cannot poison the next request. `status` 0: no response at all.
 */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Uint8Array | string,
): Promise<RawResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: RawResponse) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const req = httpRequest(`${url}${path}`, {
      method,
      agent: false,
      timeout: 30_000,
      headers: {
        ...headers,
        connection: 'close',
        ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
      );
      res.on('error', () => done({ status: res.statusCode ?? 0, text: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => done({ status: 0, text: String(err) }));
    req.end(body);
  });
}
