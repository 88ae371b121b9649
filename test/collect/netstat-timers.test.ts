// --source netstat ran `netstat -tuxaneW` without -o, so its snapshots had no timers: the SYN_SENT rule saw
// no SYN retransmissions (it needs them, or two samples, to call a SYN unanswered) and the Send-Q rule no
// zero-window persist timer. Real sockets in a network namespace made for the test (nothing else in it):
// three SYN_SENT to a listen(0) whose accept queue is full (the kernel drops their SYNs), a sender to a
// receiver that never reads (persist), an idle SO_KEEPALIVE client and a TIME_WAIT, read by the real
// NetstatSource running net-tools netstat in that namespace, and judged by the real rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { NetstatSource } from '../../src/collect/netstat.js';
import { run } from '../../src/collect/exec.js';
import { collectSeries } from '../../src/cli/sampling.js';
import { recommendationsFor } from '../../src/report/analyze.js';
import type { CollectOptions } from '../../src/collect/source.js';
import type { Socket } from '../../src/model/socket.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const haveNetTools = spawnSync('netstat', ['--version'], { encoding: 'utf8' }).stdout?.includes('net-tools') ?? false;

// Exits when the test closes its stdin, or after 60 s.
const CHILD = String.raw`
import socket, select, sys, json, os, time
keep = []
def listener(backlog):
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(backlog); keep.append(l); return l
rl = listener(8)
snd = socket.create_connection(rl.getsockname()); rcv, _ = rl.accept(); keep += [snd, rcv]
snd.setblocking(False); sent = 0
while sent < 8000000:
    try: sent += snd.send(b'x' * 65536)
    except BlockingIOError: break
kl = listener(8)
ka = socket.socket(); ka.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
ka.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 600); ka.connect(kl.getsockname())
kacc, _ = kl.accept(); keep += [ka, kacc]
tl = listener(8)
tw = socket.create_connection(tl.getsockname()); tacc, _ = tl.accept()
twport = tw.getsockname()[1]; tw.close(); time.sleep(0.05); tacc.close()
fl = listener(0); stuck = 0
for i in range(8):
    c = socket.socket(); c.setblocking(False); keep.append(c)
    try: c.connect(fl.getsockname())
    except BlockingIOError: pass
    _, w, _ = select.select([], [c], [], 0.2)
    if not w: stuck += 1
    if stuck == 3: break
print(json.dumps({'pid': os.getpid(), 'recvPort': rl.getsockname()[1], 'keepalivePort': kl.getsockname()[1], 'timewait': twport, 'synPort': fl.getsockname()[1], 'stuck': stuck}), flush=True)
select.select([sys.stdin], [], [], 60)
`;

interface Held {
  pid: number;
  recvPort: number;
  keepalivePort: number;
  timewait: number;
  synPort: number;
  stuck: number;
}

test('--source netstat: net-tools netstat -o timers reach the snapshot and the SYN_SENT and Send-Q rules', { skip: !haveNetTools && process.env.CI !== 'true' ? 'net-tools netstat is not installed' : false, timeout: 60_000 }, async (t) => {
  const ns = `sockscope-ntimers-${process.pid}`;
  createNetns(ns);
  t.after(() => deleteNetns(ns));
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  const held = JSON.parse(
    await Promise.race([
      new Promise<string>((res) => createInterface({ input: child.stdout! }).once('line', res)),
      new Promise<string>((_, rej) => setTimeout(() => rej(new Error('python3 child did not report in 15 s')), 15_000)),
    ]),
  ) as Held;
  assert.equal(held.stuck, 3, 'three SYNs dropped by the full accept queue');

  // The collector as --source netstat builds it, its netstat run inside the namespace.
  const source = new NetstatSource({ flavor: 'net-tools', attribute: null, runner: (file, args, opts) => run('ip', ['netns', 'exec', ns, file, ...args], opts) });
  const opts: CollectOptions = { protocols: ['tcp', 'udp'], processes: 'none' };
  const synSent = (socks: Socket[]) => socks.filter((s) => s.state === 'SYN_SENT' && s.peer.port === held.synPort);
  // The first SYN retransmission comes 1 s after the SYN; read until each of the three had one (at most 10 reads, 5 s).
  let snap = await source.collect(opts);
  for (let i = 0; i < 10 && !(synSent(snap.sockets).length === 3 && synSent(snap.sockets).every((s) => (s.timer?.retrans ?? 0) >= 1)); i++) {
    await new Promise((r) => setTimeout(r, 500));
    snap = await source.collect(opts);
  }
  const syn = synSent(snap.sockets);
  assert.equal(syn.length, 3);
  for (const s of syn) {
    assert.equal(s.timer?.name, 'on', JSON.stringify(s));
    assert.ok(s.timer!.retrans! >= 1 && s.timer!.expiresMs > 0 && s.timer!.expiresMs <= 8000, JSON.stringify(s.timer));
  }
  const sender = snap.sockets.find((s) => s.state === 'ESTABLISHED' && s.peer.port === held.recvPort);
  assert.equal(sender?.timer?.name, 'persist', JSON.stringify(sender));
  assert.ok(sender!.sendQ > 0);
  const ka = snap.sockets.find((s) => s.state === 'ESTABLISHED' && s.peer.port === held.keepalivePort);
  assert.equal(ka?.timer?.name, 'keepalive');
  assert.ok(ka!.timer!.expiresMs > 500_000 && ka!.timer!.expiresMs <= 600_000, JSON.stringify(ka!.timer));
  const tw = snap.sockets.find((s) => s.state === 'TIME_WAIT' && s.local.port === held.timewait);
  assert.equal(tw?.timer?.name, 'timewait');
  // An accepted connection with nothing in flight has no timer (netstat prints "off").
  assert.equal(snap.sockets.find((s) => s.state === 'ESTABLISHED' && s.local.port === held.keepalivePort)?.timer, undefined);

  // One sample is enough for syn-sent-unanswered now (before, without retransmissions, it needed two).
  const recs = recommendationsFor(snap, { peerPort: held.synPort });
  const r = recs.find((x) => x.id === 'syn-sent-unanswered');
  assert.ok(r, JSON.stringify(recs.map((x) => `${x.id}: ${x.message}`)));
  assert.match(r.evidence, /3 SYN_SENT to 127\.0\.0\.1:\d+ with the SYN unanswered \(SYN retransmissions: up to \d+\)/);

  const series = await collectSeries(source, { ...opts, peerPort: held.recvPort }, 4, 300);
  const out = recommendationsFor(series.snapshot, { peerPort: held.recvPort }, series.history);
  const s = out.find((x) => x.id === 'send-q-persistent');
  assert.ok(s, JSON.stringify(out.map((x) => `${x.id}: ${x.message}`)));
  assert.match(s.evidence, /\(zero-window probes: timer persist\)/);
});
