// Wizard defects found in review: the file name kept after a language change, no redraw on resize, error
// lines cut to one row, created directories not named (and `~/` taken literally), TCP-worded io model hints
// for UDP, "--port 0" on the last screen, and a second, wrong key line under the wizard in the monitor.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { generateServer } from '../../src/codegen/index.js';
import { IO_MODELS } from '../../src/codegen/options.js';
import { currentChoices, initialState, reduce, type WizardState } from '../../src/ui/wizard/reducer.js';
import { STEPS } from '../../src/ui/wizard/steps.js';
import { MonitorWizard, Wizard, WizardView } from '../../src/ui/wizard/Wizard.js';
import { DEFAULT_KEYMAP } from '../../src/ui/keymap.js';
import { FakeSource, listener, snapshot, waitFor } from './fakes.js';
import { mount as mountMonitor, type Harness } from './harness.js';
import { stepId, wizardDeps } from '../helpers/wizard.js';

const cfg = { ...DEFAULT_CONFIG, defaultLanguage: 'python' as const, defaultIoModel: 'selectors', bufferSize: 4096 };
const deps = wizardDeps(cfg);
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-wiz-fixes-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function forward(s: WizardState, to: string): WizardState {
  for (let k = 0; k < 30 && s.phase === 'steps' && stepId(s) !== to; k++) s = reduce(s, { name: 'enter' }, deps);
  return s;
}
function back(s: WizardState, to: string): WizardState {
  for (let k = 0; k < 30 && !(s.phase === 'steps' && stepId(s) === to); k++) s = reduce(s, { name: 'escape' }, deps);
  assert.equal(stepId(s), to);
  return s;
}
function pick(s: WizardState, value: string): WizardState {
  for (let k = 0; k < 10 && currentChoices(s, cfg)[s.cursor]?.value !== value; k++) s = reduce(s, { name: 'down' }, deps);
  return reduce(s, { name: 'enter' }, deps);
}
function typeText(s: WizardState, text: string): WizardState {
  for (let k = s.text.length; k > 0; k--) s = reduce(s, { name: 'backspace' }, deps);
  for (const ch of text) s = reduce(s, { name: 'char', ch }, deps);
  return s;
}
/** The frame's lines without colour codes. */
// eslint-disable-next-line no-control-regex
const plain = (f: string) => f.replace(/\u001b\[[0-9;]*m/g, '').split('\n');

describe('wizard: the file name after going back to change the language', () => {
  it('an untyped name follows the new language; Python then C writes server.c, "Run: ./server"', () => {
    let s = forward(initialState(cfg), 'output');
    assert.equal(s.text, 'server.py');
    s = reduce(s, { name: 'enter' }, deps);
    assert.equal(s.phase, 'preview');
    s = back(reduce(s, { name: 'escape' }, deps), 'language');
    s = forward(pick(s, 'c'), 'output');
    assert.equal(s.text, 'server.c');
    s = reduce(s, { name: 'enter' }, deps);
    assert.equal(s.result!.files[0].path, 'server.c');
    assert.equal(s.result!.runCommand, './server');
  });

  it('a typed name stays (after the preview, and after Esc from the file step without Enter)', () => {
    let s = typeText(forward(initialState(cfg), 'output'), 'mine.py');
    s = reduce(s, { name: 'enter' }, deps);
    s = back(reduce(s, { name: 'escape' }, deps), 'language');
    s = forward(pick(s, 'node'), 'output');
    // The typed name stays, its Python extension now Node's (wizard-language-name: the Node generator refuses mine.py).
    assert.equal(s.text, 'mine.mjs');
    s = typeText(s, 'other.mjs');
    s = back(s, 'comments');
    s = forward(s, 'output');
    assert.equal(s.text, 'other.mjs');
  });
});

describe('wizard: redraw on terminal resize', () => {
  it('the standalone preview takes the new height on stdout "resize", without a key', async () => {
    const app = render(createElement(Wizard, { onDone: () => {}, onCancel: () => {}, config: cfg, deps }));
    Object.defineProperty(app.stdout, 'rows', { value: 30, configurable: true });
    app.stdout.emit('resize');
    const frame = () => app.lastFrame() ?? '';
    for (let k = 0; k < 20 && !/Preview of/.test(frame()); k++) {
      const before = frame();
      app.stdin.write('\r');
      await waitFor(frame, (f) => f !== before);
    }
    // The frame is one row short of the terminal (Ink clears the scrollback at its height): 29 rows, a preview of 21.
    await waitFor(frame, (f) => /lines 1-21 of/.test(f));
    Object.defineProperty(app.stdout, 'rows', { value: 14, configurable: true });
    app.stdout.emit('resize');
    await waitFor(frame, (f) => /lines 1-5 of/.test(f), 2000);
    assert.ok(plain(frame()).length <= 13, `at most rows-1 lines:\n${frame()}`);
    app.unmount();
  });
});

describe('wizard: error lines', () => {
  const atBuffer = (input: object) => {
    const s = forward(initialState(cfg, input), 'bufferSize');
    assert.equal(stepId(s), 'bufferSize');
    return s;
  };
  it('a UDP buffer of 65537 shows the whole message, wrapped to the width, naming the field as the TCP one does', () => {
    const s = reduce(typeText(atBuffer({ type: 'udp', language: 'c' }), '65537'), { name: 'enter' }, deps);
    assert.match(s.error!, /^buffer size 65537 is more than a UDP datagram/);
    assert.doesNotMatch(s.error!, /--buffer-size/);
    const tcp = reduce(typeText(atBuffer({ type: 'tcp' }), '100M'), { name: 'enter' }, deps);
    assert.match(tcp.error!, /^buffer size /);
    for (const [width, rows] of [[60, 24], [40, 12]]) {
      const el = createElement(WizardView, { state: s, config: cfg, color: false, previewHeight: 10, rows, width });
      const app = render(el);
      Object.defineProperty(app.stdout, 'columns', { value: width, configurable: true });
      app.rerender(el);
      const lines = plain(app.lastFrame() ?? '');
      assert.ok(lines.every((l) => l.length <= width), `no line wider than ${width}:\n${lines.join('\n')}`);
      assert.ok(lines.length <= rows, `at most ${rows} lines:\n${lines.join('\n')}`);
      const start = lines.findIndex((l) => l.startsWith('! '));
      const end = lines.findIndex((l, k) => k > start && /Esc back/.test(l));
      const text = lines.slice(start, end).join(' ').replace(/^! /, '').replace(/\s+/g, ' ').trim();
      assert.equal(text, s.error, `at ${width}x${rows}`);
      app.unmount();
    }
  });
});

describe('wizard: directories', () => {
  it('the last screen names the directories the write created, as generate-server does', async () => {
    const app = render(createElement(Wizard, { onDone: () => {}, onCancel: () => {}, config: cfg, rows: 24, initial: { language: 'c' } }));
    const frame = () => plain(app.lastFrame() ?? '').join('\n');
    const press = async (k: string) => {
      const before = frame();
      app.stdin.write(k);
      await waitFor(frame, (f) => f !== before);
    };
    for (let k = 0; k < 20 && !/Write to file/.test(frame()); k++) await press('\r');
    for (let k = 0; k < 'server.c'.length; k++) await press('\u007f');
    const out = join(tmp, 'a', 'b', 'srv.c');
    for (const ch of out) await press(ch);
    await press('\r');
    await waitFor(frame, (f) => /Preview of/.test(f));
    await press('\r');
    const f = await waitFor(frame, (x) => /Wrote/.test(x));
    assert.ok(existsSync(out));
    assert.match(f, new RegExp(`Created the directories ${join(tmp, 'a')}, ${join(tmp, 'a', 'b')}`));
    app.unmount();
  });

  it('a file name starting with ~/ is refused at the file step: the shell expands ~, the wizard does not', () => {
    let s = typeText(forward(initialState(cfg), 'output'), '~/srv.py');
    s = reduce(s, { name: 'enter' }, deps);
    assert.equal(s.phase, 'steps');
    assert.equal(stepId(s), 'output');
    assert.match(s.error!, /shell expands ~.*the wizard does not/);
    assert.ok(s.error!.includes(join(homedir(), 'srv.py')), s.error!);
    s = reduce(typeText(s, '~'), { name: 'enter' }, deps);
    assert.match(s.error!, /shell expands ~/);
    // Not a home directory: a name that only starts with ~.
    s = reduce(typeText(s, '~srv.py'), { name: 'enter' }, deps);
    assert.equal(s.phase, 'preview');
  });
});

describe('wizard: io model hints describe the server generated for the protocol', () => {
  const hints = (input: object) => Object.fromEntries(STEPS.find((x) => x.id === 'ioModel')!.choices!(input, cfg).map((c) => [c.value, c.hint ?? '']));
  it('UDP hints name no connections; Python UDP threads says how many threads read the one socket', () => {
    for (const language of ['c', 'python', 'node'] as const) {
      const h = hints({ type: 'udp', language });
      assert.deepEqual(Object.keys(h).sort(), [...IO_MODELS[language]].filter((m) => m in h).sort());
      for (const [m, hint] of Object.entries(h)) assert.doesNotMatch(hint, /connection|C10K/i, `${language} ${m}`);
    }
    const file = generateServer({ type: 'udp', language: 'python', ioModel: 'threads' }, { config: cfg }).files[0].content;
    const workers = /^WORKERS = (\d+)/m.exec(file)![1];
    assert.match(hints({ type: 'udp', language: 'python' }).threads, new RegExp(`^${workers} threads reading one blocking socket`));
    assert.match(hints({ type: 'tcp', language: 'python' }).threads, /one blocking thread per connection/);
    assert.match(hints({ type: 'tcp', language: 'c' }).epoll, /C10K/);
    assert.match(hints({ type: 'udp', language: 'node' })['event-loop'], /dgram/);
    assert.match(hints({ type: 'tcp', language: 'node' })['event-loop'], /net/);
  });
});

describe('wizard: last screen with port 0', () => {
  it("says the generated header's words, not `sockscope --port 0`", () => {
    const result = generateServer({ port: 0 }, { config: cfg });
    const s: WizardState = { ...initialState(cfg), phase: 'done', result, written: ['server.py'] };
    const app = render(createElement(WizardView, { state: s, config: cfg, color: false, previewHeight: 10, rows: 24 }));
    const f = plain(app.lastFrame() ?? '').join('\n');
    assert.doesNotMatch(f, /--port 0/);
    const header = /Watch it: (.*)$/m.exec(result.files[0].content)![1];
    assert.equal(header, 'sockscope --port PORT (the port it prints at start)');
    assert.ok(f.includes(`Watch it: ${header}`), f);
    app.unmount();
  });
});

describe('wizard in the monitor: one key line', () => {
  let h: Harness | undefined;
  afterEach(() => {
    h?.unmount();
    h = undefined;
  });
  it("shows the step's own keys once (with Ctrl-C quit), on choice and text steps", async () => {
    h = await mountMonitor(new FakeSource(() => snapshot([listener(8080)])), { columns: 100, rows: 30, keymap: DEFAULT_KEYMAP, Wizard: MonitorWizard });
    await h.press('c');
    await h.until((x) => /^› TCP/m.test(x));
    const keyLines = () => plain(h!.frame()).filter((l) => /Esc/.test(l));
    assert.deepEqual(keyLines().map((l) => l.trim()), ['↑/↓ choose · Enter next · Esc back · Ctrl-C quit']);
    for (let k = 0; k < 10 && !/^Port/m.test(h.frame()); k++) await h.press('\r');
    await h.until((x) => /^Port/m.test(x));
    assert.deepEqual(keyLines().map((l) => l.trim()), ['type · Enter next · Esc back · Ctrl-C quit']);
    assert.equal(plain(h.frame()).length, 29, 'the frame stays rows-1 tall');
  });
});

describe('last screen on a short screen', () => {
  // In the monitor the wizard's key line is the only one: at 20x5 the box has 4 rows, and the last screen (title,
  // Wrote, Build, Run, Watch it, blank, keys) lost its key line to clipping. It keeps keys, Wrote and Run first.
  const done = (): WizardState => {
    const s = initialState(cfg, { language: 'c', ioModel: 'epoll', port: 0 });
    const result = generateServer(s.input, { output: 'srv/server.c', config: cfg });
    return { ...s, phase: 'done', result, written: ['srv/server.c'], createdDirs: ['srv'] };
  };
  for (const rows of [1, 2, 3, 4, 5, 7, 9]) {
    it(`${rows} rows: the key line is there and no more than ${rows} lines`, () => {
      const r = render(createElement(WizardView, { state: done(), config: cfg, color: false, previewHeight: 5, rows, width: 60, hostKeys: 'Ctrl-C quit' }));
      const lines = plain(r.lastFrame() ?? '').filter((l) => l.trim() !== '' || rows >= 9);
      r.unmount();
      assert.ok(lines.length <= rows, lines.join('\n'));
      assert.ok(lines.some((l) => l.includes('Enter or Esc to close')), lines.join('\n'));
      if (rows >= 3) assert.ok(lines.some((l) => l.startsWith('Wrote srv/server.c')) && lines.some((l) => l.startsWith('Run:')), lines.join('\n'));
      if (rows >= 9) assert.deepEqual(lines.map((l) => l.split(/\s/)[0]), ['sockscope', 'Wrote', 'Created', 'Build:', 'Run:', 'Watch', '', 'Enter']);
    });
  }
});
