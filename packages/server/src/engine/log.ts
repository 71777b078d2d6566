import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';

// Structured JSON logs (CloudWatch in AWS), one line each, written by Powertools' Logger:
// debug/info on stdout, warn/error on stderr. Callers pass ids and codes, never secrets.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;
export type Logger = {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /**
   * The same logger with `keys` on every line (a request id, a record's correlation id).
   * Optional so that any object with the four methods is a Logger; use `childLogger()`.
   */
  child?(keys: LogFields): Logger;
};

const noop = () => {};

/** Prints nothing, whatever the environment says (tests, LOG_LEVEL=silent). */
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

// A child passes its keys with each call rather than through Powertools' appendKeys, which
// changes the shared instance: the sandbox handles many requests and batches at once.
function keyed(logger: PowertoolsLogger, keys: LogFields): Logger {
  const line = (at: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: LogFields) =>
    logger[at](msg, { ...keys, ...fields });
  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    child: (more) => keyed(logger, { ...keys, ...more }),
  };
}

/**
 * A logger at `level` (lines below it are dropped) with `base` on every line. The Lambda
 * runtime's log level controls (AWS_LAMBDA_LOG_LEVEL) still win over `level` when they are set.
 */
export function createLogger(level: LogLevel = 'info', base: LogFields = {}): Logger {
  if (level === 'silent') return silentLogger;
  const logger = new PowertoolsLogger({
    serviceName: 'switchboard',
    logLevel: level.toUpperCase() as Uppercase<Exclude<LogLevel, 'silent'>>,
    persistentKeys: base,
  });
  return keyed(logger, {});
}

/** `log` with `keys` on every line, for any Logger (its own `child`, or a wrapper). */
export function childLogger(log: Logger, keys: LogFields): Logger {
  if (Object.keys(keys).length === 0) return log;
  if (log.child) return log.child(keys);
  const merged = (fields?: LogFields) => ({ ...keys, ...fields });
  return {
    debug: (msg, fields) => log.debug(msg, merged(fields)),
    info: (msg, fields) => log.info(msg, merged(fields)),
    warn: (msg, fields) => log.warn(msg, merged(fields)),
    error: (msg, fields) => log.error(msg, merged(fields)),
    child: (more) => childLogger(log, { ...keys, ...more }),
  };
}
