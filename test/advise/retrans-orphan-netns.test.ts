// socket-retransmitting on an orphan (review s22 rE #2). A client closes a connection whose path then drops
// everything (a bogus permanent neighbour entry for its peer): its socket is an orphan in FIN_WAIT1 (inode 0)
// retransmitting its FIN. The kernel's tcp_write_timeout gives a closed (SOCK_DEAD) socket
// net.ipv4.tcp_orphan_retries, not tcp_retries2, and no application holds it to set TCP_USER_TIMEOUT or
// keepalive: the fix said so anyway. Two namespaces of its own joined by a veth pair, deleted after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { deleteNetns, netnsHolder, vethPair } from '../helpers/netns.js';

const A = `sockscope-orpa-${process.pid}`;
const B = `sockscope-orpb-${process.pid}`;
const root = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inA = (args: string[]) => spawnSync('ip', ['netns', 'exec', A, ...args], { encoding: 'utf8' });

test('socket-retransmitting: an orphan in FIN_WAIT1 is said to be one, with tcp_orphan_retries as its fix', { skip: root ? false : 'needs root (network namespaces)', timeout: 60_000 }, async (t) => {
  t.after(() => {
    deleteNetns(A);
    deleteNetns(B);
  });
  vethPair(A, B, `so${process.pid % 100000}a`, `so${process.pid % 100000}b`, '10.93.0');
  const server = await netnsHolder(B, `l = socket.socket(); l.bind(('10.93.0.2', 9000)); l.listen(8)`);
  t.after(() => server.kill());
  // Connect, break the path (frames to the peer go to a MAC nobody has), close: the FIN is never acknowledged.
  const dev = `so${process.pid % 100000}a`;
  const client = inA([
    'python3',
    '-c',
    `import socket, subprocess, time
c = socket.socket(); c.connect(('10.93.0.2', 9000)); time.sleep(0.2)
subprocess.run(['ip', 'neigh', 'replace', '10.93.0.2', 'lladdr', '02:00:00:00:00:99', 'dev', '${dev}', 'nud', 'permanent'], check=True)
c.close()`,
  ]);
  assert.equal(client.status, 0, client.stderr);
  let ss = '';
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    ss = inA(['ss', '-tnoeH', 'state', 'fin-wait-1', '( dport = :9000 )']).stdout;
    if (/timer:\(on,[^,]+,([3-9]|\d\d)\)/.test(ss)) break;
    await sleep(250);
  }
  assert.match(ss, /timer:\(on,[^,]+,([3-9]|\d\d)\)/, `the orphan backs off: ${ss}`);
  assert.match(ss, /ino:0\b/, `an orphan (inode 0): ${ss}`);
  const out = inA(['bin/sockscope', '--json']);
  assert.equal(out.status, 0, out.stderr);
  const recs = (JSON.parse(out.stdout) as { recommendations: { id: string; evidence: string; fix: string }[] }).recommendations;
  const r = recs.find((x) => x.id === 'socket-retransmitting');
  assert.ok(r, `socket-retransmitting fires: ${recs.map((x) => x.id).join(', ')}`);
  assert.match(r.evidence, /FIN_WAIT1 \(orphan: closed, inode 0\)/, r.evidence);
  assert.match(r.fix, /net\.ipv4\.tcp_orphan_retries retransmissions or window probes \(0 means 8\)/, r.fix);
  assert.doesNotMatch(r.fix, /TCP_USER_TIMEOUT|keepalive|lower net\.ipv4\.tcp_retries2/, `no application setting for an orphan: ${r.fix}`);
  assert.match(r.fix, /ss -K -t state fin-wait-1 '\( dport = :9000 \)'/, r.fix);
});
