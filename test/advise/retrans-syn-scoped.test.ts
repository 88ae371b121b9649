// retransmissions-high under --port / --peer-port asserted a direction it could not see (review of 3e03cd2):
// TcpExt TCPSynRetrans counts the whole host, but the collection holds the scope's sockets only. With --port 9000
// this host's own connections in SYN_SENT (ephemeral local ports) are never collected, yet it said "SYN-ACK
// retransmissions ... no connection of this host in SYN_SENT" on a host with 600 of them (to port 81); with
// --peer-port the listeners' SYN_RECV are not collected and it always said "SYN retransmissions ... got no answer".
// Scoped, it now says what the scope's sockets show, that the rest was not collected, and where to look, and
// concludes no single direction; the whole-host view still tells the directions apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { fakeHistory, incoming, listener, outgoing, type FakeSnapshotOptions } from '../helpers/fake-snapshot.js';

const rec = (h: ReturnType<typeof fakeHistory>, scope: { port?: number; peerPort?: number } = {}) =>
  evaluateRules(makeContext({ snapshot: h[h.length - 1], history: h, ...scope })).find((r) => r.id === 'retransmissions-high');

// The repro's host, 4 samples 1 s apart: 2187 SYN/SYN-ACK retransmissions over 3 s (729 a second), no listen
// overflows; a listener on 9000 with 129 half-open connections whose SYN-ACKs are dropped, and 600 connections of
// its own to port 81 whose SYNs are dropped.
const host = (sockets: FakeSnapshotOptions['sockets']) =>
  fakeHistory(4, (i) => ({
    sockets,
    snmp: { Tcp: { RetransSegs: 100 + i * 729, OutSegs: 5000 + i * 400 } },
    netstat: { TcpExt: { TCPSynRetrans: 50 + i * 729, ListenOverflows: 3, ListenDrops: 3 } },
  }), 1000);
const l9000 = listener('0.0.0.0:9000', 128);
const halfOpen = incoming(129, '10.77.19.1:9000', 'SYN_RECV', {}, '10.77.19.2');
const attempts = outgoing(600, '10.77.19.1', '10.77.19.2:81', 'SYN_SENT');
// What each scope collects (report/analyze.ts scopeCollectOptions): --port 9000 local port 9000 only;
// --peer-port 81 the connections to 81, local port 81 and every listener.
const wholeHost = host([l9000, ...halfOpen, ...attempts]);
const port9000 = host([l9000, ...halfOpen]);
const peer81 = host([l9000, ...attempts]);

const NOT_SAID = /no connection of this host in SYN_(SENT|RECV)|^TCP retransmissions are SYN-ACK retransmissions|^TCP retransmissions are SYN retransmissions|got no answer/;

test('retransmissions-high --port: the SYN_RECV of the port are said as seen, SYN_SENT as not collected, no direction concluded', () => {
  const r = rec(port9000, { port: 9000 })!;
  assert.equal(r.severity, 'warning');
  assert.doesNotMatch(r.message, NOT_SAID);
  assert.match(
    r.message,
    /^TCP retransmissions are SYN or SYN-ACK retransmissions: 2187 of 2187 retransmitted segments in the last 3 s resent a handshake, not data lost; TcpExt TCPSynRetrans counts the whole host, and among the sockets of port 9000 read here are 129 half-open connections \(SYN_RECV\) \(tcp port 9000: 129\); this host's connection attempts from other local ports \(SYN_SENT\) and the sockets of other ports were not collected \(--port 9000\), so which side's handshakes they were cannot be told from these \(sockscope analyze without --port looks at every socket\)$/,
  );
  assert.match(r.evidence, /; among the sockets of port 9000: SYN_SENT per sample: 0 -> 0 -> 0 -> 0; SYN_RECV per sample: 129 -> 129 -> 129 -> 129$/);
  assert.match(r.fix, /^See both sides: sockscope analyze without --port, or ss -tn state syn-sent and ss -tn state syn-recv while TCPSynRetrans rises\. For SYN_RECV \(seen here\), find the half-open connections/);
  assert.match(r.fix, /ss -tn state syn-recv \(see syn-recv-high\)/);
  assert.match(r.fix, /ss -tn state syn-sent \(see syn-sent-unanswered\)/);
});

test('retransmissions-high --peer-port: the SYN_SENT to the port are said as seen, SYN_RECV as not collected, no direction concluded', () => {
  const r = rec(peer81, { peerPort: 81 })!;
  assert.equal(r.severity, 'warning');
  assert.doesNotMatch(r.message, NOT_SAID);
  assert.match(
    r.message,
    /^TCP retransmissions are SYN or SYN-ACK retransmissions: 2187 of 2187 .* not data lost; TcpExt TCPSynRetrans counts the whole host, and among the sockets of connections to port 81 read here are 600 connections in SYN_SENT \(to port 81: 600\); the half-open connections \(SYN_RECV\) on this host's listeners and the connections to other ports were not collected \(--peer-port 81\), so which side's handshakes they were cannot be told from these \(sockscope analyze without --peer-port looks at every socket\)$/,
  );
  assert.match(r.evidence, /; among the sockets of connections to port 81: SYN_SENT per sample: 600 -> 600 -> 600 -> 600; SYN_RECV per sample: 0 -> 0 -> 0 -> 0$/);
  assert.match(r.fix, /^See both sides: sockscope analyze without --peer-port, .* For SYN_SENT \(seen here\), find the connections waiting for an answer/);
});

test('retransmissions-high scoped with neither state among the scope\'s sockets: cannot tell, and names the flag to drop', () => {
  const p = rec(host([l9000]), { port: 9000 })!;
  assert.match(p.message, /^TCP retransmissions are SYN or SYN-ACK retransmissions: .* not data lost; no socket in SYN_SENT or SYN_RECV among those of port 9000 read here, so which side's handshakes they were cannot be told \(sockscope analyze without --port looks at every socket\)$/);
  const q = rec(host([l9000]), { peerPort: 81 })!;
  assert.match(q.message, /no socket in SYN_SENT or SYN_RECV among those of connections to port 81 read here, .*\(sockscope analyze without --peer-port looks at every socket\)$/);
  for (const r of [p, q]) assert.doesNotMatch(r.message, NOT_SAID);
});

test('retransmissions-high unscoped: the whole host still tells the directions apart', () => {
  const both = rec(wholeHost)!;
  assert.match(both.message, /^TCP retransmissions are SYN and SYN-ACK retransmissions: 2187 of 2187 .*\(600 connections of this host in SYN_SENT \(to port 81: 600\)\).*\(129 half-open connections \(SYN_RECV\) on this host's listeners \(tcp port 9000: 129\)\), not data lost$/);
  assert.match(both.evidence, /; SYN_SENT per sample: 600 -> 600 -> 600 -> 600; SYN_RECV per sample: 129 -> 129 -> 129 -> 129$/);
  const server = rec(port9000)!;
  assert.match(server.message, /^TCP retransmissions are SYN-ACK retransmissions: .*; no connection of this host in SYN_SENT\), not data lost$/);
  const client = rec(peer81)!;
  assert.match(client.message, /^TCP retransmissions are SYN retransmissions: .* got no answer .*600 connections of this host in SYN_SENT \(to port 81: 600\)\), not data lost$/);
});
