// EADDRNOTAVAIL with ports held by sockets closed by their program, by state: an orphaned FIN_WAIT2 socket lives
// net.ipv4.tcp_fin_timeout after its close whatever the peer does; LAST_ACK and CLOSING (the peer has already closed)
// and FIN_WAIT1 wait for the peer to acknowledge their FIN. 7affbdd2 said of all of them "waiting for the peer to
// close its end" and "freed only when the peer closes its end" (diff review s25 dB #2). Pure: the diagnosis of a
// context as connect-explain.ts builds it (a LAST_ACK that lasts cannot be made on loopback, whose ACK comes at once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseConnectError, type ExistingSockets } from '../../src/knowledge/interpret-connect.js';

const existing = (closedByProgram: Record<string, number>): ExistingSockets => ({
  total: 0,
  states: {},
  retransTotal: 0,
  timeWait: 0,
  portRange: { low: 40000, high: 40003, size: 4, used: 0, timeWait: 0, closed: 4 },
  closedByProgram,
});

test('LAST_ACK and CLOSING: waiting for the peer to acknowledge their FIN, never "for the peer to close its end"', () => {
  const d = diagnoseConnectError('EADDRNOTAVAIL', { address: '10.0.0.9', port: 80, existing: existing({ LAST_ACK: 3, CLOSING: 1 }), finTimeout: 60 });
  assert.match(d.summary, /4 closed by their program: LAST_ACK 3, CLOSING 1\) against 4 ephemeral ports \(40000-40003\); the 4 in LAST_ACK, CLOSING wait for the peer to acknowledge their FIN: freed when it does, or when the kernel gives up resending it \(net\.ipv4\.tcp_orphan_retries\)$/, d.summary);
  assert.doesNotMatch(d.summary, /peer to close|tcp_fin_timeout/);
  assert.ok(!d.nextSteps.some((s) => s.includes('tcp_fin_timeout')), d.nextSteps.join('\n'));
});

test('FIN_WAIT2: tcp_fin_timeout with its value, and lowering it as a next step when it is above 15 s', () => {
  const d = diagnoseConnectError('EADDRNOTAVAIL', { address: '10.0.0.9', port: 80, existing: existing({ FIN_WAIT2: 4 }), finTimeout: 60 });
  assert.match(d.summary, /; the 4 in FIN_WAIT2 wait for a FIN the peer has not sent, and the kernel frees each net\.ipv4\.tcp_fin_timeout \(60 s\) after its close even if the peer never sends one$/, d.summary);
  assert.ok(d.nextSteps.includes('sysctl -w net.ipv4.tcp_fin_timeout=15   (now 60 s: how long a FIN_WAIT2 socket whose program closed it holds its local port)'), d.nextSteps.join('\n'));
  const unknown = diagnoseConnectError('EADDRNOTAVAIL', { address: '10.0.0.9', port: 80, existing: existing({ FIN_WAIT2: 1, FIN_WAIT1: 1 }) });
  assert.match(unknown.summary, /the one in FIN_WAIT2 waits for a FIN the peer has not sent, and the kernel frees it net\.ipv4\.tcp_fin_timeout after its close even if the peer never sends one; the one in FIN_WAIT1 waits for the peer to acknowledge its FIN/, unknown.summary);
});
