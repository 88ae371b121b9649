// History helpers: the window of recent snapshots, persistence of a condition, growth and counter rises.
import { counter, type Snapshot } from '../model/snapshot.js';
import { th } from './thresholds.js';
import type { RuleContext } from './types.js';

/** The history within windowSeconds of the current snapshot, oldest first, always ending with the current one. */
export function windowOf(ctx: RuleContext): Snapshot[] {
  const cur = ctx.snapshot;
  const ms = th(ctx, 'windowSeconds') * 1000;
  const out = ctx.history.filter((s) => s !== cur && s.time < cur.time && s.time >= cur.time - ms);
  out.push(cur);
  return out;
}

/**
 * The last persistSamples snapshots (fewer when the history is shorter), ending with the current one.
 * Persistence counts samples in a row, whatever the polling interval (not limited to windowSeconds).
 */
export function recentOf(ctx: RuleContext): Snapshot[] {
  const cur = ctx.snapshot;
  const n = Math.max(1, Math.floor(th(ctx, 'persistSamples')));
  const earlier = ctx.history.filter((s) => s !== cur && s.time < cur.time);
  return [...earlier.slice(-(n - 1)), cur].slice(-n);
}

/**
 * True when `pred` holds in each of the last persistSamples snapshots. With a shorter history
 * (one-shot commands), the samples there are are judged: one snapshot can only show a level, not a trend.
 */
export function persists(ctx: RuleContext, pred: (s: Snapshot) => boolean): boolean {
  return recentOf(ctx).every(pred);
}

/** True when the history is long enough to judge persistence (persistSamples snapshots). */
export function hasPersistence(ctx: RuleContext): boolean {
  return recentOf(ctx).length >= Math.max(1, Math.floor(th(ctx, 'persistSamples')));
}

export interface Growth {
  from: number;
  to: number;
  seconds: number;
}

/**
 * Sustained growth of a value over the window: at least 3 samples, the last three non-decreasing, the rise
 * already visible one sample before the last (so a single-sample spike is not a trend), and at least
 * `minGrowth` overall. Null otherwise.
 */
export function sustainedGrowth(points: readonly { time: number; value: number }[], minGrowth: number): Growth | null {
  const n = points.length;
  if (n < 3) return null;
  const first = points[0];
  const a = points[n - 3].value;
  const b = points[n - 2].value;
  const c = points[n - 1].value;
  if (!(a <= b && b <= c)) return null;
  if (!(b > first.value)) return null;
  if (c - first.value < Math.max(1, minGrowth)) return null;
  return { from: first.value, to: c, seconds: (points[n - 1].time - first.time) / 1000 };
}

export interface CounterRise {
  /** Total increase over the window. */
  delta: number;
  /** Intervals (between consecutive samples) in which it rose. */
  risingIntervals: number;
  seconds: number;
  perSecond: number;
}

/**
 * Increase of the sum of counters (e.g. TcpExt ListenOverflows + ListenDrops) over the snapshots given.
 * Null when fewer than two samples know the counters. A reset (value going down) counts as no rise.
 */
export function counterRise(
  snaps: readonly Snapshot[],
  table: 'netstat' | 'snmp' | 'sockstat',
  section: string,
  keys: readonly string[],
): CounterRise | null {
  const pts: { time: number; v: number }[] = [];
  for (const s of snaps) {
    let sum = 0;
    let known = false;
    for (const k of keys) {
      const v = counter(s.counters[table], section, k);
      if (v != null) {
        sum += v;
        known = true;
      }
    }
    if (known) pts.push({ time: s.time, v: sum });
  }
  if (pts.length < 2) return null;
  let delta = 0;
  let rising = 0;
  for (let i = 1; i < pts.length; i++) {
    const d = pts[i].v - pts[i - 1].v;
    if (d > 0) {
      delta += d;
      rising++;
    }
  }
  const seconds = (pts[pts.length - 1].time - pts[0].time) / 1000;
  return { delta, risingIntervals: rising, seconds, perSecond: seconds > 0 ? delta / seconds : 0 };
}

/**
 * A counter rise that is a trend, not a blip: it rose in at least two intervals of the window and by at
 * least `min`. Needs three samples or more.
 */
export function sustainedRise(
  snaps: readonly Snapshot[],
  table: 'netstat' | 'snmp' | 'sockstat',
  section: string,
  keys: readonly string[],
  min: number,
): CounterRise | null {
  const r = counterRise(snaps, table, section, keys);
  if (!r || r.risingIntervals < 2 || r.delta < Math.max(1, min)) return null;
  return r;
}
