// The analyze printer on a report built from a synthetic snapshot: untrusted text shown escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnalyzeReport } from '../../src/report/analyze.js';
import { formatAnalyzeReport, formatStatesReport } from '../../src/report/print-analyze.js';
import { buildStatesReport } from '../../src/report/analyze.js';
import { fakeSnapshot, listener, proc, tcp } from '../helpers/fake-snapshot.js';

test('an IPv6 zone (interface name) with an escape sequence is escaped in the listeners table and the recommendations', () => {
  // Measured in a namespace: ip link add name $'v\e[31m' type veth ...; a listener on fe80::5%v\e[31m with a
  // full accept queue (ss -ltn: Recv-Q 4, Send-Q 3). analyze printed the raw ESC [31m.
  const l = listener('127.0.0.1:18030', 3, 4, [proc(24257, 'python3')]);
  const zoned = { ...l, ipVersion: 6 as const, local: { address: 'fe80::5', port: 18030, scope: 'v\u001b[31m' } };
  const peers = [1, 2, 3, 4].map((i) => tcp('127.0.0.1:18030', `127.0.0.1:${46000 + i}`, 'ESTABLISHED'));
  const snap = fakeSnapshot({ sockets: [zoned, ...peers.map((s) => ({ ...s, ipVersion: 6 as const, local: { ...zoned.local } }))] });
  const text = formatAnalyzeReport(buildAnalyzeReport(snap, { port: 18030 }), 160);
  assert.ok(!text.includes('\u001b'), text);
  assert.match(text, /fe80::5%v\\x1b\[31m/);
  assert.match(text, /Accept queue full on tcp \[fe80::5%v\\x1b\[31m\]:18030/);
  const states = formatStatesReport(buildStatesReport(snap, { port: 18030 }));
  assert.ok(!states.includes('\u001b'), states);
  assert.match(states, /^Recommendation: Accept queue full on tcp \[fe80::5%v\\x1b\[31m\]:18030/m);
});
