// Run by owners-churn-many.test.ts inside the test's network namespace and a PID namespace of its own
// (unshare -pf --mount-proc), where the test's hidden holder (outside) is out of sight. Phases (argv[2]):
//   closed N PORT: a visible holder (started here) keeps N connections on PORT; one dump lists them, the
//     holder closes them all, then one attribution pass runs: every one of the 2N is unfound and gone, beside
//     the hidden holder's open ones; then a second pass over the same list.
//   hidden: a fresh attributor over one dump: the hidden holder's sockets, open, asked twice in the pass.
//   prefetch N PORT: a targeted collection of PORT (its prefetch started at 1,000 sockets: it reads the owner), its owner holding N connections (2N fds),
//     while the hidden holder of another uid listens on the same port.
//   bound PORT: a TCP socket bound to PORT, not listening (state CLOSE), asked about.
// Prints one JSON line: the notes' unfound count per pass and the attribution counters.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { NetlinkSource } from '../../src/collect/netlink.js';
import { ProcessAttributor, sharedAttributor } from '../../src/collect/processes.js';
import { stillOpen } from '../../src/collect/still-open.js';
import { ownerNotes } from '../../src/model/owner.js';
import type { Snapshot } from '../../src/model/snapshot.js';

const HOLD = `
import socket, sys, resource
resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
n = int(sys.argv[1]); port = int(sys.argv[2])
keep = []
if n == 0:
    b = socket.socket(); b.bind(('127.0.0.1', port))
else:
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); srv.bind(('127.0.0.1', port)); srv.listen(4096)
    for i in range(n):
        c = socket.socket(); c.connect(('127.0.0.1', port)); a, _ = srv.accept(); keep += [c, a]
print('ready', flush=True)
for line in sys.stdin:
    for s in keep: s.close()
    keep = []
    print('closed', flush=True)
`;
const [phase, a1, a2] = process.argv.slice(2);
const unfound = (snap: Pick<Snapshot, 'source' | 'attribution' | 'sockets'>) => Number(ownerNotes(snap).find((n) => /^owners of/.test(n))?.match(/^owners of ([\d,]+)/)?.[1].replace(/,/g, '') ?? 0);

async function holder(n: number, port: number) {
  const py = spawn('python3', ['-c', HOLD, String(n), String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
  await lines.next();
  return { close: async () => (py.stdin!.write('close\n'), await lines.next()), kill: () => py.kill('SIGKILL') };
}

const out: Record<string, unknown> = { phase };
if (phase === 'closed' || phase === 'hidden') {
  const h = phase === 'closed' ? await holder(Number(a1), Number(a2)) : undefined;
  const snap = await new NetlinkSource().collect({ processes: 'none', protocols: ['tcp'] });
  await h?.close();
  const attributor = new ProcessAttributor();
  for (const pass of [1, 2]) {
    const attribution = await attributor.attribute(snap.sockets, 'all');
    const st = attributor.stats();
    out[`pass${pass}`] = { unfound: unfound({ source: 'netlink', attribution, sockets: snap.sockets }), complete: attribution.complete, asked: st.stillOpenAsked, lookups: st.stillOpenLookups, dumps: st.stillOpenDumps, gone: st.closedSinceDump };
  }
  out.sockets = snap.sockets.length;
  h?.kill();
} else if (phase === 'prefetch') {
  const h = await holder(Number(a1), Number(a2));
  const snap = await new NetlinkSource(undefined, { prefetchMinInodes: 1000 }).collect({ port: Number(a2), processes: 'all', attribution: 'targeted' });
  const st = sharedAttributor().stats();
  Object.assign(out, { unfound: unfound(snap), readlinks: st.readlinks, asked: st.stillOpenAsked, sockets: snap.sockets.length });
  h.kill();
} else if (phase === 'bound') {
  const h = await holder(0, Number(a1));
  const snap = await new NetlinkSource().collect({ port: Number(a1), boundOnly: true, protocols: ['tcp'], processes: 'none' });
  const bound = snap.sockets.filter((s) => s.state === 'CLOSE');
  out.states = snap.sockets.map((s) => s.state);
  out.verdicts = await stillOpen(bound);
  h.kill();
}
console.log(JSON.stringify(out));
process.exit(0);
