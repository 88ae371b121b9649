// The history the monitor and the exporter keep (src/advise/history.ts): entries older than the last
// wholeLast (persistSamples) are window entries (facts.ts, windowEntry) that hold counts, counters and UDP sockets only.
// Every rule must say the same with them as with the whole snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { factsOf, windowEntry } from '../../src/advise/facts.js';
import { keepHistory } from '../../src/advise/history.js';
import { DEFAULT_HISTORY_WINDOW, thinHistory } from '../../src/model/history-window.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, incoming, listener, outgoing, proc, tcp, udp } from '../helpers/fake-snapshot.js';

const T0 = 1_700_000_000_000;

/** Second i of a host going wrong in every way the window rules follow. */
function second(i: number): Snapshot {
  return fakeSnapshot({
    time: T0 + i * 1000,
    sockets: [
      listener('0.0.0.0:8080', 128, i % 7, [proc(9, 'app')]),
      ...incoming(5 * i, '10.0.0.1:8080', 'CLOSE_WAIT'),
      ...incoming(40, '10.0.0.1:8080', 'ESTABLISHED', { recvQ: 2_000_000 }, '10.2.0.2'),
      ...outgoing(3 * i, '10.0.0.1', '10.9.9.9:5432', 'FIN_WAIT2'),
      tcp('10.0.0.1:47000', '10.8.8.8:443', 'ESTABLISHED', { timer: { name: 'on', expiresMs: 200, retrans: 6 } }),
      udp('0.0.0.0:5353', { skmem: { rmemAlloc: 212_000, rcvbuf: 212_992, wmemAlloc: 0, sndbuf: 212_992, drops: 2 * i }, processes: [proc(11, 'mdns')] }),
      udp('0.0.0.0:6000', { skmem: { rmemAlloc: 0, rcvbuf: 212_992, wmemAlloc: 0, sndbuf: 212_992, drops: 0 } }),
    ],
    netstat: { TcpExt: { ListenOverflows: 4 * i, ListenDrops: 4 * i, TCPReqQFullDrop: 0, SyncookiesSent: 0 } },
    snmp: { Tcp: { RetransSegs: 60 * i, OutSegs: 1000 * i }, Udp: { RcvbufErrors: i, InErrors: i } },
  });
}

const rules = (snap: Snapshot, history: Snapshot[]) => evaluateRules(makeContext({ snapshot: snap, history }));

test('window entries: every rule says the same as with whole snapshots, over 75 s of a 1 s monitor', () => {
  const w = DEFAULT_HISTORY_WINDOW;
  let whole: Snapshot[] = [];
  let kept: Snapshot[] = [];
  let compared = 0;
  for (let i = 0; i < 75; i++) {
    const snap = second(i);
    whole = thinHistory([...whole, snap], w);
    kept = keepHistory(kept, snap, w);
    assert.deepEqual(
      kept.map((s) => s.time),
      whole.map((s) => s.time),
      `second ${i}: the same snapshots are kept`,
    );
    if (i % 5 !== 4) continue;
    assert.deepEqual(rules(snap, kept), rules(snap, whole), `second ${i}`);
    compared++;
  }
  assert.equal(compared, 15);
  // The comparison covers what window entries carry: growth and rises measured from entries older than the last keepLast.
  const ids = rules(kept[kept.length - 1], kept).map((r) => r.id);
  for (const id of ['close-wait-accumulating', 'fin-wait2-accumulating', 'udp-socket-drops', 'udp-receive-errors', 'listen-overflows-rising', 'retransmissions-high', 'socket-retransmitting', 'recv-q-persistent']) {
    assert.ok(ids.includes(id), `${id} fires (got ${ids.join(', ')})`);
  }
  const cw = rules(kept[kept.length - 1], kept).find((r) => r.id === 'close-wait-accumulating')!;
  // The oldest entry within the 60 s window: a window entry (not one of the last keepLast).
  const oldest = kept.find((s) => s.time >= kept[kept.length - 1].time - 60_000)!;
  assert.ok(kept.indexOf(oldest) < kept.length - w.wholeLast!, 'the window starts at a window entry');
  assert.match(cw.message, new RegExp(`grew from ${factsOf(oldest).groups.get('in:tcp:8080')!.states.CLOSE_WAIT} to 370 `), cw.message);
});

test('window entries hold counts, counters and UDP sockets only; the last wholeLast stay whole', () => {
  const w = DEFAULT_HISTORY_WINDOW;
  let kept: Snapshot[] = [];
  const made: Snapshot[] = [];
  for (let i = 0; i < 40; i++) {
    const snap = second(i);
    made.push(snap);
    kept = keepHistory(kept, snap, w);
  }
  const whole = w.wholeLast!;
  assert.equal(whole, 3);
  assert.deepEqual(kept.slice(-whole), made.slice(-whole), 'the last wholeLast are the snapshots themselves');
  for (const e of kept.slice(0, -whole)) {
    const full = made.find((s) => s.time === e.time)!;
    assert.notEqual(e, full);
    assert.deepEqual(
      e.sockets.map((s) => s.protocol),
      ['udp', 'udp'],
    );
    assert.equal(e.counters, full.counters);
    assert.equal(e.sysctls, full.sysctls);
    const [a, b] = [factsOf(e), factsOf(full)];
    assert.deepEqual(
      [...a.groups].map(([k, g]) => [k, g.states]),
      [...b.groups].map(([k, g]) => [k, g.states]),
    );
    assert.equal(a.groups.get('in:tcp:8080')!.sockets.length, 0, 'TCP groups keep their counts, not their sockets');
    assert.equal(a.byKey.size, 2, 'identity index: the UDP sockets');
    assert.equal(windowEntry(full), e, 'made once per snapshot');
    assert.equal(windowEntry(e), e, 'a window entry is its own window entry');
  }
});
