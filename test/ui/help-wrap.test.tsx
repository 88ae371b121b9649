// The help screen (`?`) at 80 columns (review s14-tui #4): 8 of its 32 lines were cut with '…'. They are
// wrapped to the width as the socket view's lines are, and scrolling still reaches the last one.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DEFAULT_KEYMAP, helpLines } from '../../src/ui/keymap.js';
import { helpPanelLines } from '../../src/ui/views/help-lines.js';
import { FakeSource, snapshot, webHost } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const keymap = DEFAULT_KEYMAP.filter((b) => b.command !== 'wizard');

describe('help screen at 80 columns', () => {
  it('no line ends in an ellipsis, every key and description is there, End reaches the last line', async () => {
    const columns = 80;
    const rows = 16;
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns, rows });
    await h.press('?');
    let f = await h.until((x) => x.startsWith('HELP') || x.includes('\nHELP'));
    const total = Number(/ · \d+\/(\d+) lines/.exec(f)?.[1]);
    assert.ok(total > rows, `scrollable: ${f}`);
    // Read every line by scrolling one page at a time (the footer and title excluded).
    const seen: string[] = [];
    const bodyOf = (x: string) => {
      const ls = x.split('\n');
      const t = ls.findIndex((l) => l.startsWith('HELP'));
      return ls.slice(t + 1, -1);
    };
    for (let i = 0; i < 10; i++) {
      for (const l of bodyOf(f)) seen.push(l);
      if (new RegExp(` · ${total}/${total} lines`).test(f)) break;
      const before = f;
      await h.press(KEY.pageDown);
      f = await h.until((x) => x !== before);
    }
    assert.match(f, new RegExp(` · ${total}/${total} lines`), 'PgDn reaches the end');
    for (const l of seen) {
      assert.ok(!l.trimEnd().endsWith('…'), `cut: ${JSON.stringify(l)}`);
      assert.ok(l.length <= columns, l);
    }
    const text = seen.join(' ').replace(/\s+/g, ' ');
    for (const k of helpLines(keymap)) {
      assert.ok(text.includes(k.keys), `key ${k.keys} missing`);
      assert.ok(text.includes(k.description.replace(/\s+/g, ' ')), `description of ${k.keys} missing: ${k.description}`);
    }
    assert.ok(text.includes('`sockscope config` shows it.'), 'the last line');
    // End, then Home: the first line again.
    await h.press(KEY.end, 'g');
    f = await h.until((x) => x.includes('KEYS'));
  });

  it('helpPanelLines wraps to any width, continuation lines under the description column', () => {
    for (const width of [30, 40, 60, 80, 120]) {
      const lines = helpPanelLines(keymap, width);
      for (const l of lines) assert.ok(l.text.length <= width, `${width}: ${l.text}`);
    }
    const at80 = helpPanelLines(keymap, 80).map((l) => l.text);
    const i = at80.findIndex((l) => l.includes('Filter rows by port'));
    assert.match(at80[i + 1], /^ {21}\S/, at80[i + 1]);
  });
});
