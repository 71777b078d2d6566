// Runs DynamoDB Local's JVM as this process's child and never lets it outlive the test process:
// the parent holds this process's stdin open; when the parent dies, however it dies, the pipe
// closes and the JVM is killed. SIGTERM stops the JVM and then this process.
// Usage: node dynamodb-local-guard.mjs <lib dir> <port>
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const [libDir, port] = process.argv.slice(2);
const java = spawn(
  'java',
  [
    `-Djava.library.path=${join(libDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(libDir, 'DynamoDBLocal.jar'),
    '-inMemory',
    '-disableTelemetry',
    '-port',
    port,
  ],
  { cwd: libDir, stdio: ['ignore', 'inherit', 'inherit'] },
);

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  java.kill(signal);
  // A JVM that ignores SIGTERM is not waited for long.
  setTimeout(() => java.kill('SIGKILL'), 3_000).unref();
};

java.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
java.once('error', (error) => {
  process.stderr.write(`dynamodb-local-guard: ${error.message}\n`);
  process.exit(127);
});
process.stdin.on('end', () => stop('SIGKILL'));
process.stdin.on('close', () => stop('SIGKILL'));
process.stdin.resume();
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGTERM'));
