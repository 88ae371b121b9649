// close-wait-accumulating named the listener's owner as the holder of CLOSE_WAIT sockets whenever they were not
// attributed: in the monitor's home view and `analyze` without --port (listeners attributed only), a server
// that handed its accepted connections to a forked worker and closed its own copies was said to "not close
// sockets", while the worker held them. The listener's owner may now be named only as a guess; with every
// socket attributed the real holder is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, incoming, listener, proc } from '../helpers/fake-snapshot.js';
import { startPythonHolder } from '../helpers/python-holder.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const cw = (snap: Snapshot) => evaluateRules(makeContext({ snapshot: snap })).find((r) => r.id === 'close-wait-accumulating')!;
const LISTENER = proc(100, 'server');
const WORKER = proc(200, 'server', 9);

test('close-wait-accumulating: sockets not attributed in this view are not blamed on the listener\'s owner', () => {
  const sockets = [listener('0.0.0.0:8083', 128, 0, [LISTENER], { inode: 1 }), ...incoming(15, '10.0.0.1:8083', 'CLOSE_WAIT', { inode: 7 })];
  const home = { ...fakeSnapshot({ sockets }), attribution: { scope: 'listeners' as const, complete: true, hiddenProcesses: 0 } };
  const r = cw(home);
  assert.equal(
    r.message,
    "15 sockets in CLOSE_WAIT on tcp port 8083: the owning process (not attributed in this view: sockscope analyze --port 8083 names it; probably server (pid 100), the listener's owner, or a process it handed them to) does not close sockets after the peer closed",
  );
  assert.equal(r.pid, undefined, 'no pid: the listener\'s owner is not known to hold them');
  // Every socket attributed: the worker that holds them is named, not the listener's owner.
  const all = fakeSnapshot({ sockets: [listener('0.0.0.0:8083', 128, 0, [LISTENER], { inode: 1 }), ...incoming(15, '10.0.0.1:8083', 'CLOSE_WAIT', { inode: 7, processes: [WORKER] })] });
  const a = cw(all);
  assert.match(a.message, /: server \(pid 200\) does not close sockets after the peer closed$/);
  assert.equal(a.pid, 200);
  // Never accepted (inode 0, in the listener's accept queue): accepting them is the listener's owner's job.
  const queued = { ...fakeSnapshot({ sockets: [listener('0.0.0.0:8083', 128, 15, [LISTENER], { inode: 1 }), ...incoming(15, '10.0.0.1:8083', 'CLOSE_WAIT', { inode: 0, recvQ: 1 })] }), attribution: home.attribution };
  const q = cw(queued);
  assert.match(q.message, /server \(pid 100\) \(the listener's owner\) does not accept\(\) fast enough$/);
  assert.equal(q.pid, 100);
});

// A listener on loopback accepts 15 connections, forks a worker that keeps them (and closes its copies of the
// listener and the clients), then closes its own copies and the clients: 15 CLOSE_WAIT held by the worker only.
const HOLDER = String.raw`
import json, os, socket, sys
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(128)
port = l.getsockname()[1]
cl = [socket.create_connection(('127.0.0.1', port)) for _ in range(15)]
conns = [l.accept()[0] for _ in range(15)]
pid = os.fork()
if pid == 0:
    l.close()
    for c in cl: c.close()
    sys.stdin.read(); os._exit(0)
for c in conns: c.close()
for c in cl: c.close()
print(json.dumps({'parent': os.getpid(), 'worker': pid, 'port': port}), flush=True)
sys.stdin.read()
os.kill(pid, 9)
`;

interface Rec { id: string; port?: number; pid?: number; message: string }

test('close-wait-accumulating on loopback: a forked worker holds the CLOSE_WAIT sockets; no view blames the listener\'s owner', { timeout: 120_000 }, async (t) => {
  const h = await startPythonHolder<{ parent: number; worker: number; port: number }>(t, HOLDER);
  t.after(() => { try { process.kill(h.worker, 'SIGKILL'); } catch { /* gone */ } });
  await new Promise((r) => setTimeout(r, 300)); // the clients' FINs reach the worker's sockets
  const ss = spawnSync('ss', ['-tnpH', 'state', 'close-wait', 'sport', '=', `:${h.port}`], { encoding: 'utf8' });
  assert.equal(ss.stdout.trim().split('\n').filter((l) => l.includes(`pid=${h.worker},`)).length, 15, ss.stdout);
  const run = (...args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  const recOf = (args: string[]): Rec => {
    const r = run(...args, '--json');
    assert.ok(r.status === 0 || r.status === 1 || r.status === 2, r.stderr);
    const doc = JSON.parse(r.stdout) as { recommendations: Rec[] };
    const rec = doc.recommendations.find((x) => x.id === 'close-wait-accumulating' && x.port === h.port);
    assert.ok(rec, r.stdout);
    return rec!;
  };
  // analyze without --port: listeners attributed only.
  const home = recOf(['analyze']);
  assert.match(home.message, new RegExp(`^15 sockets in CLOSE_WAIT on tcp port ${h.port}: the owning process \\(not attributed in this view: sockscope analyze --port ${h.port} names it; probably python3 \\(pid ${h.parent}\\), the listener's owner, or a process it handed them to\\) does not close`));
  assert.equal(home.pid, undefined);
  // The plain text of the same and of the one-shot monitor (stdout a pipe) say the same, never the listener's owner as the holder.
  for (const args of [['analyze'], []]) {
    const out = run(...args).stdout;
    const line = out.split('\n').find((l) => l.includes(`CLOSE_WAIT on tcp port ${h.port}`));
    assert.ok(line, `${args.join(' ')}: ${out}`);
    assert.doesNotMatch(line!, /\(the listener's owner\) does not close/);
    assert.match(line!, new RegExp(`probably python3 \\(pid ${h.parent}\\), the listener's owner, or a process it handed them to`));
  }
  // analyze --port: every socket attributed; the worker is named.
  const port = recOf(['analyze', '--port', String(h.port)]);
  assert.match(port.message, new RegExp(`: python3 \\(pid ${h.worker}\\) does not close sockets after the peer closed$`));
  assert.equal(port.pid, h.worker);
});
