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

/**
 * A topic's line when no rule reports it, for a port or the host: "normal" under `id` (ending in -ok), or a
 * state that is not normal yet no finding (unknown with this source, a level not held yet) under an id of
 * its own from `otherIds`, so a script reading the id is never told all is well when it is not.
 */
export interface HealthCheck {
  /** The "normal" line's id (time-wait-ok ...). */
  id: string;
  /** The ids describe() gives a line that is not "normal" (accept-queue-unknown, close-wait-unsettled ...). */
  otherIds?: readonly string[];
  topic: string;
  /**
   * The message and evidence when this topic applies to the port (or host); null when it does not apply.
   * `id`: one of otherIds when the state is not normal (default `id`). `fix`: when there is something to do
   * after all (default "nothing to change").
   */
  describe(ctx: RuleContext): { id?: string; message: string; evidence: string; fix?: string } | null;
}

/**
 * How a health line ends when its topic is at a warning level now but the level has not held for
 * persistSamples samples, so no rule reports it (close-wait-unsettled, time-wait-unsettled,
 * accept-queue-unsettled).
 */
export function notYetHeld(ctx: RuleContext): string {
  return `not yet in ${Math.floor(th(ctx, 'persistSamples'))} samples in a row`;
}
