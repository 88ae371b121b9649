// MultiHostSource over fake sources: sockets tagged per host, one failing host is a note, all failing is an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultiHostSource } from '../../src/collect/multi-host.js';
import { CollectorError, type SocketSource } from '../../src/collect/source.js';
import { summarizePorts } from '../../src/model/aggregate.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, listener, tcp } from '../helpers/fake-snapshot.js';

function source(make: () => Snapshot): SocketSource {
  return { name: 'remote', collect: async () => make() };
}
const failing: SocketSource = {
  name: 'remote',
  collect: async () => {
    throw new CollectorError('ssh b', 'Connection refused');
  },
};
const hostA = () => {
  const s = fakeSnapshot({ sockets: [listener('0.0.0.0:80', 511), tcp('10.0.0.1:80', '10.0.0.9:5000', 'ESTABLISHED')], sysctls: { 'net.core.somaxconn': '4096' } });
  s.notes.push('a note of a');
  return s;
};
const hostB = () => fakeSnapshot({ sockets: [listener('0.0.0.0:80', 128)], sysctls: { 'net.core.somaxconn': '128' } });

test('two hosts: every socket carries its label, ports are not merged across hosts, per-host parts kept', async () => {
  const src = new MultiHostSource([
    { label: 'a', source: source(hostA) },
    { label: 'b', source: source(hostB) },
  ]);
  const snap = await src.collect();
  assert.equal(snap.hostname, 'a, b');
  assert.equal(snap.sockets.length, 3);
  assert.deepEqual(snap.sockets.map((s) => s.host), ['a', 'a', 'b']);
  const ports = summarizePorts(snap.sockets).filter((p) => p.port === 80);
  assert.deepEqual(ports.map((p) => [p.host, p.total, p.listeners[0].backlog]), [['a', 2, 511], ['b', 1, 128]]);
  assert.equal(snap.sysctls['net.core.somaxconn'], '4096', 'sysctls of the first host');
  assert.ok(snap.notes.includes('a: a note of a'));
  assert.ok(snap.notes.some((n) => /first|sysctls shown are a's/.test(n)), snap.notes.join('\n'));
  const parts = src.partsOf(snap)!;
  assert.deepEqual(parts.map((p) => [p.label, p.snapshot?.sysctls['net.core.somaxconn']]), [['a', '4096'], ['b', '128']]);
});

test('one host failing: the other is shown and the failure is a note', async () => {
  const src = new MultiHostSource([
    { label: 'a', source: source(hostA) },
    { label: 'b', source: failing },
  ]);
  const snap = await src.collect();
  assert.deepEqual([...new Set(snap.sockets.map((s) => s.host))], ['a']);
  assert.ok(snap.notes.includes('b: ssh b: Connection refused'), snap.notes.join('\n'));
  assert.equal(src.partsOf(snap)![1].error, 'ssh b: Connection refused');
});

test('the first host failing: counters and sysctls come from the first host that succeeded', async () => {
  const src = new MultiHostSource([
    { label: 'b', source: failing },
    { label: 'a', source: source(hostA) },
  ]);
  const snap = await src.collect();
  assert.equal(snap.sysctls['net.core.somaxconn'], '4096');
});

test('every host failing: CollectorError naming each', async () => {
  const src = new MultiHostSource([
    { label: 'b', source: failing },
    { label: 'c', source: failing },
  ]);
  await assert.rejects(src.collect(), (e: Error) => e instanceof CollectorError && /b: ssh b: Connection refused; c: ssh b/.test(e.message));
});

test('the monitor advises per host: a recommendation names its host and marks only that host\'s row', async () => {
  const { adviserFor } = await import('../../src/cli/commands/monitor-run.js');
  const { buildPortTables, healthByPort } = await import('../../src/ui/derive.js');
  const { withHostColumn } = await import('../../src/ui/table-model.js');
  const { PORT_COLUMNS } = await import('../../src/ui/tables/ports.js');
  // a's accept queue is near full on port 80; b's port 80 is idle
  const src = new MultiHostSource([
    { label: 'a', source: source(() => fakeSnapshot({ sockets: [listener('0.0.0.0:80', 4096, 4000)] })) },
    { label: 'b', source: source(() => fakeSnapshot({ sockets: [listener('0.0.0.0:80', 128)] })) },
  ]);
  const snap = await src.collect();
  const recs = adviserFor(src)({ snapshot: snap, history: [snap], thresholds: {} });
  const q = recs.find((r) => r.id === 'accept-queue-near-full');
  assert.ok(q, recs.map((r) => r.id).join(', '));
  assert.match(q!.message, /^\[a\] /);
  const tables = buildPortTables(snap.sockets, healthByPort(recs), { map: new Map() });
  assert.deepEqual(tables.local.map((r) => [r.id, r.health]), [['a tcp:80', 'warning'], ['b tcp:80', 'ok']]);
  assert.equal(withHostColumn(PORT_COLUMNS, tables.local)[0].id, 'host');
  // one host (no host on the sockets): the columns are exactly the usual ones
  const single = buildPortTables(hostB().sockets, new Map(), { map: new Map() });
  assert.equal(withHostColumn(PORT_COLUMNS, single.local), PORT_COLUMNS);
  assert.equal(single.local[0].id, 'tcp:80');
});
