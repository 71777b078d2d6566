import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A private note has no path to the customer: nothing the workspace module imports, however
// indirectly, reaches the Graph client or the send path. (notes.test.ts proves the same at run
// time against the Meta stand-in.)

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const workspace = join(src, 'modules/workspace');
const forbidden = [
  'modules/messaging/meta/graph-client.ts',
  'modules/messaging/send-message.service.ts',
  'modules/messaging/outbound-deps.ts',
  'modules/messaging/receipts.service.ts',
];

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // Type-only imports carry no code: only value imports make a path at run time.
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)(?!\s+type\s)[^'"]*?from\s+'(\.[^']+)'/gm),
  ].map((m) => m[1]!);
  return specs
    .map((spec) => resolve(dirname(file), spec))
    .map((base) => [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find(existsSync))
    .filter((f): f is string => Boolean(f));
}

/** Every server file reachable from `roots` by relative imports. */
function reachable(roots: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    todo.push(...importsOf(file));
  }
  return seen;
}

describe('the workspace module', () => {
  it('reaches neither the Graph client nor the send path', () => {
    const roots = readdirSync(workspace)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(workspace, f));
    expect(roots.length).toBeGreaterThan(5);
    const files = [...reachable(roots)].map((f) => f.slice(src.length + 1));
    expect(files).toContain('modules/messaging/conversation.repo.ts');
    for (const path of forbidden) {
      expect(existsSync(join(src, path)), `${path} moved: update this test`).toBe(true);
      expect(files).not.toContain(path);
    }
  });
});
