// Owning the terminal: alternate screen and hidden cursor on start, and a restore that is safe to call from any exit path.

export const ENTER_ALT_SCREEN = '\u001b[?1049h';
export const LEAVE_ALT_SCREEN = '\u001b[?1049l';
export const HIDE_CURSOR = '\u001b[?25l';
export const SHOW_CURSOR = '\u001b[?25h';
const HOME_AND_CLEAR = '\u001b[H\u001b[2J';

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}
interface In {
  isTTY?: boolean;
  setRawMode?: (on: boolean) => unknown;
}

export interface TerminalGuard {
  enter(): void;
  /** Main screen back, cursor shown, raw mode off. Idempotent; never throws (the terminal may be gone after SIGHUP). */
  restore(): void;
  readonly active: boolean;
}

export function terminalGuard(stdout: Out, stdin: In): TerminalGuard {
  let active = false;
  const safe = (f: () => unknown) => {
    try {
      f();
    } catch {
      // The terminal may be gone (SSH drop): nothing left to restore.
    }
  };
  return {
    get active() {
      return active;
    },
    enter() {
      if (active) return;
      active = true;
      safe(() => stdout.write(ENTER_ALT_SCREEN + HOME_AND_CLEAR + HIDE_CURSOR));
    },
    restore() {
      if (!active) return;
      active = false;
      if (stdin.isTTY && stdin.setRawMode) safe(() => stdin.setRawMode!(false));
      safe(() => stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN));
    },
  };
}
