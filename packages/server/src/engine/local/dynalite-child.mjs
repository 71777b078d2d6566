// Runs dynalite in its own process so database work does not share the sandbox's event loop.
// Usage: node dynalite-child.mjs <data path> [port]. Prints `PORT <n>` once listening, and exits
// when its parent goes away (stdin closes), so a SIGKILLed sandbox never leaves the LevelDB lock
// held. A restart asks for the port the previous child had, so the client's retries reach it;
// when that port has been taken meanwhile it listens on a free one (the supervisor follows).
import dynalite from 'dynalite';

const path = process.argv[2];
const wanted = Number(process.argv[3] ?? 0);
if (!path || !Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
  process.stderr.write('usage: dynalite-child.mjs <data path> [port]\n');
  process.exit(2);
}
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let listening = false;
server.on('listening', () => {
  listening = true;
  process.stdout.write(`PORT ${server.address().port}\n`);
});
server.on('error', (err) => {
  if (!listening && err.code === 'EADDRINUSE' && wanted !== 0) {
    server.listen(0, '127.0.0.1');
    return;
  }
  process.stderr.write(`dynalite: ${err.message}\n`);
  process.exit(1);
});
server.listen(wanted, '127.0.0.1');
const shutdown = () => server.close(() => process.exit(0));
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
