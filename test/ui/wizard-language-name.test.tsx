// A file name typed for C (`mysrv.c`) was kept after going back and switching the language to Python: the wizard
// wrote Python into mysrv.c and said `Run: python3 mysrv.c`. generate-server --language python --output x.c writes
// it (python3 runs any name; C and Node refuse another extension), so the wizard does not refuse either: a typed
// name with another language's extension takes the new language's on the way back to the file step (mysrv.py), and
// a Python server in a file typed as mysrv.c gets a warning on the file step and the preview.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { currentChoices, initialState, reduce, type WizardKey, type WizardState } from '../../src/ui/wizard/reducer.js';
import { WizardView } from '../../src/ui/wizard/Wizard.js';
import { stepId, wizardDeps } from '../helpers/wizard.js';

const cfg = { ...DEFAULT_CONFIG, defaultLanguage: 'c' as const };
const deps = wizardDeps(cfg);
const key = (s: WizardState, k: WizardKey) => reduce(s, k, deps);
const forwardTo = (s: WizardState, id: string) => {
  for (let k = 0; k < 20 && !(s.phase === 'steps' && stepId(s) === id); k++) s = key(s, { name: 'enter' });
  assert.equal(stepId(s), id);
  return s;
};
const backTo = (s: WizardState, id: string) => {
  for (let k = 0; k < 20 && !(s.phase === 'steps' && stepId(s) === id); k++) s = key(s, { name: 'escape' });
  assert.equal(stepId(s), id);
  return s;
};
const typeName = (s: WizardState, name: string) => {
  for (let k = 0; k < 40 && s.text; k++) s = key(s, { name: 'backspace' });
  for (const ch of name) s = key(s, { name: 'char', ch });
  return s;
};
const pick = (s: WizardState, value: string) => {
  const i = currentChoices(s, cfg).findIndex((c) => c.value === value);
  assert.ok(i >= 0, value);
  while (s.cursor !== i) s = key(s, { name: 'down' });
  return key(s, { name: 'enter' });
};
const frameOf = (s: WizardState) => {
  const app = render(createElement(WizardView, { state: s, config: cfg, color: false, previewHeight: 10, rows: 24, width: 100 }));
  const f = app.lastFrame() ?? '';
  app.unmount();
  return f;
};

describe('wizard: a typed file name and the language', () => {
  it('mysrv.c typed for C, then back to Language and Python: the file step offers mysrv.py and writes Python there', () => {
    let s = forwardTo(initialState(cfg, { type: 'tcp' }), 'output');
    s = typeName(s, 'mysrv.c');
    s = key(s, { name: 'enter' });
    assert.equal(s.phase, 'preview');
    assert.equal(s.result!.files[0].path, 'mysrv.c');
    s = key(s, { name: 'escape' });
    s = backTo(s, 'language');
    s = pick(s, 'python');
    s = forwardTo(s, 'output');
    assert.equal(s.text, 'mysrv.py', 'the name typed for C kept its .c for Python');
    s = key(s, { name: 'enter' });
    assert.equal(s.result!.options.language, 'python');
    assert.deepEqual(s.result!.files.map((f) => f.path), ['mysrv.py']);
    // And back to C: mysrv.c again; a name without another language's extension is kept as typed.
    s = backTo(key(s, { name: 'escape' }), 'language');
    s = forwardTo(pick(s, 'c'), 'output');
    assert.equal(s.text, 'mysrv.c');
    s = typeName(s, 'srv-bin.txt');
    s = backTo(s, 'language');
    s = forwardTo(pick(s, 'python'), 'output');
    assert.equal(s.text, 'srv-bin.txt');
  });

  it('mysrv.c typed for Python: a warning on the file step and on the preview (written as the CLI writes it)', () => {
    let s = forwardTo(initialState(cfg, { type: 'tcp', language: 'python' }), 'output');
    assert.doesNotMatch(frameOf(s), /named as a/, 'no warning for server.py');
    s = typeName(s, 'mysrv.c');
    const field = frameOf(s);
    assert.match(field.replace(/\n\s*/g, ' '), /mysrv\.c is named as a C file, but this is a Python server .*e\.g\. mysrv\.py/, field);
    s = key(s, { name: 'enter' });
    assert.equal(s.phase, 'preview');
    assert.equal(s.error, null);
    const preview = frameOf(s);
    assert.match(preview, /Preview of mysrv\.c/);
    assert.match(preview, /! mysrv\.c is named as a C file/, preview);
    assert.ok(preview.split('\n').length <= 24);
    // Node's .mjs as well; C's own names never.
    assert.match(frameOf(typeName(backTo(key(s, { name: 'escape' }), 'output'), 'srv.mjs')), /srv\.mjs is named as a Node file/);
  });

  it('mysrv.c typed for Python on purpose: kept on Esc from the preview and when Python is picked again; another language renames it', () => {
    // Every entry to the file step renamed a typed name with another language's extension, even with the language
    // it was typed under: the file step said mysrv.py after Esc from mysrv.c's preview (reviewer's finding 1).
    let s = forwardTo(initialState(cfg, { type: 'tcp', language: 'python' }), 'output');
    s = typeName(s, 'mysrv.c');
    s = key(s, { name: 'enter' });
    assert.equal(s.phase, 'preview');
    s = key(s, { name: 'escape' });
    assert.equal(stepId(s), 'output');
    assert.equal(s.text, 'mysrv.c', 'Esc from the preview renamed the name typed for Python');
    s = key(s, { name: 'enter' });
    assert.deepEqual(s.result!.files.map((f) => f.path), ['mysrv.c']);
    // Back to Language without changing it: the same name.
    s = backTo(key(s, { name: 'escape' }), 'language');
    s = forwardTo(pick(s, 'python'), 'output');
    assert.equal(s.text, 'mysrv.c', 'Python picked again renamed the name typed for Python');
    // Esc from the file step itself (nothing typed since) and forward again: the same.
    s = forwardTo(backTo(s, 'language'), 'output');
    assert.equal(s.text, 'mysrv.c');
    // Another language renames it (C's own .c stays), and Python after Node takes .py: no longer the name typed.
    s = forwardTo(pick(backTo(s, 'language'), 'c'), 'output');
    assert.equal(s.text, 'mysrv.c');
    s = forwardTo(pick(backTo(s, 'language'), 'node'), 'output');
    assert.equal(s.text, 'mysrv.mjs');
    s = forwardTo(pick(backTo(s, 'language'), 'python'), 'output');
    assert.equal(s.text, 'mysrv.py');
  });
});
