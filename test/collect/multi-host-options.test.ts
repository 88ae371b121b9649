// MultiHostSource when the options change between refreshes (diff-review-collect #1) and close() (#2):
// a slow host's collection started with the previous options is never shown under the current ones,
// a stale host's counters are not merged again under a new time, close() reaches every host's source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultiHostSource } from '../../src/collect/multi-host.js';
import type { CollectOptions, SocketSource } from '../../src/collect/source.js';
import { counterRate } from '../../src/model/history.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, listener } from '../helpers/fake-snapshot.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A host answering after `delay()` ms with one listener on the asked port; records the options of each call. */
function host(delay: () => number) {
  const calls: CollectOptions[] = [];
  const source: SocketSource = {
    name: 'remote',
    collect: async (o = {}) => {
      calls.push(o);
      await sleep(delay());
      const s = fakeSnapshot({ sockets: [listener(`0.0.0.0:${o.port ?? 1}`, 5)] });
      s.counters = { netstat: null, snmp: { Tcp: { RetransSegs: 100 } }, sockstat: null } as Snapshot['counters'];
      return s;
    },
  };
  return { source, calls };
}

test("a slow host's sockets read for the previous options are not shown under the new ones; it reads again for these", async () => {
  const a = host(() => 10);
  const b = host(() => 600);
  const m = new MultiHostSource(
    [
      { label: 'a', source: a.source },
      { label: 'b', source: b.source },
    ],
    { slowHostWaitMs: 100 },
  );
  const s1 = await m.collect({ port: 80 });
  assert.deepEqual(s1.sockets.map((s) => `${s.host}:${s.local.port}`), ['a:80']);
  await sleep(700); // b's port-80 collection has ended
  const s2 = await m.collect({ port: 443 });
  // Before the fix: [ 'a:443', 'b:80' ], b's port-80 sockets under a port-443 filter.
  assert.deepEqual(s2.sockets.map((s) => `${s.host}:${s.local.port}`), ['a:443']);
  assert.match(s2.hostname, /^a, b \(no answer yet\)$/);
  assert.ok(s2.notes.some((n) => /^b: no answer yet for this view \(reading for \d+ s\)$/.test(n)), s2.notes.join('\n'));
  assert.match(m.partsOf(s2)![1].error ?? '', /no answer yet for this view/);

  // Changed again while b reads for port 443: once that ends, b reads for 22, and that result is shown.
  const s3 = await m.collect({ port: 22 });
  assert.ok(!s3.sockets.some((s) => s.host === 'b' && s.local.port !== 22), s3.sockets.map((s) => `${s.host}:${s.local.port}`).join(' '));
  await sleep(1500);
  const s4 = await m.collect({ port: 22 });
  assert.deepEqual(s4.sockets.map((s) => `${s.host}:${s.local.port}`), ['a:22', 'b:22']);
  assert.equal(b.calls.at(-1)?.port, 22, 'the last collection of b was made for the current options');
  assert.ok(!b.calls.some((c, i) => i > 0 && c.port === b.calls[i - 1].port && c.port === 443), 'no collection repeated for options nobody asks for any more');
});

test("a stale first host's counters are not merged again under a new time: its rates are unknown, not 0/s", async () => {
  let slowNow = false;
  const a: SocketSource = {
    name: 'remote',
    collect: async () => {
      if (slowNow) await new Promise(() => {}); // hangs from now on
      const s = fakeSnapshot({ sockets: [listener('0.0.0.0:80', 5)] });
      s.counters = { netstat: null, snmp: { Tcp: { RetransSegs: 100 } }, sockstat: null } as Snapshot['counters'];
      return s;
    },
  };
  const b = host(() => 5);
  const m = new MultiHostSource(
    [
      { label: 'a', source: a },
      { label: 'b', source: b.source },
    ],
    { slowHostWaitMs: 50 },
  );
  const s1 = await m.collect({});
  slowNow = true;
  await sleep(1100);
  const s2 = await m.collect({});
  assert.match(s2.hostname, /^a \(\d+ s old\), b$/);
  assert.ok(s2.sockets.some((s) => s.host === 'a'), "the stale host's last sockets are still shown, with their age");
  // Before the fix: 0 (the same counters under a time 1 s later).
  assert.equal(counterRate([s1, s2], 'snmp', 'Tcp', 'RetransSegs'), null);
  assert.equal(m.partsOf(s2)![0].snapshot!.time, m.partsOf(s1)![0].snapshot!.time, 'the part keeps its own time');
});

test('close() stops every host source that can be stopped, and no collection follows', async () => {
  let closed = 0;
  let calls = 0;
  const src: SocketSource & { close(): void } = {
    name: 'remote',
    collect: async () => {
      calls++;
      await sleep(200);
      return fakeSnapshot({ sockets: [] });
    },
    close: () => void closed++,
  };
  const plain = host(() => 5);
  const m = new MultiHostSource(
    [
      { label: 'a', source: src },
      { label: 'b', source: plain.source },
    ],
    { slowHostWaitMs: 20 },
  );
  await m.collect({ port: 1 });
  await m.collect({ port: 2 }); // a still reads for port 1: a collection for 2 would follow it
  m.close();
  assert.equal(closed, 1);
  await sleep(400);
  assert.equal(calls, 1, 'no new collection after close()');
});
