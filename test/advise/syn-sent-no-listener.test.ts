// syn-sent-unanswered for SYNs to this host with no listener there (review s16 #1). With nothing listening,
// the kernel answers a SYN with RST (connect() fails with ECONNREFUSED at once), so SYNs that go unanswered
// can only have been dropped by a firewall rule on this host; the finding told the user to "accept faster on
// the local listener" all the same. Measured (6.18, a namespace of its own): 4 non-blocking connect()s to
// 127.0.0.1:9999 with nothing on 9999 get ECONNREFUSED; with `nft add rule inet t input tcp dport 9999 drop`
// (or the same rule on the output hook) they sit in SYN_SENT, timer:(on,...,N); the same for [::1]:9999.
// A snapshot that holds every listener (the whole host: monitor, exporter, a plain analyze) then says the firewall drops
// them; one that cannot tell (analyze --peer-port P collecting only the connections, no listener) names both
// causes and its fix covers both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, listener, outgoing, proc, udp } from '../helpers/fake-snapshot.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const stuck = (peer: string, n = 4) => outgoing(n, peer.startsWith('[') ? '::1' : '127.0.0.1', peer, 'SYN_SENT', { sendQ: 1, timer: { name: 'on', expiresMs: 900, retrans: 3 }, processes: [proc(700, 'python3')] });
const find = (snap: Snapshot, o: { port?: number; peerPort?: number } = {}) => evaluateRules(makeContext({ snapshot: snap, ...o })).find((r) => r.id === 'syn-sent-unanswered');

test('syn-sent-unanswered: no listener on this host in a whole-host snapshot means a firewall drops the SYNs', () => {
  const r = find(fakeSnapshot({ sockets: [listener('0.0.0.0:22', 128), ...stuck('127.0.0.1:9999')] }))!;
  assert.ok(r, 'syn-sent-unanswered fires');
  assert.match(r.message, /^4 connections from python3 \(pid 700\) to 127\.0\.0\.1:9999 hang in SYN_SENT: nothing on this host listens on 127\.0\.0\.1:9999, where the kernel would answer RST \(connection refused\), so a firewall rule on this host drops the SYNs$/);
  assert.doesNotMatch(r.message, /accept queue/);
  assert.doesNotMatch(r.fix, /Accept faster|backlog/);
  assert.match(r.fix, /^Find the rule that drops them: nft list ruleset and iptables -S \(a drop, or a drop policy with no accept, for tcp port 9999 on the input or output hook/);
  assert.doesNotMatch(r.fix, /ip6tables/);
  assert.match(r.evidence, /; no TCP listener serves 127\.0\.0\.1:9999 \(this snapshot holds every listener\)/);
  // IPv6: ip6tables.
  const v6 = find(fakeSnapshot({ sockets: stuck('[::1]:9999') }))!;
  assert.match(v6.message, /nothing on this host listens on \[::1\]:9999/);
  assert.match(v6.fix, /nft list ruleset and ip6tables -S/);
  // A listener bound to 127.0.0.1 only does not serve 127.0.0.2: RST there too.
  const other = find(fakeSnapshot({ sockets: [listener('127.0.0.1:9999', 128), ...stuck('127.0.0.2:9999')] }))!;
  assert.match(other.message, /nothing on this host listens on 127\.0\.0\.2:9999/);
});

test('syn-sent-unanswered: a --peer-port snapshot (no listeners collected) names both causes and its fix covers both', () => {
  const r = find(fakeSnapshot({ sockets: stuck('127.0.0.1:9999') }), { peerPort: 9999 })!;
  assert.match(r.message, /the destination is this host, where unanswered SYNs mean a listener whose accept queue is full \(sockscope analyze --port 9999\) or a local firewall rule that drops them$/);
  assert.match(r.evidence, /destination on this host; this snapshot holds the connections to port 9999, not the listeners/);
  // The fix covers the firewall as well as the listener, and says how to tell which.
  assert.match(r.fix, /ss -ltn 'sport = :9999'/);
  assert.match(r.fix, /accept faster and raise its backlog \(sockscope analyze --port 9999: its accept-queue finding\)/);
  assert.match(r.fix, /if none does, the kernel would answer RST, so a firewall rule on this host drops the SYNs: nft list ruleset, iptables -S/);
  // A --peer-port collection that asked for every listener as well (peer port 0: a TCP listener in it, on
  // another port) holds them all: nothing serves 9999, so a firewall. A UDP one does not say that.
  assert.match(find(fakeSnapshot({ sockets: [listener('0.0.0.0:22', 128), ...stuck('127.0.0.1:9999')] }), { peerPort: 9999 })!.message, /so a firewall rule on this host drops the SYNs$/);
  assert.match(find(fakeSnapshot({ sockets: [udp('0.0.0.0:53'), ...stuck('127.0.0.1:9999')] }), { peerPort: 9999 })!.message, /a listener whose accept queue is full/);
  // A full listener in the snapshot is still named, whatever the scope.
  const full = find(fakeSnapshot({ sockets: [listener('127.0.0.1:9999', 1, 2), ...stuck('127.0.0.1:9999')] }), { peerPort: 9999 })!;
  assert.match(full.message, /the listener 127\.0\.0\.1:9999 on this host has 2 connections waiting for accept\(\), a full accept queue/);
});

// The reviewer's reproduction, in a namespace of the test's own: an nft rule dropping tcp dport 9999 and
// nothing listening on it; 4 non-blocking connect()s hang in SYN_SENT.
const NS = `sockscope-synfw-${process.pid}`;
const root = process.getuid?.() === 0;

function inNs(args: string[], input?: string): string {
  const r = spawnSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 30_000, input });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('syn-sent-unanswered on a real firewall drop with no listener: whole host says firewall, --peer-port covers both', { skip: root ? false : 'needs root (network namespace)', timeout: 30_000 }, async (t) => {
  createNetns(NS);
  let holder: ChildProcess | undefined;
  t.after(() => {
    holder?.kill('SIGKILL');
    deleteNetns(NS);
  });
  inNs(['nft', '-f', '-'], 'table inet sockscope_test {\n  chain input {\n    type filter hook input priority 0\n    tcp dport 9999 drop\n  }\n}\n');
  const code = String.raw`
import socket, time
keep = []
for i in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', 9999))
    except BlockingIOError: pass
    keep.append(c)
print('ready', flush=True)
time.sleep(30)
`;
  holder = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res) => holder!.stdout!.once('data', () => res()));
  // The first SYN retransmission comes after 1 s: wait for it (the finding wants an unanswered SYN).
  const deadline = Date.now() + 10_000;
  while (!/timer:\(on,[^,]+,[1-9]/.test(inNs(['ss', '-tanoH', 'state', 'syn-sent'])) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const rec = (args: string[]) =>
    (JSON.parse(inNs(['bin/sockscope', ...args, '--json'])) as { recommendations: { id: string; message: string; fix: string }[] }).recommendations.find((r) => r.id === 'syn-sent-unanswered');
  const host = rec(['analyze']);
  assert.ok(host, 'syn-sent-unanswered in the whole-host analyze');
  assert.match(host.message, /^4 connections(?: from python3 \(pid \d+\))? to 127\.0\.0\.1:9999 hang in SYN_SENT: nothing on this host listens on 127\.0\.0\.1:9999, where the kernel would answer RST \(connection refused\), so a firewall rule on this host drops the SYNs$/);
  assert.doesNotMatch(host.fix, /Accept faster/);
  assert.match(host.fix, /nft list ruleset and iptables -S/);
  const scoped = rec(['analyze', '--peer-port', '9999']);
  assert.ok(scoped, 'syn-sent-unanswered in analyze --peer-port 9999');
  assert.match(scoped.message, /a listener whose accept queue is full \(sockscope analyze --port 9999\) or a local firewall rule that drops them$/);
  assert.match(scoped.fix, /if none does, the kernel would answer RST, so a firewall rule on this host drops the SYNs: nft list ruleset, iptables -S/);
});
