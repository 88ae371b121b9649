// One line of text that already fits its width, drawn so that Ink need not measure it grapheme by grapheme.
//
// Ink measures every Text on every frame with string-width. A line of printable ASCII is measured by one
// regexp; any other character sends the whole line through Intl.Segmenter and several Unicode regexps per
// grapheme. Almost every line of the monitor holds one of its own glyphs ('·' for zero, '…', sparkline
// bars, sort arrows), and measuring them was a fifth of the CPU of a frame. Those glyphs are one cell wide,
// so Ink is given the same line with each of them replaced by '.' (same width, ASCII), and a Transform,
// which Ink applies after measuring and before drawing, puts the real glyphs back. Lines with any other
// non-ASCII character, or wider than their box (which Ink would truncate), are drawn as a plain Text.
import { Text, Transform, useIsScreenReaderEnabled } from 'ink';
import { useMemo } from 'react';
import type { TextStyle } from '../theme.js';

/** A run of text in one style (the line's own style when absent). */
export interface Span {
  text: string;
  style?: TextStyle;
}

/** Printable ASCII plus the one-cell glyphs the monitor draws: · … ← ↑ → ↓ ▁-█. */
const DRAWABLE = /^[\u0020-\u007e\u00b7\u2026\u2190-\u2193\u2581-\u2588]*$/;
const GLYPHS = /[\u00b7\u2026\u2190-\u2193\u2581-\u2588]/g;
const ASCII = /^[\u0020-\u007e]*$/;

/** The ASCII stand-in of a drawable line: every glyph becomes '.', so it measures exactly the same. */
export function shadowOf(text: string): string {
  return text.replace(GLYPHS, '.');
}

/**
 * The styled stand-in line with its glyphs put back: SGR sequences (the styles Ink added) are kept, and the
 * n-th visible character becomes the n-th character of `real`. Returns the line unchanged when its visible
 * length is not that of `real` (not the line this was made for).
 */
export function restoreGlyphs(styled: string, real: string): string {
  let out = '';
  let j = 0;
  let from = 0;
  for (let i = 0; i < styled.length; i++) {
    if (styled.charCodeAt(i) !== 0x1b) continue;
    // Visible characters before this escape sequence, then the sequence itself (ESC [ params final).
    const n = i - from;
    if (j + n > real.length) return styled;
    out += real.slice(j, j + n);
    j += n;
    let end = i + 1;
    if (styled.charCodeAt(end) === 0x5b) {
      end++;
      while (end < styled.length) {
        const c = styled.charCodeAt(end);
        if (c >= 0x40 && c <= 0x7e) break;
        end++;
      }
    }
    out += styled.slice(i, end + 1);
    i = end;
    from = end + 1;
  }
  const n = styled.length - from;
  if (j + n !== real.length) return styled;
  return out + real.slice(j);
}

function spanNodes(spans: readonly Span[], text: (s: string) => string) {
  return spans.map((s, i) => (s.style ? <Text key={i} {...s.style}>{text(s.text)}</Text> : text(s.text)));
}

const same = (s: string) => s;

const unstyled = (s: TextStyle | undefined) => !s || Object.keys(s).length === 0;

/**
 * The spans without the trailing spaces of an unstyled end: Ink's cells are unstyled spaces already and it
 * trims them from the line, so the frame is the same, but every character Ink is given costs it work.
 */
function withoutPlainPadding(spans: readonly Span[], style: TextStyle | undefined): readonly Span[] {
  const last = spans[spans.length - 1];
  if (!last || !unstyled(style) || !unstyled(last.style) || !last.text.endsWith(' ')) return spans;
  const out = spans.slice();
  out[out.length - 1] = { text: last.text.trimEnd(), style: last.style };
  return out;
}

/**
 * A line of spans in `style`, truncated by Ink when wider than `width` (the width of the box it fills).
 * Equivalent to `<Text wrap="truncate" {...style}>` with the spans as children (nested Text for styled spans).
 */
export function TextLine({ spans: given, style, width }: { spans: readonly Span[]; style?: TextStyle; width: number }) {
  const screenReader = useIsScreenReaderEnabled();
  const spans = withoutPlainPadding(given, style);
  const real = spans.length === 1 ? spans[0].text : spans.map((s) => s.text).join('');
  const restore = useMemo(() => {
    let lastIn = '';
    let lastOut = '';
    return (styled: string) => {
      if (styled !== lastIn) {
        lastIn = styled;
        lastOut = restoreGlyphs(styled, real);
      }
      return lastOut;
    };
  }, [real]);
  // Every drawable character is one cell: the length is the width.
  const shadowed = !screenReader && real.length <= width && !ASCII.test(real) && DRAWABLE.test(real);
  if (!shadowed) {
    return (
      <Text wrap="truncate" {...style}>
        {spanNodes(spans, same)}
      </Text>
    );
  }
  return (
    <Transform transform={restore}>
      <Text wrap="truncate" {...style}>
        {spanNodes(spans, shadowOf)}
      </Text>
    </Transform>
  );
}
