// The exporter's history (exportHistory) leaves out the compact arrays of outgoing TCP sockets that the
// monitor's window entries keep (keepHistory, facts.ts windowEntry): only a view scoped to a port reads
// them, and the exporter's rules see the whole host. Everything else the rules read is the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/engine.js';
import { factsOf, outgoingTcpOf, windowEntry } from '../../src/advise/facts.js';
import { keepHistory } from '../../src/advise/history.js';
import { exportHistory } from '../../src/export/server.js';
import { historyWindowFor } from '../../src/model/history-window.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, incoming, listener, outgoingFrom, tcp, udp } from '../helpers/fake-snapshot.js';

const T0 = 1_700_000_000_000;
/** Second i: a listener on 8080 with 3 * i CLOSE_WAIT, 5 outgoing connections to 5432 (one of them from 45000), a UDP socket. */
const second = (i: number): Snapshot =>
  fakeSnapshot({
    time: T0 + i * 1000,
    sockets: [
      listener('0.0.0.0:8080', 128),
      ...incoming(3 * i, '10.0.0.1:8080', 'CLOSE_WAIT'),
      ...outgoingFrom(40000, 4, '10.0.0.1', '10.9.9.9:5432', 'ESTABLISHED'),
      tcp('10.0.0.1:45000', '10.9.9.9:5432', 'TIME_WAIT'),
      udp('0.0.0.0:5353'),
    ],
  });

function histories(): { exporter: Snapshot[]; monitor: Snapshot[] } {
  const w = historyWindowFor({});
  let exporter: Snapshot[] = [];
  let monitor: Snapshot[] = [];
  // Separate snapshots for each (each collects its own), as the exporter and the monitor do.
  for (let i = 1; i <= 20; i++) {
    exporter = exportHistory(exporter, second(i), w);
    monitor = keepHistory(monitor, second(i), w);
  }
  return { exporter, monitor };
}

test("the exporter's window entries carry no outgoing arrays; the monitor's do", () => {
  const { exporter, monitor } = histories();
  const whole = historyWindowFor({}).wholeLast!;
  assert.equal(exporter.length, monitor.length);
  assert.ok(exporter.length > whole, `window entries in a history of ${exporter.length}`);
  for (let i = 0; i < exporter.length; i++) {
    const [e, m] = [exporter[i]!, monitor[i]!];
    assert.equal(e.time, m.time);
    if (i >= exporter.length - whole) {
      // The last persistSamples stay whole snapshots in both.
      assert.equal(e.sockets.length, m.sockets.length);
      assert.equal(outgoingTcpOf(e), undefined);
      assert.equal(outgoingTcpOf(m), undefined);
      continue;
    }
    assert.equal(windowEntry(e), e, 'a window entry');
    assert.equal(outgoingTcpOf(e), undefined, `exporter entry ${i}`);
    const kept = outgoingTcpOf(m);
    assert.ok(kept, `monitor entry ${i}`);
    assert.deepEqual([...kept.localPorts].sort(), [40000, 40001, 40002, 40003, 45000]);
    assert.deepEqual([...kept.peerPorts], [5432, 5432, 5432, 5432, 5432]);
    // What the whole-host rules read of an entry is the same.
    const groups = (s: Snapshot) => [...factsOf(s).groups].map(([k, g]) => [k, g.states, g.sockets.length]);
    assert.deepEqual(groups(e), groups(m));
    assert.deepEqual([...factsOf(e).listeners.keys()], [...factsOf(m).listeners.keys()]);
    assert.deepEqual(e.sockets, m.sockets, 'the UDP sockets');
    // Scoped to port 45000, only the monitor's entry moves the socket from 45000 to that port's group.
    assert.equal(factsOf(m, 45000).groups.get('in:tcp:45000')?.states.TIME_WAIT, 1);
    assert.equal(factsOf(e, 45000).groups.get('in:tcp:45000'), undefined);
  }
  // The rules for the whole host, as the exporter evaluates them, find the same on both histories.
  const at = (h: Snapshot[]) => evaluateRules(makeContext({ snapshot: h[h.length - 1]!, history: h }));
  const found = at(exporter);
  assert.ok(found.some((r) => r.id === 'close-wait-accumulating'), found.map((r) => r.id).join(', '));
  assert.deepEqual(found, at(monitor));
});

test('an entry made for a history without outgoing arrays gets them when a monitor asks for the same snapshot', () => {
  const snap = second(4);
  const entry = windowEntry(snap, { keepOutgoing: false });
  assert.equal(outgoingTcpOf(entry), undefined);
  assert.equal(factsOf(entry, 45000).groups.get('in:tcp:45000'), undefined);
  assert.equal(windowEntry(snap), entry, 'the same entry');
  assert.equal(outgoingTcpOf(entry)!.localPorts.length, 5);
  assert.equal(factsOf(entry, 45000).groups.get('in:tcp:45000')?.states.TIME_WAIT, 1, 'the scoped grouping is made again');
});
