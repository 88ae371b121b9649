// Short and narrow terminals (review s14 #1): at 80x10 with an accept-queue-full load the recommendations
// panel was given more lines than the body had and its second finding was drawn under the footer; at 80x7,
// 40x9, 30x8 and 20x5 the selected row was drawn over the footer (a frame of at least 6 lines at 5 rows).
// At every size the frame is at most rows-1 lines, the footer line is intact, and the recommendations drawn
// are as many as the panel's title says.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Recommendation } from '../../src/advise/types.js';
import { splitBody } from '../../src/ui/derive.js';
import { hintText } from '../../src/ui/components/Footer.js';
import { headerLinesShown } from '../../src/ui/components/Header.js';
import { DEFAULT_KEYMAP, footerHints, type ViewName } from '../../src/ui/keymap.js';
import { conn, FakeSource, listener, nginx, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const rec = (port: number, severity: Recommendation['severity']): Recommendation => ({
  id: 'accept-queue-full',
  severity,
  scope: 'port',
  protocol: 'tcp',
  port,
  message: `Accept queue full on tcp 127.0.0.1:${port}: 9 connections wait for accept() with backlog 8`,
  evidence: 'Recv-Q 9 >= backlog (Send-Q) 8; net.core.somaxconn 4096',
  fix: 'Accept faster: accept in a loop until EAGAIN. Raise the listen backlog: listen(fd, 1024).',
});
const recs = [rec(45001, 'critical'), rec(45002, 'warning'), rec(45001, 'info')];
const source = () =>
  new FakeSource(() =>
    snapshot([
      listener(45001, { proc: nginx, backlog: 8, queued: 9 }),
      listener(45002),
      listener(45003),
      conn(45001, '127.0.0.1', 50000, 'ESTABLISHED', nginx),
      conn(45001, '127.0.0.1', 50001, 'ESTABLISHED', nginx),
    ]),
  );
const keymap = DEFAULT_KEYMAP.filter((b) => b.command !== 'wizard');

/** The footer as drawn at `width` (Ink trims the trailing spaces). */
function footerText(view: ViewName, width: number): string {
  return hintText(footerHints(keymap, view), width)
    .map((x) => `${x.key} ${x.label}  `)
    .join('')
    .trimEnd();
}

const MARK = /^(!!| !| i) /;

/** The frame fits and nothing in it is drawn over: the footer, the selected row, the recommendations. */
function checkFrame(f: string, view: ViewName, columns: number, rows: number): void {
  const lines = f.split('\n');
  assert.ok(lines.length <= rows - 1, `${lines.length} lines at ${rows} rows:\n${f}`);
  assert.equal(lines[lines.length - 1].trimEnd(), footerText(view, columns), `footer overwritten at ${columns}x${rows}:\n${f}`);
  const t = lines.findIndex((l) => l.startsWith('RECOMMENDATIONS ('));
  if (t < 0) return;
  // The panel runs from its title to the footer; its title says how many it shows.
  const drawn = lines.slice(t + 1, -1).filter((l) => MARK.test(l)).length;
  assert.ok(lines.slice(t + 1, -1).length >= 1, `a panel title without a line at ${columns}x${rows}:\n${f}`);
  const m = /^RECOMMENDATIONS \((\d+)(?:, (\d+) more:|,|\))/.exec(lines[t]);
  if (!m) return; // the title is cut at this width
  assert.equal(drawn, Number(m[1]) - Number(m[2] ?? 0), `title "${lines[t]}" vs ${drawn} drawn at ${columns}x${rows}:\n${f}`);
}

const SIZES: Array<[number, number]> = [
  [20, 5],
  [20, 6],
  [30, 8],
  [40, 9],
  [80, 7],
  [80, 10],
  [80, 12],
  [100, 14],
];

describe('short terminals: every line fits, nothing is drawn over', () => {
  for (const [columns, rows] of SIZES) {
    it(`${columns}x${rows}: ports, port and help views`, async () => {
      h = await mount(source(), { columns, rows, recs });
      let f = await h.until((x) => x.includes('45001'));
      checkFrame(f, 'ports', columns, rows);
      // The selected row is drawn: its port is on screen and the table's title counts it.
      assert.match(f, /!!\s+45001 /);
      await h.press(KEY.down);
      f = await h.until((x) => x.includes('row 2/3') || (columns < 40 && x.includes('45002')));
      checkFrame(f, 'ports', columns, rows);
      assert.match(f, /45002/);
      await h.press(KEY.up, KEY.enter);
      f = await h.until((x) => x.includes('TCP PORT 45001'));
      checkFrame(f, 'port', columns, rows);
      assert.match(f, /^(0\.0\.0\.0:\*|127\.0\.0\.1)/m); // the selected socket row of the port
      await h.press(KEY.escape, '?');
      f = await h.until((x) => x.includes('HELP'));
      checkFrame(f, 'help', columns, rows);
    });
  }

  it('80x10 with an accept-queue-full load: the panel shows what its title says, above the footer', async () => {
    const many = [rec(45001, 'critical'), rec(45002, 'critical'), rec(45003, 'warning')];
    h = await mount(source(), { columns: 80, rows: 10, recs: many });
    const f = await h.until((x) => x.includes('RECOMMENDATIONS'));
    checkFrame(f, 'ports', 80, 10);
    assert.match(f, /RECOMMENDATIONS \(3, 2 more: see sockscope analyze\)/);
  });

  it('splitBody never hands out more lines than there are', () => {
    for (let available = 2; available < 30; available++)
      for (const rows of [0, 1, 5, 300])
        for (const share of [1, 2, 4, 10])
          for (const wanted of [0, 1, 3, 7, 40]) {
            const { tableHeight, recLines } = splitBody({ available, rows, share, wanted });
            assert.ok(tableHeight >= 1 && recLines >= 1 && tableHeight + recLines <= available, JSON.stringify({ available, rows, share, wanted, tableHeight, recLines }));
          }
  });

  it('the header gives up the rates first and the identity line last; a STALE line before the totals', () => {
    assert.deepEqual(headerLinesShown({ stale: false, notes: true }), ['identity', 'totals', 'third', 'notes']);
    assert.deepEqual(headerLinesShown({ stale: false, notes: true, max: 3 }), ['identity', 'totals', 'notes']);
    assert.deepEqual(headerLinesShown({ stale: false, notes: false, max: 1 }), ['identity']);
    assert.deepEqual(headerLinesShown({ stale: true, notes: false, max: 2 }), ['identity', 'third']);
    assert.deepEqual(headerLinesShown({ stale: true, notes: false, max: 0 }), []);
  });
});
