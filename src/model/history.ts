// A bounded history of snapshots, from which rates (per second) and growth are computed.
import type { Snapshot } from './snapshot.js';
import { counter } from './snapshot.js';

/** Keeps the most recent snapshots (oldest first), bounded by count and age. */
export class History {
  private items: Snapshot[] = [];
  constructor(
    readonly maxItems = 120,
    readonly maxAgeMs = 10 * 60_000,
  ) {}

  /** Adds a snapshot and drops what is too old or too many. */
  push(s: Snapshot): void {
    this.items.push(s);
    const cutoff = s.time - this.maxAgeMs;
    while (this.items.length > this.maxItems || (this.items.length > 1 && this.items[0].time < cutoff)) this.items.shift();
  }

  /** Oldest first. */
  all(): readonly Snapshot[] {
    return this.items;
  }

  latest(): Snapshot | undefined {
    return this.items[this.items.length - 1];
  }

  previous(): Snapshot | undefined {
    return this.items[this.items.length - 2];
  }

  /** Snapshots no older than `ms` before the latest. */
  window(ms: number): readonly Snapshot[] {
    const last = this.latest();
    if (!last) return [];
    return this.items.filter((s) => s.time >= last.time - ms);
  }
}

/** Per-second rate of a monotonically increasing value between two samples; null when unknown or reset. */
export function ratePerSecond(prev: number | null, cur: number | null, dtMs: number): number | null {
  if (prev == null || cur == null || dtMs <= 0) return null;
  const d = cur - prev;
  if (d < 0) return null; // counter reset (namespace restart, wrap)
  return (d * 1000) / dtMs;
}

/** Rate of a /proc/net/netstat or snmp counter between the last two snapshots of a history. */
export function counterRate(
  snaps: readonly Snapshot[],
  table: 'netstat' | 'snmp' | 'sockstat',
  section: string,
  key: string,
): number | null {
  if (snaps.length < 2) return null;
  const a = snaps[snaps.length - 2];
  const b = snaps[snaps.length - 1];
  return ratePerSecond(counter(a.counters[table], section, key), counter(b.counters[table], section, key), b.time - a.time);
}

/** Rate of a counter over the whole window (first to last snapshot). */
export function counterRateOver(
  snaps: readonly Snapshot[],
  table: 'netstat' | 'snmp' | 'sockstat',
  section: string,
  key: string,
): number | null {
  if (snaps.length < 2) return null;
  const a = snaps[0];
  const b = snaps[snaps.length - 1];
  return ratePerSecond(counter(a.counters[table], section, key), counter(b.counters[table], section, key), b.time - a.time);
}
