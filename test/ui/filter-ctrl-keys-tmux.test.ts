// Ctrl+letter keys in the filter bar were typed as their letter: Ink hands Ctrl-U over as input "u" with
// key.ctrl, and the filter bar checked only the input. `/`, Ctrl-U, `x` showed `/ ux█`; `a` Ctrl-U `b`
// Ctrl-K showed `aubk`; Ctrl-W a `w`. Control keys are never text: Ctrl-U clears the line, Ctrl-W deletes the
// last word (readline), others are ignored. The built bin/sockscope in tmux, with a real loopback listener
// the filter finds; and the key handling itself (the wizard's text fields never typed control keys).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_KEYMAP } from '../../src/ui/keymap.js';
import { handleKey, withoutLastWord, type KeyContext } from '../../src/ui/input.js';
import { initialState, reducer } from '../../src/ui/state.js';
import { toWizardKeys } from '../../src/ui/wizard/useWizardKeys.js';
import { ROOT, tmuxSkip } from '../helpers/tmux.js';
import { monitorFilter } from '../helpers/tmux-filter.js';

describe('control keys in the filter bar', () => {
  it('Ctrl-U clears, Ctrl-W deletes the last word, other Ctrl keys type nothing (key handler)', () => {
    let s = reducer(initialState({ intervalMs: 1000, protocols: { tcp: true, udp: true, unix: false } }), { type: 'filterStart' });
    const ctx = (): KeyContext =>
      ({ state: s, keymap: DEFAULT_KEYMAP, table: { model: { key: 'ports' }, ids: [], index: -1, top: 0, height: 5 }, pageSize: 5, wizardAvailable: false }) as unknown as KeyContext;
    const press = (key: string, input: string) => {
      const r = handleKey(key, input, ctx());
      assert.equal(r.quit, false);
      if (!r.quit) s = r.actions.reduce(reducer, s);
    };
    for (const c of 'foo bar') press(c === ' ' ? 'space' : c, c);
    press('ctrl+w', 'w');
    assert.equal(s.filters.ports, 'foo ');
    press('ctrl+k', 'k');
    press('ctrl+a', 'a');
    assert.equal(s.filters.ports, 'foo ');
    press('ctrl+u', 'u');
    assert.equal(s.filters.ports, '');
    press('x', 'x');
    assert.equal(s.filters.ports, 'x');
    assert.equal(withoutLastWord('ab  cd  '), 'ab  ');
    assert.equal(withoutLastWord('ab'), '');
    // The wizard's text fields: no control key becomes a character.
    for (const letter of 'uwka') assert.deepEqual(toWizardKeys(letter, { ctrl: true } as Parameters<typeof toWizardKeys>[1]), []);
  });

  describe('in the monitor (tmux)', { skip: tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false) }, () => {
    const { tmux, capture, until, bar, port: listenerPort, openFilter } = monitorFilter('sockscope-filter-ctrl');

    it('/ Ctrl-U x reads "x"; a Ctrl-U b Ctrl-K reads "b"; Ctrl-W deletes a word; the filter finds the port', async () => {
      const port = listenerPort();
      await openFilter(100);
      // One key per read, as a person types (the reviewer's case), then the same keys in one read (a paste, a slow link).
      const keys = async (...ks: string[]) => {
        for (const k of ks) {
          tmux('send-keys', '-t', 'mon', k);
          await new Promise((res) => setTimeout(res, 150));
        }
        await new Promise((res) => setTimeout(res, 300));
        return capture();
      };
      let s = await keys('C-u', 'x');
      assert.match(bar(s), /^\/ x█/, s);
      s = await keys('C-u', 'a', 'C-u', 'b', 'C-k');
      assert.match(bar(s), /^\/ b█/, s);
      s = await keys('C-u', 'f', 'o', 'o', 'Space', 'b', 'a', 'r', 'C-w');
      assert.match(bar(s), /^\/ foo █/, s);
      tmux('send-keys', '-t', 'mon', 'C-u', 'a', 'C-u', 'b', 'C-k', 'C-a');
      await new Promise((res) => setTimeout(res, 500));
      s = capture();
      assert.match(bar(s), /^\/ b█/, s);
      s = await keys('C-u', 't', 'c', 'p', 'Space', 'x', 'y', 'C-w');
      assert.match(bar(s), /^\/ tcp █/, s);
      tmux('send-keys', '-t', 'mon', '-l', String(port));
      tmux('send-keys', '-t', 'mon', 'Enter');
      s = await until((x) => x.includes(`filter "tcp ${port}"`), 'the filter kept');
      assert.match(s, new RegExp(`\\b${port} tcp\\s`), s);
    });
  });
});
