// Threshold values: each threshold's kind decides which values can work (a count, a ratio, seconds...),
// and a warning level may not be above its critical level once the sources are merged (a level no source
// sets at its default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS, THRESHOLD_KINDS, THRESHOLD_PAIRS, THRESHOLD_RANGES, thresholdConflicts, thresholdValueProblem, type ThresholdKind } from '../../src/advise/thresholds.js';
import { ConfigFileSchema } from '../../src/config/schema.js';
import { loadConfig, userConfigPath } from '../../src/config/load.js';
import { UsageError } from '../../src/cli/errors.js';

/** The first issue of a file with these thresholds, as "KEY: message", or 'ok'. */
function check(thresholds: Record<string, number>): string {
  const r = ConfigFileSchema.safeParse({ thresholds });
  if (r.success) return 'ok';
  const i = r.error.issues[0];
  return `${i.path.join('.')}: ${i.message}`;
}

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-ranges-'));
  const home = join(root, 'home');
  const cwd = join(root, 'project');
  mkdirSync(home);
  mkdirSync(cwd);
  return { root, home, cwd, done: () => rmSync(root, { recursive: true, force: true }) };
}

/** loadConfig's error message, or 'ok'. */
function loadError(cwd: string, home: string): string {
  try {
    loadConfig({ cwd, env: { HOME: home } });
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof UsageError, String(e));
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
}

test('every threshold declares a kind; every critical level is in one pair; the defaults are valid', () => {
  assert.deepEqual(Object.keys(THRESHOLD_KINDS).sort(), Object.keys(DEFAULT_THRESHOLDS).sort());
  for (const [name, kind] of Object.entries(THRESHOLD_KINDS)) assert.ok(Object.hasOwn(THRESHOLD_RANGES, kind), `${name}: ${kind}`);
  const paired = THRESHOLD_PAIRS.flatMap((p) => [p.warning, p.critical]);
  assert.equal(new Set(paired).size, paired.length, 'a threshold is in one pair at most');
  for (const n of paired) assert.ok(Object.hasOwn(DEFAULT_THRESHOLDS, n), n);
  for (const n of Object.keys(DEFAULT_THRESHOLDS).filter((n) => /Critical/.test(n)))
    assert.ok(THRESHOLD_PAIRS.some((p) => p.critical === n), `${n} has its warning level in THRESHOLD_PAIRS`);
  for (const p of THRESHOLD_PAIRS) assert.equal(THRESHOLD_KINDS[p.warning], THRESHOLD_KINDS[p.critical], `${p.warning}/${p.critical} measure the same thing`);
  for (const [name, v] of Object.entries(DEFAULT_THRESHOLDS)) assert.equal(thresholdValueProblem(name, v), undefined, name);
  assert.deepEqual(thresholdConflicts(DEFAULT_THRESHOLDS), []);
  assert.equal(check({ ...DEFAULT_THRESHOLDS }), 'ok');
});

// Per kind: values that work and values that cannot, with the message.
const KIND_CASES: Record<ThresholdKind, { name: string; ok: number[]; bad: number[]; says: string }> = {
  count: { name: 'closeWaitGrowth', ok: [1, 7, 100000], bad: [0, 2.5, -1], says: 'expected a whole number from 1 to 9007199254740991' },
  countOrZero: { name: 'retransMinSegs', ok: [0, 1, 5000], bad: [1.5, -1], says: 'expected a whole number from 0 to 9007199254740991' },
  samples: { name: 'persistSamples', ok: [1, 3, 10], bad: [0, 2.5], says: 'expected a whole number of samples from 1 to 9007199254740991' },
  bytes: { name: 'queueBytes', ok: [1, 4096], bad: [0, 1.5, -4096], says: 'expected a whole number of bytes from 1 to 9007199254740991' },
  ratio: { name: 'acceptQueueNearFullRatio', ok: [1, 0.5, 0.001], bad: [0, 1.5, -0.1, 80], says: 'expected a ratio > 0 and <= 1' },
  seconds: { name: 'windowSeconds', ok: [0.5, 1, 3600], bad: [0, -1], says: 'expected a number of seconds > 0' },
  milliseconds: { name: 'bufferMinBusyMs', ok: [0, 2.5, 1000], bad: [-1, -0.5], says: 'expected a number of milliseconds >= 0' },
};

for (const [kind, c] of Object.entries(KIND_CASES)) {
  test(`threshold kind ${kind} (${c.name}): ${c.ok.join(', ')} work; ${c.bad.join(', ')} are refused`, () => {
    assert.equal(THRESHOLD_KINDS[c.name], kind);
    for (const v of c.ok) assert.equal(check({ [c.name]: v }), 'ok', `${c.name}: ${v}`);
    for (const v of c.bad) assert.equal(check({ [c.name]: v }), `thresholds.${c.name}: ${c.says}, got ${v}`);
  });
}

test('every threshold refuses the values its kind cannot take (boundaries)', () => {
  for (const [name, kind] of Object.entries(THRESHOLD_KINDS)) {
    const r = THRESHOLD_RANGES[kind];
    const bad = [r.min - 1, ...(r.minExclusive ? [r.min] : []), ...(r.max !== undefined ? [r.max + 0.5] : []), ...(r.integer ? [r.min + 1.5] : [])];
    for (const v of bad) assert.match(check({ [name]: v }), new RegExp(`^thresholds\\.${name}: expected .*, got ${v}$`), `${name} (${kind}) = ${v}`);
    // The schema checks each value on its own; the pairs are checked once the sources are merged (below).
    const good = [r.minExclusive ? (r.max ?? r.min + 1) : r.min, ...(r.max !== undefined ? [r.max] : [])];
    for (const v of good) assert.equal(check({ [name]: v }), 'ok', `${name} (${kind}) = ${v}`);
  }
});

test('a warning level above its critical level is refused naming both keys, also against the other level\'s default', () => {
  const sb = sandbox();
  try {
    const file = join(sb.cwd, 'sockscope.yaml');
    const error = (thresholds: Record<string, number>) => {
      writeFileSync(file, `thresholds:\n${Object.entries(thresholds).map(([k, v]) => `  ${k}: ${v}\n`).join('')}`);
      return loadError(sb.cwd, sb.home);
    };
    for (const { warning, critical } of THRESHOLD_PAIRS) {
      const w = DEFAULT_THRESHOLDS[warning];
      const c = DEFAULT_THRESHOLDS[critical];
      const rule = 'a warning level must not be above its critical level';
      // A file's levels alone are valid for the schema: the check is on the merged thresholds.
      assert.equal(check({ [warning]: c, [critical]: w }), 'ok');
      // Both set, the wrong way round.
      assert.equal(error({ [warning]: c, [critical]: w }), `${file}: thresholds.${warning}: ${c} is above thresholds.${critical} ${w}: ${rule}`);
      // Only the warning level set, above the critical default.
      const high = THRESHOLD_KINDS[warning] === 'ratio' ? 1 : c + 1;
      assert.equal(error({ [warning]: high }), `${file}: thresholds.${warning}: ${high} is above thresholds.${critical} ${c} (its default; set ${critical} too): ${rule}`);
      // Only the critical level set, below the warning default.
      const low = THRESHOLD_KINDS[critical] === 'ratio' ? w / 2 : 1;
      assert.ok(low < w);
      assert.equal(error({ [critical]: low }), `${file}: thresholds.${critical}: ${low} is below thresholds.${warning} ${w} (its default; set ${warning} too): ${rule}`);
      // Equal levels, and both moved together, work.
      assert.equal(error({ [warning]: c }), 'ok');
      assert.equal(error({ [critical]: w }), 'ok');
      assert.equal(error({ [warning]: high, [critical]: high }), 'ok');
    }
  } finally {
    sb.done();
  }
});

test('the brief\'s file: exit-2 error naming the file and the first bad key; each contradiction on its own', () => {
  const sb = sandbox();
  try {
    const file = join(sb.cwd, 'sockscope.yaml');
    const write = (text: string) => writeFileSync(file, `thresholds:\n${text}`);
    write('  persistSamples: 2.5\n  windowSeconds: 0\n  fdRatio: 1.5\n  fdCriticalRatio: 0.1\n  closeWaitCount: 500\n  closeWaitCritical: 5\n');
    assert.equal(loadError(sb.cwd, sb.home), `${file}: thresholds.persistSamples: expected a whole number of samples from 1 to 9007199254740991, got 2.5`);
    write('  windowSeconds: 0\n');
    assert.equal(loadError(sb.cwd, sb.home), `${file}: thresholds.windowSeconds: expected a number of seconds > 0, got 0`);
    write('  fdRatio: 1.5\n');
    assert.equal(loadError(sb.cwd, sb.home), `${file}: thresholds.fdRatio: expected a ratio > 0 and <= 1, got 1.5`);
    write('  fdRatio: 0.9\n  fdCriticalRatio: 0.1\n');
    assert.match(loadError(sb.cwd, sb.home), new RegExp(`^${file}: thresholds\\.fdRatio: 0\\.9 is above thresholds\\.fdCriticalRatio 0\\.1: `));
    write('  closeWaitCount: 500\n');
    assert.match(loadError(sb.cwd, sb.home), new RegExp(`^${file}: thresholds\\.closeWaitCount: 500 is above thresholds\\.closeWaitCritical 100 \\(its default; set closeWaitCritical too\\)`));
    write('  closeWaitCritical: 5\n');
    assert.match(loadError(sb.cwd, sb.home), new RegExp(`^${file}: thresholds\\.closeWaitCritical: 5 is below thresholds\\.closeWaitCount 10 \\(its default; set closeWaitCount too\\)`));
    write('  closeWaitCount: 5\n  closeWaitCritical: 5\n  fdRatio: 1\n  fdCriticalRatio: 1\n  retransMinSegs: 0\n');
    assert.equal(loadError(sb.cwd, sb.home), 'ok');
  } finally {
    sb.done();
  }
});

test('levels from two files that contradict once merged: the later file is named, with both keys and the other file', () => {
  const sb = sandbox();
  try {
    const user = userConfigPath({ HOME: sb.home })!;
    mkdirSync(join(user, '..'), { recursive: true });
    writeFileSync(user, 'thresholds:\n  closeWaitCount: 3\n  closeWaitCritical: 5\n');
    const project = join(sb.cwd, 'sockscope.yaml');
    writeFileSync(project, 'thresholds:\n  closeWaitCount: 8\n');
    assert.equal(loadError(sb.cwd, sb.home), `${project}: thresholds.closeWaitCount: 8 is above thresholds.closeWaitCritical 5 (from ${user}): a warning level must not be above its critical level`);
    writeFileSync(user, 'thresholds:\n  orphanRatio: 0.85\n');
    writeFileSync(project, 'thresholds:\n  orphanCriticalRatio: 0.8\n');
    assert.equal(loadError(sb.cwd, sb.home), `${project}: thresholds.orphanCriticalRatio: 0.8 is below thresholds.orphanRatio 0.85 (from ${user}): a warning level must not be above its critical level`);
    writeFileSync(project, 'thresholds:\n  orphanCriticalRatio: 0.85\n');
    assert.deepEqual(loadConfig({ cwd: sb.cwd, env: { HOME: sb.home } }).config.thresholds, { orphanRatio: 0.85, orphanCriticalRatio: 0.85 });
  } finally {
    sb.done();
  }
});

test('README\'s sockscope config section names every pair and every kind\'s range', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### sockscope config'), readme.indexOf('\n### ', readme.indexOf('### sockscope config') + 5)).replace(/\s+/g, ' ');
  for (const { warning, critical } of THRESHOLD_PAIRS) assert.ok(section.includes(`\`${warning}\`/\`${critical}\``), `${warning}/${critical}`);
  for (const [name, kind] of Object.entries(THRESHOLD_KINDS))
    if (kind !== 'count' && kind !== 'ratio') assert.ok(section.includes(`\`${name}\``), `${name} (${kind}) has its range in README`);
});

test('pairs are checked on the merged thresholds: a level one file leaves out counts at the merged value, not its default', () => {
  const sb = sandbox();
  const rule = 'a warning level must not be above its critical level';
  try {
    const user = userConfigPath({ HOME: sb.home })!;
    mkdirSync(join(user, '..'), { recursive: true });
    const project = join(sb.cwd, 'sockscope.yaml');
    const load = (flags?: Record<string, unknown>) => loadConfig({ cwd: sb.cwd, env: { HOME: sb.home }, ...(flags ? { flags: flags as never } : {}) }).config.thresholds;
    // The brief's case: the critical level raised in the user file, the warning level in the project file (200 < 500).
    writeFileSync(user, 'thresholds:\n  closeWaitCritical: 500\n');
    writeFileSync(project, 'thresholds:\n  closeWaitCount: 200\n');
    assert.deepEqual(load(), { closeWaitCritical: 500, closeWaitCount: 200 });
    // The other way round: the user file's warning level is above the default critical one, the project file raises that.
    writeFileSync(user, 'thresholds:\n  fdRatio: 0.97\n');
    writeFileSync(project, 'thresholds:\n  fdCriticalRatio: 0.99\n');
    assert.deepEqual(load(), { fdRatio: 0.97, fdCriticalRatio: 0.99 });
    // A file's level above the default, raised by a flag (flags take precedence over files).
    writeFileSync(user, '');
    writeFileSync(project, 'thresholds:\n  closeWaitCount: 200\n');
    assert.deepEqual(load({ thresholds: { closeWaitCritical: 500 } }), { closeWaitCount: 200, closeWaitCritical: 500 });
    // Merged and contradicting: named by the file that set each level.
    writeFileSync(user, 'thresholds:\n  closeWaitCritical: 150\n');
    assert.equal(loadError(sb.cwd, sb.home), `${project}: thresholds.closeWaitCount: 200 is above thresholds.closeWaitCritical 150 (from ${user}): ${rule}`);
    // A flag that lowers the other file's level below it: the flag is the later source.
    writeFileSync(user, '');
    assert.throws(
      () => load({ thresholds: { closeWaitCritical: 150 } }),
      (e: Error) => e instanceof UsageError && e.message === `--thresholds: thresholds.closeWaitCritical: 150 is below thresholds.closeWaitCount 200 (from ${project}): ${rule}`,
    );
    // One file alone, the other level at its default: said so, with the file.
    assert.equal(loadError(sb.cwd, sb.home), `${project}: thresholds.closeWaitCount: 200 is above thresholds.closeWaitCritical 100 (its default; set closeWaitCritical too): ${rule}`);
  } finally {
    sb.done();
  }
});

test('a whole-number threshold beyond JavaScript\'s safe integers is refused as written with its range, not rounded', () => {
  const sb = sandbox();
  try {
    const file = join(sb.cwd, 'sockscope.yaml');
    const write = (text: string) => writeFileSync(file, `thresholds:\n${text}`);
    write('  synSentCount: 12345678901234567890\n');
    assert.equal(loadError(sb.cwd, sb.home), `${file}: thresholds.synSentCount: expected a whole number from 1 to 9007199254740991, got 12345678901234567890`);
    write('  persistSamples: 99999999999999999999\n');
    assert.equal(loadError(sb.cwd, sb.home), `${file}: thresholds.persistSamples: expected a whole number of samples from 1 to 9007199254740991, got 99999999999999999999`);
    write('  retransMinSegs: 9007199254740993\n');
    assert.equal(loadError(sb.cwd, sb.home), `${file}: thresholds.retransMinSegs: expected a whole number from 0 to 9007199254740991, got 9007199254740993`);
    write('  queueBytes: 9007199254740991\n');
    assert.equal(loadError(sb.cwd, sb.home), 'ok', 'the largest safe integer is a whole number');
    // The library's and task's overrides: the same check (no YAML text to quote).
    // The library's and task's overrides: the same check (no YAML text to quote). The number is said to be beyond
    // the bound, never printed rounded (2 ** 60 = 1152921504606846976 was shown 1152921504606847000; JSON's
    // 12345678901234567890 as 12345678901234567000).
    const beyond = 'got a number beyond 9007199254740991';
    assert.equal(thresholdValueProblem('closeWaitCount', 2 ** 60), `expected a whole number from 1 to 9007199254740991, ${beyond}`);
    assert.equal(check({ closeWaitCount: 2 ** 60 }), `thresholds.closeWaitCount: expected a whole number from 1 to 9007199254740991, ${beyond}`);
    const task = JSON.parse('{"synSentCount":12345678901234567890,"queueBytes":-12345678901234567890}');
    assert.equal(check({ synSentCount: task.synSentCount }), `thresholds.synSentCount: expected a whole number from 1 to 9007199254740991, ${beyond}`);
    assert.equal(
      check({ queueBytes: task.queueBytes }),
      'thresholds.queueBytes: expected a whole number of bytes from 1 to 9007199254740991, got a number beyond -9007199254740991',
    );
    assert.equal(thresholdValueProblem('persistSamples', 9007199254740992), `expected a whole number of samples from 1 to 9007199254740991, ${beyond}`);
  } finally {
    sb.done();
  }
});
