// The generator wizard: reducer over keys (pure, with fake file effects) and the Ink component driven
// through stdin with ink-testing-library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { generateServer } from '../../src/codegen/index.js';
import { initialState, reduce, currentChoices, type WizardDeps, type WizardKey } from '../../src/ui/wizard/reducer.js';
import { visibleSteps } from '../../src/ui/wizard/steps.js';
import { Wizard } from '../../src/ui/wizard/Wizard.js';
import { highlightLine } from '../../src/ui/wizard/highlight.js';
import { sleep } from './harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cfg = { ...DEFAULT_CONFIG, defaultLanguage: 'python' as const, defaultIoModel: 'selectors', bufferSize: 4096 };

function fakeDeps(existing: string[] = []) {
  const writes: { paths: string[]; force: boolean }[] = [];
  const deps: WizardDeps = {
    config: cfg,
    generate: (input, output) => generateServer(input, { output, config: cfg }),
    exists: (paths) => paths.filter((p) => existing.includes(p)),
    directories: () => [],
    write: (r, force) => {
      writes.push({ paths: r.files.map((f) => f.path), force });
      return r.files.map((f) => f.path);
    },
  };
  return { deps, writes };
}

const enter: WizardKey = { name: 'enter' };

test('defaults come from config and Enter through every step reaches the preview', () => {
  const { deps, writes } = fakeDeps();
  let s = initialState(cfg);
  const seen: string[] = [];
  for (let k = 0; k < 30 && s.phase === 'steps'; k++) {
    seen.push(visibleSteps(s.input)[s.step].id);
    s = reduce(s, enter, deps);
  }
  assert.equal(s.phase, 'preview');
  assert.ok(!seen.includes('platform'), 'no C platform step for python');
  assert.equal(s.result!.options.language, 'python');
  assert.equal(s.result!.options.ioModel, 'selectors');
  assert.equal(s.result!.options.bufferSize, 4096);
  assert.equal(s.output, 'server.py');
  s = reduce(s, enter, deps);
  assert.equal(s.phase, 'done');
  assert.deepEqual(writes, [{ paths: ['server.py'], force: false }]);
  s = reduce(s, enter, deps);
  assert.equal(s.phase, 'finished');
});

test('choices hide what the rules refuse (no latency profile for node, no http for udp)', () => {
  const { deps } = fakeDeps();
  let s = initialState(cfg, { language: 'node' });
  // type: choose UDP
  s = reduce(s, { name: 'down' }, deps);
  s = reduce(s, enter, deps);
  s = reduce(s, enter, deps); // language (node)
  assert.equal(visibleSteps(s.input)[s.step].id, 'ioModel');
  s = reduce(s, enter, deps);
  assert.equal(visibleSteps(s.input)[s.step].id, 'port', 'no handler step for udp');
  s = reduce(s, enter, deps);
  s = reduce(s, enter, deps); // family
  assert.equal(visibleSteps(s.input)[s.step].id, 'profile');
  assert.deepEqual(currentChoices(s, cfg).map((c) => c.value), ['none', 'throughput']);
});

test('bad text input stays on the step with a message; Esc goes back, and cancels at the first step', () => {
  const { deps } = fakeDeps();
  let s = initialState(cfg);
  for (let k = 0; k < 4; k++) s = reduce(s, enter, deps);
  assert.equal(visibleSteps(s.input)[s.step].id, 'port');
  for (let k = 0; k < 4; k++) s = reduce(s, { name: 'backspace' }, deps);
  for (const ch of '70000') s = reduce(s, { name: 'char', ch }, deps);
  s = reduce(s, enter, deps);
  assert.equal(visibleSteps(s.input)[s.step].id, 'port');
  assert.match(s.error!, /port must be 0 to 65535, got 70000/);
  for (let k = 0; k < 10 && s.phase === 'steps'; k++) s = reduce(s, { name: 'escape' }, deps);
  assert.equal(s.phase, 'cancelled');
});

test('an existing file needs confirmation: n goes back, y overwrites', () => {
  const { deps, writes } = fakeDeps(['server.py']);
  let s = initialState(cfg);
  for (let k = 0; k < 30 && s.phase === 'steps'; k++) s = reduce(s, enter, deps);
  s = reduce(s, enter, deps);
  assert.equal(s.phase, 'confirm');
  s = reduce(s, { name: 'char', ch: 'n' }, deps);
  assert.equal(s.phase, 'steps');
  assert.equal(visibleSteps(s.input)[s.step].id, 'output');
  assert.equal(writes.length, 0);
  s = reduce(s, enter, deps);
  s = reduce(s, enter, deps);
  s = reduce(s, { name: 'char', ch: 'y' }, deps);
  assert.equal(s.phase, 'done');
  assert.deepEqual(writes, [{ paths: ['server.py'], force: true }]);
});

/** Polls the last frame until pred holds (bounded: 3 s). */
async function until(frame: () => string | undefined, pred: (f: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const f = frame() ?? '';
    if (pred(f)) return f;
    if (Date.now() > deadline) throw new Error(`${what}: last frame was\n${f}`);
    await sleep(10);
  }
}

test('the Ink component walks the steps from stdin, previews, writes and calls onDone', async () => {
  const { deps, writes } = fakeDeps();
  let done: { written: string[] } | null = null;
  let cancelled = false;
  const app = render(
    createElement(Wizard, { config: cfg, color: false, rows: 30, deps, onDone: (d) => (done = d), onCancel: () => (cancelled = true) }),
  );
  const frame = () => app.lastFrame();
  await until(frame, (f) => /Protocol/.test(f), 'first step');
  app.stdin.write('\u001b[B'); // down: UDP
  await until(frame, (f) => /› UDP/.test(f), 'cursor on UDP');
  app.stdin.write('\r');
  const lang = await until(frame, (f) => /Language/.test(f), 'language step');
  assert.match(lang, /› Python 3/, 'config defaultLanguage preselected');
  for (let k = 0; k < 20 && !/Preview of/.test(frame()!); k++) {
    const before = frame();
    app.stdin.write('\r');
    await until(frame, (f) => f !== before, `step ${k} advances`);
  }
  const preview = frame()!;
  assert.match(preview, /Preview of server\.py/);
  assert.match(preview, /# Generated by sockscope .*UDP echo server, Python 3, io model selectors/);
  app.stdin.write('\r');
  const wrote = await until(frame, (f) => /Wrote server\.py/.test(f), 'written screen');
  assert.match(wrote, /Watch it: sockscope --port 8080/);
  app.stdin.write('\r');
  const deadline = Date.now() + 2000;
  while (!done && Date.now() < deadline) await sleep(10);
  assert.deepEqual(done && (done as { written: string[] }).written, ['server.py']);
  assert.equal(writes.length, 1);
  assert.equal(cancelled, false);
  app.unmount();
});

test('Esc on the first step cancels', async () => {
  let cancelled = false;
  const app = render(createElement(Wizard, { config: cfg, color: false, onDone: () => {}, onCancel: () => (cancelled = true) }));
  await until(() => app.lastFrame(), (f) => /Protocol/.test(f), 'first step');
  app.stdin.write('\u001b');
  const deadline = Date.now() + 3000;
  while (!cancelled && Date.now() < deadline) await sleep(10);
  assert.equal(cancelled, true);
  app.unmount();
});

test('highlighter: comments, strings, keywords; block comments carry across lines', () => {
  const py = highlightLine('    x = "a # b"  # note', 'python');
  assert.deepEqual(py.map((t) => t.kind), ['plain', 'string', 'plain', 'comment']);
  const st = { inBlock: false };
  assert.equal(highlightLine('int x; /* open', 'c', st).at(-1)!.kind, 'comment');
  assert.equal(st.inBlock, true);
  assert.deepEqual(highlightLine(' still */ return 1;', 'c', st).map((t) => t.kind), ['comment', 'plain', 'keyword', 'plain', 'number', 'plain']);
  assert.equal(highlightLine('#include <stdio.h>', 'c')[0].kind, 'preproc');
});

test('MonitorWizard (the monitor\'s `c`) fits the body height it is given and closes on Esc', async () => {
  const { MonitorWizard } = await import('../../src/ui/wizard/Wizard.js');
  // It writes with the real writer: work in a scratch directory, and never press Enter on the preview.
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-wizard-'));
  process.chdir(dir);
  let closed = false;
  const app = render(createElement(MonitorWizard, { onClose: () => (closed = true), width: 80, height: 16 }));
  const frame = () => app.lastFrame();
  try {
    await until(frame, (f) => /Protocol/.test(f), 'first step');
    for (let k = 0; k < 20 && !/Preview of/.test(frame()!); k++) {
      const before = frame();
      app.stdin.write('\r');
      await until(frame, (f) => f !== before, `step ${k} advances`);
    }
    const preview = frame()!;
    assert.match(preview, /Preview of/);
    assert.ok(preview.split('\n').length <= 16, `preview is ${preview.split('\n').length} rows`);
    for (let k = 0; k < 20 && !closed; k++) {
      const before = frame();
      app.stdin.write('\u001b');
      await until(frame, (f) => f !== before || closed, 'back').catch(() => '');
    }
    assert.equal(closed, true);
  } finally {
    app.unmount();
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});
