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
  isRaw?: boolean;
  setRawMode?: (on: boolean) => unknown;
}

export interface TerminalGuard {
  enter(): void;
  /** Main screen back, cursor shown, raw mode off. Idempotent; never throws (the terminal may be gone after SIGHUP). */
  restore(): void;
  /** For a stop (SIGTSTP, Ctrl-Z): as restore(), remembering whether raw mode was on for reclaim(). */
  suspend(): void;
  /**
   * After a stop (SIGCONT): raw mode again if it was on, then the alternate screen (cleared) and the hidden
   * cursor; the caller redraws the whole frame. Raw mode is set off and on: the shell puts the terminal back in
   * cooked mode while the job is stopped, and libuv skips a setRawMode(true) it believes is already in effect
   * (after a SIGSTOP, which no handler sees). Raw mode comes before any write: resumed in the background
   * (`bg`), tcsetattr stops the process again (SIGTTOU) before the alternate screen covers the shell's.
   */
  reclaim(): void;
  readonly active: boolean;
}

export function terminalGuard(stdout: Out, stdin: In): TerminalGuard {
  let active = false;
  /** Raw mode was on when suspend() gave the terminal back. */
  let rawBeforeStop = false;
  const safe = (f: () => unknown) => {
    try {
      f();
    } catch {
      // The terminal may be gone (SSH drop): nothing left to restore.
    }
  };
  const enter = () => {
    active = true;
    safe(() => stdout.write(ENTER_ALT_SCREEN + HOME_AND_CLEAR + HIDE_CURSOR));
  };
  const restore = () => {
    if (!active) return;
    active = false;
    if (stdin.isTTY && stdin.setRawMode) safe(() => stdin.setRawMode!(false));
    safe(() => stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN));
  };
  return {
    get active() {
      return active;
    },
    enter() {
      if (!active) enter();
    },
    restore,
    suspend() {
      if (!active) return;
      rawBeforeStop = stdin.isRaw === true;
      restore();
    },
    reclaim() {
      const raw = active ? stdin.isRaw === true : rawBeforeStop;
      if (raw && stdin.isTTY && stdin.setRawMode) {
        safe(() => stdin.setRawMode!(false));
        safe(() => stdin.setRawMode!(true));
      }
      enter();
    },
  };
}
