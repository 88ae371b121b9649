// Whether a new snapshot would show exactly what is on screen, so the refresh can skip rendering:
// Ink lays out and draws the whole frame on every React commit, even when nothing would be written.
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
