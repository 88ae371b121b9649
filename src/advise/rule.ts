// A rule is data: an id, its severities, scope and topic, a README line, and a pure evaluation.
import { th } from './thresholds.js';
import type { Recommendation, RuleContext, Severity } from './types.js';

export type Scope = Recommendation['scope'];

/** One recommendation rule. `evaluate` is pure: it reads only the context (snapshot, history, thresholds). */
export interface Rule {
  /** Stable kebab-case id (a public contract, listed in the README). */
  id: string;
  /** Severities it can emit, lowest first. */
  severities: readonly Severity[];
  scope: Scope;
  /** Topic it belongs to (close-wait, accept-queue, time-wait...): a topic with no finding gets a "normal" line. */
  topic: string;
  /** One line for the README: when it fires and what it means. */
  summary: string;
  /** Thresholds it reads (names in DEFAULT_THRESHOLDS). */
  thresholds: readonly string[];
  /** The findings for this context (empty when nothing is wrong). */
  evaluate(ctx: RuleContext): Recommendation[];
}

/** A "nothing is wrong" statement for a topic, for a port or the host. */
export interface HealthCheck {
  id: string;
  topic: string;
  /** The message and evidence when this topic applies to the port (or host); null when it does not apply. `fix`: when there is something to do after all (default "nothing to change"). */
  describe(ctx: RuleContext): { message: string; evidence: string; fix?: string } | null;
}

/**
 * How a health line ends when its topic is at a warning level now but the level has not held for
 * persistSamples samples, so no rule reports it (close-wait-ok, time-wait-ok, accept-queue-ok).
 */
export function notYetHeld(ctx: RuleContext): string {
  return `not yet in ${Math.floor(th(ctx, 'persistSamples'))} samples in a row`;
}
