// Worst first across several --host (diff review s23): the monitor's adviser ran the rules per host and joined the
// hosts' lists one after another, so `sockscope --host w --host a --json` listed host w's warning before every
// critical of host a, and within one severity host a's 120 CLOSE_WAIT before host b's 900. adviserFor now sorts
// the joined list as one host's is sorted (compareRecommendations). Fake per-host sources: the ordering, not
// the collection, is under test (the collectors' multi-host path has its own tests over a real sshd).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultiHostSource } from '../../src/collect/multi-host.js';
import type { SocketSource } from '../../src/collect/source.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { adviserFor } from '../../src/cli/commands/monitor-run.js';
import { fakeSnapshot, incoming, listener } from '../helpers/fake-snapshot.js';

const source = (make: () => Snapshot): SocketSource => ({ name: 'remote', collect: async () => make() });
/** A server on `port` with n CLOSE_WAIT (warning from 10, critical from 100 by default). */
const closeWaits = (port: number, n: number) => fakeSnapshot({ sockets: [listener(`0.0.0.0:${port}`, 511), ...incoming(n, `10.0.0.1:${port}`, 'CLOSE_WAIT')] });

test('several hosts: one list, worst first across them, the host label breaking a tie', async () => {
  const src = new MultiHostSource(
    [
      { label: 'w', source: source(() => closeWaits(7800, 50)) }, // a warning
      { label: 'a', source: source(() => closeWaits(7100, 120)) }, // critical, 1.2x
      { label: 'b', source: source(() => closeWaits(7200, 900)) }, // critical, 9x
      { label: 'c', source: source(() => closeWaits(7100, 120)) }, // the same as a
    ],
    { waitForAll: true },
  );
  const snap = await src.collect();
  const recs = adviserFor(src)({ snapshot: snap, history: [snap], thresholds: {} } as never) as (ReturnType<ReturnType<typeof adviserFor>>[number] & { host?: string })[];
  const cw = recs.filter((r) => r.id.startsWith('close-wait'));
  assert.deepEqual(
    cw.map((r) => [r.host, r.severity, r.port]),
    [
      ['b', 'critical', 7200],
      ['a', 'critical', 7100],
      ['c', 'critical', 7100],
      ['w', 'warning', 7800],
    ],
  );
  await src.close?.();
});
