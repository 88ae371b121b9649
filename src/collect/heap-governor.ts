// Keeps a long-running process (monitor, exporter) that takes a big snapshot every second from
// sitting on garbage. V8 lets the old generation grow to about four times what was live after the
// last full collection before it collects again; at 100,000 sockets a snapshot is ~35 MB that
// survives its first scavenges, so the heap climbs by ~45 MB a poll and the process reaches
// 450-550 MB RSS before V8 looks back (measured, `npm run bench -- --only memory`). Long-running
// commands (the monitor, the exporter) enable the governor; after each snapshot, once the caller has
// swapped it in (setImmediate: the old one is garbage by then, and the collection stays out of the
// snapshot's latency), if the heap has grown past GROWTH_FACTOR times what the last full collection
// left, one full collection runs. Small hosts never reach the floor and pay nothing; one-shot
// commands never enable it.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { logOsCall } from './debug.js';

/**
 * Below this much used heap the governor never collects (a host with a few thousand sockets). At
 * 100,000 sockets a poll adds about 4 MB (a polling collector makes objects only for what changed), so
 * the floor sets the cycle: 96 MB meant one collection every 12-14 polls and an RSS that rose for 13
 * polls before it fell (the bench's growth figure, peaks of polls 11-20 against 1-10, read -0.5 to
 * 11.7 % depending on where the first collection fell); 64 MB: one every 4-6 polls, growth 2.1-3.6 %,
 * and no measurable CPU cost in the monitor (17.5-17.9 % of a core against 19.8-20.1 %, 30 s each).
 */
export const GOVERNOR_FLOOR_BYTES = 64 * 1024 * 1024;

/**
 * Collect when the used heap exceeds this multiple of what the last full collection left. Measured
 * at 100,000 sockets keeping two snapshots (`npm run bench -- --only memory`): 2 lets RSS swing
 * between ~210 and ~270 MB (a collection every second poll); 1.5 holds it at ~210 MB with one
 * collection per poll (about 50 ms of CPU each at that size, nothing on small hosts).
 */
export const GROWTH_FACTOR = 1.5;

let enabled = false;
let pending: ReturnType<typeof setImmediate> | null = null;
let gcFn: (() => void) | null | undefined;
let liveAfterLast = 0;

/** Node's gc(), exposed at run time (the documented --expose-gc flag, set through node:v8). */
function gc(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  try {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') gcFn = g;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  } catch {
    gcFn = null; // a runtime that refuses the flag: leave memory to V8
  }
  return gcFn;
}

/** Turns the governor on for this process (long-running commands call it once at start). */
export function enableHeapGovernor(): void {
  if (enabled) return;
  enabled = true;
  // V8 grows the young generation (up to 16 MiB per semi-space, 32+ MiB resident) when most young
  // objects survive, which is exactly what a big snapshot looks like; the monitor's own garbage
  // (frames, rows) dies young and does not need it. Keeping the initial 1 MiB semi-space saves
  // ~30 MB RSS at 100,000 sockets (measured); V8 reads this flag each time it would grow.
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // a runtime that refuses the flag keeps V8's default
  }
}

/** Called by collectors after a snapshot: schedules reclaimIfGrown() for when the caller has taken it. */
export function scheduleReclaim(): void {
  if (!enabled || pending) return;
  pending = setImmediate(() => {
    pending = null;
    reclaimIfGrown();
  });
}

/**
 * Runs one full collection when the used heap is above the floor and more than GROWTH_FACTOR times
 * what was live after the last one; returns whether it did.
 */
export function reclaimIfGrown(): boolean {
  const used = getHeapStatistics().used_heap_size;
  if (used < GOVERNOR_FLOOR_BYTES || used < GROWTH_FACTOR * liveAfterLast) return false;
  const collect = gc();
  if (!collect) return false;
  const t0 = performance.now();
  collect();
  liveAfterLast = getHeapStatistics().used_heap_size;
  logOsCall('gc', 'full collection before a snapshot', performance.now() - t0, used - liveAfterLast, `live=${Math.round(liveAfterLast / 1048576)}MB`);
  return true;
}
