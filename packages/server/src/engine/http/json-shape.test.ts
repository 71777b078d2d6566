import { describe, expect, it } from 'vitest';
import { jsonShapeIssue, maxJsonDepth } from './json-shape';
import { parseJsonText } from './route-input';
import { z } from 'zod';
import { AppError } from '../errors';

const nested = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('JSON bodies: prototype keys and nesting', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('refuses a %s key at any depth', (key) => {
    expect(jsonShapeIssue(JSON.parse(`{"${key}":{"x":1}}`))?.path).toBe(key);
    expect(jsonShapeIssue(JSON.parse(`{"fields":[{"ok":1},{"${key}":1}]}`))?.path).toBe(
      `fields.1.${key}`,
    );
  });

  it('admits values that merely say those words, and nesting up to the limit', () => {
    expect(jsonShapeIssue({ name: '__proto__', tags: ['constructor'] })).toBeUndefined();
    expect(jsonShapeIssue(JSON.parse(nested(maxJsonDepth)))).toBeUndefined();
  });

  it('refuses one level past the limit and 100,000 levels without overflowing the stack', () => {
    expect(jsonShapeIssue(JSON.parse(nested(maxJsonDepth + 1)))?.message).toMatch(/deeper/);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonShapeIssue(JSON.parse(deep))?.message).toMatch(/deeper/);
  });

  it('is a 400 validation_failed at the edge, before the route schema runs', () => {
    const schema = z.object({ fields: z.record(z.string(), z.unknown()) });
    for (const text of [`{"fields":${nested(40)}}`, '{"fields":{"constructor":"x"}}']) {
      let err: unknown;
      try {
        parseJsonText(text, schema);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('validation_failed');
      expect((err as AppError).status).toBe(400);
    }
  });
});
