// /proc/net/tcp's keepalive and zero-window probe timers: the procfs source read the count of retransmits
// (retrnsmt) for them, while netlink, ss and netstat -o give the unanswered probes (icsk_probes_out, printed in
// the "timeout" column). Real sockets in a network namespace made for the test: a SO_KEEPALIVE client (idle 1 s,
// interval 1 s) and a sender to a receiver with a zero window, IPv4 and IPv6; then lo goes down, so the probes go
// unanswered and count up. The real ProcfsSource reads the namespace's files (/proc/PID/net of a process in it) and
// must agree with ss -o (inet_diag's idiag_retrans, what netlink reads too) read between two equal readings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ProcfsSource } from '../../src/collect/procfs.js';
import { parseSs } from '../../src/parse/ss.js';
import type { Socket } from '../../src/model/socket.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

// Exits when the test closes its stdin, or after 60 s.
const CHILD = String.raw`
import socket, select, subprocess, sys, time
keep = []
def pair(fam, host, keepalive):
    l = socket.socket(fam)
    if not keepalive: l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the accepted end inherits it: a zero window soon
    l.bind((host, 0)); l.listen(8); keep.append(l)
    c = socket.socket(fam)
    if keepalive:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for o, v in ((socket.TCP_KEEPIDLE, 1), (socket.TCP_KEEPINTVL, 1), (socket.TCP_KEEPCNT, 50)): c.setsockopt(socket.IPPROTO_TCP, o, v)
    c.connect(l.getsockname()[:2]); a, _ = l.accept(); keep.extend([c, a])
    if not keepalive:
        c.setblocking(False)
        try:
            for _ in range(1000): c.send(b'x' * 65536)
        except BlockingIOError: pass
for fam, host in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
    pair(fam, host, True); pair(fam, host, False)
time.sleep(1.5)
subprocess.run(['ip', 'link', 'set', 'lo', 'down'], check=True)
time.sleep(3.5)
print('ready', flush=True)
select.select([sys.stdin], [], [], 60)
`;

test('procfs counts keepalive and persist probes as ss -o and netlink do (icsk_probes_out), on real sockets', { timeout: 60_000 }, async (t) => {
  const ns = `sockscope-probes-${process.pid}`;
  createNetns(ns);
  t.after(() => deleteNetns(ns));
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('holder not ready in 20 s')), 20_000);
    createInterface({ input: child.stdout! }).once('line', () => (clearTimeout(timer), res()));
  });
  // `ip netns exec` runs python3 in its place (exec), so the child's /proc/PID/net is the namespace's.
  const procfs = new ProcfsSource({ procRoot: `/proc/${child.pid}`, attribute: null });
  const key = (s: Socket) => `${s.local.address}|${s.local.port}|${s.peer.address}|${s.peer.port}`;
  const timers = (list: readonly Socket[]) => new Map(list.filter((s) => s.protocol === 'tcp' && s.timer).map((s) => [key(s), `${s.timer!.name} ${s.timer!.retrans}`]));
  let agreed: Map<string, string> | undefined;
  let viaSs: Map<string, string> | undefined;
  // The keepalive count grows once a second: up to 5 tries for an ss reading between two equal procfs readings.
  for (let i = 0; i < 5 && !agreed; i++) {
    const before = timers((await procfs.collect({ protocols: ['tcp'], processes: 'none' })).sockets);
    const ss = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-tanoOH'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(ss.status, 0, ss.stderr);
    const after = timers((await procfs.collect({ protocols: ['tcp'], processes: 'none' })).sockets);
    if (JSON.stringify([...before]) === JSON.stringify([...after])) {
      agreed = after;
      viaSs = timers(parseSs(ss.stdout, 'tcp'));
    }
  }
  assert.ok(agreed && viaSs, 'no two equal procfs readings in 5 tries');
  const kinds = [...agreed.values()].map((v) => v.split(' ')[0]).sort();
  assert.deepEqual(kinds, ['keepalive', 'keepalive', 'persist', 'persist'], JSON.stringify([...agreed]));
  for (const v of agreed.values()) assert.ok(Number(v.split(' ')[1]) >= 1, `unanswered probes counted: ${v}`);
  assert.deepEqual(agreed, viaSs);
});
