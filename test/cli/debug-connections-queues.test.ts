// debug-connections and the queues behind a local listener, on real sockets: a SO_REUSEPORT group whose members
// never accept (the member whose queue the probe joined is named, never the first of the group), a full accept
// queue read by sources that cannot see the backlog (procfs, netstat), retransmits those sources do not give, and
// a local server that leaks CLOSE_WAIT sockets (the other ends of this host's FIN_WAIT2 sockets). Loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { sockscopeAsync } from '../collect/getsockopt-helpers.js';
import { freePort } from '../helpers/free-port.js';
import { openScenario } from '../helpers/scenario.js';

/** A python3 process running `code`, which prints one line when its sockets are ready; killed by the test, and gone after 60 s. */
async function python(code: string, t: { after: (fn: () => void) => void }): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn('python3', ['-c', `import socket, os, sys, time\n${code}\ntime.sleep(60)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const line = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('python3 not ready in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      res(l);
    });
  });
  return { child, line };
}

/** Recv-Q of every TCP LISTEN socket on 127.0.0.1:port, by inode, from /proc/net/tcp (the kernel's own count). */
function listenQueues(port: number): Map<number, number> {
  const out = new Map<number, number>();
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[3] === '0A') out.set(Number(f[9]), Number.parseInt(f[4].split(':')[1], 16));
  }
  return out;
}

const json = async (args: string[]) => {
  const r = await sockscopeAsync([...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('a SO_REUSEPORT group that never accepts: the member whose queue the probe joined is named, whichever the kernel chose', { timeout: 120_000 }, async (t) => {
  const port = await freePort();
  // Two processes, one listener each on 127.0.0.1:port, neither calling accept(). Backlog 64: the 20 probes never
  // fill a queue (with 8, nine probes hashed to one member filled it and the next SYN was dropped: a timeout).
  const member = `ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1); ls.bind(('127.0.0.1', ${port})); ls.listen(64)
print(os.getpid(), os.fstat(ls.fileno()).st_ino, flush=True)`;
  const pidOf = new Map<number, number>();
  for (let i = 0; i < 2; i++) {
    const [pid, inode] = (await python(member, t)).line.split(' ').map(Number);
    pidOf.set(inode, pid);
  }
  // The kernel hashes each connection (its 4-tuple) to one member: probe until one landed in the member the sources
  // list second (the old report took the first), each probe checked against the queue that grew. Up to 20 probes
  // (all 20 to the first member: 2^-20), and no more than 90 s; the loop ends at the first to the second.
  const listedFirst = [...listenQueues(port).keys()][0];
  let second = 0;
  const said: { addresses: { notAccepted: { pid: number; groupSize: number } }[]; verdict: { summary: string } }[] = [];
  const deadline = performance.now() + 90_000;
  for (let i = 0; i < 20 && second === 0 && performance.now() < deadline; i++) {
    const source = i % 2 ? 'procfs' : 'netlink';
    const before = listenQueues(port);
    const j = await json(['debug-connections', '--address', `127.0.0.1:${port}`, '--timeout', '1s', '--source', source]);
    const after = listenQueues(port);
    const grew = [...after].filter(([ino, q]) => q > (before.get(ino) ?? 0)).map(([ino]) => ino);
    assert.equal(grew.length, 1, `exactly one member's queue grew: ${JSON.stringify([...before])} -> ${JSON.stringify([...after])}`);
    const na = j.addresses[0].notAccepted;
    assert.ok(na, `probe ${i} (${source}) is not accepted: ${j.verdict.summary}`);
    assert.equal(na.pid, pidOf.get(grew[0]), `probe ${i} (${source}): ${j.verdict.summary}`);
    assert.equal(na.by, `python3/${pidOf.get(grew[0])}`);
    assert.equal(na.pending, after.get(grew[0]));
    assert.equal(j.verdict.ok, false);
    assert.doesNotMatch(j.verdict.summary, /accepts connections/);
    said.push(j);
    if (grew[0] !== listedFirst) second++;
  }
  assert.equal(second > 0, true, `no probe in ${said.length} landed in the member listed second`);
  for (const j of said) {
    assert.equal(j.addresses[0].notAccepted.groupSize, 2);
    assert.match(j.verdict.summary, new RegExp(`but python3/${j.addresses[0].notAccepted.pid} has not accepted the connection .*\\(1 of the 2 SO_REUSEPORT listeners there`));
  }
});

test('one stuck member of a SO_REUSEPORT group: a probe the other member took still reports the connections that hang', { timeout: 120_000 }, async (t) => {
  const port = await freePort();
  // Backlog 64: the stuck member's queue never fills during the 20 probes (with 8, eight probes hashed to it in a row
  // filled it and the next connect timed out).
  const bind = `ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1); ls.bind(('127.0.0.1', ${port})); ls.listen(64)`;
  // The stuck member never accepts; the healthy one accepts everything (and keeps the connections).
  const stuck = await python(`${bind}\nprint(os.getpid(), os.fstat(ls.fileno()).st_ino, flush=True)`, t);
  const [stuckPid, stuckInode] = stuck.line.split(' ').map(Number);
  await python(`${bind}\nimport threading\nkeep = []\nthreading.Thread(target=lambda: [keep.append(ls.accept()) for _ in iter(int, 1)], daemon=True).start()\nprint('ready', flush=True)`, t);
  // Clients, one at a time, until the kernel has hashed one to the stuck member (its Recv-Q in /proc/net/tcp).
  const queueOf = `lambda: sum(int(f[4].split(':')[1], 16) for f in (l.split() for l in open('/proc/net/tcp').readlines()[1:]) if f[9] == '${stuckInode}')`;
  await python(`cl = []\nq = ${queueOf}\nwhile q() == 0 and len(cl) < 30:\n    cl.append(socket.create_connection(('127.0.0.1', ${port}), timeout=2)); time.sleep(0.05)\nprint('ready', flush=True)`, t);
  assert.ok((listenQueues(port).get(stuckInode) ?? 0) > 0, 'no client hashed to the stuck member in 30');
  // Up to 20 probes (all 20 to the stuck member: 2^-20), and no more than 90 s; the loop ends at the first the other took.
  let taken = 0;
  let probes = 0;
  const deadline = performance.now() + 90_000;
  for (let i = 0; i < 20 && taken === 0 && performance.now() < deadline; i++) {
    probes++;
    const before = listenQueues(port).get(stuckInode)!;
    const j = await json(['debug-connections', '--address', `127.0.0.1:${port}`, '--timeout', '1s']);
    const grew = listenQueues(port).get(stuckInode)! > before;
    if (grew) {
      assert.equal(j.addresses[0].notAccepted?.pid, stuckPid, j.verdict.summary); // it went to the stuck one
      continue;
    }
    taken++;
    assert.equal(j.addresses[0].connect.ok, true);
    assert.equal(j.addresses[0].notAccepted, undefined, j.verdict.summary);
    assert.equal(j.verdict.ok, false, j.verdict.summary);
    assert.deepEqual(j.addresses[0].othersWaiting, { listener: `127.0.0.1:${port}`, groupSize: 2, members: [{ by: `python3/${stuckPid}`, pid: stuckPid, pending: listenQueues(port).get(stuckInode), backlog: 64 }] });
    assert.match(j.verdict.summary, new RegExp(`^127\\.0\\.0\\.1:${port} accepts TCP connections, but 1 of the 2 SO_REUSEPORT listeners on 127\\.0\\.0\\.1:${port} holds connections nobody accepted for half a second: python3/${stuckPid} \\(Recv-Q \\d+, backlog 64\\)`));
    assert.ok(j.verdict.nextSteps[0].startsWith(`python3/${stuckPid}: see what it does instead of accept() (strace -f -p ${stuckPid} `), j.verdict.nextSteps.join('\n'));
  }
  assert.equal(taken > 0, true, `no probe in ${probes} went to the member that accepts`);
});

test('a full accept queue read by procfs and netstat (no backlog): the listener and its owner are named, not a firewall', { timeout: 120_000 }, async (t) => {
  // listen(1), never accepting, 4 clients: 2 queued (the kernel's maximum, backlog + 1) and 2 SYN_SENT, retrying.
  const sc = await openScenario({ acceptBacklog: 1, acceptClients: 4, noIpv6: true });
  t.after(() => sc.close());
  const a = sc.acceptQueue;
  // netstat first: by procfs's turn the SYN_SENT clients are over a second old and have resent their SYN (RTO 1 s).
  for (const source of ['netstat', 'procfs']) {
    const j = await json(['debug-connections', '--address', `127.0.0.1:${a.port}`, '--timeout', '700ms', '--source', source]);
    const d = j.addresses[0].diagnosis;
    assert.equal(j.addresses[0].connect.errno, 'ETIMEDOUT', source);
    assert.equal(d.summary, `no answer from 127.0.0.1:${a.port} within 700 ms: the listener 127.0.0.1:${a.port} on this host has 2 connection(s) waiting for accept(), and its backlog is unknown with this source: a full accept queue, where the kernel drops new SYNs, is the likely cause: sleep/${a.pid} is not accepting fast enough`, source);
    assert.doesNotMatch(j.verdict.nextSteps.join('\n'), /ping|traceroute/, source);
    assert.ok(j.verdict.nextSteps[0].startsWith(`sleep/${a.pid} is not calling accept() fast enough`), j.verdict.nextSteps.join('\n'));
    assert.ok(j.verdict.nextSteps.some((s: string) => s.startsWith(`ss -ltn 'sport = :${a.port}'`)), j.verdict.nextSteps.join('\n'));
    // These sources have no tcp_info: the retransmits of the 4 clients are unknown, not 0.
    const ex = j.addresses[0].existing;
    assert.equal(ex.total, 4, source);
    assert.equal(ex.retransUnknown, 4, source);
    const text = (await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${a.port}`, '--timeout', '700ms', '--source', source])).stdout;
    assert.doesNotMatch(text, /\b0 retransmits/, source);
    assert.match(text, /\n {2}existing: 4 socket\(s\): [^\n]*; total retransmits unknown with this source[;( ]/, source);
    // /proc/net/tcp has the retransmits of what is being resent now: the SYN_SENT clients' SYNs.
    if (source === 'procfs') {
      assert.ok(ex.retransNow > 0, JSON.stringify(ex));
      assert.match(text, /total retransmits unknown with this source \(the sockets retrying now have resent \d+ times: \/proc\/net\/tcp's retrnsmt\)/);
    }
  }
  // netlink sees the backlog: the full queue as before.
  const n = await json(['debug-connections', '--address', `127.0.0.1:${a.port}`, '--timeout', '700ms', '--source', 'netlink']);
  assert.match(n.addresses[0].diagnosis.summary, /is full \(2 waiting for accept\(\), backlog 1\)/);
  assert.equal(n.addresses[0].existing.retransUnknown, undefined);
});

test('a local server that never closes what its clients closed: the FIN_WAIT2 sockets are its CLOSE_WAIT leak, and it is named', { timeout: 60_000 }, async (t) => {
  const port = await freePort();
  // Accepts 5 connections from its own clients, which close; it never closes them (CLOSE_WAIT), and accepts no more.
  const { child } = await python(
    `ls = socket.socket(); ls.bind(('127.0.0.1', ${port})); ls.listen(16)
held = []
for i in range(5):
    c = socket.create_connection(('127.0.0.1', ${port})); s, _ = ls.accept(); held.append(s); c.close()
time.sleep(0.3)
print('ready', flush=True)`,
    t,
  );
  for (const source of ['netlink', 'procfs']) {
    const j = await json(['debug-connections', '--address', `127.0.0.1:${port}`, '--timeout', '1s', '--source', source]);
    const ex = j.addresses[0].existing;
    assert.equal(ex.closedByProgram.FIN_WAIT2 >= 5, true, JSON.stringify(ex));
    assert.deepEqual({ ...ex.otherEnds, unaccepted: 0 }, { at: `127.0.0.1:${port}`, unclosed: 5, unaccepted: 0, by: `python3/${child.pid}`, pid: child.pid }, source);
    assert.match(j.verdict.summary, new RegExp(`python3/${child.pid} has not closed 5 connection\\(s\\) on 127\\.0\\.0\\.1:${port} that their client \\(on this host\\) closed: 5 CLOSE_WAIT`), source);
    assert.ok(j.verdict.nextSteps.some((s: string) => s.startsWith(`python3/${child.pid}: find where it does not close() a connection`)), j.verdict.nextSteps.join('\n'));
  }
  const text = (await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`, '--timeout', '1s'])).stdout;
  assert.match(text, new RegExp(`; their other ends, on this host at 127\\.0\\.0\\.1:${port}: 5 accepted by python3/${child.pid} and never closed \\(CLOSE_WAIT`));
  assert.doesNotMatch(text, /an earlier probe leaves one such socket/);
});
