import {
  compileTenantPattern,
  MAX_PATTERN_INPUT,
} from '../packages/server/src/modules/leads/safe-regex';

// `npx tsx bench/tenant-patterns.ts`: what tenant patterns cost in RE2 (re2-wasm), figures only.
// For each pattern: the time to compile it (the first compile also loads the wasm), and the worst
// time of one whole-value test over hostile inputs at the input cap (MAX_PATTERN_INPUT). Patterns
// near the size budget (safe-regex.ts) show what the budget allows at worst.

const rnd = (alphabet: string[], n: number) =>
  Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');

const n = MAX_PATTERN_INPUT;
const inputs = [
  `${'a'.repeat(n - 1)}!`,
  'a'.repeat(n),
  'x'.repeat(n),
  `${'word '.repeat(n / 5 - 1)}word!`,
  rnd(['a', 'b'], n),
  rnd(['a', 'é', '中', ' ', '-', '1'], n),
  '😀'.repeat(n / 2),
];

const patterns = [
  // the review's case, and other classic backtracking bombs
  '^a*a*a*a*a*a*$',
  '(a+)+$',
  '(x+x+)+y',
  '^(\\w+\\s?)*$',
  '(.*a){20}',
  // everyday
  '^\\d{5}-?\\d{3}$',
  "^[\\p{L}\\p{M} .'-]+$",
  '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$',
  // near the size budget (100): the slowest shapes it admits
  '.*a.{20}',
  '[\\s\\S]*a[\\s\\S]{20}',
  '(a|b)*a(a|b){45}',
  '\\p{L}\\p{Lu}\\p{Ll}\\p{N}',
];

const rows: Record<string, string | number>[] = [];
const started = performance.now();
for (const pattern of patterns) {
  const t0 = performance.now();
  const compiled = compileTenantPattern(pattern);
  const compileMs = performance.now() - t0;
  let worst = 0;
  let total = 0;
  for (let round = 0; round < 5; round++) {
    for (const input of inputs) {
      const t1 = performance.now();
      compiled.test(input);
      const ms = performance.now() - t1;
      worst = Math.max(worst, ms);
      total += ms;
    }
  }
  rows.push({
    pattern,
    size: compiled.cost,
    'compile ms': Number(compileMs.toFixed(1)),
    'worst test ms': Number(worst.toFixed(2)),
    'mean test ms': Number((total / (5 * inputs.length)).toFixed(2)),
  });
}
console.log(
  `Tenant patterns in RE2, inputs of ${n} characters (${inputs.length} kinds × 5 rounds)`,
);
console.table(rows);
console.log(`total ${(performance.now() - started).toFixed(0)} ms`);
