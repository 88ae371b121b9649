// Makes dist/cli-core.cjs.cache, V8's code cache for the CLI bundle (called by scripts/build.mjs): runs the CLI once
// in this process, as `analyze --port P --json` on a port this script listens on with one connection to it, so
// that what a one-shot command compiles (the parser, the netlink collector and its parser, process attribution,
// the rules and the report) is in the cache; src/cli/load-core.ts writes it when the process exits.
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const server = createServer((s) => s.on('error', () => undefined)).listen(0, '127.0.0.1');
await once(server, 'listening');
const port = server.address().port;
const client = connect(port, '127.0.0.1');
client.on('error', () => undefined);
await once(client, 'connect');
globalThis[Symbol.for('sockscope.writeCodeCache')] = `${fileURLToPath(new URL('../dist/cli-core.cjs', import.meta.url))}.cache`;
process.argv = [process.argv[0], cli, 'analyze', '--port', String(port), '--json'];
process.exitCode = 0;
await import(cli);
process.exit(process.exitCode ?? 0);
