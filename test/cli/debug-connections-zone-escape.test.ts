// debug-connections with an IPv6 zone (%IFACE) that holds terminal controls: the zone is an interface name,
// untrusted text, so every line of the text report shows it escaped (README: interface names are shown with control
// characters escaped everywhere), the address and resolve lines as much as the route, meaning and verdict lines.
// The CLI run needs no interface: a zone that names none fails with EINVAL. The pure case covers the lines a real
// zoned socket fills (the local end, a listener, the server's ends, an error's message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProbe } from '../../src/cli/commands/debug-connections-run.js';
import type { ProbeResult } from '../../src/collect/connect-probe.js';
import { sockscope } from '../collect/getsockopt-helpers.js';

const ZONE = 'x\x1b[2J\x1b[31mRED\x07\u202e\u009b';
const ZONE_ESCAPED = 'x\\x1b[2J\\x1b[31mRED\\x07\\u202e\\u009b';
// C0 controls but newline, DEL, C1 controls, and the bidi override: none may reach the terminal raw.
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

test('a zone with terminal controls is escaped on every line of the text report, the first three included', { timeout: 30_000 }, () => {
  const r = sockscope(['debug-connections', '--address', `[fe80::1%${ZONE}]:47150`, '--timeout', '500ms']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  for (const line of lines) assert.doesNotMatch(line, RAW, `raw control character in: ${JSON.stringify(line)}`);
  assert.equal(lines[0], `[fe80::1%${ZONE_ESCAPED}]:47150`);
  assert.equal(lines[1], `resolve: fe80::1%${ZONE_ESCAPED} (literal address)`);
  assert.equal(lines[3], `[fe80::1%${ZONE_ESCAPED}]:47150`);
});

test('--udp: the same zone is escaped in the address lines too', { timeout: 30_000 }, () => {
  const r = sockscope(['debug-connections', '--udp', '--address', `[fe80::1%${ZONE}]:47150`, '--timeout', '500ms']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, RAW);
  assert.match(r.stdout, /^\[fe80::1%x\\x1b\[2J/);
});

test('zoned addresses in the local end, the listeners, the server ends and an error message are escaped (pure)', () => {
  const at = `[fe80::1%${ZONE}]:8080`;
  const base: ProbeResult = {
    host: `fe80::1%${ZONE}`,
    port: 8080,
    timeoutMs: 1000,
    resolution: { addresses: [`fe80::1%${ZONE}`], ms: 0 },
    addresses: [
      {
        address: `fe80::1%${ZONE}`,
        family: 6,
        route: { ok: true, type: 'local', dev: 'lo', text: 'local', description: 'local address' },
        connect: { ok: true, ms: 1, local: `[fe80::1%${ZONE}]:40000` },
        notAccepted: { listener: at, pending: 1 },
        othersWaiting: { listener: at, groupSize: 2, members: [{ by: 'srv/7', pid: 7, pending: 1 }] },
        existing: { total: 0, states: {}, retransTotal: 0, timeWait: 0, closedByProgram: { FIN_WAIT2: 1 }, otherEnds: { at, unclosed: 1, unaccepted: 0 } },
      },
      {
        address: `fe80::2%${ZONE}`,
        family: 6,
        route: { ok: true, type: 'local', dev: 'lo', text: 'local', description: 'local address' },
        connect: { ok: false, ms: 1, errno: 'EFOO', message: `connect EFOO fe80::2%${ZONE}:8080` },
        datagram: { ok: false, failedCall: 'send', sent: 0, ms: 1, errno: 'EFOO', message: `send EFOO ${at}`, local: `[fe80::1%${ZONE}]:40001` },
        existing: { total: 0, states: {}, retransTotal: 0, timeWait: 0 },
      },
    ],
    existingNote: `this host's existing sockets are unknown: ${ZONE}`,
    verdict: { ok: false, summary: '', nextSteps: [] },
  } as unknown as ProbeResult;
  const text = formatProbe(base);
  for (const line of text.split('\n')) assert.doesNotMatch(line, RAW, `raw control character in: ${JSON.stringify(line)}`);
  assert.match(text, /connect: {2}ok in 1\.0 ms \(from \[fe80::1%x\\x1b\[2J/);
  assert.match(text, /accept queue of \[fe80::1%x\\x1b\[2J/);
  assert.match(text, /listeners on \[fe80::1%x\\x1b\[2J/);
  assert.match(text, /on this host at \[fe80::1%x\\x1b\[2J/);
  assert.match(text, /from \[fe80::1%x\\x1b\[2J\\x1b\[31mRED\\x07\\u202e\\u009b\]:40001: EFOO/);
});
