// syn-sent-unanswered with an SO_REUSEPORT group serving the destination. The kernel hashes each SYN to one
// member, each with an accept queue of its own: a full member drops the SYNs hashed to it while the others
// have room. The rule looked at the first listener on the address only (ls.find): with members at Recv-Q/
// Send-Q 2/1, 5/8 and 5/50 and 8 clients stuck in SYN_SENT it took 5/50, said "a listener on this host serves
// the destination, yet their SYNs go unanswered (a SYN queue overflow ... or a local firewall rule)", and its
// fix began "Its accept queue is empty" of a queue holding 5, while accept-queue-full named the 2/1 member.
// Now every member of the group is judged: a full one is the cause, named (fd, pid, inode, Recv-Q of backlog)
// with its owner, and the fix is its accept loop; a queue with connections waiting is never called empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, listener, outgoing, proc } from '../helpers/fake-snapshot.js';
import { startPythonHolder } from '../helpers/python-holder.js';
import { waitFor } from '../helpers/free-port.js';

const stuck = (n: number, peer = '127.0.0.1:7300') => outgoing(n, '127.0.0.1', peer, 'SYN_SENT', { sendQ: 1, timer: { name: 'on', expiresMs: 900, retrans: 2 } });
const find = (snap: Snapshot) => evaluateRules(makeContext({ snapshot: snap })).find((r) => r.id === 'syn-sent-unanswered');
const member = (backlog: number, queue: number, fd: number, inode: number) => listener('127.0.0.1:7300', backlog, queue, [proc(700, 'python3', fd)], { inode });

test('syn-sent-unanswered: the full member of an SO_REUSEPORT group is the cause, whichever member comes first', () => {
  const group = [member(50, 5, 5, 905), member(8, 5, 4, 904), member(1, 2, 3, 903)];
  for (const order of [group, [...group].reverse()]) {
    const r = find(fakeSnapshot({ sockets: [...order, listener('[::1]:7300', 128, 0), ...stuck(8)] }))!;
    assert.ok(r, 'syn-sent-unanswered fires');
    const full = 'fd 3 of python3 \\(pid 700\\), inode 903, Recv-Q 2 of backlog 1';
    assert.match(r.message, new RegExp(`^8 connections to 127\\.0\\.0\\.1:7300 hang in SYN_SENT: 1 of the 3 listeners in the SO_REUSEPORT group on 127\\.0\\.0\\.1:7300 on this host has a full accept queue \\(${full}\\); python3 \\(pid 700\\) does not accept\\(\\) on it, so the kernel drops the SYNs it hashes to it while the others have room$`), r.message);
    assert.match(r.evidence, new RegExp(`; 3 listeners on 127\\.0\\.0\\.1:7300 \\(an SO_REUSEPORT group, a queue each\\): ${full}; fd \\d of python3 \\(pid 700\\), inode 90\\d, Recv-Q 5 of backlog (8|50); `), r.evidence);
    assert.doesNotMatch(r.evidence, /\[::1\]/, 'the [::1] listener does not serve 127.0.0.1');
    assert.match(r.fix, new RegExp(`^Check the accept loop of the stuck member \\(${full}\\)`), r.fix);
    assert.match(r.fix, /ss -tno state syn-sent '\( dport = :7300 \)'$/);
    assert.doesNotMatch(`${r.message} ${r.fix}`, /empty|firewall/);
  }
  // Every member full: the whole group is too slow or too small, accept faster / raise the backlog.
  const all = find(fakeSnapshot({ sockets: [member(4, 5, 4, 904), member(1, 2, 3, 903), ...stuck(8)] }))!;
  assert.match(all.message, /hang in SYN_SENT: every one of the 2 listeners in the SO_REUSEPORT group on 127\.0\.0\.1:7300 on this host has a full accept queue \(fullest: fd 4 of python3 \(pid 700\), inode 904, Recv-Q 5 of backlog 4\); python3 \(pid 700\) does not accept fast enough or the backlog is too small: the kernel drops new SYNs$/);
  assert.match(all.fix, /^Accept faster on the local listener and raise its backlog/);
});

test('syn-sent-unanswered: listeners with room are not called empty when connections wait in them', () => {
  // One listener holding 5 of 50.
  const one = find(fakeSnapshot({ sockets: [member(50, 5, 5, 905), ...stuck(8)] }))!;
  assert.match(one.message, /a listener on this host serves the destination, yet their SYNs go unanswered/);
  assert.match(one.fix, /^Its accept queue has room \(Recv-Q 5 of backlog 50\), so look at what drops the SYNs before it/);
  assert.doesNotMatch(one.fix, /empty/);
  // An empty one still says so.
  assert.match(find(fakeSnapshot({ sockets: [member(50, 0, 5, 905), ...stuck(8)] }))!.fix, /^Its accept queue is empty, so/);
  // A group with room in every member.
  const group = find(fakeSnapshot({ sockets: [member(50, 5, 5, 905), member(8, 0, 4, 904), ...stuck(8)] }))!;
  assert.match(group.message, /hang in SYN_SENT: 2 listeners on this host \(an SO_REUSEPORT group\) serve the destination, none with a full accept queue, yet their SYNs go unanswered/);
  assert.match(group.fix, /^None of the accept queues of its 2 listeners \(an SO_REUSEPORT group\) is full, so look at what drops the SYNs/);
  assert.match(find(fakeSnapshot({ sockets: [member(50, 0, 5, 905), member(8, 0, 4, 904), ...stuck(8)] }))!.fix, /^The accept queues of its 2 listeners \(an SO_REUSEPORT group\) are empty/);
  // procfs (no backlog): the member with connections waiting is the likely cause.
  const blind = find(fakeSnapshot({ sockets: [member(0, 0, 5, 905), member(0, 3, 4, 904), ...stuck(8)].map((s) => (s.state === 'LISTEN' ? { ...s, sendQUnknown: true } : s)) }))!;
  assert.match(blind.message, /the listener 127\.0\.0\.1:7300 on this host \(fd 4 of python3 \(pid 700\), inode 904, Recv-Q 3 of backlog unknown; 1 of the 2 in its SO_REUSEPORT group with connections waiting\) has 3 connections waiting for accept\(\) \(backlog unknown with this source\)/);
});

// The reviewer's reproduction on loopback: three SO_REUSEPORT listeners on 127.0.0.1:P (backlogs 1, 8 and
// 50) and one on [::1]:P, 30 non-blocking connect()s to 127.0.0.1:P, nothing accepted. The backlog-1 member
// fills (about a third of the SYNs are hashed to it), the backlog-8 one may; the backlog-50 one cannot.
const HOLDER = String.raw`
import socket, json, os, sys
ls = []
port = 0
for b in [50, 8, 1]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(('127.0.0.1', port)); port = s.getsockname()[1]; s.listen(b); ls.append(s)
v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
v6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
v6.bind(('::1', port)); v6.listen(128)
cs = []
for i in range(30):
    c = socket.socket(); c.setblocking(False); c.connect_ex(('127.0.0.1', port)); cs.append(c)
print(json.dumps({'pid': os.getpid(), 'port': port, 'fds': {str(b): s.fileno() for b, s in zip([50, 8, 1], ls)}}), flush=True)
sys.stdin.read()
`;

test('syn-sent-unanswered on real SO_REUSEPORT listeners: names the full member and its accept loop (analyze --json, plain --tcp)', { timeout: 90_000 }, async (t) => {
  const h = await startPythonHolder<{ pid: number; port: number; fds: Record<string, number> }>(t, HOLDER);
  const ss = (args: string[]) => spawnSync('ss', args, { encoding: 'utf8' }).stdout;
  // The first SYN retransmission comes after 1 s: the finding wants an unanswered SYN.
  await waitFor('a SYN_SENT to the group retransmitted', async () => (/timer:\(on,[^,]+,[1-9]/.test(ss(['-tnoH', 'state', 'syn-sent', `( dport = :${h.port} )`])) ? true : undefined), 15_000, 200);
  const members = ss(['-ltnH', `sport = :${h.port}`]).split('\n').filter((l) => l.includes(`127.0.0.1:${h.port}`)).map((l) => l.trim().split(/\s+/).slice(1, 3).map(Number));
  assert.equal(members.length, 3, 'three members on 127.0.0.1');
  const full = members.filter(([q, b]) => q > b);
  assert.ok(full.some(([, b]) => b === 1), `the backlog-1 member is full: ${JSON.stringify(members)}`);

  const r = spawnSync('bin/sockscope', ['analyze', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const recs = (JSON.parse(r.stdout) as { recommendations: { id: string; message: string; evidence: string; fix: string }[] }).recommendations;
  const f = recs.find((x) => x.id === 'syn-sent-unanswered' && x.message.includes(`127.0.0.1:${h.port} hang`));
  assert.ok(f, JSON.stringify(recs.map((x) => x.message)));
  const n = full.length;
  assert.match(f.message, new RegExp(`hang in SYN_SENT: ${n} of the 3 listeners in the SO_REUSEPORT group on 127\\.0\\.0\\.1:${h.port} on this host ha(s|ve) a full accept queue \\(.*fd ${h.fds['1']} of python3 \\(pid ${h.pid}\\), inode \\d+, Recv-Q 2 of backlog 1`), f.message);
  assert.doesNotMatch(f.message, /backlog 50\b/, 'the member with room is not the cause');
  assert.match(f.fix, /^Check the accept loop of the stuck members? \(/);
  assert.doesNotMatch(`${f.message} ${f.fix}`, /empty/);
  // The plain table's notes, as the reviewer ran it.
  const plain = spawnSync('bin/sockscope', ['--tcp'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, new RegExp(`to 127\\.0\\.0\\.1:${h.port} hang in SYN_SENT: ${n} of the 3 listeners in the SO_REUSEPORT group`), plain.stdout);
  assert.doesNotMatch(plain.stdout, /Its accept queue is empty/);
});
