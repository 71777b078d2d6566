// Structured JSON logs on stdout (CloudWatch in AWS). Callers pass ids and codes, never secrets.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type Logger = {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
};

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}): Logger {
  const emit =
    (at: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
      if (order[at] < order[level]) return;
      const line = JSON.stringify({
        level: at,
        time: new Date().toISOString(),
        msg,
        ...base,
        ...fields,
      });
      if (at === 'error' || at === 'warn') process.stderr.write(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = createLogger('silent');
