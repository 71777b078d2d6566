import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { GeneratorResult, Job } from './load-generator';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function summarize(latenciesMs: number[]): { n: number; p50: number; p99: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
  };
}

export const round = (n: number, digits = 2) => Number(n.toFixed(digits));

export function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: process.platform,
  };
}

/** Runs `worker` from `concurrency` loops until `count` calls are made or `maxMs` passes. */
export async function closedLoop(
  concurrency: number,
  count: number,
  maxMs: number,
  worker: (i: number) => Promise<void>,
): Promise<{ elapsedMs: number; done: number }> {
  let next = 0;
  let done = 0;
  const start = performance.now();
  const deadline = start + maxMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() < deadline) {
        const i = next++;
        await worker(i);
        done++;
      }
    }),
  );
  return { elapsedMs: performance.now() - start, done };
}

export function writeResult(name: string, result: unknown): string {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), result }, null, 2)}\n`,
  );
  return file;
}

/**
 * Runs one load-generator job in its own Node process (bench/load-generator.ts), so building,
 * signing and timing requests never shares the server's event loop, and returns its result.
 */
export function generate(
  job: Job,
  onStart?: (startEpochMs: number) => void,
): Promise<GeneratorResult> {
  const script = join(import.meta.dirname, 'load-generator.ts');
  const arg = Buffer.from(JSON.stringify(job)).toString('base64url');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--job', arg], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const start = /^START (\S+)$/m.exec(out);
      if (start && onStart) {
        onStart(Number(start[1]));
        onStart = undefined;
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}: ${err}`));
      try {
        resolve(JSON.parse(/^RESULT (.*)$/m.exec(out)?.[1] ?? '') as GeneratorResult);
      } catch {
        reject(new Error(`load generator printed no result: ${out.slice(0, 200)} ${err}`));
      }
    });
  });
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
export const epochNow = () => performance.timeOrigin + performance.now();

export function section(title: string): void {
  console.log(`\n## ${title}`);
}
