import { createRequire } from 'node:module';
import { sep } from 'node:path';

// Tenant patterns run in RE2 (re2-wasm, Google's RE2 compiled to WebAssembly): matching time is
// linear in the input, whatever the pattern, so no pattern can backtrack. Three properties of
// that build shape this file:
// - it is loaded on first use, synchronously (validation is synchronous), so routes that never
//   test a pattern never load its 850 KB of wasm;
// - its heap is a fixed 16 MB that never grows, and compiled expressions are not garbage
//   collected: each one is freed by hand when it leaves the cache below;
// - when that heap runs out, the module aborts and every later call fails. A failure that is not
//   a SyntaxError therefore drops this instance, loads a fresh one and retries once.

type Re2Expression = { test(input: string): boolean };
type Re2Module = { RE2: new (pattern: string, flags: string) => Re2Expression };

/** RE2 refused the pattern (its syntax, or a construct it does not have). */
export class Re2SyntaxError extends Error {
  override readonly name = 'Re2SyntaxError';
}

const requireHere = createRequire(import.meta.url);
let engine: Re2Module | undefined;
let reloads = 0;

function loadEngine(): Re2Module {
  engine ??= requireHere('re2-wasm') as Re2Module;
  return engine;
}

/** Forgets the module (and its heap) so the next use loads a fresh instance. */
function discardEngine(): void {
  reloads++;
  for (const expression of cache.values()) free(expression);
  cache.clear();
  engine = undefined;
  const marker = `${sep}re2-wasm${sep}`;
  for (const id of Object.keys(requireHere.cache)) {
    if (id.includes(marker)) delete requireHere.cache[id];
  }
}

// The wasm object behind an expression; `delete()` is embind's way of freeing it.
function free(expression: Re2Expression): void {
  const wrapper = (expression as { wrapper?: { delete?: () => void } }).wrapper;
  try {
    wrapper?.delete?.();
  } catch {
    // Already freed, or the instance aborted: nothing left to give back.
  }
}

/**
 * Compiled expressions by source, least recently used first. Small on purpose: each one holds
 * its program and its DFA cache in the shared 16 MB heap.
 */
const MAX_CACHED = 32;
const cache = new Map<string, Re2Expression>();

function compileNow(source: string): Re2Expression {
  try {
    return new (loadEngine().RE2)(source, 'u');
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new Re2SyntaxError(err.message.replace(/^Invalid regular expression: \/.*\/u: /, ''));
    }
    throw err;
  }
}

function expressionFor(source: string): Re2Expression {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const compiled = compileNow(source);
  cache.set(source, compiled);
  while (cache.size > MAX_CACHED) {
    const [oldest, expression] = cache.entries().next().value!;
    cache.delete(oldest);
    free(expression);
  }
  return compiled;
}

/** Runs `work` on the engine; an aborted instance is replaced and `work` retried once. */
function withEngine<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof Re2SyntaxError) throw err;
    discardEngine();
    return work();
  }
}

/** Compiles `source` with RE2 (cached); throws Re2SyntaxError when RE2 refuses it. */
export function re2Compile(source: string): void {
  withEngine(() => expressionFor(source));
}

/** Whether RE2 finds `source` in `input` (compiled on first use, then cached). */
export function re2Test(source: string, input: string): boolean {
  return withEngine(() => expressionFor(source).test(input));
}

/** For tests: what the engine holds, and a way to simulate an aborted instance. */
export const re2EngineForTests = {
  cachedCount: () => cache.size,
  loaded: () => engine !== undefined,
  /** How many times an instance was dropped for a fresh one. */
  reloads: () => reloads,
  breakEngine(): void {
    const broken: Re2Module = {
      RE2: class {
        constructor() {
          throw new Error('abort(OOM) simulated');
        }
      } as unknown as Re2Module['RE2'],
    };
    for (const expression of cache.values()) free(expression);
    cache.clear();
    engine = broken;
  },
};
