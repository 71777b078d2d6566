import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));

export type ChildSandbox = {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited (code, or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** The pid of its dynalite child (Linux: read from /proc), undefined while there is none. */
  databasePid(): number | undefined;
  kill(signal?: NodeJS.Signals): Promise<void>;
};

/** Starts `src/engine/sandbox/main.ts` (what `npm start` runs) as a separate process on a free port. */
export async function startChildSandbox(env: Record<string, string>): Promise<ChildSandbox> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/engine/sandbox/main.ts'], {
    cwd: serverDir,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${output}`)), 30_000);
    const onData = () => {
      const match = output.match(/API\s+(http:\/\/\S+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    exited,
    output: () => output,
    databasePid: () => databaseChildOf(child.pid!),
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** The child of `pid` running dynalite-child.mjs, from /proc/<pid>/task/*\/children. */
function databaseChildOf(pid: number): number | undefined {
  let children: string;
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    return undefined;
  }
  for (const id of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
    try {
      const cmdline = readFileSync(`/proc/${id}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${id}/stat`, 'utf8');
      if (cmdline.includes('dynalite-child.mjs') && !/\) [ZX] /.test(state)) return id;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
