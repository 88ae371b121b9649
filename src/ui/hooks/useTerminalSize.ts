// The terminal size, kept current through stdout 'resize' (SIGWINCH); Ink 6 has no hook for it.
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export const DEFAULT_SIZE: TerminalSize = { columns: 80, rows: 24 };

/** ESC[2J ESC[H: clear the (alternate) screen and home the cursor. */
export const CLEAR_SCREEN = '\u001b[2J\u001b[H';

function read(stdout: NodeJS.WriteStream): TerminalSize {
  return { columns: stdout.columns || DEFAULT_SIZE.columns, rows: stdout.rows || DEFAULT_SIZE.rows };
}

/**
 * Follows resizes. On a resize the screen is cleared through Ink's write(), which erases Ink's idea
 * of the previous frame and redraws it in full: terminals reflow old lines on resize, and without this
 * a narrower or shorter terminal keeps ghost lines of the old frame.
 */
export function useTerminalSize(opts: { clearOnResize?: boolean } = {}): TerminalSize {
  const { stdout, write } = useStdout();
  const [size, setSize] = useState(() => read(stdout));
  useEffect(() => {
    const onResize = () => {
      const next = read(stdout);
      setSize((cur) => (cur.columns === next.columns && cur.rows === next.rows ? cur : next));
      if (opts.clearOnResize) write(CLEAR_SCREEN);
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, write, opts.clearOnResize]);
  return size;
}
