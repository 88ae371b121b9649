// Every rule and every "normal" check, one file per topic; the order here is the README's order.
import { deepFreeze } from '../../model/deep-freeze.js';
import type { HealthCheck, Rule } from '../rule.js';
import { acceptQueueHealth, acceptQueueRules } from './accept-queue.js';
import { bufferRules } from './buffers.js';
import { closeWaitHealth, closeWaitRules } from './close-wait.js';
import { finWaitRules } from './fin-wait.js';
import { limitRules } from './limits.js';
import { queueRules } from './queues.js';
import { retransRules } from './retrans.js';
import { synRecvRules } from './syn-recv.js';
import { synSentRules } from './syn-sent.js';
import { timeWaitHealth, timeWaitRules } from './time-wait.js';
import { udpRules } from './udp.js';

// Both lists and every rule and check in them are frozen (deeply): the library exports them, and a caller's
// `ALL_RULES.length = 0` or `HEALTH_CHECKS[0].describe = ...` made every later analyze() in the process change.

/** All rules the engine evaluates. */
export const ALL_RULES: readonly Rule[] = deepFreeze([
  ...closeWaitRules,
  ...acceptQueueRules,
  ...synRecvRules,
  ...synSentRules,
  ...timeWaitRules,
  ...finWaitRules,
  ...queueRules,
  ...retransRules,
  ...bufferRules,
  ...udpRules,
  ...limitRules,
]);

/**
 * All health checks: each topic's line when no rule reports it, "normal" under its id ending in -ok, or under
 * one of its otherIds when not normal yet no finding (accept-queue-unknown, *-unsettled).
 */
export const HEALTH_CHECKS: readonly HealthCheck[] = deepFreeze([timeWaitHealth, closeWaitHealth, acceptQueueHealth]);

/** A rule by id. */
export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
