// The keymap's suspend key where text is typed. It was taken before the reducer in every mode: with
// `keymap: {suspend: [z]}` a z typed into the filter bar or a wizard text field stopped the monitor instead of
// being typed. As `q` is a letter there and only Ctrl-C quits, only a Ctrl key suspends in the filter bar and the
// wizard (input.ts suspendsOn); elsewhere any suspend key does. The built bin in tmux: suspend-text-key-tmux.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { suspendsOn } from '../../src/ui/input.js';
import { DEFAULT_KEYMAP, resolveKeymap } from '../../src/ui/keymap.js';
import { initialState, reducer, type UiState } from '../../src/ui/state.js';
import { MonitorWizard } from '../../src/ui/wizard/Wizard.js';
import { FakeSource, webHost, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const zKeymap = resolveKeymap({ suspend: ['z', 'ctrl+z'] }).keymap;
const ports: UiState = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: true, unix: false } });
const filtering = reducer(ports, { type: 'filterStart' });
const wizard = reducer(ports, { type: 'push', frame: { view: 'wizard' } });

describe('suspendsOn: which key presses suspend', () => {
  it('a non-Ctrl suspend key suspends in the views, not in the filter bar or the wizard; a Ctrl one everywhere', () => {
    assert.equal(suspendsOn(zKeymap, 'z', ports), true);
    assert.equal(suspendsOn(zKeymap, 'z', reducer(ports, { type: 'push', frame: { view: 'help' } })), true);
    assert.equal(suspendsOn(zKeymap, 'z', filtering), false, 'z in the filter bar is a letter');
    assert.equal(suspendsOn(zKeymap, 'z', wizard), false, 'z in the wizard is its key');
    for (const s of [ports, filtering, wizard]) {
      assert.equal(suspendsOn(zKeymap, 'ctrl+z', s), true);
      assert.equal(suspendsOn(DEFAULT_KEYMAP, 'ctrl+z', s), true);
      assert.equal(suspendsOn(DEFAULT_KEYMAP, 'z', s), false);
      assert.equal(suspendsOn(zKeymap, 'q', s), false);
    }
    // Esc and Enter keep their meaning in the filter bar whatever suspend is bound to (the views refuse them at
    // config load: back, clearFilter and drill have them).
    const escEnter = resolveKeymap({ suspend: ['escape', 'enter'] }).keymap;
    assert.equal(suspendsOn(escEnter, 'escape', filtering), false);
    assert.equal(suspendsOn(escEnter, 'enter', filtering), false);
  });
});

describe('the monitor with keymap suspend: [z, ctrl+z]', () => {
  it('filter bar: abz in one read is typed (it suspended at z), Ctrl-Z suspends; z outside the bar suspends', async () => {
    let suspended = 0;
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 20, keymap: zKeymap.filter((b) => b.command !== 'wizard'), onSuspend: () => suspended++ });
    await h.press('/');
    await h.until((f) => f.includes('Esc clear'));
    await h.press('abz');
    await h.until((f) => f.includes('/ abz█'));
    await h.press('z');
    await h.until((f) => f.includes('/ abzz█'));
    assert.equal(suspended, 0, 'z in the filter bar suspended the monitor');
    await h.press('\u001a');
    assert.equal(suspended, 1, 'Ctrl-Z in the filter bar');
    assert.ok(h.frame().includes('/ abzz█'), 'Ctrl-Z typed nothing');
    await h.press(KEY.escape);
    await h.until((f) => !f.includes('Esc clear'));
    await h.press('z');
    assert.equal(suspended, 2, 'z outside the filter bar suspends');
    // `/` and z in one read: the bar opens with the slash, so the z is typed.
    await h.press('/z');
    await h.until((f) => f.includes('/ z█'));
    assert.equal(suspended, 2);
  });

  it('wizard: z in its port field is typed, Ctrl-Z suspends', async () => {
    let suspended = 0;
    h = await mount(new FakeSource(() => snapshot(webHost().filter((s) => s.protocol === 'tcp'))), { columns: 100, rows: 30, keymap: zKeymap, Wizard: MonitorWizard, onSuspend: () => suspended++ });
    await h.press('c');
    await h.until((f) => /Protocol/.test(f));
    for (let k = 0; k < 12 && !/^Port/m.test(h.frame()); k++) {
      const before = h.frame();
      await h.press(KEY.enter);
      await h.until((f) => f !== before);
    }
    const field = /› (\S*)/.exec(h.frame())![1];
    await h.press('z');
    await h.until((f) => /› (\S*)/.exec(f)?.[1] !== field);
    assert.equal(/› (\S*)/.exec(h.frame())![1].replace('█', ''), `${field.replace('█', '')}z`);
    assert.equal(suspended, 0, 'z in the wizard suspended the monitor');
    await h.press('\u001a');
    assert.equal(suspended, 1, 'Ctrl-Z in the wizard');
  });
});
