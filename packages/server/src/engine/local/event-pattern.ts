// EventBridge content filtering, for the local bus: the same rule patterns the cloud rules use
// (topology.ts busRules) decide which targets get an event. Supported, as EventBridge defines them:
// exact values (string, number, boolean, null), `prefix`, `suffix`, `equals-ignore-case`,
// `anything-but` (a value, a list, or `{ prefix }`), `exists` and `numeric` ranges. A pattern leaf
// is a list of alternatives; an array in the event matches when any element matches.

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Matcher = Json;

export class UnsupportedPatternError extends Error {
  override readonly name = 'UnsupportedPatternError';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function scalarMatches(matcher: Matcher, value: unknown, present: boolean): boolean {
  if (!isPlainObject(matcher)) return present && matcher === value;
  const [op, arg] = Object.entries(matcher)[0] ?? [];
  switch (op) {
    case 'exists':
      return arg === present;
    case 'prefix':
      return (
        present && typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg)
      );
    case 'suffix':
      return present && typeof value === 'string' && typeof arg === 'string' && value.endsWith(arg);
    case 'equals-ignore-case':
      return (
        present &&
        typeof value === 'string' &&
        typeof arg === 'string' &&
        value.toLowerCase() === arg.toLowerCase()
      );
    case 'anything-but': {
      if (!present) return false;
      if (isPlainObject(arg)) {
        if (typeof arg.prefix === 'string') {
          return typeof value !== 'string' || !value.startsWith(arg.prefix);
        }
        throw new UnsupportedPatternError(`anything-but ${JSON.stringify(arg)}`);
      }
      const excluded: unknown[] = Array.isArray(arg) ? arg : [arg];
      return !excluded.some((x) => x === value);
    }
    case 'numeric':
      return present && typeof value === 'number' && numericMatches(arg, value);
    default:
      throw new UnsupportedPatternError(`operator ${String(op)}`);
  }
}

function numericMatches(arg: unknown, value: number): boolean {
  if (!Array.isArray(arg) || arg.length % 2 !== 0) {
    throw new UnsupportedPatternError(`numeric ${JSON.stringify(arg)}`);
  }
  for (let i = 0; i < arg.length; i += 2) {
    const [op, bound] = [arg[i], arg[i + 1]];
    if (typeof bound !== 'number') throw new UnsupportedPatternError(`numeric bound ${bound}`);
    const ok =
      op === '='
        ? value === bound
        : op === '<'
          ? value < bound
          : op === '<='
            ? value <= bound
            : op === '>'
              ? value > bound
              : op === '>='
                ? value >= bound
                : undefined;
    if (ok === undefined) throw new UnsupportedPatternError(`numeric operator ${String(op)}`);
    if (!ok) return false;
  }
  return true;
}

function leafMatches(alternatives: Matcher[], value: unknown, present: boolean): boolean {
  // `exists: false` is the one alternative a missing field can satisfy.
  if (Array.isArray(value)) {
    if (value.length === 0) return alternatives.some((m) => scalarMatches(m, undefined, false));
    return value.some((element) => alternatives.some((m) => scalarMatches(m, element, true)));
  }
  return alternatives.some((m) => scalarMatches(m, value, present));
}

/** True when `event` matches `pattern` (every pattern field must match; other fields are free). */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  const fields = isPlainObject(event) ? event : {};
  for (const [key, expected] of Object.entries(pattern)) {
    if (expected === undefined) continue;
    const present = Object.hasOwn(fields, key);
    const value = fields[key];
    if (Array.isArray(expected)) {
      if (!leafMatches(expected as Matcher[], value, present)) return false;
    } else if (isPlainObject(expected)) {
      if (!present || !isPlainObject(value)) {
        // A nested pattern over a missing object matches only when it asks for absence throughout.
        if (!onlyAbsence(expected)) return false;
        continue;
      }
      if (!matchesPattern(expected, value)) return false;
    } else {
      throw new UnsupportedPatternError(`pattern field ${key} must be a list or an object`);
    }
  }
  return true;
}

function onlyAbsence(pattern: Record<string, unknown>): boolean {
  return Object.values(pattern).every((expected) =>
    Array.isArray(expected)
      ? expected.some((m) => isPlainObject(m) && m.exists === false)
      : isPlainObject(expected) && onlyAbsence(expected),
  );
}
