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
  const text = formatAnalyzeReport(buildAnalyzeReport(snap, { port: 18030 }));
  assert.ok(!text.includes('\u001b'), text);
  assert.match(text, /fe80::5%v\\x1b\[31m/);
  assert.match(text, /Accept queue full on tcp \[fe80::5%v\\x1b\[31m\]:18030/);
  const states = formatStatesReport(buildStatesReport(snap, { port: 18030 }));
  assert.ok(!states.includes('\u001b'), states);
  assert.match(states, /^Recommendation: Accept queue full on tcp \[fe80::5%v\\x1b\[31m\]:18030/m);
});

test('a UDP port: bytes waiting in an unconnected socket count in the port queues (analyze and the port summary)', async () => {
  // Measured: a UDP socket with an 8 KiB receive buffer, never read, fed datagrams (ss -uanm: Recv-Q 6912).
  // analyze said "Recv-Q 0 B" and ports[].recvQ was 0: the bytes showed only as the listener's accept queue.
  const { udp } = await import('../helpers/fake-snapshot.js');
  const { summarizePorts } = await import('../../src/model/aggregate.js');
  const u = { ...udp('127.0.0.1:18040'), recvQ: 6912, sendQ: 0 };
  const l = listener('127.0.0.1:18041', 128, 3); // a TCP listener's Recv-Q counts connections, not bytes
  const snap = fakeSnapshot({ sockets: [u, l] });
  const r = buildAnalyzeReport(snap, { port: 18040 });
  assert.equal(r.queues.recvQ, 6912);
  assert.match(formatAnalyzeReport(r), /Recv-Q 6912 B/);
  assert.equal(buildAnalyzeReport(snap, { port: 18041 }).queues.recvQ, 0, 'a listener\'s 3 pending connections are not bytes');
  const ports = summarizePorts(snap.sockets);
  assert.equal(ports.find((p) => p.protocol === 'udp' && p.port === 18040)?.recvQ, 6912);
  assert.equal(ports.find((p) => p.protocol === 'tcp' && p.port === 18041)?.recvQ, 0);
});

test("a remote host's kernel string is escaped in the header (a hostname with a newline once spilled into it)", () => {
  // Measured (review): sethostname "h\x1b[31m...\n\xc2\x9b\xe2\x80\xaeZ" on a host read with --host: the header held a raw CSI and RLO.
  const snap = fakeSnapshot({ sockets: [listener('127.0.0.1:18050', 16, 0)] });
  const text = formatAnalyzeReport(buildAnalyzeReport({ ...snap, kernel: '6.1\u009b\u202eZ\u001b[31m' }, { port: 18050 }));
  const header = text.split('\n')[0];
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e]/.test(header), JSON.stringify(header));
  assert.match(header, /kernel 6\.1\\u009b/);
});

test('a listener held by many forked workers: the table keeps its borders, the cell counts the rest', () => {
  // Measured (review): a prefork server (parent + 5 workers on one listener) in a 100-column report: Ink
  // wrapped the process cell inside the box, broke the borders and cut "127.0.0.1" to "127.0.". The table
  // is now drawn as wide as it needs, whatever the terminal.
  const workers = [16574, 16659, 16662, 16663, 16664, 16665].map((pid) => proc(pid, 'python3'));
  const snap = fakeSnapshot({ sockets: [listener('127.0.0.1:7034', 64, 0, workers)] });
  const r = buildAnalyzeReport(snap, { port: 7034 });
  assert.equal(r.listeners[0].processes.length, 6, 'the JSON lists every worker');
  const text = formatAnalyzeReport(r);
  const box = text.split('\n').filter((l) => /^[┌│├└]/.test(l) && text.indexOf(l) > text.indexOf('Listeners'));
  const rows = box.slice(0, 5);
  assert.equal(rows.length, 5, text);
  // Every line of the box starts and ends on a border, all of one width; no stray fragments.
  for (const l of rows) assert.match(l, /^[┌│├└].*[┐│┤┘]$/, l);
  assert.equal(new Set(rows.map((l) => l.length)).size, 1, rows.join('\n'));
  assert.match(rows[3], /│ 127\.0\.0\.1 │ 7034 │ 64 +│ 0\/64 +│ python3\/16574, python3\/16659, python3\/16662 \+3 more │/);
  assert.doesNotMatch(text, /^─/m, 'no border fragment on a line of its own');
});
