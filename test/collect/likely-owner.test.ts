// likelyOwner: the guess a targeted collection's prefetch makes from the first wanted sockets of a dump
// (ProcessAttributor.prefetch), by sampling each process's fds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { likelyOwner } from '../../src/collect/targeted-pass.js';
import type { PidStat } from '../../src/collect/proc-pid.js';
import { seeded } from '../helpers/seeded.js';

/** Processes with fd -> inode tables: `pid` holds `count` fds, sockets numbered pid * 1e6 + fd. */
function host(specs: { pid: number; count: number }[]): { candidates: PidStat[]; links: Map<number, number>[]; reads: { n: number } } {
  const candidates = specs.map(({ pid, count }) => ({ pid, count, dirIno: pid, uid: 0 }));
  const links = specs.map(({ pid, count }) => new Map(Array.from({ length: count }, (_, fd) => [fd, pid * 1e6 + fd] as [number, number])));
  return { candidates, links, reads: { n: 0 } };
}

test('likelyOwner finds the owner of 15,000 fds from the 1,000 of its sockets a first receive batch shows, in 200 of 200 random layouts', () => {
  const rnd = seeded(3);
  const { candidates, links, reads } = host([
    { pid: 100, count: 20_000 },
    { pid: 200, count: 15_000 },
    { pid: 300, count: 3_000 },
    { pid: 400, count: 100 },
  ]);
  const read = (pid: number, fd: number) => {
    reads.n++;
    return links[candidates.findIndex((c) => c.pid === pid)].get(fd) ?? 0;
  };
  let found = 0;
  let maxReads = 0;
  for (let trial = 0; trial < 200; trial++) {
    // The first wanted sockets of the dump: 1,000 of the owner's, anywhere in its fd table.
    const wanted = new Set<number>();
    while (wanted.size < 1000) wanted.add(200 * 1e6 + rnd(15_000));
    reads.n = 0;
    if (likelyOwner(candidates, wanted, read)?.pid === 200) found++;
    maxReads = Math.max(maxReads, reads.n);
  }
  // 32 evenly spread samples (the count before) miss the owner about once in 9 layouts.
  assert.equal(found, 200);
  // At most 128 samples of each process with 256 fds or more (the process of 100 fds is not sampled).
  assert.ok(maxReads <= 3 * 128, `${maxReads} readlinks`);
});

test('likelyOwner: no sample hits, no owner; a tie goes to the process with fewer fds', () => {
  const { candidates, links } = host([
    { pid: 10, count: 4_000 },
    { pid: 20, count: 2_000 },
  ]);
  const read = (pid: number, fd: number) => links[pid === 10 ? 0 : 1].get(fd) ?? 0;
  assert.equal(likelyOwner(candidates, new Set([5]), read), undefined);
  // Every fd of both is wanted: the same number of hits, and the smaller one is named.
  const all = new Set([...links[0].values(), ...links[1].values()]);
  assert.equal(likelyOwner(candidates, all, read)?.pid, 20);
});
