// The filter bar and the table title showed the typed filter raw: `/` then "esc", U+202E (a bidi override) and
// U+009B (C1 CSI) drew `filter "esc‮31m"`, the override reversing the rest of the line on screen and the C1
// character gone from sight. Typed text is shown as the wizard shows its text fields (escapeMessage): control,
// C1 and bidi characters escaped, `\u202e` and `\u009b`, never raw; the filter still matches what was typed.
// The built bin/sockscope in tmux, with a real loopback listener the filter finds; and the title text itself.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { sectionTitle } from '../../src/ui/components/TableSection.js';
import { ROOT, tmuxSkip } from '../helpers/tmux.js';
import { monitorFilter } from '../helpers/tmux-filter.js';

const TYPED = 'esc\u202e\u009b31m';
const SHOWN = 'esc\\u202e\\u009b31m';
/** Characters that must never reach the terminal raw from typed text: C0 but newline, DEL, C1, separators, bidi. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('the typed filter is shown escaped', () => {
  it('the table title escapes the filter text (bidi override, C1) as the wizard escapes its text fields', () => {
    const t = sectionTitle({ title: 'LOCAL PORTS', count: 0, unfiltered: 4, filter: TYPED, sortLabel: 'port ↑', position: 0 });
    assert.ok(t.includes(`filter "${SHOWN}"`), t);
    assert.doesNotMatch(t, RAW_CONTROL);
    // A backslash is shown as typed: the table shows escaped names (`\x1b`), and typing that text matches them.
    assert.ok(sectionTitle({ title: 'T', count: 1, unfiltered: 1, filter: 'a\\x1b', sortLabel: 's', position: 1 }).includes('filter "a\\x1b"'));
  });

  describe('in the monitor (tmux)', { skip: tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false) }, () => {
    const { tmux, until, bar, port: listenerPort, openFilter } = monitorFilter('sockscope-filter-escape');

    it('/ then esc U+202E U+009B 31m: the bar and the title show esc\\u202e\\u009b31m, nothing raw; the filter still finds a port', async () => {
      const port = listenerPort();
      await openFilter(120);
      tmux('send-keys', '-t', 'mon', '-l', TYPED);
      let s = await until((x) => x.includes(`filter "${SHOWN}"`), 'the escaped filter in the title');
      assert.ok(bar(s).startsWith(`/ ${SHOWN}█`), s);
      assert.doesNotMatch(s, RAW_CONTROL, s);
      // Still editing: Backspace deletes the last typed character (m), not a character of its escaped form.
      tmux('send-keys', '-t', 'mon', 'BSpace');
      s = await until((x) => x.includes(`filter "esc\\u202e\\u009b31"`), 'one typed character deleted');
      // What was typed is what is matched: the listener's port finds its row.
      tmux('send-keys', '-t', 'mon', 'C-u');
      tmux('send-keys', '-t', 'mon', '-l', String(port));
      tmux('send-keys', '-t', 'mon', 'Enter');
      s = await until((x) => x.includes(`filter "${port}"`), 'the filter kept');
      assert.match(s, new RegExp(`\\b${port} tcp\\s`), s);
    });
  });
});
