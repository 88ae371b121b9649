// retransmissions-high tells SYN retransmissions apart and divides by what was sent (review-churn #2).
// The review's 70 s (nstat): Tcp RetransSegs +4064, all of them TcpExt TCPSynRetrans (clients resending SYNs to
// a listener with backlog 1 that never accepts), OutSegs +2140, ListenOverflows +5459; sockscope said "196% of
// segments sent ... were retransmitted (packet loss or congestion)" at critical, with an ethtool/qdisc fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { fakeHistory, outgoing } from '../helpers/fake-snapshot.js';

const rec = (h: ReturnType<typeof fakeHistory>) => evaluateRules(makeContext({ snapshot: h[h.length - 1], history: h })).find((r) => r.id === 'retransmissions-high');
const pcts = (text: string) => [...text.matchAll(/(\d+(?:\.\d+)?)%/g)].map((m) => Number(m[1]));

// 11 samples 5.9 s apart (the review's 59 s window), counters rising evenly.
const review = (syn: (i: number) => number | undefined, listen = true) =>
  fakeHistory(11, (i) => ({
    snmp: { Tcp: { RetransSegs: 1000 + i * 406, OutSegs: 50_000 + i * 214 } },
    netstat: { TcpExt: { ...(syn(i) !== undefined ? { TCPSynRetrans: syn(i)! } : {}), TCPTimeouts: 900 + i * 406, ListenOverflows: 10 + (listen ? i * 546 : 0), ListenDrops: 10 + (listen ? i * 546 : 0) } },
  }), 5_900);

test('retransmissions-high: SYN retransmissions from a full accept queue are not called packet loss', () => {
  const r = rec(review((i) => 700 + i * 406));
  assert.ok(r, 'still reported: the header shows the retransmissions, the finding says what they are');
  assert.equal(r.severity, 'warning');
  assert.doesNotMatch(r.message, /packet loss or congestion/);
  assert.match(r.message, /^TCP retransmissions are SYN retransmissions from a full accept queue: 4060 of 4060 retransmitted segments in the last 59 s resent a handshake while a local listener dropped connections \(ListenOverflows \+5460, ListenDrops \+5460\), not packet loss/);
  assert.doesNotMatch(r.fix, /ethtool|tc -s qdisc|tracepath/);
  assert.match(r.fix, /ss -ltn; see accept-queue-full and listen-overflows-rising/);
  assert.match(r.evidence, /TCPSynRetrans \+4060/);
  // Every share is of what was sent (OutSegs + RetransSegs = 6200), so none can pass 100%.
  assert.match(r.evidence, /^65\.5% of the 6200 segments sent were SYN or SYN-ACK retransmissions, 0% other retransmissions/);
  for (const p of pcts(`${r.message} ${r.evidence}`)) assert.ok(p <= 100, `${p}% in ${r.message} / ${r.evidence}`);
});

test('retransmissions-high: SYN retransmissions without listen overflows, with connections in SYN_SENT, point at unanswered connection attempts', () => {
  const h = review((i) => 700 + i * 406, false);
  h[h.length - 1].sockets = outgoing(5, '10.0.0.1', '10.99.0.3:80', 'SYN_SENT');
  const r = rec(h);
  assert.ok(r);
  assert.equal(r.severity, 'warning');
  assert.match(r.message, /^TCP retransmissions are SYN retransmissions: 4060 of 4060 .* got no answer/);
  assert.match(r.fix, /ss -tn state syn-sent \(see syn-sent-unanswered\)/);
});

test('retransmissions-high: real loss beside SYN retransmissions is judged without them', () => {
  // 406 retransmitted per sample, 206 of them SYNs: 200 others over 214 + 406 sent = 32% loss.
  const r = rec(review((i) => 700 + i * 206));
  assert.ok(r);
  assert.equal(r.severity, 'critical');
  assert.match(r.message, /^TCP retransmissions are high: 32\.3% of segments sent in the last 59 s were retransmitted \(SYN retransmissions left out\) \(packet loss or congestion\)/);
  assert.match(r.evidence, /Tcp RetransSegs \+4060, OutSegs \+2140 over 11 samples \(ratio to OutSegs \+ RetransSegs; warning at 2%\); TcpExt TCPSynRetrans \+2060 \(SYN and SYN-ACK retransmissions, while TcpExt ListenOverflows \+5460, ListenDrops \+5460\)/);
  assert.match(r.fix, /ethtool -S IFACE/);
  // 3% retransmitted, most of them SYNs: 0.49% loss is below the threshold; what is left is SYN retransmissions.
  const synMostly = fakeHistory(4, (i) => ({ snmp: { Tcp: { RetransSegs: i * 300, OutSegs: i * 10_000 } }, netstat: { TcpExt: { TCPSynRetrans: i * 250 } } }));
  const s = rec(synMostly);
  assert.ok(s);
  assert.doesNotMatch(s.message, /packet loss/);
  assert.match(s.evidence, /^2\.43% of the 30900 segments sent were SYN or SYN-ACK retransmissions, 0\.49% other retransmissions/);
});

test('retransmissions-high: without TCPSynRetrans every retransmission counts as loss, of what was sent', () => {
  const r = rec(review(() => undefined));
  assert.ok(r);
  // 4060 / (2140 + 4060): 65.5%, not the 190% of RetransSegs / OutSegs.
  assert.match(r.message, /^TCP retransmissions are high: 65\.5% of segments sent in the last 59 s were retransmitted \(packet loss or congestion\)/);
  assert.doesNotMatch(r.evidence, /TCPSynRetrans/);
});
