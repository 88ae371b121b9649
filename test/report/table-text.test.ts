// report/table-text: the bordered tables of analyze and buffers, measured in terminal cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableText } from '../../src/report/table-text.js';
import { stringWidth } from '../../src/ui/format.js';

test('a wide process name keeps the borders straight (cells padded by terminal width, not String.length)', () => {
  // A comm of up to 15 bytes can be CJK: '日本語/12' is 9 cells in 6 characters. ink-table padded it by
  // length, so its row came out 3 cells wider than the others.
  const text = tableText([{ process: '日本語/12', port: 80 }, { process: 'nginx/1', port: 443 }]);
  const lines = text.split('\n');
  assert.deepEqual(lines, [
    '┌───────────┬──────┐',
    '│ process   │ port │',
    '├───────────┼──────┤',
    '│ 日本語/12 │ 80   │',
    '├───────────┼──────┤',
    '│ nginx/1   │ 443  │',
    '└───────────┴──────┘',
  ]);
  assert.equal(new Set(lines.map(stringWidth)).size, 1, 'every line is as wide as the others');
});

test('no rows is "(none)"; a table is never wrapped, whatever its width', () => {
  assert.equal(tableText([]), '  (none)');
  const long = 'x'.repeat(300);
  const lines = tableText([{ a: long, b: 1 }]).split('\n');
  assert.equal(lines.length, 5);
  assert.ok(lines.every((l) => stringWidth(l) === 1 + (300 + 2) + 1 + (1 + 2) + 1), lines.map(stringWidth).join(','));
});
