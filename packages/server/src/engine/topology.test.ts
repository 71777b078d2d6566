import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deployedRoutes, functions } from './topology';

describe('topology', () => {
  it('grants the cursor key to every function that serves a paginated route', () => {
    const paginated = deployedRoutes.filter(
      (route) => route.query instanceof z.ZodObject && 'cursor' in route.query.shape,
    );
    expect(paginated.length).toBeGreaterThan(5);
    const missing = paginated
      .filter((route) => !functions[route.function].secrets.includes('cursorKey'))
      .map((route) => `${route.id} on ${route.function}`);
    expect(missing).toEqual([]);
  });
});
