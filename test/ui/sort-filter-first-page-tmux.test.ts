// Review s25 (monitor) finding 2: after `s`/`S` or Esc clearing a filter the top rows of the new order were
// scrolled off above the screen (`sort: C-WAIT ↓ · row 2/34`, the one CLOSE_WAIT port, row 1, hidden): the App
// kept the selected row on its old screen line for every change (followTop), sort and filter included. A sort or
// filter change now starts from the first page whenever the selected row fits on it (state.ts startTop); across
// refreshes the row keeps its line as before. The built bin/sockscope in tmux at 100x30, in a network namespace
// of its own (test/helpers/many-findings.ts: 33 rows, the table 16 rows high, one CLOSE_WAIT port, 7000).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderOf, startTop } from '../../src/ui/state.js';
import { manyFindingsMonitor } from '../helpers/many-findings.js';
import { tmuxSkip } from '../helpers/tmux.js';

const NS = `sockscope-firstpage-${process.pid}`;
const root = process.getuid?.() === 0;

describe('startTop', () => {
  it('the same order follows the row (followTop); a new sort or filter starts from the top', () => {
    const o = orderOf({ index: 0, reversed: false }, '');
    assert.equal(startTop(10, 10, 11, o, o), 11);
    assert.equal(startTop(10, 10, 11, undefined, o), 11, 'nothing recorded yet: as before');
    assert.equal(startTop(10, 10, 11, o, orderOf({ index: 6, reversed: false }, '')), 0);
    assert.equal(startTop(10, 10, 11, o, orderOf({ index: 0, reversed: true }, '')), 0);
    assert.equal(startTop(0, 0, 10, orderOf({ index: 0, reversed: false }, '6009'), o), 0);
  });
});

describe('a sort or filter change shows the first page of the new order (netns, tmux)', { skip: tmuxSkip || (root ? false : 'needs root (network namespace)') }, () => {
  const { tmux, capture, until, start } = manyFindingsMonitor(NS, 'sockscope-firstpage');
  const keys = (...k: string[]) => tmux('send-keys', '-t', 'mon', ...k);
  /** The port of the table's first data line (under the column header). */
  const firstRow = (s: string): string => {
    const lines = s.split('\n');
    const h = lines.findIndex((l) => /^\s+PORT PROTO/.test(l));
    return /^\s*\S+\s+(\d+) /.exec(lines[h + 1])?.[1] ?? `none: ${lines[h + 1]}`;
  };

  it('s to C-WAIT with the selection on the top line: row 1 (port 7000) is on screen; Esc clearing a filter the same', { timeout: 90_000 }, async () => {
    start();
    await until((s) => /LOCAL PORTS 33 · sort: port ↑/.test(s), 'the table', 40_000);
    // End, PgUp (the selected row on the top line), k x6: row 11 (6010) on the top line, rows 1-10 above.
    keys('End');
    await until((s) => /row 33\/33/.test(s), 'the last row');
    keys('PPage');
    await until((s) => /row 17\/33/.test(s), 'a page up');
    keys('k', 'k', 'k', 'k', 'k', 'k');
    const pre = await until((s) => /row 11\/33/.test(s), 'row 11');
    assert.equal(firstRow(pre), '6010', `precondition: the selected row on the top line:\n${pre}`);
    // s x6: sockets, ESTAB, queue, SYN-R, T-WAIT, C-WAIT. 6010 is row 12 of the C-WAIT order (7000 first, then by id).
    keys('s', 's', 's', 's', 's', 's');
    const sorted = await until((s) => /sort: C-WAIT ↓ · row 12\/33/.test(s), 'the C-WAIT sort');
    assert.equal(firstRow(sorted), '7000', `the first page of the new order, the one CLOSE_WAIT port first:\n${sorted}`);
    // A refresh later it stays (the row is followed, not sent back to the top or down again).
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal(firstRow(capture()), '7000', capture());
    // A filter leaving one row (6009, row 1 of 1), then Esc: 6009 is row 11 of 33; the page starts at 7000 again.
    keys('/');
    await until((s) => s.includes('Enter keep'), 'the filter bar');
    keys('6009', 'Enter');
    await until((s) => s.includes('filter "6009"') && /row 1\/1/.test(s) && !s.includes('Enter keep'), 'the filtered table');
    keys('Escape');
    const cleared = await until((s) => /LOCAL PORTS 33 · sort: C-WAIT ↓ · row 11\/33/.test(s), 'the filter cleared');
    assert.equal(firstRow(cleared), '7000', `the first page after Esc:\n${cleared}`);
  });
});
