// analyze's Processes line and `processes` field on a pre-fork server: the parent binds and listens, accepts
// two connections and forks; the child closes the listener and keeps the accepted sockets, the parent closes
// its copies (ss -tanp: the LISTEN is the parent's, both ESTAB the child's).
// (1) analyze --port P named only the listener's owner in text (the Processes line was printed for
//     --peer-port alone), though --json's processes listed both.
// (2) Whole-host analyze looks up the listeners' owners only (a speed choice at 100,000 sockets) while with a
//     port `processes` is every owner of the report's sockets: the report now says which (processesOf, and
//     the text's "Processes (listeners):" label).
// (3) --host: ss -p there names every owner, so the report says 'all' (it said 'listeners').
// (4) As a user who is not root, the whole host's hidden owners come from the listeners only (the sockets
//     the 'listeners' scope looked up).
// Needs python3 (and sshd for --host; root, ip netns and setpriv for (4)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AnalyzeReportSchema } from '../../src/report/schema.js';
import { startPythonHolder } from '../helpers/python-holder.js';
import { startSshd } from '../helpers/sshd.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';

const CLI = fileURLToPath(new URL('../../bin/sockscope', import.meta.url));

// Prints {parent, child, port}; the child lives as long as the parent (it waits on a pipe the parent holds).
const PREFORK = String.raw`
import json, os, socket, sys, threading
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.bind(('127.0.0.1', 0)); ls.listen(16)
port = ls.getsockname()[1]
clients = [socket.create_connection(('127.0.0.1', port)) for _ in range(2)]
accepted = [ls.accept()[0] for _ in range(2)]
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    ls.close()
    os.close(w)
    os.read(r, 1)
    os._exit(0)
for a in accepted: a.close()
os.close(r)
print(json.dumps({'parent': os.getpid(), 'child': pid, 'port': port}), flush=True)
threading.Timer(60, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

interface Prefork {
  parent: number;
  child: number;
  port: number;
}

function analyze(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, 'analyze', ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const pids = (ps: readonly { pid: number }[]): number[] => ps.map((p) => p.pid).sort((a, b) => a - b);

test('analyze --port P names every process holding the port\'s sockets in text, as --json does (pre-fork server)', { timeout: 90_000 }, async (t) => {
  const h = await startPythonHolder<Prefork>(t, PREFORK);
  const text = analyze(['--port', String(h.port)]);
  const line = text.split('\n').find((l) => l.startsWith('Processes'));
  assert.ok(line, text);
  assert.match(line!, /^Processes: /);
  assert.ok(line!.includes(`python3/${h.child}`), line);
  assert.ok(line!.includes(`python3/${h.parent}`), line);
  const json = AnalyzeReportSchema.parse(JSON.parse(analyze(['--port', String(h.port), '--json'])));
  assert.deepEqual(pids(json.processes), [h.parent, h.child].sort((a, b) => a - b));
  assert.equal(json.processesOf, 'all');
  // The same with the procfs source (owners from the attribution cache).
  const procfs = analyze(['--port', String(h.port), '--source', 'procfs']);
  assert.ok(procfs.split('\n').some((l) => l.startsWith('Processes: ') && l.includes(`python3/${h.child}`)), procfs);
});

test('whole-host analyze says its processes are the listeners\' owners (processesOf, "Processes (listeners):"); --port says every socket\'s', { timeout: 90_000 }, async (t) => {
  const h = await startPythonHolder<Prefork>(t, PREFORK);
  const host = AnalyzeReportSchema.parse(JSON.parse(analyze(['--json'])));
  assert.equal(host.processesOf, 'listeners');
  const hostPids = host.processes.map((p) => p.pid);
  assert.ok(hostPids.includes(h.parent), 'the listener\'s owner');
  assert.ok(!hostPids.includes(h.child), 'the child holds no listener: not looked up for the whole host');
  const text = analyze([]);
  const line = text.split('\n').find((l) => l.startsWith('Processes'));
  assert.ok(line, text);
  assert.match(line!, /^Processes \(listeners\): /);
  assert.ok(line!.includes(`python3/${h.parent}`), line);
  assert.ok(!line!.includes(`python3/${h.child}`), line);
  // Scoped, every socket's owner, labelled plainly (--port above; --peer-port here: the parent's clients).
  const clientSide = AnalyzeReportSchema.parse(JSON.parse(analyze(['--peer-port', String(h.port), '--json'])));
  assert.equal(clientSide.processesOf, 'all');
  assert.ok(pids(clientSide.processes).includes(h.parent), JSON.stringify(clientSide.processes));
  assert.match(analyze(['--peer-port', String(h.port)]), new RegExp(`^Processes: .*python3/${h.parent}\\b`, 'm'));
});

// --host: the remote script runs ss -p over the whole TCP/UDP run (one walk of every process), so every
// socket's owner was looked up and the report must not say "listeners" (the remote scope was copied from
// the request's 'listeners' while ss -p named the pre-fork child, sshd's session and its ssh client).
test('whole-host analyze --host says "all" (ss -p names every owner there) and lists the pre-fork child', { timeout: 120_000 }, async (t) => {
  const h = await startPythonHolder<Prefork>(t, PREFORK);
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const remote = ['--host', 'sockscope-test', '--ssh-config', sshd.clientConfig];
  const host = AnalyzeReportSchema.parse(JSON.parse(analyze([...remote, '--json'])));
  const hostPids = host.processes.map((p) => p.pid);
  assert.ok(hostPids.includes(h.child), `ss -p names the child, which holds no listener: ${JSON.stringify(host.processes)}`);
  assert.equal(host.processesOf, 'all');
  const line = analyze(remote).split('\n').find((l) => l.startsWith('Processes'));
  assert.ok(line);
  assert.match(line!, /^Processes: /);
  assert.ok(line!.includes(`python3/${h.child}`), line);
  // Scoped the same.
  const scoped = AnalyzeReportSchema.parse(JSON.parse(analyze([...remote, '--port', String(h.port), '--json'])));
  assert.equal(scoped.processesOf, 'all');
  assert.deepEqual(pids(scoped.processes), [h.parent, h.child].sort((a, b) => a - b));
});

// Whole-host analyze as a user who is not root, in a namespace where root holds one ESTABLISHED pair and no
// listener: the 'listeners' scope never looked the pair's owner up, yet the hidden uids came from every socket,
// so the text printed "Processes (listeners): hidden uid 0" under "Listeners (none)" and --json
// "hiddenOwnerUids": [0]. Under 'listeners' the hidden part comes from the listeners only; with --port the pair's
// owner was looked up and is hidden from nobody (uid 0), and a root listener is hidden from the whole host too.
test('whole-host analyze as nobody: no "hidden uid 0" from connections whose owners the listeners scope never looked up', { skip: nobodySkip, timeout: 120_000 }, async (t) => {
  const ns = `sockscope-hidp-${process.pid}`;
  let holder: ChildProcess | undefined;
  t.after(() => {
    holder?.kill('SIGKILL');
    deleteNetns(ns);
  });
  createNetns(ns);
  // Root holds a pair on 127.0.0.1 whose listener is closed at once; on a line from the test, a listener too.
  holder = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', String.raw`
import socket, sys, json
ls = socket.socket(); ls.bind(('127.0.0.1', 0)); ls.listen(4); port = ls.getsockname()[1]
c = socket.create_connection(('127.0.0.1', port)); a, _ = ls.accept(); ls.close()
u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u1.bind(('127.0.0.1', 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.bind(('127.0.0.1', 0))
u1.connect(u2.getsockname()); u2.connect(u1.getsockname())
print(json.dumps({'port': port, 'udp': u1.getsockname()[1]}), flush=True)
sys.stdin.readline()
l2 = socket.socket(); l2.bind(('127.0.0.1', 0)); l2.listen(4)
print(json.dumps({'listener': l2.getsockname()[1]}), flush=True)
sys.stdin.read()
`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: holder.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await lines.next()).value)) as Record<string, number>;
  const { port, udp } = await next();
  const asNobody = (args: string[]): string => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'setpriv', ...NOBODY, '--', 'env', 'HOME=/tmp', process.execPath, CLI, 'analyze', ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const host = AnalyzeReportSchema.parse(JSON.parse(asNobody(['--json'])));
  assert.equal(host.processesOf, 'listeners');
  assert.equal(host.states.ESTABLISHED, 2, 'the pair is in the report');
  assert.deepEqual(host.hiddenOwnerUids, [], 'no listener, and no connection was looked up');
  // Nor a connected UDP socket's (its row said ownerHidden true before, though its owner was never looked for).
  const udpRow = host.udpConnected.find((r) => r.local.endsWith(`:${udp}`));
  assert.ok(udpRow, JSON.stringify(host.udpConnected));
  assert.equal(udpRow.ownerHidden, false);
  assert.equal(udpRow.process, null);
  const text = asNobody([]);
  assert.ok(!text.split('\n').some((l) => l.startsWith('Processes')), text);
  assert.doesNotMatch(text, /hidden uid 0/, text);
  // Scoped: every owner was looked up, root's is out of nobody's sight.
  const scoped = AnalyzeReportSchema.parse(JSON.parse(asNobody(['--port', String(port), '--json'])));
  assert.equal(scoped.processesOf, 'all');
  assert.deepEqual(scoped.hiddenOwnerUids, [0]);
  assert.match(asNobody(['--port', String(port)]), /^Processes: hidden uid 0$/m);
  const scopedUdp = AnalyzeReportSchema.parse(JSON.parse(asNobody(['--port', String(udp), '--json'])));
  assert.equal(scopedUdp.udpConnected.length, 1, JSON.stringify(scopedUdp.udpConnected));
  assert.equal(scopedUdp.udpConnected[0]!.ownerHidden, true, 'looked up under --port, and out of sight');
  // A root listener: its owner was looked up, and hidden.
  holder.stdin!.write('\n');
  await next();
  const withListener = AnalyzeReportSchema.parse(JSON.parse(asNobody(['--json'])));
  assert.deepEqual(withListener.hiddenOwnerUids, [0]);
  assert.match(asNobody([]), /^Processes \(listeners\): hidden uid 0$/m);
});
