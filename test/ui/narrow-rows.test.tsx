// Narrow terminals (diff review s23 #1, #2, #5): below 44 columns a port's sockets and below 31 the ports table
// were wider than the terminal, numbers and pids cut at the edge (40 cols: `127….0.1:57572 ESTABLISHED 0 l…/…`);
// a process named `worker/1` read as pid 1 (`worker/1…`, the real pid 29996 gone), a 7-digit pid was cut in
// PROCESS's 8 cells; and the sorted column was left out at 50 columns while the title said `sort: ESTAB ↓`.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { fitProcessCell } from '../../src/ui/format.js';
import { stringWidth } from '../../src/ui/format.js';
import { conn, FakeSource, listener, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const worker = { pid: 29996, name: 'worker/1', fd: 4 };
const big = { pid: 4194301, name: 'longservername', fd: 4 };
const source = () =>
  new FakeSource(() =>
    snapshot([
      listener(45001, { proc: worker }),
      conn(45001, '127.0.0.1', 57572, 'ESTABLISHED', worker),
      conn(45001, '127.0.0.1', 57573, 'CLOSE_WAIT', worker),
      listener(45002, { proc: big }),
      conn(45002, '127.0.0.1', 57574, 'ESTABLISHED', big),
    ]),
  );

/** The table's lines: its column header and rows (the header lines above may cut their text with `…` by design). */
function tableLines(f: string): string {
  const lines = f.split('\n');
  const head = lines.findIndex((l) => /^\s*(PEER|PORT|STATE)\b/.test(l));
  assert.ok(head >= 0, f);
  const end = lines.findIndex((l, i) => i > head && /^(RECOMMENDATIONS|Nothing|q quit)/.test(l));
  return lines.slice(head, end < 0 ? undefined : end).join('\n');
}

function fits(f: string, columns: number): void {
  for (const l of f.split('\n')) assert.ok(stringWidth(l) <= columns, `${stringWidth(l)} cells at ${columns} columns: ${JSON.stringify(l)}\n${f}`);
}

describe('narrow terminals: no row wider than the terminal, no number cut', () => {
  for (const [columns, rows] of [
    [44, 14],
    [40, 14],
    [34, 14],
    [30, 14],
    [25, 14],
    [20, 14],
  ] as const) {
    it(`${columns}x${rows}: the ports table and a port's sockets`, async () => {
      h = await mount(source(), { columns, rows });
      let f = await h.until((x) => x.includes('45001'));
      fits(f, columns);
      const head = (x: string) => tableLines(x).split('\n')[0].trim().split(/\s+/).join(' ');
      if (columns === 30) assert.equal(head(f), 'PORT PROTO C-WAIT', f);
      // No cell ends in a cut number (`1…`) and no row is cut at the edge.
      assert.doesNotMatch(tableLines(f), /\d…(\s|$)/m, f);
      await h.press(KEY.enter);
      f = await h.until((x) => x.includes('TCP PORT 45001'));
      fits(f, columns);
      if (columns === 40) assert.equal(head(f), 'PEER STATE RECV-Q PROCESS', f);
      if (columns === 34) assert.equal(head(f), 'PEER STATE PROCESS', f);
      assert.doesNotMatch(tableLines(f), /\d…(\s|$)|…\/…/m, f);
      if (columns >= 25) assert.match(f, /:57572\b/, f); // the peer's port whole
      // PROCESS, where shown, keeps the whole pid (the last /digits of `worker/1/29996`), never `/1…`.
      if (/PROCESS/.test(f)) assert.match(f, /\/29996\b/, f);
    });
  }

  it('worker/1 keeps its pid 29996; a pid too wide for the name shows alone; a 7-digit pid gets its cells', async () => {
    assert.equal(fitProcessCell('worker/1/29996', 10), 'wor…/29996');
    assert.equal(fitProcessCell('worker/1/29996+2', 9), '/29996+2 ');
    assert.equal(fitProcessCell('nginx/8123+2', 8), '/8123+2 ');
    assert.equal(fitProcessCell('python3/812, hidden uid 0', 10), 'pyth…/812…');
    h = await mount(source(), { columns: 60, rows: 12 });
    await h.until((x) => x.includes('45002'));
    await h.press(KEY.down, KEY.enter);
    const f = await h.until((x) => x.includes('TCP PORT 45002'));
    fits(f, 60);
    assert.match(f, /…\/4194301\b/, f);
  });

  it('50 columns sorted by ESTAB: the ESTAB column stays', async () => {
    h = await mount(source(), { columns: 50, rows: 12 });
    let f = await h.until((x) => x.includes('45001'));
    assert.doesNotMatch(f.split('\n').find((l) => /PORT PROTO/.test(l)) ?? '', /ESTAB/, 'ESTAB is left out at 50 by default');
    await h.press('s', 's');
    f = await h.until((x) => x.includes('sort: ESTAB'));
    fits(f, 50);
    assert.match(f.split('\n').find((l) => /PORT PROTO/.test(l)) ?? '', /ESTAB/, f);
  });
});
