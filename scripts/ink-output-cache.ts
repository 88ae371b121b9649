// Ink's line caches kept across frames, bounded to two frames (bundled into Ink's output.js by the build:
// patchInkOutput in scripts/esbuild-plugins.mjs says why). Same methods as Ink 6.8's OutputCaches, plus
// endFrame(), which Output.get() calls once its frame string is built.
//
// Two generations per cache: the entries used by the frame being drawn (current) and those of the previous
// frame. A lookup that misses the current generation looks in the previous one and carries a hit over; at
// the end of a frame the current generation becomes the previous one and the older one is dropped. A line
// that stays on screen is computed once; memory holds at most the keys of two frames.
//
// Sharing the cached values across frames is safe because Ink never mutates them: Output.get() copies the
// character objects of a line into a grid made for each frame (`currentLine[x] = character`) and only reads
// them after (`styledCharsToString`); the cells it adds after a wide character are new objects that share
// the character's `styles` array, which nothing writes either. Ink's own per-frame cache already hands the
// same array to every write of an identical line within a frame.

/** One generational map: values computed for a key are kept while the key is used in one of the last two frames. */
class TwoGenerations<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();

  get(key: string, compute: (key: string) => V): V {
    let value = this.current.get(key);
    if (value === undefined) {
      value = this.previous.get(key);
      if (value === undefined) value = compute(key);
      this.current.set(key, value);
    }
    return value;
  }

  rotate(): void {
    const older = this.previous;
    older.clear();
    this.previous = this.current;
    this.current = older;
  }

  get sizes(): { current: number; previous: number } {
    return { current: this.current.size, previous: this.previous.size };
  }
}

export class TwoFrameLineCaches<Char> {
  private readonly widths = new TwoGenerations<number>();
  private readonly blockWidths = new TwoGenerations<number>();
  private readonly styledChars = new TwoGenerations<Char[]>();
  private readonly measure: (text: string) => number;
  private readonly widestLine = (text: string): number => {
    let lineWidth = 0;
    for (const line of text.split('\n')) lineWidth = Math.max(lineWidth, this.getStringWidth(line));
    return lineWidth;
  };
  private readonly style: (line: string) => Char[];

  /** `measure`: string-width; `style`: the line's styled characters (`styledCharsFromTokens(tokenize(line))`). */
  constructor(measure: (text: string) => number, style: (line: string) => Char[]) {
    this.measure = measure;
    this.style = style;
  }

  getStyledChars(line: string): Char[] {
    return this.styledChars.get(line, this.style);
  }

  getStringWidth(text: string): number {
    return this.widths.get(text, this.measure);
  }

  getWidestLine(text: string): number {
    return this.blockWidths.get(text, this.widestLine);
  }

  /** The frame is drawn: its entries become the previous generation; those of the frame before are dropped. */
  endFrame(): void {
    this.widths.rotate();
    this.blockWidths.rotate();
    this.styledChars.rotate();
  }

  /** Entries held, per cache and generation (for tests). */
  get sizes() {
    return { widths: this.widths.sizes, blockWidths: this.blockWidths.sizes, styledChars: this.styledChars.sizes };
  }
}
