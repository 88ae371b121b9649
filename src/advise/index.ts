// The recommendations engine: rules as data, pure evaluation, thresholds, buffer sizing.
export * from './types.js';
export * from './rule.js';
export * from './thresholds.js';
export * from './engine.js';
export { ALL_RULES, HEALTH_CHECKS, ruleById } from './rules/index.js';
export * from './buffers.js';
export * from './units.js';
