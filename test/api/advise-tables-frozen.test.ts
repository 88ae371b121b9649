// The rule tables and the generator's IO models the library exports were writable and shared: `ALL_RULES.length = 0;
// HEALTH_CHECKS.length = 0` made every later analyze() in the process return no recommendation at all, and a write
// to SEVERITY_ORDER, THRESHOLD_DOCS or IO_MODELS changed every later sort, `sockscope config` text or generateServer().
// They are frozen all the way down (model/deep-freeze.ts, where each is defined): a write throws (ES modules are
// strict) and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_RULES, analyze, generateServer, HEALTH_CHECKS, IO_MODELS, SEVERITY_ORDER, THRESHOLD_DOCS } from '../../src/index.js';

function deeplyFrozen(v: unknown, seen = new Set<unknown>()): boolean {
  if (typeof v !== 'object' || v === null || seen.has(v)) return true;
  seen.add(v);
  return Object.isFrozen(v) && Object.values(v).every((x) => deeplyFrozen(x, seen));
}

test('ALL_RULES, HEALTH_CHECKS, SEVERITY_ORDER, THRESHOLD_DOCS and IO_MODELS are deeply frozen', () => {
  for (const [name, table] of Object.entries({ ALL_RULES, HEALTH_CHECKS, SEVERITY_ORDER, THRESHOLD_DOCS, IO_MODELS })) {
    assert.ok(deeplyFrozen(table), `${name} is not frozen all the way down`);
  }
});

test('emptying the rule lists throws and changes no later analyze() (real /proc of this host)', async () => {
  const ids = (r: Awaited<ReturnType<typeof analyze>>) => r.recommendations.map((x) => x.id).sort();
  const before = await analyze({ source: 'procfs' });
  // Every topic has a line, a finding or "normal": never none.
  assert.ok(before.recommendations.length > 0);
  assert.throws(() => {
    (ALL_RULES as unknown as unknown[]).length = 0;
  }, TypeError);
  assert.throws(() => {
    (HEALTH_CHECKS as unknown as unknown[]).length = 0;
  }, TypeError);
  assert.throws(() => {
    (HEALTH_CHECKS[0] as { describe: unknown }).describe = () => null;
  }, TypeError);
  assert.throws(() => {
    (ALL_RULES[0].severities as unknown as string[]).push('info');
  }, TypeError);
  assert.throws(() => {
    (SEVERITY_ORDER as Record<string, number>).info = 9;
  }, TypeError);
  assert.throws(() => {
    (THRESHOLD_DOCS as Record<string, string>).closeWaitCount = 'POISONED';
  }, TypeError);
  assert.ok(ALL_RULES.length > 0 && HEALTH_CHECKS.length > 0);
  const after = await analyze({ source: 'procfs' });
  assert.ok(after.recommendations.length > 0, 'analyze() returned nothing after the write');
  // The host may change in between (a CLOSE_WAIT comes or goes); the health lines' topics stay.
  const topicOf = new Map<string, string>([...ALL_RULES.map((r) => [r.id, r.topic] as const), ...HEALTH_CHECKS.flatMap((h) => [h.id, ...(h.otherIds ?? [])].map((id) => [id, h.topic] as const))]);
  const topics = (r: typeof before) => [...new Set(r.recommendations.map((x) => topicOf.get(x.id) ?? x.id))].sort();
  assert.deepEqual(topics(after), topics(before), `${ids(before)} -> ${ids(after)}`);
});

test('a write to IO_MODELS throws and changes no later generateServer()', () => {
  assert.throws(() => {
    (IO_MODELS.c as string[]).length = 0;
  }, TypeError);
  assert.throws(() => {
    (IO_MODELS as Record<string, readonly string[]>).c = ['select'];
  }, TypeError);
  assert.deepEqual([...IO_MODELS.c], ['epoll', 'poll', 'select', 'kqueue', 'io_uring']);
  assert.equal(generateServer({ language: 'c', ioModel: 'epoll' }).options.ioModel, 'epoll');
  assert.equal(generateServer({}).options.ioModel, 'epoll');
});
