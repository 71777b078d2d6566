import { describe, expect, it } from 'vitest';
import { re2EngineForTests } from '../../src/modules/leads/re2-engine';
import {
  compileFormPatterns,
  compileTenantPattern,
  MAX_FORM_PATTERN_COST,
  MAX_PATTERN_COST,
  MAX_PATTERN_INPUT,
  patternCost,
  UnsafePatternError,
} from '../../src/modules/leads/safe-regex';

// Tenant patterns run in RE2 (linear in the input), vetted for size when a form is saved. What a
// pattern answers is asserted here; how long it takes is a figure in bench/tenant-patterns.ts.

const refusal = (pattern: string) => {
  try {
    compileTenantPattern(pattern);
    return undefined;
  } catch (err) {
    if (!(err instanceof UnsafePatternError)) throw err;
    return err.message;
  }
};

describe('the RE2 engine', () => {
  it('is loaded on first use, not on import', () => {
    // Prepare / Act: this module and safe-regex.ts are imported, no pattern compiled yet.
    const before = re2EngineForTests.loaded();
    compileTenantPattern('^\\d+$');

    // Assess
    expect(before).toBe(false);
    expect(re2EngineForTests.loaded()).toBe(true);
  });

  it('frees what it evicts: thousands of distinct patterns never exhaust its fixed heap', () => {
    // Each compiled expression holds a few KB of the 16 MB wasm heap; without freeing evicted
    // ones, this many would abort the instance (and force a reload).
    const reloads = re2EngineForTests.reloads();
    for (let i = 0; i < 3000; i++) {
      expect(compileTenantPattern(`^\\d{5}-?\\d{3}#${i}$`).test(`01310-100#${i}`)).toBe(true);
    }
    expect(re2EngineForTests.reloads()).toBe(reloads);
    expect(re2EngineForTests.cachedCount()).toBeLessThanOrEqual(32);
  });

  it('replaces an aborted instance and answers the same', () => {
    // Prepare: a compiled pattern, then the instance dies (as a wasm OOM abort leaves it).
    const cep = compileTenantPattern('\\d{5}-?\\d{3}');
    const reloads = re2EngineForTests.reloads();
    re2EngineForTests.breakEngine();

    // Act
    const answers = [cep.test('01310-100'), cep.test('0131')];

    // Assess
    expect(answers).toEqual([true, false]);
    expect(re2EngineForTests.reloads()).toBe(reloads + 1);
  });
});

describe('tenant patterns', () => {
  it('answer the catastrophic-backtracking cases correctly (RE2 does not backtract)', () => {
    const bombs: [string, string, boolean][] = [
      ['^a*a*a*a*a*a*$', `${'a'.repeat(100)}!`, false],
      ['^a*a*a*a*a*a*$', 'a'.repeat(100), true],
      ['(a+)+$', `${'a'.repeat(MAX_PATTERN_INPUT - 1)}!`, false],
      ['(x+x+)+y', 'x'.repeat(MAX_PATTERN_INPUT), false],
      ['(.*a){20}', 'a'.repeat(MAX_PATTERN_INPUT - 1) + 'b', false],
      ['^(\\w+\\s?)*$', `${'word '.repeat(99)}!`, false],
      ['(a|aa)*', 'a'.repeat(MAX_PATTERN_INPUT), true],
    ];
    for (const [pattern, input, expected] of bombs) {
      expect(compileTenantPattern(pattern).test(input), pattern).toBe(expected);
    }
  });

  it('match the whole value, as the HTML pattern attribute and the web renderer do', () => {
    const cep = compileTenantPattern('\\d{5}-?\\d{3}');
    expect(cep.test('01310-100')).toBe(true);
    expect(cep.test('x01310-100')).toBe(false);
    expect(cep.test('01310-100x')).toBe(false);
    const either = compileTenantPattern('BR|PT');
    expect(['BR', 'PT', 'BRPT', 'xBR'].map((v) => either.test(v))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('never see a value longer than the input cap', () => {
    const any = compileTenantPattern('.*');
    expect(any.test('x'.repeat(MAX_PATTERN_INPUT))).toBe(true);
    expect(any.test('x'.repeat(MAX_PATTERN_INPUT + 1))).toBe(false);
  });

  it('accept everyday patterns, Unicode classes included', () => {
    const cases: [string, string][] = [
      ['^\\d{5}-?\\d{3}$', '01310-100'],
      ['^[A-Z]{2}\\d{6}$', 'AB123456'],
      ['^(?:BR|PT)-\\d+$', 'PT-42'],
      ['^[a-z]+(?:-[a-z]+)?$', 'sao-paulo'],
      ['^\\+?\\d{8,15}$', '+5511999990001'],
      ["^[\\p{L}\\p{M} .'-]+$", 'José Ñúñez-O’Brien'.replace('’', "'")],
      ['^\\p{Script=Greek}+$', 'Ἀριστοτέλης'],
      ['^\\p{gc=Lu}\\p{Ll}+$', 'Ana'],
      ['^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$', 'ana@example.com'],
      ['^([a-z]+\\.)+[a-z]{2,}$', 'mail.example.com'],
      ['^(?<area>\\d{2}) \\d{4,5}-\\d{4}$', '11 91234-5678'],
      ['^\\u{1F600}+$', '😀😀'],
    ];
    for (const [pattern, sample] of cases) {
      expect(refusal(pattern), pattern).toBeUndefined();
      expect(compileTenantPattern(pattern).test(sample), pattern).toBe(true);
    }
  });

  it('refuse what cannot run safely, with a reason a tenant can act on', () => {
    expect(refusal('(a)\\1')).toMatch(/Back-references/);
    expect(refusal('(?<n>a)\\k<n>')).toMatch(/Back-references/);
    expect(refusal('(?=a)a')).toMatch(/Lookahead and lookbehind/);
    expect(refusal('(?<!a)b')).toMatch(/Lookahead and lookbehind/);
    expect(refusal(`^${'a'.repeat(201)}$`)).toMatch(/limited to 200 characters/);
    expect(refusal('(')).toMatch(/Not a valid pattern/);
    expect(refusal('[')).toMatch(/Not a valid pattern/);
    expect(refusal('a{2,1}')).toMatch(/Not a valid pattern/);
    // Valid JavaScript, but not RE2.
    expect(refusal('\\p{Script_Extensions=Latin}+')).toMatch(/not supported/);
    // Linear, but a large program: refused by size.
    for (const pattern of ['.{1000}', '^[\\p{L} ]{1,20}$', '[a-z]{1,300}', '(\\d{10}){11}']) {
      expect(refusal(pattern), pattern).toMatch(/too large to check quickly/);
    }
  });

  it('are sized by the program RE2 compiles (counted repetitions copy, loops do not)', () => {
    expect(patternCost('^\\d{5}-?\\d{3}$')).toBe(9);
    expect(patternCost('a*a*a*a*a*a*')).toBe(6);
    expect(patternCost('(a+)+')).toBe(1);
    expect(patternCost('(ab){3}')).toBe(6);
    expect(patternCost('((ab){3}c){2}')).toBe(14);
    expect(patternCost('.{10}')).toBe(40);
    expect(patternCost('[^x]{2}')).toBe(8);
    expect(patternCost('\\p{L}')).toBe(25);
    expect(patternCost('[\\p{L}\\p{N} ]+')).toBe(50);
    expect(patternCost('a{2,}')).toBe(3);
    expect(patternCost('a{0,5}?')).toBe(5);
    expect(patternCost(`[${'é'}]{3}`)).toBe(12);
    expect(patternCost('x'.repeat(MAX_PATTERN_COST))).toBe(MAX_PATTERN_COST);
  });

  it('share a budget per form: past it, a field’s pattern is refused', () => {
    const field = (key: string, pattern: string) => ({ key, validation: { pattern } });
    const heavy = '[\\p{L}\\p{N}]+'; // size 50
    const n = Math.floor(MAX_FORM_PATTERN_COST / 50);
    const fields = Array.from({ length: n + 1 }, (_, i) => field(`f${i}`, heavy));
    const patterns = compileFormPatterns([{ key: 'plain' }, ...fields]);
    expect(patterns.has('plain')).toBe(false);
    for (let i = 0; i < n; i++) expect(patterns.get(`f${i}`)).not.toBeInstanceOf(Error);
    expect(patterns.get(`f${n}`)).toBeInstanceOf(UnsafePatternError);
    expect((patterns.get(`f${n}`) as Error).message).toMatch(/too large together/);
  });
});
