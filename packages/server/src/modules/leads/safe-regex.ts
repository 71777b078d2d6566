import { re2Compile, Re2SyntaxError, re2Test } from './re2-engine';

// Tenants write regular expressions for their form fields; the server runs them on anonymous
// input. They run in RE2 (re2-engine.ts), whose matching time is linear in the input: no pattern
// can backtrack. Linear is not free, though: RE2's cost grows with the size of the compiled
// program (a counted repetition copies its operand; a Unicode property class such as \p{L} is
// hundreds of byte ranges), and a program whose DFA thrashes falls back to simulating every
// state on every byte. So a pattern is accepted only when:
// - it is at most 200 characters, valid JavaScript with the `u` flag (the browser renderer runs
//   it too) and compiled by RE2 (no back-references, no lookarounds);
// - its estimated program size (`patternCost`) is at most MAX_PATTERN_COST, and a form's
//   patterns together at most MAX_FORM_PATTERN_COST;
// and a value reaches a pattern only when it is at most MAX_PATTERN_INPUT characters.
// A pattern must match the whole value, as the HTML `pattern` attribute and the web renderer
// (`^(?:pattern)$`) read it.

export const MAX_PATTERN_LENGTH = 200;
/** No submitted value longer than this ever reaches a tenant's pattern. */
export const MAX_PATTERN_INPUT = 500;
/** Estimated program size of one pattern (see patternCost). */
export const MAX_PATTERN_COST = 100;
/** Estimated program size of all the patterns of one form. */
export const MAX_FORM_PATTERN_COST = 300;

export class UnsafePatternError extends Error {
  override readonly name = 'UnsafePatternError';
}

/** A vetted tenant pattern: `test` is a whole-value match in RE2. */
export type TenantPattern = { source: string; cost: number; test(value: string): boolean };

// Weights of one atom in patternCost: a character or an ASCII class is one instruction or a few;
// "anything but" classes are every UTF-8 sequence; Unicode properties are hundreds of ranges.
const NARROW = 1;
const WIDE = 4;
const PROPERTY = 25;

/** `(`, `(?:`, `(?<name>` (or a lookaround): how many characters open the group at `i`. */
function groupOpening(pattern: string, i: number): number {
  if (pattern[i + 1] !== '?') return 1;
  if (pattern[i + 2] !== '<' || pattern[i + 3] === '=' || pattern[i + 3] === '!') {
    return pattern[i + 2] === '<' ? 4 : 3;
  }
  const end = pattern.indexOf('>', i);
  return end > i ? end - i + 1 : 3;
}

/** Up to and including the `}` that closes `\p{...}` or `\u{...}` at `i`. */
function bracedLength(pattern: string, i: number): number {
  const end = pattern.indexOf('}', i);
  return end > i ? end - i + 1 : 2;
}

/**
 * A quantifier at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy) and how many
 * copies of its operand it makes.
 */
function quantifierAt(pattern: string, i: number): { length: number; copies: number } | undefined {
  const ch = pattern[i];
  let quantifier: { length: number; copies: number };
  if (ch === '*' || ch === '+' || ch === '?') quantifier = { length: 1, copies: 1 };
  else if (ch === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (!match) return undefined;
    const min = Number(match[1]);
    const copies = match[2] === undefined ? min : match[3] ? Number(match[3]) : min + 1;
    quantifier = { length: match[0].length, copies: Math.max(1, copies) };
  } else return undefined;
  if (pattern[i + quantifier.length] === '?') quantifier.length++;
  return quantifier;
}

/** An escape at `i` (`\d`, `\p{L}`, `\u{1F600}`, `\x41`, ...): its length and weight. */
function escapeAt(pattern: string, i: number): { length: number; weight: number; wide: boolean } {
  const c = pattern[i + 1] ?? '';
  if (c === 'p' || c === 'P') {
    return { length: bracedLength(pattern, i), weight: PROPERTY, wide: true };
  }
  if (c === 'D' || c === 'W' || c === 'S') return { length: 2, weight: WIDE, wide: true };
  if (c === 'u' && pattern[i + 2] === '{') {
    const length = bracedLength(pattern, i);
    const code = parseInt(pattern.slice(i + 3, i + length - 1), 16);
    return { length, weight: NARROW, wide: !(code <= 0x7f) };
  }
  if (c === 'u') {
    return {
      length: 6,
      weight: NARROW,
      wide: !(parseInt(pattern.slice(i + 2, i + 6), 16) <= 0x7f),
    };
  }
  if (c === 'x') return { length: 4, weight: NARROW, wide: false };
  if (c === 'c') return { length: 3, weight: NARROW, wide: false };
  return { length: 2, weight: NARROW, wide: false };
}

/** A character class at `i` (`[...]`, `[^...]`): its length and weight. */
function classAt(pattern: string, i: number): { length: number; weight: number } {
  const negated = pattern[i + 1] === '^';
  let j = negated ? i + 2 : i + 1;
  let properties = 0;
  let wide = negated;
  while (j < pattern.length && pattern[j] !== ']') {
    if (pattern[j] === '\\') {
      const escape = escapeAt(pattern, j);
      if (escape.weight === PROPERTY) properties++;
      wide ||= escape.wide;
      j += escape.length;
    } else {
      wide ||= pattern.codePointAt(j)! > 0x7f;
      j++;
    }
  }
  const weight = properties > 0 ? properties * PROPERTY : wide ? WIDE : NARROW;
  return { length: j - i + 1, weight };
}

/**
 * The estimated size of the program RE2 compiles `pattern` to: every atom's weight, times the
 * copies each enclosing counted repetition makes (`x{3,10}` is ten copies of x; `x*` and `x+`
 * are loops, one copy). `pattern` must already compile as a JavaScript `u` regular expression.
 */
export function patternCost(pattern: string): number {
  type Group = { total: number; last: number };
  const stack: Group[] = [{ total: 0, last: 0 }];
  const top = () => stack[stack.length - 1]!;
  const atom = (weight: number) => {
    top().total += weight;
    top().last = weight;
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    const quantifier = quantifierAt(pattern, i);
    if (quantifier) {
      const group = top();
      group.total += group.last * (quantifier.copies - 1);
      group.last = 0;
      i += quantifier.length;
    } else if (ch === '\\') {
      const escape = escapeAt(pattern, i);
      atom(escape.weight);
      i += escape.length;
    } else if (ch === '[') {
      const cls = classAt(pattern, i);
      atom(cls.weight);
      i += cls.length;
    } else if (ch === '(') {
      stack.push({ total: 0, last: 0 });
      i += groupOpening(pattern, i);
    } else if (ch === ')') {
      const group = stack.length > 1 ? stack.pop()! : top();
      atom(Math.max(NARROW, group.total));
      i++;
    } else if (ch === '|' || ch === '^' || ch === '$') {
      top().last = 0;
      i++;
    } else {
      atom(ch === '.' ? WIDE : NARROW);
      i += pattern.codePointAt(i)! > 0xffff ? 2 : 1;
    }
  }
  return stack[0]!.total;
}

/**
 * The source RE2 runs: the whole value must match, as in HTML's `pattern` attribute. JavaScript
 * spells a script or category `\p{Script=Greek}` / `\p{gc=Lu}`; RE2 knows them as `\p{Greek}`.
 */
const re2Source = (pattern: string) =>
  `^(?:${pattern.replace(/(?<!\\)((?:\\\\)*)\\([pP])\{(?:Script|sc|General_Category|gc)=(\w+)\}/g, '$1\\$2{$3}')})$`;

/**
 * Vets and compiles a tenant's pattern. Throws UnsafePatternError with a reason a tenant can act
 * on; the pattern is compiled in RE2 here, so a form is refused when saved, not when submitted.
 */
export function compileTenantPattern(pattern: string): TenantPattern {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new UnsafePatternError(`Patterns are limited to ${MAX_PATTERN_LENGTH} characters.`);
  }
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    throw new UnsafePatternError(`Not a valid pattern: ${(err as Error).message}`);
  }
  if (/\\[1-9]|\\k</.test(pattern)) {
    throw new UnsafePatternError('Back-references are not allowed in patterns.');
  }
  if (/\(\?<?[=!]/.test(pattern)) {
    throw new UnsafePatternError('Lookahead and lookbehind are not allowed in patterns.');
  }
  const cost = patternCost(pattern);
  if (cost > MAX_PATTERN_COST) {
    throw new UnsafePatternError(
      `This pattern is too large to check quickly (size ${cost}, at most ${MAX_PATTERN_COST}): ` +
        'use + or * instead of large {n,m} counts (set the length with minLength/maxLength), and fewer \\p{…} classes.',
    );
  }
  const source = re2Source(pattern);
  try {
    re2Compile(source);
  } catch (err) {
    if (err instanceof Re2SyntaxError) {
      throw new UnsafePatternError(`This pattern is not supported: ${err.message}.`);
    }
    throw err;
  }
  return {
    source: pattern,
    cost,
    test: (value) => value.length <= MAX_PATTERN_INPUT && re2Test(source, value),
  };
}

export type FormPatterns = Map<string, TenantPattern | UnsafePatternError>;

/**
 * The patterns of a form's fields by field key, each compiled or refused; past the form's budget
 * (MAX_FORM_PATTERN_COST, in field order), a pattern is refused too.
 */
export function compileFormPatterns(
  fields: readonly { key: string; validation?: { pattern?: string } }[],
): FormPatterns {
  const out: FormPatterns = new Map();
  let total = 0;
  for (const field of fields) {
    const pattern = field.validation?.pattern;
    if (!pattern) continue;
    try {
      const compiled = compileTenantPattern(pattern);
      total += compiled.cost;
      out.set(
        field.key,
        total > MAX_FORM_PATTERN_COST
          ? new UnsafePatternError(
              `This form's patterns are too large together (size ${total}, at most ${MAX_FORM_PATTERN_COST}); simplify some of them.`,
            )
          : compiled,
      );
    } catch (err) {
      if (!(err instanceof UnsafePatternError)) throw err;
      out.set(field.key, err);
    }
  }
  return out;
}
