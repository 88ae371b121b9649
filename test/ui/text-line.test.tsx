// TextLine draws exactly what the equivalent <Text wrap="truncate"> draws, with or without its ASCII stand-in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Box, renderToString, Text } from 'ink';
import { restoreGlyphs, shadowOf, TextLine, type Span } from '../../src/ui/components/TextLine.js';
import { fit } from '../../src/ui/format.js';
import { sparkline } from '../../src/ui/sparkline.js';

function plain(spans: Span[], style: object | undefined, width: number) {
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate" {...style}>
        {spans.map((s, i) => (s.style ? <Text key={i} {...s.style}>{s.text}</Text> : s.text))}
      </Text>
    </Box>
  );
}

function line(spans: Span[], style: object | undefined, width: number) {
  return (
    <Box width={width} height={1}>
      <TextLine spans={spans} style={style} width={width} />
    </Box>
  );
}

describe('TextLine', () => {
  it('the stand-in has the glyphs as dots and nothing else changed', () => {
    assert.equal(shadowOf('a · b … ↑↓ ▁▂█ ← →'), 'a . b . .. ... . .');
    assert.equal(shadowOf('plain'), 'plain');
  });

  it('restores glyphs around the styles Ink added', () => {
    const real = ' . 80 · ▁▂';
    const styled = `\u001b[32m . \u001b[39m80 . ..`;
    assert.equal(restoreGlyphs(styled, real), `\u001b[32m . \u001b[39m80 · ▁▂`);
    assert.equal(restoreGlyphs(`\u001b[7m\u001b[1m${shadowOf(real)}\u001b[22m\u001b[27m`, real), `\u001b[7m\u001b[1m${real}\u001b[22m\u001b[27m`);
    assert.equal(restoreGlyphs(shadowOf(real), real), real);
    // Not the line it was made for: left as it is.
    assert.equal(restoreGlyphs('short', real), 'short');
    assert.equal(restoreGlyphs(`${shadowOf(real)}x`, real), `${shadowOf(real)}x`);
  });

  it('renders like <Text wrap="truncate"> for ASCII, glyph, other non-ASCII and too-wide lines', () => {
    const cases: Array<[Span[], object | undefined, number]> = [
      [[{ text: fit('LOCAL PORTS 12 · sort: port ↑ · row 1/12', 60) }], { bold: true }, 60],
      [[{ text: ' ! ', style: { color: 'yellow' } }, { text: fit(`  80 tcp nginx/1 · · ${sparkline([1, 2, 3, 4], 6)}`, 37) }], { inverse: true }, 40],
      [[{ text: fit('plain ascii', 30) }], undefined, 30],
      [[{ text: fit('名前 and · glyph', 20) }], undefined, 20],
      [[{ text: 'wider than the box · by far, so Ink truncates it' }], undefined, 20],
      [[{ text: 'a', style: {} }, { text: ' ' }, { text: 'PAUSED ·', style: { inverse: true } }], undefined, 12],
    ];
    for (const [spans, style, width] of cases) {
      assert.equal(renderToString(line(spans, style, width), { columns: 80 }), renderToString(plain(spans, style, width), { columns: 80 }), JSON.stringify(spans));
    }
  });
});
