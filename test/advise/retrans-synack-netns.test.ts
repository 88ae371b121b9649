// retransmissions-high on a SYN-flooded server sent the reader to syn-sent: with only SYN and SYN-ACK
// retransmissions (TcpExt TCPSynRetrans counts both) and no ListenOverflows it said "resent a handshake that got
// no answer (a destination down ...)" and "Find the connections waiting for an answer: ss -tn state syn-sent",
// on a host with 129 SYN_RECV and no SYN_SENT (syn-recv-high critical in the same report). The sockets of the
// window now tell the directions apart: SYN_RECV -> SYN-ACK retransmissions to clients that do not complete
// the handshake; SYN_SENT -> this host's unanswered attempts; both -> both; neither -> cannot tell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { fakeHistory, incoming, listener, outgoing, type FakeSnapshotOptions } from '../helpers/fake-snapshot.js';
import { inNetns } from '../helpers/blackholed-bulk.js';
import { deleteNetns, vethPair } from '../helpers/netns.js';

const rec = (h: ReturnType<typeof fakeHistory>, port?: number) =>
  evaluateRules(makeContext({ snapshot: h[h.length - 1], history: h, ...(port !== undefined ? { port } : {}) })).find((r) => r.id === 'retransmissions-high');

// 4 samples 1 s apart: 86 SYN/SYN-ACK retransmissions and 400 segments sent per second, no listen overflows.
const flood = (sockets: (i: number) => FakeSnapshotOptions['sockets']) =>
  fakeHistory(4, (i) => ({
    sockets: sockets(i),
    snmp: { Tcp: { RetransSegs: 100 + i * 86, OutSegs: 5000 + i * 400 } },
    netstat: { TcpExt: { TCPSynRetrans: 50 + i * 86, ListenOverflows: 3, ListenDrops: 3 } },
  }), 1000);

test('retransmissions-high: SYN-only retransmissions are told apart by the SYN_RECV and SYN_SENT sockets present', () => {
  // A SYN-flooded server: 129 half-open on its listener, no SYN_SENT.
  const server = rec(flood(() => [listener('0.0.0.0:9000', 128), ...incoming(129, '10.77.0.1:9000', 'SYN_RECV', {}, '10.77.0.2')]))!;
  assert.equal(server.severity, 'warning');
  assert.match(server.message, /^TCP retransmissions are SYN-ACK retransmissions: 258 of 258 retransmitted segments in the last 3 s resent this host's handshake replies to clients that did not complete the handshake \(129 half-open connections \(SYN_RECV\) on this host's listeners \(tcp port 9000: 129\); no connection of this host in SYN_SENT\), not data lost$/);
  assert.doesNotMatch(`${server.message} ${server.fix}`, /syn-sent|got no answer|destination down/);
  assert.match(server.fix, /^Find the half-open connections: ss -tn state syn-recv \(see syn-recv-high\): clients that do not complete the handshake/);
  assert.match(server.evidence, /SYN or SYN-ACK retransmissions.*; SYN_SENT per sample: 0 -> 0 -> 0 -> 0; SYN_RECV per sample: 129 -> 129 -> 129 -> 129$/);
  // A client whose connections are unanswered: as before.
  const client = rec(flood(() => outgoing(6, '10.0.0.1', '10.99.0.3:80', 'SYN_SENT')))!;
  assert.match(client.message, /^TCP retransmissions are SYN retransmissions: 258 of 258 .* resent a handshake that got no answer \(a destination down, filtered or overloaded; 6 connections of this host in SYN_SENT \(to port 80: 6\)\), not data lost$/);
  assert.match(client.fix, /^Find the connections waiting for an answer: ss -tn state syn-sent \(see syn-sent-unanswered\)/);
  assert.doesNotMatch(client.fix, /syn-recv/);
  // Both: both said.
  const both = rec(flood((i) => [listener('0.0.0.0:9000', 128), ...incoming(40 + i, '10.77.0.1:9000', 'SYN_RECV'), ...outgoing(2, '10.0.0.1', '10.99.0.3:80', 'SYN_SENT')]))!;
  assert.match(both.message, /^TCP retransmissions are SYN and SYN-ACK retransmissions: .*\(2 connections of this host in SYN_SENT \(to port 80: 2\)\).*\(43 half-open connections \(SYN_RECV\) on this host's listeners \(tcp port 9000: 43\)\), not data lost$/);
  assert.match(both.fix, /ss -tn state syn-sent .*; and the half-open connections: ss -tn state syn-recv/);
  // Neither (they have gone by the samples): it cannot tell, and says so; scoped to a port, it says where to look.
  const none = rec(flood(() => [listener('0.0.0.0:9000', 128)]))!;
  assert.match(none.message, /^TCP retransmissions are SYN or SYN-ACK retransmissions: 258 of 258 .* not data lost; no socket was in SYN_SENT or SYN_RECV in the samples, so which side's handshakes they were .* cannot be told$/);
  assert.match(none.fix, /ss -tn state syn-sent and ss -tn state syn-recv/);
  const scoped = rec(flood(() => [listener('0.0.0.0:9000', 128)]), 9000)!;
  assert.match(scoped.message, /no socket in SYN_SENT or SYN_RECV among those of port 9000 read here, .*sockscope analyze without --port/);
});

const S = `sockscope-sas-${process.pid}`;
const C = `sockscope-sac-${process.pid}`;
const BIN = resolve('bin/sockscope');

// The server (S) also opens 300 connections of its own to port 81, whose SYNs C drops: TCPSynRetrans counts both
// directions on the whole host, while analyze --port 9000 reads none of S's SYN_SENT (ephemeral local ports) and
// --peer-port 81 none of its SYN_RECV. Scoped, it said "SYN-ACK retransmissions ... no connection of this host in
// SYN_SENT" (--port) or "SYN retransmissions ... got no answer" (--peer-port); now only the whole host concludes.
test('retransmissions-high in namespaces: a SYN-flooded server that also makes unanswered connections: both sides on the whole host, no side concluded under --port or --peer-port', { timeout: 120_000 }, async (t) => {
  const kids: ChildProcess[] = [];
  t.after(() => {
    for (const k of kids) k.kill('SIGKILL');
    deleteNetns(S);
    deleteNetns(C);
  });
  vethPair(S, C, `sas${process.pid % 10000}`, `sac${process.pid % 10000}`, '10.77.9');
  inNetns(S, ['sysctl', '-qw', 'net.ipv4.tcp_syncookies=1']);
  // C drops the server's SYN-ACKs (sport 9000) and every SYN to its port 81 (S's attempts go unanswered).
  inNetns(C, ['nft', '-f', '-'], 'table inet rv {\n  chain in {\n    type filter hook input priority 0\n    tcp sport 9000 drop\n    tcp dport 81 drop\n  }\n}\n');
  const start = (ns: string, code: string) => {
    const k = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    kids.push(k);
    return new Promise<void>((res, rej) => {
      k.stdout!.once('data', () => res());
      k.once('exit', (code) => rej(new Error(`python3 in ${ns} exited with ${code}`)));
    });
  };
  const flood = (host: string, port: number, n: number) => `
cs = []
for i in range(${n}):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('${host}', ${port}))
    except BlockingIOError: pass
    cs.append(c)
`;
  await start(S, `import socket, time\ns = socket.socket(); s.bind(('0.0.0.0', 9000)); s.listen(128)\n${flood('10.77.9.2', 81, 300)}\nprint('ready', flush=True)\ntime.sleep(60)`);
  await start(C, `import socket, time\n${flood('10.77.9.1', 9000, 1000)}\nprint('ready', flush=True)\ntime.sleep(60)`);
  // The three views over the same seconds, side by side.
  const analyze = (scope: string[]) =>
    new Promise<{ id: string; severity: string; message: string; evidence: string; fix: string }[]>((res, rej) => {
      const k = spawn('ip', ['netns', 'exec', S, BIN, 'analyze', ...scope, '--samples', '4', '--sample-interval', '1s', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      kids.push(k);
      let out = '';
      let err = '';
      k.stdout!.on('data', (d: Buffer) => (out += d));
      k.stderr!.on('data', (d: Buffer) => (err += d));
      k.once('exit', () => (out ? res(JSON.parse(out).recommendations) : rej(new Error(`analyze ${scope.join(' ')}: ${err}`))));
    });
  const [whole, port, peer] = await Promise.all([analyze([]), analyze(['--port', '9000']), analyze(['--peer-port', '81'])]);
  const find = (recs: typeof whole, what: string) => {
    const re = recs.find((x) => x.id === 'retransmissions-high');
    assert.ok(re, `retransmissions-high fires for ${what} (got ${recs.map((x) => x.id).join(', ')})`);
    assert.equal(re.severity, 'warning');
    return re;
  };
  const w = find(whole, 'analyze');
  assert.match(w.message, /^TCP retransmissions are SYN and SYN-ACK retransmissions: (\d+) of \1 .*\(300 connections of this host in SYN_SENT \(to port 81: 300\)\).*\(\d+ half-open connections \(SYN_RECV\) on this host's listeners \(tcp port 9000: \d+\)\), not data lost$/);
  const p = find(port, 'analyze --port 9000');
  assert.ok(port.some((x) => x.id === 'syn-recv-high'), port.map((x) => x.id).join(', '));
  assert.match(p.message, /^TCP retransmissions are SYN or SYN-ACK retransmissions: (\d+) of \1 .* among the sockets of port 9000 read here are \d+ half-open connections \(SYN_RECV\) \(tcp port 9000: \d+\); this host's connection attempts from other local ports \(SYN_SENT\) and the sockets of other ports were not collected \(--port 9000\), .*\(sockscope analyze without --port looks at every socket\)$/);
  assert.match(p.evidence, /; among the sockets of port 9000: SYN_SENT per sample: 0 -> 0 -> 0 -> 0; SYN_RECV per sample: \d+/);
  const q = find(peer, 'analyze --peer-port 81');
  assert.match(q.message, /^TCP retransmissions are SYN or SYN-ACK retransmissions: (\d+) of \1 .* among the sockets of connections to port 81 read here are 300 connections in SYN_SENT \(to port 81: 300\); the half-open connections \(SYN_RECV\) on this host's listeners .* not collected \(--peer-port 81\), .*\(sockscope analyze without --peer-port looks at every socket\)$/);
  for (const r of [p, q]) assert.doesNotMatch(r.message, /no connection of this host in SYN_(SENT|RECV)|^TCP retransmissions are SYN(-ACK)? retransmissions:|got no answer/);
});
