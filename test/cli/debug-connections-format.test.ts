// The text of a debug-connections probe (formatProbe, pure): one SO_REUSEPORT member's queue is written one way in
// every line (accepted, others, the verdict) with the names escaped, and the server's ends of this host's closed
// connections are named by their own address, not called a listener's queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProbe } from '../../src/cli/commands/debug-connections-run.js';
import type { AddressProbe, ProbeResult } from '../../src/collect/connect-probe.js';
import { verdict } from '../../src/knowledge/interpret-connect.js';

const probe = (extra: Partial<AddressProbe>): ProbeResult => ({
  host: '127.0.0.1',
  port: 8080,
  timeoutMs: 1000,
  resolution: { addresses: ['127.0.0.1'], ms: 0 },
  addresses: [
    {
      address: '127.0.0.1',
      family: 4,
      route: { ok: true, type: 'local', dev: 'lo', text: 'local 127.0.0.1 dev lo', description: 'local address (delivered on lo)' },
      connect: { ok: true, ms: 1, local: '127.0.0.1:40000' },
      existing: { total: 0, states: {}, retransTotal: 0, timeWait: 0 },
      ...extra,
    },
  ],
  verdict: { ok: false, summary: '', nextSteps: [] },
});

test('members of a SO_REUSEPORT group: "name (Recv-Q n, backlog b)" in the accepted and others lines and the verdict, names escaped', () => {
  const members = [
    { by: 'srv\x1b[31m/7 fd 5', pid: 7, pending: 3, backlog: 64 },
    { by: 'srv/8', pid: 8, pending: 2 },
  ];
  const na = formatProbe(probe({ notAccepted: { listener: '127.0.0.1:8080', pending: 5, groupSize: 2, members } }));
  assert.match(na, /\n {2}accepted: no: it waits in the accept queue of one of the 2 SO_REUSEPORT listeners on 127\.0\.0\.1:8080, which one cannot be told: srv\\x1b\[31m\/7 fd 5 \(Recv-Q 3, backlog 64\); srv\/8 \(Recv-Q 2\)\n/);
  const ow = formatProbe(probe({ othersWaiting: { listener: '127.0.0.1:8080', groupSize: 3, members } }));
  assert.match(ow, /\n {2}others: {3}2 of the 3 SO_REUSEPORT listeners on 127\.0\.0\.1:8080 hold connections nobody accepted for half a second: srv\\x1b\[31m\/7 fd 5 \(Recv-Q 3, backlog 64\); srv\/8 \(Recv-Q 2\)\n/);
  const v = verdict('127.0.0.1', 8080, [{ address: '127.0.0.1', connected: true, othersWaiting: { listener: '127.0.0.1:8080', groupSize: 3, members } }]);
  assert.match(v.summary, /half a second: srv\x1b\[31m\/7 fd 5 \(Recv-Q 3, backlog 64\), srv\/8 \(Recv-Q 2\); the connections/);
});

test("the server's ends of closed connections are named by their address, and the never-accepted ones by the listener that took them", () => {
  const text = formatProbe(probe({ existing: { total: 0, states: {}, retransTotal: 0, timeWait: 0, closedByProgram: { FIN_WAIT2: 3 }, otherEnds: { at: '127.0.0.1:8080', unclosed: 2, unaccepted: 1, by: 'python3/42', pid: 42 } } }));
  assert.match(text, /; their other ends, on this host at 127\.0\.0\.1:8080: 2 accepted by python3\/42 and never closed \(CLOSE_WAIT[^;]*; 1 never accepted, still in the accept queue of the listener that took them \(an earlier probe/);
});
