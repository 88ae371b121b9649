// The heap governor: nothing below its floor; above it, one full collection that frees the garbage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { enableHeapGovernor, GOVERNOR_FLOOR_BYTES, reclaimIfGrown, scheduleReclaim } from '../../src/collect/heap-governor.js';

describe('heap governor', () => {
  it('collects once the heap holds more than the floor of garbage, and frees it', () => {
    // Below the floor (a fresh test process): nothing to do.
    if (getHeapStatistics().used_heap_size < GOVERNOR_FLOOR_BYTES) assert.equal(reclaimIfGrown(), false);
    // A snapshot-sized heap of objects that survive scavenges, then dropped: garbage in the old generation.
    let junk: { a: number; b: string }[] | null = [];
    for (let i = 0; junk.length < 1_500_000; i++) junk.push({ a: i, b: `x${i}` });
    const before = getHeapStatistics().used_heap_size;
    assert.ok(before > GOVERNOR_FLOOR_BYTES, `heap ${before} should be above the floor`);
    junk = null;
    assert.equal(reclaimIfGrown(), true);
    const after = getHeapStatistics().used_heap_size;
    assert.ok(after < before / 2, `a full collection should free the dropped objects: ${before} -> ${after}`);
    // Right after a collection the heap is near what is live: no second collection.
    assert.equal(reclaimIfGrown(), false);
  });

  it('after a snapshot, collects on the next turn of the event loop once enabled', async () => {
    const junk = () => {
      let j: { a: number; b: string }[] | null = [];
      for (let i = 0; j.length < 1_500_000; i++) j.push({ a: i, b: `y${i}` });
      const used = getHeapStatistics().used_heap_size;
      j = null;
      return used;
    };
    const tick = () => new Promise((r) => setImmediate(r));
    reclaimIfGrown();
    enableHeapGovernor();
    const before = junk();
    scheduleReclaim();
    await tick();
    await tick();
    assert.ok(getHeapStatistics().used_heap_size < before / 2, 'the scheduled collection ran');
  });
});
