// The knowledge tables the library exports were mutable: `SOCKET_OPTIONS.find(o => o.name === 'TCP_NODELAY').summary
// = 'POISONED'` changed every later describeOption(), and a write to an ALL_ERRORS entry every later explainErrno().
// They are frozen all the way down (as DEFAULT_CONFIG is): a write throws (ES modules are strict) and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_ERRORS, BSD_ERRNOS, describeOption, ERRNO_PLATFORMS, explainErrno, LINUX_ERRNOS, SOCKET_OPTION_NAMES, SOCKET_OPTIONS, WSA_ERRORS } from '../../src/index.js';

function deeplyFrozen(v: unknown, seen = new Set<unknown>()): boolean {
  if (typeof v !== 'object' || v === null || seen.has(v)) return true;
  seen.add(v);
  return Object.isFrozen(v) && Object.values(v).every((x) => deeplyFrozen(x, seen));
}

test('SOCKET_OPTIONS and the errno tables are deeply frozen', () => {
  for (const [name, table] of Object.entries({ SOCKET_OPTIONS, SOCKET_OPTION_NAMES, ALL_ERRORS, LINUX_ERRNOS, BSD_ERRNOS, WSA_ERRORS, ERRNO_PLATFORMS })) {
    assert.ok(deeplyFrozen(table), `${name} is not frozen all the way down`);
  }
});

test('a write to a table entry throws and changes no later describeOption() or explainErrno()', () => {
  const summary = describeOption('TCP_NODELAY').summary;
  const option = SOCKET_OPTIONS.find((o) => o.name === 'TCP_NODELAY')!;
  assert.throws(() => {
    (option as { summary: string }).summary = 'POISONED';
  }, TypeError);
  assert.throws(() => (SOCKET_OPTIONS as unknown as unknown[]).push({}), TypeError);
  assert.equal(describeOption('TCP_NODELAY').summary, summary);
  const message = explainErrno('ECONNRESET').matches[0].message;
  const error = ALL_ERRORS.find((e) => e.name === 'ECONNRESET')!;
  assert.throws(() => {
    (error as { message: string }).message = 'POISONED';
  }, TypeError);
  assert.throws(() => {
    (LINUX_ERRNOS.find((e) => e.name === 'ECONNRESET') as { message: string }).message = 'POISONED';
  }, TypeError);
  assert.equal(explainErrno('ECONNRESET').matches[0].message, message);
  // Results stay the caller's to edit (copies, not the frozen entries).
  const r = describeOption('TCP_NODELAY');
  (r as { summary: string }).summary = 'mine';
  assert.equal(describeOption('TCP_NODELAY').summary, summary);
});
