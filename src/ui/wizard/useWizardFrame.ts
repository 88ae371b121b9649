// The wizard's frame: the rows and columns it draws in (followed through stdout 'resize'), and the handle a host
// needs to draw it again after a Ctrl-Z stop (`sockscope generate`: cli/stop-and-resume.ts).
import { useEffect, useRef, type RefObject } from 'react';
import { measureElement, useStdout, type DOMElement } from 'ink';
import { useTerminalSize } from '../hooks/useTerminalSize.js';

/** The frame's height and Ink's write (useStdout: `data` above the frame, then the whole frame again). */
export interface WizardScreen {
  height(): number;
  write(data: string): void;
}

/**
 * The rows and columns the wizard draws in (the host's when it gives them) and `root`, the ref for the frame's root
 * box: while it is mounted, `screenRef` holds that box's height and Ink's write, for a host that redraws after a stop.
 */
export function useWizardFrame(opts: { rows?: number; width?: number; screenRef?: { current: WizardScreen | null } }): {
  root: RefObject<DOMElement | null>;
  rows: number;
  width: number;
} {
  // Followed through stdout 'resize' as the monitor does (hooks/useTerminalSize.ts): read during render alone, the
  // standalone preview kept the old height (overflowing, or rows left empty) until the next key.
  const size = useTerminalSize();
  // Standalone (`sockscope generate`, on the main screen) the frame stays one row short of the terminal: Ink 6.8
  // clears the whole screen and the scrollback (ESC[3J) on every render once a frame is as tall as the terminal
  // (docs/ink-notes.md), which wiped the shell's history at 80x10 on the IO-model step. The monitor passes `rows`.
  const rows = opts.rows ?? Math.max(1, size.rows - 1);
  const width = opts.width ?? size.columns;

  const root = useRef<DOMElement>(null);
  const { write } = useStdout();
  const screenRef = opts.screenRef;
  useEffect(() => {
    if (!screenRef) return;
    screenRef.current = { height: () => (root.current ? measureElement(root.current).height : rows), write };
    return () => {
      screenRef.current = null;
    };
  }, [screenRef, write, rows]);

  return { root, rows, width };
}
