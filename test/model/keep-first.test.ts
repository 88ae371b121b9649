// keepFirst / firstInOrder (model/keep-first.ts) replaced two copies (report/analyze.ts firstInOrder, the top
// peers of model/port-accumulators.ts): they must keep exactly what a stable sort and slice(0, k) keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstInOrder } from '../../src/model/keep-first.js';

test('firstInOrder keeps what a stable sort and slice keep, ties in input order', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const order = (a: { v: number }, b: { v: number }) => b.v - a.v;
  for (let round = 0; round < 300; round++) {
    const items = Array.from({ length: Math.floor(rnd() * 40) }, (_, i) => ({ v: Math.floor(rnd() * 6), i }));
    for (const k of [0, 1, 3, 5, 20, 50]) assert.deepEqual(firstInOrder(items, k, order), [...items].sort(order).slice(0, k), `k ${k}`);
  }
});
