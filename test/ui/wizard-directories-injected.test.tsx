// The wizard's reducer is pure: which outputs are directories is asked of deps.directories, which the Wizard
// component supplies (the file system's answer, codegen/output-target.ts directoriesAmong) unless a test replaces it.
// The reducer used to fall back to reading the disk itself when deps.directories was not given.
import assert from 'node:assert/strict';
import fs, { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { generateServer } from '../../src/codegen/index.js';
import { initialState, reduce, type WizardDeps, type WizardState } from '../../src/ui/wizard/reducer.js';
import { visibleSteps } from '../../src/ui/wizard/steps.js';
import { Wizard } from '../../src/ui/wizard/Wizard.js';
import { waitFor } from './fakes.js';
import { wizardKeys } from './wizard-keys.js';

const cfg = { ...DEFAULT_CONFIG, defaultLanguage: 'python' as const, defaultIoModel: 'selectors', bufferSize: 4096 };
const generate: WizardDeps['generate'] = (i, o) => generateServer(i, { output: o, config: cfg });
const message = (dir: string) => `${dir} is a directory; --output names the file to write (e.g. ${dir}/server.py)`;

/** The file step of a fresh wizard state, driven through the reducer with `deps`. */
function atFileStep(deps: WizardDeps): WizardState {
  let s = initialState(cfg);
  for (let k = 0; k < 20 && visibleSteps(s.input)[s.step].id !== 'output'; k++) s = reduce(s, { name: 'enter' }, deps);
  assert.equal(visibleSteps(s.input)[s.step].id, 'output');
  return s;
}

/** The reducer's own lstat/stat/exists calls under `fn` (node:fs patched for ESM importers too); none while a dependency runs. */
function statCalls(fn: (dep: <A extends unknown[], R>(f: (...a: A) => R) => (...a: A) => R) => void): string[] {
  const calls: string[] = [];
  let inDep = 0;
  const dep =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      inDep++;
      try {
        return f(...a);
      } finally {
        inDep--;
      }
    };
  const saved = { lstatSync: fs.lstatSync, statSync: fs.statSync, existsSync: fs.existsSync };
  const spy =
    (name: string, f: (...a: never[]) => unknown) =>
    (...a: never[]) => {
      if (!inDep) calls.push(`${name} ${String(a[0])}`);
      return f(...a);
    };
  Object.assign(fs, { lstatSync: spy('lstat', saved.lstatSync), statSync: spy('stat', saved.statSync), existsSync: spy('exists', saved.existsSync) });
  syncBuiltinESMExports();
  try {
    fn(dep);
  } finally {
    Object.assign(fs, saved);
    syncBuiltinESMExports();
  }
  return calls;
}

describe('wizard: the directory check is a dependency', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sockscope-wizard-deps-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const dir = join(tmp, 'd');
  mkdirSync(dir);

  it('the reducer asks deps.directories only, never the disk (no fallback when it is missing)', () => {
    const asked: string[][] = [];
    let s: WizardState | undefined;
    let refused: WizardState | undefined;
    let missing: WizardState | undefined;
    const calls = statCalls((dep) => {
      const deps: WizardDeps = {
        config: cfg,
        generate: dep(generate),
        exists: dep(() => []),
        write: dep(() => []),
        // What it says decides, not the disk: the real directory passes, a name it calls one is refused.
        directories: dep((files: { path: string }[]) => {
          asked.push(files.map((f) => f.path));
          return files.map((f) => f.path).filter((p) => p.endsWith('.dir'));
        }),
      };
      s = reduce({ ...atFileStep(deps), text: dir }, { name: 'enter' }, deps);
      refused = reduce({ ...atFileStep(deps), text: join(tmp, 'x.dir') }, { name: 'enter' }, deps);
      // Without the dependency the reducer has nothing to read the disk with (it used to lstat the output itself).
      const { directories: _, ...rest } = deps;
      missing = reduce({ ...atFileStep(deps), text: dir }, { name: 'enter' }, rest as unknown as WizardDeps);
    });
    assert.deepEqual(calls, [], 'no file-system call from the reducer');
    assert.equal(s!.phase, 'preview');
    assert.deepEqual(asked[0], [dir]);
    assert.equal(refused!.phase, 'steps');
    assert.equal(refused!.error, message(join(tmp, 'x.dir')));
    assert.notEqual(missing!.error, message(dir));
  });

  it('the Wizard component supplies the file system\'s check: a directory is refused at "Write to file" with other effects faked', async () => {
    const written: string[] = [];
    const app = render(createElement(Wizard, { onDone: () => {}, onCancel: () => {}, config: cfg, rows: 24, deps: { generate, exists: () => [], write: (r) => (written.push(...r.files.map((f) => f.path)), []) } }));
    const { frame, press, title } = wizardKeys(app);
    try {
      await waitFor(frame, (f) => /Protocol/.test(f));
      for (let k = 0; k < 20 && !/^Write to file/.test(title()); k++) await press('\r');
      assert.match(title(), /^Write to file/);
      const current = (/^› (.*)$/m.exec(frame())?.[1] ?? '').replace(/\u001b\[[0-9;]*m/g, '').replace(/ $/, '');
      if (current.length > 0) await press('\u007f'.repeat(current.length));
      for (const ch of dir) await press(ch);
      const f = await press('\r');
      assert.match(title(), /^Write to file/);
      assert.doesNotMatch(f, /Overwrite|Preview/);
      const errLine = f.split('\n').find((l) => l.startsWith('! '));
      assert.ok(errLine && message(dir).startsWith(errLine.slice(2).replace(/…$/, '')), f);
      assert.deepEqual(written, []);
    } finally {
      app.unmount();
    }
  });

  it('the Wizard component passes a test\'s deps.directories on to the reducer', async () => {
    const fake = join(tmp, 'not-really-a-dir.py');
    const app = render(createElement(Wizard, { onDone: () => {}, onCancel: () => {}, config: cfg, rows: 24, deps: { generate, exists: () => [], write: () => [], directories: (files) => files.map((f) => f.path).filter((p) => p === fake) } }));
    const frame = () => app.lastFrame() ?? '';
    const press = async (keys: string) => {
      const before = frame();
      app.stdin.write(keys);
      return waitFor(frame, (f) => f !== before);
    };
    try {
      await waitFor(frame, (f) => /Protocol/.test(f));
      for (let k = 0; k < 20 && !/Write to file/.test(frame()); k++) await press('\r');
      const current = (/^› (.*)$/m.exec(frame())?.[1] ?? '').replace(/\u001b\[[0-9;]*m/g, '').replace(/ $/, '');
      if (current.length > 0) await press('\u007f'.repeat(current.length));
      for (const ch of fake) await press(ch);
      const f = await press('\r');
      assert.match(f, /^! .*not-really-a-dir\.py is a directory/m);
    } finally {
      app.unmount();
    }
  });
});
