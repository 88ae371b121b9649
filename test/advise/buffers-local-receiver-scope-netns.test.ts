// buffer-below-bdp under analyze --peer-port called a 127.0.0.1 receiver "remote peer ... the receiver is on
// another host" (review s18 #2), while the whole-host run of the same moment had no finding: it holds the
// receiving socket (local port 7062) and its rcvbuf. Measured (6.18, a namespace of its own): a server on
// 127.0.0.1:7062 reading everything, a client sending in bulk, then nft dropping dport 7062: the client was
// rwnd-limited 99% of busy time; --peer-port 7062 said "receiver's rcvbuf unknown (remote peer)". The same
// connection gets the same verdict in both scopes now (--peer-port P also collects local port P), and a
// local receiver left out of a snapshot is never called remote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { fakeSnapshot, tcp } from '../helpers/fake-snapshot.js';
import { blackholedBulk, inNetns } from '../helpers/blackholed-bulk.js';

const NS = `sockscope-bufscope-${process.pid}`;
const root = process.getuid?.() === 0;

const inNs = (args: string[]) => inNetns(NS, args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Rec = { id: string; message: string; evidence: string; fix: string; peerPort?: number };

test('buffer-below-bdp: a loopback receiver gets the same verdict under --peer-port as in the whole-host run, never "remote"', { skip: root ? false : 'needs root (network namespace)', timeout: 60_000 }, async (t) => {
  await blackholedBulk(t, NS, 7062);
  await sleep(2000);
  const recs = (args: string[]) => (JSON.parse(inNs(['bin/sockscope', 'analyze', ...args, '--samples', '2', '--sample-interval', '1s', '--json'])) as { recommendations: Rec[] }).recommendations;
  const scoped = recs(['--peer-port', '7062']);
  const host = recs([]).filter((r) => r.peerPort === 7062);
  for (const r of scoped) {
    assert.doesNotMatch(`${r.evidence} ${r.fix}`, /remote peer|another host|on the receiving host/, `${r.id} calls the loopback receiver remote`);
  }
  const verdict = (list: Rec[]) => list.find((r) => r.id === 'buffer-below-bdp')?.message ?? 'none';
  assert.equal(verdict(scoped), verdict(host), 'the same connection, the same buffer-below-bdp verdict in both scopes');
  // The library's analyze collects what the command does (scopeCollectOptions): the receiver is in its snapshot too.
  const lib = String.raw`import { analyze } from ${JSON.stringify(`${process.cwd()}/dist/index.js`)};
const r = await analyze({ peerPort: 7062 });
process.stdout.write(JSON.stringify(r.recommendations));`;
  const library = JSON.parse(inNs(['node', '--input-type=module', '-e', lib])) as Rec[];
  const once = recs(['--peer-port', '7062']);
  for (const r of library) assert.doesNotMatch(`${r.evidence} ${r.fix}`, /remote peer|another host|not collected in this scope/, `library analyze: ${r.id} left the loopback receiver out`);
  assert.equal(verdict(library) === 'none', verdict(once) === 'none', 'library and CLI: buffer-below-bdp in both or in neither');
});

test('buffer-below-bdp: a loopback receiver missing from the snapshot is "on this host, not collected", not remote', () => {
  const rwndLimited = { rttUs: 20, busyUs: 5_000_000, rwndLimitedUs: 4_950_000, deliveryRate: 1_500_000, bytesAcked: 7_000_000 };
  const sender = (peer: string) => tcp('127.0.0.1:40000', peer, 'ESTABLISHED', { sendQ: 100_000, tcpInfo: rwndLimited, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 4194304, wmemQueued: 120_000 } });
  const find = (peer: string) => evaluateRules(makeContext({ snapshot: fakeSnapshot({ sockets: [sender(peer)] }), peerPort: 7062 })).find((r) => r.id === 'buffer-below-bdp')!;
  const local = find('127.0.0.1:7062');
  assert.match(local.evidence, /receiver's rcvbuf unknown \(a socket of this host not collected in this scope\)/);
  assert.match(local.evidence, /the receiver \(127\.0\.0\.1:7062\) is on this host but not in this collection/);
  assert.match(local.fix, /^Receiver \(127\.0\.0\.1:7062, on this host\): look at the receiving socket on this host: sockscope buffers --port 7062/);
  assert.doesNotMatch(`${local.evidence} ${local.fix}`, /remote peer|another host|on the receiving host/);
  // A peer on another host is still remote.
  assert.match(find('203.0.113.9:7062').evidence, /unknown \(remote peer\).*the receiver is on another host/);
  // In the snapshot without its socket memory (a collection that details some sockets only): on this host, not remote.
  const receiver = tcp('127.0.0.1:7062', '127.0.0.1:40000', 'ESTABLISHED');
  const listed = evaluateRules(makeContext({ snapshot: fakeSnapshot({ sockets: [sender('127.0.0.1:7062'), receiver] }), peerPort: 7062 })).find((r) => r.id === 'buffer-below-bdp')!;
  assert.match(listed.evidence, /receiver's rcvbuf unknown \(a socket of this host whose socket memory was not collected\)/);
  assert.match(listed.evidence, /the receiver \(127\.0\.0\.1:7062\) is on this host but its socket memory was not collected/);
  assert.doesNotMatch(`${listed.evidence} ${listed.fix}`, /remote peer|another host|on the receiving host/);
});

// The monitor's port views detail one port only (CollectOptions.detailsFor): the outgoing view to 7062 and the
// local view of 7062 saw the receiver without socket memory and called it remote (diff review s21 #1). The scope
// covers the port at either end, so both ends of this host's own connection are detailed; the verdict for the same
// moment is the one with every socket detailed. Both directions: the client sending (the receiver is 127.0.0.1:7062)
// and the server sending (the receiver is the client's ephemeral port, outside a local-port-only scope).
for (const serverSends of [false, true]) {
  test(`buffer-below-bdp in the monitor's scoped collection, ${serverSends ? 'the server' : 'the client'} sending: both ends detailed, the whole-host verdict`, { skip: root ? false : 'needs root (network namespace)', timeout: 60_000 }, async (t) => {
    const ns = `${NS}-${serverSends ? 's' : 'c'}`;
    await blackholedBulk(t, ns, 7062, { serverSends });
    await sleep(2000);
    const script = String.raw`
import { NetlinkSource } from ${JSON.stringify(`${process.cwd()}/src/collect/netlink.ts`)};
import { evaluateRules, makeContext } from ${JSON.stringify(`${process.cwd()}/src/advise/index.ts`)};
const src = new NetlinkSource();
const out = {};
const recs = (snap, o) => evaluateRules(makeContext({ snapshot: snap, ...o })).map((r) => ({ id: r.id, message: r.message, evidence: r.evidence, fix: r.fix }));
for (const [name, extra] of [['all', {}], ['scoped', { detailsFor: { protocol: 'tcp', port: 7062 } }]]) {
  const snap = await src.collect({ protocols: ['tcp', 'udp'], processes: 'all', details: true, ...extra });
  const ends = snap.sockets.filter((s) => s.protocol === 'tcp' && s.state === 'ESTABLISHED' && (s.local.port === 7062 || s.peer.port === 7062));
  out[name] = { ends: ends.map((s) => ({ local: s.local.port, skmem: !!s.skmem, tcpInfo: !!s.tcpInfo })), peerView: recs(snap, { peerPort: 7062 }), localView: recs(snap, { port: 7062 }) };
}
process.stdout.write(JSON.stringify(out));`;
    type Got = { ends: { local: number; skmem: boolean; tcpInfo: boolean }[]; peerView: Rec[]; localView: Rec[] };
    const got = JSON.parse(inNetns(ns, ['node', '--import', 'tsx', '--input-type=module', '-e', script])) as Record<'all' | 'scoped', Got>;
    assert.equal(got.scoped.ends.length, 2, 'both ends of the connection are on this host');
    for (const e of got.scoped.ends) assert.ok(e.skmem && e.tcpInfo, `the end on port ${e.local} is detailed in the scoped collection`);
    const verdict = (list: Rec[]) => list.find((r) => r.id === 'buffer-below-bdp')?.message.replace(/\d+(\.\d+)?/g, 'N') ?? 'none';
    for (const view of ['peerView', 'localView'] as const) {
      for (const r of got.scoped[view]) assert.doesNotMatch(`${r.evidence} ${r.fix}`, /remote peer|another host|on the receiving host|not collected in this scope/, `${view}: ${r.id} leaves the loopback receiver out`);
      assert.equal(verdict(got.scoped[view]), verdict(got.all[view]), `${view}: the same buffer-below-bdp verdict with one port detailed as with every socket`);
    }
  });
}
