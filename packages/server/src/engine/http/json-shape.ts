// Every JSON body passes here before its route's schema sees it. Two classes of input are refused
// for every route at once, whatever the schema would make of them:
// - keys that name the prototype machinery (`__proto__`, `constructor`, `prototype`): harmless to
//   JSON.parse, but one spread, merge or marshaller later they are a prototype write or a crash;
// - nesting deeper than any contract declares: DynamoDB refuses items past 32 levels, and
//   recursive code (JSON.stringify, marshalling, schema walks) overflows the stack at a few
//   thousand, so a deep value anywhere, declared or not, is a 400 here, never a 500 later.

/** Deeper than any route's body (a template's components are about 6); well under DynamoDB's 32. */
export const maxJsonDepth = 16;

const prototypeKeys = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonShapeIssue = { path: string; message: string };

/** The first place where `value` breaks the rules above, or undefined. Iterative: no stack to blow. */
export function jsonShapeIssue(
  value: unknown,
  maxDepth = maxJsonDepth,
): JsonShapeIssue | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: node, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (path.length >= maxDepth) {
      return {
        path: path.join('.') || '(body)',
        message: `Nested deeper than ${maxDepth} levels.`,
      };
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => stack.push({ value: item, path: [...path, String(i)] }));
      continue;
    }
    for (const key of Object.keys(node)) {
      if (prototypeKeys.has(key)) {
        return {
          path: [...path, key].join('.'),
          message: 'Keys named __proto__, constructor or prototype are not accepted.',
        };
      }
      stack.push({ value: (node as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return undefined;
}
