// Whether a new snapshot would show exactly what is on screen, so the refresh can skip rendering:
// Ink lays out and draws the whole frame on every React commit, even when nothing would be written.
import type { Protocol } from '../model/socket.js';
import type { Snapshot } from '../model/snapshot.js';
import { adviceSignature, type AdviceRunner, type Advisor } from './advice-runner.js';
import { notesText } from './components/notes-text.js';
import { portsFingerprint } from './fingerprint.js';
import { clock } from './format.js';
import { ratesLine } from './header-lines.js';
import type { PollState } from './hooks/usePolling.js';
import type { Frame } from './state.js';

export interface GateContext {
  view: Frame['view'];
  advise?: Advisor;
  thresholds: Record<string, number>;
  port?: number;
  intervalMs: number;
  /** Trends full and flat: one more equal sample draws the same sparklines. */
  trendsSteady: boolean;
  runner: AdviceRunner;
}

/**
 * Only the home view is judged (drill-down views show timers and tcp_info that change on every
 * refresh): same clock minute, same sockets as the ports view sees them, same rates, same notes, same
 * recommendations (the rules still run on every snapshot, so conditions that need several samples
 * are reported on time), steady trends.
 */
export function showsSame(c: GateContext, shown: PollState, next: Snapshot, history: readonly Snapshot[]): boolean {
  const prev = shown.snapshot;
  if (!prev || c.view !== 'ports' || !c.trendsSteady) return false;
  if (clock(prev.time) !== clock(next.time) || portsFingerprint(prev) !== portsFingerprint(next)) return false;
  if (ratesLine(shown.history) !== ratesLine(history)) return false;
  // The header's notes line (a host failing or an ss line unread need not change any socket).
  if (notesText(prev) !== notesText(next)) return false;
  const before = c.runner.run(c.advise, prev, shown.history, c.thresholds, c.port, c.intervalMs);
  const after = c.runner.run(c.advise, next, history, c.thresholds, c.port, c.intervalMs);
  return adviceSignature(before) === adviceSignature(after);
}

/**
 * The protocols each snapshot was collected with (unix only while shown), and those of the last collection if it
 * failed: whether the snapshot on screen has what a state needs, or no better one is coming (the monitor's keys wait
 * for it after `x`: useKeyQueue's dataReady).
 */
export class CollectedProtocols {
  private readonly asked = new WeakMap<Snapshot, readonly Protocol[]>();
  private failed: readonly Protocol[] | undefined;

  /** Notes what `snap` is collected with (the failure, when it fails). */
  track(protocols: readonly Protocol[], snap: Promise<Snapshot>): Promise<Snapshot> {
    this.failed = undefined;
    return snap.then(
      (s) => {
        this.asked.set(s, protocols);
        return s;
      },
      (e: unknown) => {
        this.failed = protocols;
        throw e;
      },
    );
  }

  /** Whether `shown` has every protocol of `need`: also true with no snapshot yet, paused (nothing is collected) or after a failed collection of them. */
  covers(shown: Snapshot | undefined, need: readonly Protocol[], paused: boolean): boolean {
    const had = shown && this.asked.get(shown);
    if (!had || paused) return true;
    const has = (list: readonly Protocol[]) => need.every((p) => list.includes(p));
    return has(had) || (this.failed !== undefined && has(this.failed));
  }

  /** Whether `snap` was collected with `protocol` (undefined: a snapshot not collected through track). */
  has(snap: Snapshot, protocol: Protocol): boolean | undefined {
    return this.asked.get(snap)?.includes(protocol);
  }

  /** Whether two snapshots were collected with the same protocols. */
  same(a: Snapshot | undefined, b: Snapshot): boolean {
    const x = a && this.asked.get(a);
    const y = this.asked.get(b);
    return x === y || (!!x && !!y && x.length === y.length && x.every((p) => y.includes(p)));
  }
}
