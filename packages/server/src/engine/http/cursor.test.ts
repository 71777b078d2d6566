import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startKeyWithin } from '../data/dynamo';
import { AppError } from '../errors';
import { openCursor, sealCursor, type CursorScope } from './cursor';

const key = Buffer.from('k'.repeat(32));
const scope: CursorScope = {
  route: 'leads.list',
  tenant: 'tenant:t_1',
  params: {},
  query: { stage: 'new', limit: 20, cursor: 'x' },
};
const schema = z.object({ id: z.string() });

function refused(run: () => unknown) {
  try {
    run();
  } catch (err) {
    return err instanceof AppError && err.code === 'bad_request' && err.status === 400;
  }
  return false;
}

describe('sealed page cursors', () => {
  it('opens under the same scope, whatever the page size', () => {
    const cursor = sealCursor(key, scope, { id: 'ld_1' });
    expect(
      openCursor(key, { ...scope, query: { stage: 'new', limit: 5 } }, cursor, schema),
    ).toEqual({ id: 'ld_1' });
  });

  it.each<[string, CursorScope]>([
    ['another route', { ...scope, route: 'customers.search' }],
    ['another tenant', { ...scope, tenant: 'tenant:t_2' }],
    ['another filter', { ...scope, query: { stage: 'won' } }],
    ['an added filter', { ...scope, query: { ...scope.query, from: '2026-01-01' } }],
    ['other path parameters', { ...scope, params: { id: 'ld_2' } }],
  ])('is refused on %s', (_name, other) => {
    const cursor = sealCursor(key, scope, { id: 'ld_1' });
    expect(refused(() => openCursor(key, other, cursor, schema))).toBe(true);
  });

  it('is refused when edited, unsigned, sealed with another key or of the wrong shape', () => {
    const cursor = sealCursor(key, scope, { id: 'ld_1' });
    const [, seal] = cursor.split('.');
    const edited = `${Buffer.from(JSON.stringify({ id: 'ld_9' })).toString('base64url')}.${seal}`;
    for (const bad of [
      edited,
      Buffer.from(JSON.stringify({ id: 'ld_1' })).toString('base64url'),
      sealCursor(Buffer.from('other-key'), scope, { id: 'ld_1' }),
      sealCursor(key, scope, { other: 'ld_1' }),
      `${cursor}.x`,
      '.',
      '',
    ]) {
      expect(
        refused(() => openCursor(key, scope, bad, schema)),
        bad,
      ).toBe(true);
    }
  });
});

describe('start keys inside their query', () => {
  const base = { pk: 'TENANT#t#LEAD', sk: { between: ['LEAD#a', 'LEAD#m'] as [string, string] } };
  it('admits a key in the partition and range', () => {
    expect(startKeyWithin({ ...base, startKey: { PK: base.pk, SK: 'LEAD#c' } }, 'PK', 'SK')).toBe(
      true,
    );
  });
  it.each([
    ['another partition', { PK: 'TENANT#u#LEAD', SK: 'LEAD#c' }],
    ['below the range', { PK: base.pk, SK: 'LEAD#' }],
    ['above the range', { PK: base.pk, SK: 'LEAD#z' }],
    ['a non-string key', { PK: base.pk, SK: 5 }],
  ])('refuses a key in %s', (_name, startKey) => {
    expect(startKeyWithin({ ...base, startKey }, 'PK', 'SK')).toBe(false);
  });
  it('checks an index key and the table keys it carries', () => {
    const q = { pk: 'TENANT#t#INBOX', index: 'GSI1' as const, sk: { beginsWith: 'CONV#' } };
    const good = { PK: 'TENANT#t', SK: 'CONV#1', GSI1PK: q.pk, GSI1SK: 'CONV#2026' };
    expect(startKeyWithin({ ...q, startKey: good }, 'GSI1PK', 'GSI1SK')).toBe(true);
    expect(
      startKeyWithin({ ...q, startKey: { ...good, GSI1SK: 'MSG#1' } }, 'GSI1PK', 'GSI1SK'),
    ).toBe(false);
    expect(startKeyWithin({ ...q, startKey: { ...good, PK: undefined } }, 'GSI1PK', 'GSI1SK')).toBe(
      false,
    );
  });
});
