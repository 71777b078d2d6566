// Runs dynalite in its own process so database work does not share the sandbox's event loop.
// Usage: node dynalite-child.mjs <data path>. Prints `PORT <n>` once listening, and exits when its
// parent goes away (stdin closes), so a SIGKILLed sandbox never leaves the LevelDB lock held.
import dynalite from 'dynalite';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: dynalite-child.mjs <data path>\n');
  process.exit(2);
}
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
server.on('error', (err) => {
  process.stderr.write(`dynalite: ${err.message}\n`);
  process.exit(1);
});
const shutdown = () => server.close(() => process.exit(0));
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
