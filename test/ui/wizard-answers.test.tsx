// The wizard against the CLI's rules: a UDP buffer size above 64k refused at its step with the CLI's
// message, answers that an earlier change makes invalid dropped (no empty choice list, no stuck wizard),
// and an output name that is a directory refused at the file step. Driven through ink-testing-library.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { generateServer } from '../../src/codegen/index.js';
import { directoriesAmong } from '../../src/codegen/output-target.js';
import { currentChoices, initialState, reduce, type WizardDeps, type WizardState } from '../../src/ui/wizard/reducer.js';
import { visibleSteps } from '../../src/ui/wizard/steps.js';
import { Wizard, WizardView } from '../../src/ui/wizard/Wizard.js';
import { waitFor } from './fakes.js';
import { wizardKeys } from './wizard-keys.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const cfg = { ...DEFAULT_CONFIG, defaultLanguage: 'python' as const, defaultIoModel: 'selectors', bufferSize: 4096 };
const fakeDeps = { generate: (i: Parameters<WizardDeps['generate']>[0], o: string) => generateServer(i, { output: o, config: cfg }), exists: () => [], directories: () => [], write: () => [] };
const ESC = '\u001b';
const DOWN = '\u001b[B';

function cliStderr(args: string[]): { status: number | null; message: string } {
  const r = spawnSync(process.execPath, [`${ROOT}bin/sockscope`, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, message: r.stderr.trim().replace(/^sockscope: /, '') };
}

/** A mounted wizard with helpers that wait for each key's frame. */
function mount(props: { deps?: typeof fakeDeps } = { deps: fakeDeps }) {
  const app = render(createElement(Wizard, { onDone: () => {}, onCancel: () => {}, config: cfg, rows: 24, ...props }));
  // stepTitle: the current step's title line (the bold line above the choices or the text field).
  const { frame, press, title: stepTitle } = wizardKeys(app);
  /** Moves the cursor to `label` and presses Enter. */
  const choose = async (label: string) => {
    const re = new RegExp(`^› ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(  |$)`, 'm');
    for (let k = 0; k < 6 && !re.test(frame()); k++) await press(DOWN);
    assert.match(frame(), re, `${label} offered at "${stepTitle()}"`);
    return press('\r');
  };
  /** Replaces the text field with `text` and presses Enter. */
  const typeText = async (text: string) => {
    // eslint-disable-next-line no-control-regex
    const current = (/^› (.*)$/m.exec(frame())?.[1] ?? '').replace(/\u001b\[[0-9;]*m/g, '').replace(/ $/, '');
    if (current.length > 0) await press('\u007f'.repeat(current.length));
    for (const ch of text) await press(ch);
    return press('\r');
  };
  const backTo = async (title: RegExp) => {
    for (let k = 0; k < 20 && !title.test(stepTitle()); k++) await press(ESC);
    assert.match(stepTitle(), title);
  };
  return { app, frame, press, choose, typeText, backTo, stepTitle };
}

describe('wizard: a UDP buffer size follows the CLI rule', () => {
  it('70000 and 1M are refused at "Read buffer size" with the CLI message; the title says 512 to 64k; SO_REUSEPORT then offers its choices', async () => {
    const w = mount();
    try {
      await waitFor(w.frame, (f) => /Protocol/.test(f));
      await w.choose('UDP');
      await w.choose('Python 3');
      await w.choose('asyncio');
      await w.typeText('8080');
      await w.choose('IPv4');
      await w.choose('none');
      assert.match(w.stepTitle(), /^Read buffer size/);
      // The range for UDP, not "512 to 64M".
      assert.match(w.stepTitle(), /512 to 64k\b/);
      assert.doesNotMatch(w.stepTitle(), /64M/);
      for (const [typed, value] of [['70000', 70000], ['1M', 1048576]] as const) {
        const cli = cliStderr(['generate-server', '--type', 'udp', '--language', 'python', '--buffer-size', typed, '--stdout']);
        assert.equal(cli.status, 2);
        assert.match(cli.message, new RegExp(`^--buffer-size ${value} is more than a UDP datagram can carry`));
        const f = await w.typeText(typed);
        // Still at the buffer step, the CLI's words (the field's name for the flag's, as parseBufferSize's messages),
        // wrapped to the 100 columns of the fake terminal, whole.
        assert.match(w.stepTitle(), /^Read buffer size/);
        const lines = f.split('\n');
        const start = lines.findIndex((l) => l.startsWith('! '));
        assert.ok(start >= 0, f);
        const end = lines.findIndex((l, k) => k > start && !l.startsWith('  '));
        const shown = lines.slice(start, end).join(' ').slice(2).replace(/\s+/g, ' ');
        assert.equal(shown, cli.message.replace(/^--buffer-size/, 'buffer size'));
      }
      await w.typeText('65536');
      assert.match(w.stepTitle(), /^SO_REUSEPORT/);
      assert.match(w.frame(), /^› no/m);
      await w.press('\r');
      assert.match(w.stepTitle(), /^Explanatory comments/);
    } finally {
      w.app.unmount();
    }
  });

  it('the reducer keeps the whole CLI message; TCP still takes 1M and says 512 to 64M', () => {
    const deps: WizardDeps = { config: cfg, ...fakeDeps };
    const step = (s: WizardState) => visibleSteps(s.input)[s.step].id;
    let s = initialState(cfg, { type: 'udp', language: 'python' });
    for (let k = 0; k < 20 && step(s) !== 'bufferSize'; k++) s = reduce(s, { name: 'enter' }, deps);
    s = reduce({ ...s, text: '70000' }, { name: 'enter' }, deps);
    assert.equal(step(s), 'bufferSize');
    // The CLI's message, naming the field as the wizard's other buffer size messages do.
    assert.equal(s.error, cliStderr(['generate-server', '--type', 'udp', '--language', 'python', '--buffer-size', '70000', '--stdout']).message.replace(/^--buffer-size/, 'buffer size'));
    let t = initialState(cfg, { type: 'tcp', language: 'python' });
    for (let k = 0; k < 20 && step(t) !== 'bufferSize'; k++) t = reduce(t, { name: 'enter' }, deps);
    t = reduce({ ...t, text: '1M' }, { name: 'enter' }, deps);
    assert.equal(t.error, null);
    assert.equal(t.input.bufferSize, 1048576);
    assert.equal(step(t), 'reusePort');
  });
});

describe('wizard: changing an earlier answer drops the later ones it makes invalid', () => {
  it('repro A: SO_REUSEPORT yes, then back to "C platform" and Windows: the IO model step offers the Windows models', async () => {
    const w = mount();
    try {
      await waitFor(w.frame, (f) => /Protocol/.test(f));
      await w.choose('TCP');
      await w.choose('C');
      await w.choose('POSIX');
      await w.choose('epoll');
      await w.choose('echo');
      await w.typeText('8080');
      await w.choose('IPv4');
      await w.choose('none');
      await w.choose('yes');
      await w.typeText('65536');
      assert.match(w.stepTitle(), /^SO_REUSEPORT/);
      await w.choose('yes');
      assert.match(w.stepTitle(), /^Explanatory comments/);
      await w.backTo(/^C platform/);
      await w.choose('Windows');
      assert.match(w.stepTitle(), /^IO model/);
      // It was empty: every io model failed with the SO_REUSEPORT answer Windows has not got.
      assert.match(w.frame(), /^› select/m);
      await w.choose('select');
      await w.choose('echo');
      await w.press('\r'); // port
      await w.choose('IPv4');
      await w.choose('none');
      await w.choose('yes');
      await w.press('\r'); // buffer
      assert.match(w.stepTitle(), /^SO_REUSEPORT/);
      // The yes is gone (Windows has no SO_REUSEPORT): only no is offered, and it goes on.
      assert.match(w.frame(), /^› no/m);
      assert.doesNotMatch(w.frame(), /^ {2}yes/m);
      await w.press('\r');
      assert.match(w.stepTitle(), /^Explanatory comments/);
      await w.press('\r');
      assert.match(w.stepTitle(), /^Write to file/);
      const f = await w.press('\r');
      assert.match(f, /Preview of server\.c/);
    } finally {
      w.app.unmount();
    }
  });

  it('repro B: TCP with a 1M buffer, then back to Protocol and UDP: the IO model step for udp · python is not empty, the buffer is 65536 again', async () => {
    const w = mount();
    try {
      await waitFor(w.frame, (f) => /Protocol/.test(f));
      await w.choose('TCP');
      await w.choose('Python 3');
      await w.choose('asyncio');
      await w.choose('echo');
      await w.typeText('8080');
      await w.choose('IPv4');
      await w.choose('none');
      await w.choose('yes');
      await w.typeText('1M');
      assert.match(w.stepTitle(), /^SO_REUSEPORT/);
      await w.backTo(/^Protocol/);
      await w.choose('UDP');
      await w.choose('Python 3');
      assert.match(w.stepTitle(), /^IO model/);
      // Python confirmed again keeps the io model answered before: the cursor is on it.
      assert.match(w.frame(), /^› asyncio/m);
      await w.choose('asyncio');
      await w.press('\r'); // port
      await w.choose('IPv4');
      await w.choose('none');
      assert.match(w.stepTitle(), /^Read buffer size/);
      assert.match(w.frame(), /^› 65536/m);
      await w.press('\r');
      assert.match(w.stepTitle(), /^SO_REUSEPORT/);
    } finally {
      w.app.unmount();
    }
  });

  it('later answers that still fit are kept', () => {
    const deps: WizardDeps = { config: cfg, ...fakeDeps };
    // TCP, python, buffer 8192 and SO_REUSEPORT; back to the language, C: both still fit and stay.
    let s = initialState(cfg, { type: 'tcp', language: 'python', bufferSize: 8192, reusePort: true, port: 9000 });
    s = reduce(s, { name: 'enter' }, deps); // TCP
    const c = currentChoices(s, cfg).findIndex((x) => x.value === 'c');
    s = reduce({ ...s, cursor: c }, { name: 'enter' }, deps);
    assert.deepEqual([s.input.language, s.input.bufferSize, s.input.reusePort, s.input.port], ['c', 8192, true, 9000]);
  });

  it('a choice step with no choice says why and Enter or Esc goes back (never stuck)', async () => {
    const deps: WizardDeps = { config: cfg, ...fakeDeps };
    // A state no key sequence reaches any more: Windows with SO_REUSEPORT, at the IO model step.
    const input = { type: 'tcp' as const, language: 'c' as const, platform: 'windows' as const, reusePort: true };
    const steps = visibleSteps(input);
    const s: WizardState = { ...initialState(cfg, input), step: steps.findIndex((x) => x.id === 'ioModel'), cursor: 0 };
    assert.deepEqual(currentChoices(s, cfg), []);
    const app = render(createElement(WizardView, { state: s, config: cfg, color: false, previewHeight: 10, rows: 24 }));
    try {
      const f = app.lastFrame() ?? '';
      assert.match(f, /^IO model/m);
      assert.match(f, /no choice fits/);
      assert.match(f, /Windows has no SO_REUSEPORT/);
      assert.match(f, /Enter or Esc back/);
    } finally {
      app.unmount();
    }
    for (const key of [{ name: 'enter' }, { name: 'escape' }, { name: 'down' }] as const) {
      const next = reduce(s, key, deps);
      if (key.name === 'down') assert.equal(next.cursor, 0);
      else assert.equal(visibleSteps(next.input)[next.step].id, 'platform', key.name);
    }
  });
});

describe('wizard: an output name that is a directory', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sockscope-wizard-dir-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('is refused at "Write to file" with the CLI words, no overwrite question, nothing written', async () => {
    const d = join(tmp, 'd');
    mkdirSync(d);
    const cli = cliStderr(['generate-server', '--language', 'python', '--output', d]);
    assert.equal(cli.status, 2);
    assert.equal(cli.message, `${d} is a directory; --output names the file to write (e.g. ${d}/server.py)`);
    // Real file-system effects: no deps.
    const w = mount({});
    try {
      await waitFor(w.frame, (f) => /Protocol/.test(f));
      for (let k = 0; k < 20 && !/^Write to file/.test(w.stepTitle()); k++) await w.press('\r');
      assert.match(w.stepTitle(), /^Write to file/);
      const f = await w.typeText(d);
      assert.match(w.stepTitle(), /^Write to file/);
      assert.doesNotMatch(f, /Overwrite|Preview/);
      const errLine = f.split('\n').find((l) => l.startsWith('! '));
      assert.ok(errLine, f);
      assert.ok(cli.message.startsWith(errLine.slice(2).replace(/…$/, '')), `${errLine} vs ${cli.message}`);
      assert.ok(statSync(d).isDirectory());
    } finally {
      w.app.unmount();
    }
    // The whole message, from the reducer with the file-system check the Wizard supplies (directoriesAmong).
    const deps: WizardDeps = { config: cfg, ...fakeDeps, exists: (p) => p, directories: directoriesAmong };
    let s = initialState(cfg);
    for (let k = 0; k < 20 && visibleSteps(s.input)[s.step].id !== 'output'; k++) s = reduce(s, { name: 'enter' }, deps);
    s = reduce({ ...s, text: d }, { name: 'enter' }, deps);
    assert.equal(s.phase, 'steps');
    assert.equal(s.error, cli.message);
    // A directory made there while the preview is on screen: Enter goes back to the file step with the same words.
    const later = join(tmp, 'later.py');
    s = reduce({ ...s, text: later }, { name: 'enter' }, deps);
    assert.equal(s.phase, 'preview');
    mkdirSync(later);
    s = reduce(s, { name: 'enter' }, deps);
    assert.equal(s.phase, 'steps');
    assert.equal(visibleSteps(s.input)[s.step].id, 'output');
    assert.equal(s.error, `${later} is a directory; --output names the file to write (e.g. ${later}/server.py)`);
  });
});
