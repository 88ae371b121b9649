import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ansiToSvg, parseAnsi } from '../../scripts/ansi-to-svg.js';

test('SGR colours, bold, inverse and 256-colour codes become cell styles', () => {
  const rows = parseAnsi('\x1b[1;31mred\x1b[0m plain \x1b[7minv\x1b[27m \x1b[38;5;82mg\x1b[0m\n\x1b[44mblue bg\x1b[49m');
  assert.equal(rows.length, 2);
  assert.equal(rows[0][0].fg, '#cc342b');
  assert.equal(rows[0][0].bold, true);
  assert.equal(rows[0][3].bold, false);
  assert.equal(rows[0][10].bg, '#e6e6e6', 'inverse swaps colours');
  assert.match(rows[0][14].fg, /^rgb\(/);
  assert.equal(rows[1][0].bg, '#3971ed');
});

test('SVG escapes markup characters and keeps every row', () => {
  const svg = ansiToSvg('a <b> & c\nsecond', 20, 2);
  assert.match(svg, /^<svg /);
  assert.match(svg, /a &lt;b&gt; &amp; c/);
  assert.match(svg, /second/);
  assert.doesNotMatch(svg, /<b>/);
});
