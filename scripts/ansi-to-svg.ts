// Converts a terminal capture with SGR colour codes (tmux capture-pane -e -p) into an SVG image.
// Pure: text in, SVG text out; used by scripts/screenshots.ts and tested in test/scripts/.

export interface Cell {
  ch: string;
  fg: string;
  bg: string | null;
  bold: boolean;
  underline: boolean;
}

const PALETTE = [
  '#1d1f21', '#cc342b', '#198844', '#c98c00', '#3971ed', '#a36ac7', '#3971ed', '#c5c8c6',
  '#969896', '#ff5f5f', '#5fd75f', '#ffd75f', '#5fafff', '#d787d7', '#5fd7d7', '#ffffff',
];
const DEFAULT_FG = '#e6e6e6';
const DEFAULT_BG = '#1d1f21';

function xterm256(n: number): string {
  if (n < 16) return PALETTE[n];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

/** Parses lines of text with SGR sequences into cells; other escape sequences are dropped. */
export function parseAnsi(text: string): Cell[][] {
  const rows: Cell[][] = [];
  let fg = DEFAULT_FG;
  let bg: string | null = null;
  let bold = false;
  let underline = false;
  let inverse = false;
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const row: Cell[] = [];
    for (let i = 0; i < line.length; ) {
      const ch = line[i];
      if (ch === '\x1b') {
        const m = /^\x1b\[([0-9;:]*)([A-Za-z])/.exec(line.slice(i));
        if (!m) {
          i++;
          continue;
        }
        i += m[0].length;
        if (m[2] !== 'm') continue;
        const codes = m[1] === '' ? [0] : m[1].split(/[;:]/).map(Number);
        for (let k = 0; k < codes.length; k++) {
          const c = codes[k];
          if (c === 0) {
            fg = DEFAULT_FG;
            bg = null;
            bold = underline = inverse = false;
          } else if (c === 1) bold = true;
          else if (c === 4) underline = true;
          else if (c === 7) inverse = true;
          else if (c === 22) bold = false;
          else if (c === 24) underline = false;
          else if (c === 27) inverse = false;
          else if (c >= 30 && c <= 37) fg = PALETTE[c - 30];
          else if (c === 39) fg = DEFAULT_FG;
          else if (c >= 40 && c <= 47) bg = PALETTE[c - 40];
          else if (c === 49) bg = null;
          else if (c >= 90 && c <= 97) fg = PALETTE[c - 90 + 8];
          else if (c >= 100 && c <= 107) bg = PALETTE[c - 100 + 8];
          else if ((c === 38 || c === 48) && codes[k + 1] === 5) {
            const col = xterm256(codes[k + 2] ?? 0);
            if (c === 38) fg = col;
            else bg = col;
            k += 2;
          } else if ((c === 38 || c === 48) && codes[k + 1] === 2) {
            const col = `rgb(${codes[k + 2] ?? 0},${codes[k + 3] ?? 0},${codes[k + 4] ?? 0})`;
            if (c === 38) fg = col;
            else bg = col;
            k += 4;
          }
        }
        continue;
      }
      const cp = line.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      i += s.length;
      row.push(inverse ? { ch: s, fg: bg ?? DEFAULT_BG, bg: fg, bold, underline } : { ch: s, fg, bg, bold, underline });
    }
    rows.push(row);
  }
  return rows;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders cells as an SVG of `cols` x `rows` character cells (monospace). */
export function cellsToSvg(cells: Cell[][], cols: number, rowsCount: number, title = 'sockscope'): string {
  const cw = 8.4;
  const lh = 17;
  const pad = 10;
  const width = Math.ceil(cols * cw + pad * 2);
  const height = Math.ceil(rowsCount * lh + pad * 2);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`);
  out.push(`<rect width="100%" height="100%" fill="${DEFAULT_BG}"/>`);
  out.push(`<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14" xml:space="preserve">`);
  cells.slice(0, rowsCount).forEach((row, y) => {
    // backgrounds
    for (let x = 0; x < row.length; ) {
      const bg = row[x].bg;
      if (!bg) {
        x++;
        continue;
      }
      let end = x + 1;
      while (end < row.length && row[end].bg === bg) end++;
      out.push(`<rect x="${(pad + x * cw).toFixed(1)}" y="${pad + y * lh}" width="${((end - x) * cw).toFixed(1)}" height="${lh}" fill="${bg}"/>`);
      x = end;
    }
    // text runs of one style; a non-ASCII glyph (box drawing, sparkline blocks) gets its own element at
    // its own cell, since a fallback font may draw it at another width and shift the rest of the run
    const ascii = (ch: string) => ch.charCodeAt(0) < 0x80;
    for (let x = 0; x < row.length; ) {
      const c = row[x];
      let end = x + 1;
      if (ascii(c.ch))
        while (end < row.length && ascii(row[end].ch) && row[end].fg === c.fg && row[end].bold === c.bold && row[end].underline === c.underline) end++;
      const text = row.slice(x, end).map((k) => k.ch).join('');
      if (text.trim() !== '') {
        const attrs = `${c.bold ? ' font-weight="bold"' : ''}${c.underline ? ' text-decoration="underline"' : ''}`;
        out.push(`<text x="${(pad + x * cw).toFixed(1)}" y="${pad + y * lh + 13}" fill="${c.fg}"${attrs}>${esc(text)}</text>`);
      }
      x = end;
    }
  });
  out.push('</g></svg>');
  return `${out.join('\n')}\n`;
}

/** One call: capture text -> SVG. */
export function ansiToSvg(text: string, cols: number, rows: number, title?: string): string {
  return cellsToSvg(parseAnsi(text), cols, rows, title);
}
