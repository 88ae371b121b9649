// Run by netlink-parity.test.ts under an unprivileged uid: dumps one port and prints states and uids.
import { dumpSockets } from '../../src/collect/netlink-dumps.js';

const port = Number(process.argv[2]);
const r = await dumpSockets({ port, protocols: ['tcp'], details: true });
process.stdout.write(`${JSON.stringify({ states: r.sockets.map((s) => s.state), uids: r.sockets.map((s) => s.uid) })}\n`);
