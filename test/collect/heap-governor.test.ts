// The heap governor: nothing below its floor; above it, one full collection that frees the garbage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { GOVERNOR_FLOOR_BYTES, reclaimBeforeSnapshot } from '../../src/collect/heap-governor.js';

describe('heap governor', () => {
  it('collects once the heap holds more than the floor of garbage, and frees it', () => {
    // Below the floor (a fresh test process): nothing to do.
    if (getHeapStatistics().used_heap_size < GOVERNOR_FLOOR_BYTES) assert.equal(reclaimBeforeSnapshot(), false);
    // A snapshot-sized heap of objects that survive scavenges, then dropped: garbage in the old generation.
    let junk: { a: number; b: string }[] | null = [];
    for (let i = 0; junk.length < 1_500_000; i++) junk.push({ a: i, b: `x${i}` });
    const before = getHeapStatistics().used_heap_size;
    assert.ok(before > GOVERNOR_FLOOR_BYTES, `heap ${before} should be above the floor`);
    junk = null;
    assert.equal(reclaimBeforeSnapshot(), true);
    const after = getHeapStatistics().used_heap_size;
    assert.ok(after < before / 2, `a full collection should free the dropped objects: ${before} -> ${after}`);
    // Right after a collection the heap is near what is live: no second collection.
    assert.equal(reclaimBeforeSnapshot(), false);
  });
});
