// analyze lists the 20 fullest connected UDP sockets: it sorted all of them to keep 20; now it keeps a bounded
// top 20 (report/analyze.ts). The list must be exactly what the full sort gave: the same 20 in the same order,
// ties (same fill, Recv-Q and drops) in the snapshot's order. Checked against a stable full sort on a few thousand
// generated sockets with many ties, including ties across the 20th place, and on short lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnalyzeReport } from '../../src/report/analyze.js';
import { socketDrops, type Socket } from '../../src/model/socket.js';
import { fakeSnapshot, tcp, udp } from '../helpers/fake-snapshot.js';
import { seeded } from '../helpers/seeded.js';

/** n connected UDP sockets (local ports 10000 + i, so each is known by it), values drawn from the given sets. */
function connectedSockets(n: number, seed: number, recvQs: readonly number[], rcvbufs: readonly (number | undefined)[], drops: readonly (number | undefined)[]): Socket[] {
  const rnd = seeded(seed);
  return Array.from({ length: n }, (_, i) => {
    const rcvbuf = rcvbufs[rnd(rcvbufs.length)];
    const d = drops[rnd(drops.length)];
    return udp(`127.0.0.1:${10000 + i}`, {
      peer: { address: '127.0.0.2', port: 53 },
      state: 'ESTABLISHED',
      recvQ: recvQs[rnd(recvQs.length)],
      ...(rcvbuf !== undefined ? { skmem: { rmemAlloc: 0, rcvbuf, wmemAlloc: 0, sndbuf: 0, ...(d !== undefined ? { drops: d } : {}) } } : d !== undefined ? { drops: d } : {}),
    });
  });
}

/** What the report listed before: every connected socket sorted (stable), the first 20. */
function fullSort(sockets: readonly Socket[]): string[] {
  const fill = (s: Socket) => (s.skmem?.rcvbuf ? s.recvQ / s.skmem.rcvbuf : 0);
  return sockets
    .filter((s) => s.protocol === 'udp' && s.peer.port !== 0)
    .map((s) => ({ s, fill: fill(s), drops: socketDrops(s) ?? 0 }))
    .sort((a, b) => b.fill - a.fill || b.s.recvQ - a.s.recvQ || b.drops - a.drops)
    .slice(0, 20)
    .map(({ s }) => `127.0.0.1:${s.local.port}`);
}

function check(sockets: Socket[], what: string): void {
  // Unconnected UDP and TCP sockets around them are not listed.
  const all = [udp('0.0.0.0:53', { recvQ: 9999, skmem: { rmemAlloc: 0, rcvbuf: 1, wmemAlloc: 0, sndbuf: 0 } }), ...sockets, tcp('127.0.0.1:80', '127.0.0.1:40000', 'ESTABLISHED', { recvQ: 9999 })];
  const r = buildAnalyzeReport(fakeSnapshot({ sockets: all }), {});
  assert.equal(r.udpConnectedCount, sockets.length, what);
  const want = fullSort(all);
  assert.equal(want.length, Math.min(20, sockets.length), what);
  assert.deepEqual(r.udpConnected.map((c) => c.local), want, what);
}

test('analyze: the 20 connected UDP sockets listed are those of a full stable sort, in its order (ties in snapshot order)', () => {
  // Few values: hundreds of sockets share the top key, so input order decides the 20 and their order.
  const coarse = [[0, 1024, 2048, 4096], [undefined, 4096, 8192], [undefined, 0, 1, 5]] as const;
  // Many values: the top 20 spans several keys, with ties within them.
  const fine = [Array.from({ length: 300 }, (_, i) => i * 16), [undefined, 4096, 8192, 16384, 212992], [undefined, 0, 1, 2, 3, 7]] as const;
  for (const [name, [recvQs, rcvbufs, drops]] of Object.entries({ coarse, fine })) {
    for (const seed of [1, 7, 42]) {
      for (const n of [0, 1, 19, 20, 21, 3000]) check(connectedSockets(n, seed, recvQs, rcvbufs, drops), `${name}, seed ${seed}, ${n} sockets`);
    }
  }
  // Sorted already, reversed, all equal: the cases an insertion into the kept 20 gets wrong most easily.
  const ascending = Array.from({ length: 2000 }, (_, i) => udp(`127.0.0.1:${10000 + i}`, { peer: { address: '127.0.0.2', port: 53 }, recvQ: i, skmem: { rmemAlloc: 0, rcvbuf: 1 << 20, wmemAlloc: 0, sndbuf: 0 } }));
  check(ascending, 'ascending');
  check([...ascending].reverse(), 'descending');
  check(ascending.map((s) => ({ ...s, recvQ: 7 })), 'all equal');
});
