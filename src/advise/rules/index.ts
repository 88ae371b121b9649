// Every rule and every "normal" check, one file per topic; the order here is the README's order.
import type { HealthCheck, Rule } from '../rule.js';
import { closeWaitHealth, closeWaitRules } from './close-wait.js';

/** All rules the engine evaluates. */
export const ALL_RULES: readonly Rule[] = [...closeWaitRules];

/** All "nothing is wrong" checks. */
export const HEALTH_CHECKS: readonly HealthCheck[] = [closeWaitHealth];

/** A rule by id. */
export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
