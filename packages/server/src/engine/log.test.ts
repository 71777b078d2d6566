import { afterEach, describe, expect, it, vi } from 'vitest';
import { childLogger, createLogger, silentLogger, type LogFields, type Logger } from './log';

type Written = { stream: 'stdout' | 'stderr'; line: Record<string, unknown> };

/** Captures what the logger writes on stdout and stderr, one parsed JSON object per line. */
function captureOutput(): Written[] {
  const written: Written[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const text of String(chunk).split('\n').filter(Boolean)) {
        written.push({ stream, line: JSON.parse(text) as Record<string, unknown> });
      }
      return true;
    });
  }
  return written;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createLogger', () => {
  it('writes one JSON line per call at or above its level: warn and error on stderr', () => {
    // Prepare
    const log = createLogger('info', { fn: 'Api' });
    const written = captureOutput();

    // Act
    log.debug('dropped');
    log.info('kept', { tenantId: 't-1' });
    log.warn('careful');
    log.error('broken', { error: 'TypeError' });

    // Assess
    expect(written.map((w) => [w.stream, w.line.message])).toEqual([
      ['stdout', 'kept'],
      ['stderr', 'careful'],
      ['stderr', 'broken'],
    ]);
    expect(written[0]?.line).toMatchObject({ level: 'INFO', fn: 'Api', tenantId: 't-1' });
    expect(written[2]?.line).toMatchObject({ level: 'ERROR', error: 'TypeError' });
  });

  it('gives a child its keys on every line without changing the parent', () => {
    // Prepare
    const log = createLogger('debug', { fn: 'MessageProcessor' });
    const written = captureOutput();

    // Act
    const child = childLogger(log, { requestId: 'r-1' });
    const grandChild = childLogger(child, { correlationId: 'm-1' });
    grandChild.debug('record', { n: 1 });
    log.info('parent');

    // Assess
    expect(written[0]?.line).toMatchObject({
      level: 'DEBUG',
      fn: 'MessageProcessor',
      requestId: 'r-1',
      correlationId: 'm-1',
      n: 1,
    });
    expect(written[1]?.line).not.toHaveProperty('requestId');
  });

  it('prints nothing at level silent, nor does silentLogger or its children', () => {
    // Prepare
    const written = captureOutput();

    // Act
    for (const log of [createLogger('silent'), silentLogger, childLogger(silentLogger, { a: 1 })]) {
      log.debug('x');
      log.info('x');
      log.warn('x');
      log.error('x');
    }

    // Assess
    expect(written).toEqual([]);
  });
});

describe('childLogger', () => {
  it('adds keys to a plain Logger that has no child of its own', () => {
    // Prepare
    const lines: { msg: string; fields?: LogFields }[] = [];
    const plain: Logger = {
      debug: () => {},
      info: (msg, fields) => void lines.push({ msg, fields }),
      warn: () => {},
      error: () => {},
    };

    // Act
    childLogger(childLogger(plain, { requestId: 'r-1' }), { correlationId: 'm-1' }).info('hi', {
      x: 1,
    });

    // Assess
    expect(lines).toEqual([
      { msg: 'hi', fields: { requestId: 'r-1', correlationId: 'm-1', x: 1 } },
    ]);
  });
});
