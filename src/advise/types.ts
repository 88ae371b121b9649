// The shape of a recommendation and of a rule; every printer (analyze, monitor, --json, exporter) uses these.
import type { Protocol } from '../model/socket.js';
import type { Snapshot } from '../model/snapshot.js';
import { deepFreeze } from '../model/deep-freeze.js';

export type Severity = 'info' | 'warning' | 'critical';
/** Severities' rank, lowest first. Frozen: the library exports it (a caller's write would reorder every later sort). */
export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = deepFreeze({ info: 0, warning: 1, critical: 2 });

/** One live recommendation: what is wrong (or fine), the kernel numbers that prove it, and what to change. */
export interface Recommendation {
  /** Stable kebab-case id, listed in the README (e.g. close-wait-accumulating). */
  id: string;
  severity: Severity;
  scope: 'host' | 'port' | 'socket';
  /** For port/socket scope. */
  protocol?: Protocol;
  port?: number;
  /** For outgoing connections grouped by the peer's port (analyze --peer-port). */
  peerPort?: number;
  /** The process concerned, when the recommendation is about one process (e.g. its open-file limit). */
  pid?: number;
  /** One sentence: what is happening. */
  message: string;
  /** The numbers behind it (counts, rates, limits read from the kernel). */
  evidence: string;
  /** A concrete change: a sysctl line, a code change, a command to confirm. */
  fix: string;
  /** How far past its threshold the finding is (see pastThreshold): orders findings of one severity. */
  [EXCESS]?: number;
}

/**
 * The key of a recommendation's measure of how far past its threshold it is. A symbol: copies
 * ({...rec, host}) keep it, JSON and the printers never show it (it is an ordering key, not a figure).
 */
export const EXCESS: unique symbol = Symbol('sockscope.excess');

/**
 * How far past its threshold a finding is, to spread into the recommendation: the measured value over the
 * threshold of the severity it has (1 = just at it). compareRecommendations puts a larger one first within
 * a severity; a finding without it counts as 1 (at its threshold).
 */
export function pastThreshold(value: number, threshold: number): { [EXCESS]: number } {
  const r = threshold > 0 ? value / threshold : value > 0 ? Number.MAX_SAFE_INTEGER : 1;
  return { [EXCESS]: Number.isFinite(r) ? r : 1 };
}

/** What a rule sees: the current snapshot and recent history (oldest first, including the current one). */
export interface RuleContext {
  snapshot: Snapshot;
  history: readonly Snapshot[];
  /** Thresholds by name, from config with defaults. */
  thresholds: Record<string, number>;
  /** Restrict port-scoped output to this local port (analyze --port) or peer port (--peer-port). */
  port?: number;
  peerPort?: number;
  /**
   * The flags that read where this snapshot was read, for a sockscope command a rule's text suggests: ` --host web1
   * --ssh-config FILE` for a remote one, ` --source ss` for a local --source typed (report/analyze.ts repeatFlags).
   * Without it, `sockscope analyze --port P` suggested after `sockscope --host web1` read the local machine.
   */
  repeat?: string;
}
