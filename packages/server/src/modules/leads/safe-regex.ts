// Tenants write regular expressions for their form fields; the server runs them on anonymous input.
// A pattern like `(a+)+$` backtracks exponentially, so patterns are vetted when a form is saved:
// length-capped, compiled with the `u` flag, and refused when they contain what makes backtracking
// blow up (a quantified group that itself contains a quantifier or an alternation, back-references,
// lookarounds). Inputs are also length-capped before any pattern runs (see form-schema.ts).

export const MAX_PATTERN_LENGTH = 200;
/** No submitted value longer than this ever reaches a tenant's pattern. */
export const MAX_PATTERN_INPUT = 2000;

export class UnsafePatternError extends Error {
  override readonly name = 'UnsafePatternError';
}

type Group = { quantified: boolean; alternation: boolean };

/** Length of a quantifier starting at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`), or 0. */
function quantifierAt(pattern: string, i: number): { length: number; repeats: boolean } {
  const ch = pattern[i];
  if (ch === '*' || ch === '+') return { length: 1, repeats: true };
  if (ch === '?') return { length: 1, repeats: false };
  if (ch === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (match) {
      const upper =
        match[2] === undefined ? Number(match[1]) : match[3] ? Number(match[3]) : Infinity;
      return { length: match[0].length, repeats: upper > 1 };
    }
  }
  return { length: 0, repeats: false };
}

/** Throws UnsafePatternError with a reason a tenant can act on; returns the compiled pattern. */
export function compileTenantPattern(pattern: string): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new UnsafePatternError(`Patterns are limited to ${MAX_PATTERN_LENGTH} characters.`);
  }
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, 'u');
  } catch (err) {
    throw new UnsafePatternError(`Not a valid pattern: ${(err as Error).message}`);
  }
  if (/\\[1-9]|\\k</.test(pattern)) {
    throw new UnsafePatternError('Back-references are not allowed in patterns.');
  }
  if (/\(\?<?[=!]/.test(pattern)) {
    throw new UnsafePatternError('Lookahead and lookbehind are not allowed in patterns.');
  }
  const stack: Group[] = [{ quantified: false, alternation: false }];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++; // the escaped character is a literal or a class: never structure
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    const top = stack[stack.length - 1]!;
    if (ch === '[') inClass = true;
    else if (ch === '(') stack.push({ quantified: false, alternation: false });
    else if (ch === '|') top.alternation = true;
    else if (ch === ')') {
      const group = stack.pop()!;
      const q = quantifierAt(pattern, i + 1);
      if (q.length > 0 && q.repeats && (group.quantified || group.alternation)) {
        throw new UnsafePatternError(
          'Nested quantifiers such as (a+)+ or (a|b)* can take exponential time; simplify the pattern.',
        );
      }
      const parent = stack[stack.length - 1]!;
      parent.quantified ||= group.quantified || q.length > 0;
    } else if (quantifierAt(pattern, i).length > 0) {
      top.quantified = true;
    }
  }
  return compiled;
}

/** The vetted pattern, tested only on input within the cap (callers cap lengths first). */
export function testTenantPattern(pattern: RegExp, value: string): boolean {
  if (value.length > MAX_PATTERN_INPUT) return false;
  return pattern.test(value);
}
