// DEFAULT_CONFIG and DEFAULT_THRESHOLDS, as the library exports them (src/index.ts), are frozen all the way down:
// `DEFAULT_THRESHOLDS.closeWaitCount = 0` changed every later analyze() and `DEFAULT_CONFIG.bufferSize = 1` every
// later generateServer() (both below their schema's minimum, unvalidated), and defaultLanguage = 'cobol' made
// generateServer({}) throw a raw TypeError. An assignment now throws (ES modules are strict) and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, DEFAULT_THRESHOLDS, generateServer, resolveThresholds } from '../../src/index.js';

test('DEFAULT_CONFIG and DEFAULT_THRESHOLDS are deeply frozen; later calls keep the defaults', () => {
  for (const o of [DEFAULT_CONFIG, DEFAULT_CONFIG.thresholds, DEFAULT_CONFIG.keymap, DEFAULT_THRESHOLDS]) assert.ok(Object.isFrozen(o));
  const bufferSize = generateServer({}).options.bufferSize;
  const closeWait = DEFAULT_THRESHOLDS.closeWaitCount;
  assert.throws(() => {
    (DEFAULT_THRESHOLDS as Record<string, number>).closeWaitCount = 0;
  }, TypeError);
  assert.throws(() => {
    (DEFAULT_CONFIG as { bufferSize: number }).bufferSize = 1;
  }, TypeError);
  assert.throws(() => {
    (DEFAULT_CONFIG as { defaultLanguage: string }).defaultLanguage = 'cobol';
  }, TypeError);
  assert.throws(() => {
    (DEFAULT_CONFIG.thresholds as Record<string, number>).closeWaitCount = 0;
  }, TypeError);
  assert.equal(DEFAULT_THRESHOLDS.closeWaitCount, closeWait);
  assert.equal(resolveThresholds({}).closeWaitCount, closeWait);
  assert.equal(generateServer({}).options.bufferSize, bufferSize);
  assert.equal(generateServer({}).options.language, 'c');
  // The calls that merge a caller's settings over the defaults still do (copies, not the frozen objects).
  assert.equal(generateServer({}, { config: { bufferSize: 4096 } }).options.bufferSize, 4096);
  assert.equal(resolveThresholds({ closeWaitCount: 5 }).closeWaitCount, 5);
});
