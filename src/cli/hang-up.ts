// The terminal going away (an SSH drop, a closed terminal window, kill -HUP) under a UI that owns it: the monitor,
// the `sockscope generate` wizard and generate-server's `Overwrite? [y/N]` question.

/**
 * Ends the process by SIGHUP's default action once the terminal has gone (SIGHUP, or its reads and
 * writes failing). process.exit() would run Node's exit path, whose ResetStdio() asserts when it cannot
 * restore the tty's modes on a hung-up terminal (nodejs/node#51519, fixed after Node 20): measured, the
 * monitor died of SIGSEGV after printing a native stack on every SSH drop (tmux kill-session with a
 * session leader that forwards SIGHUP, as a login shell does), and so did the wizard and the question.
 * Dying by the signal is also what a shell reports as 129. Node installs no SIGHUP handler of its own:
 * with the listeners taken off (Ink's signal-exit's too), the default action applies.
 */
export function hangUp(): void {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

/**
 * Until the returned function is called: SIGHUP (kill -HUP, a session leader passing on the hang-up), stdin ending or
 * failing (a hung-up terminal reads end of file: a session leader that does not pass SIGHUP on) and stdout or stderr
 * failing (EIO) call `restore` (raw mode off, cursor shown: whatever the terminal, if still there, needs back), then
 * end the process by SIGHUP (hangUp). Without it a kill -HUP ended the question by SIGHUP's default action with the
 * terminal still in raw mode (`-icanon -echo`: the shell's keys did not echo), and a hang-up ran Node's exit path in
 * the question and the wizard (SIGSEGV, above). For a UI reading stdin in raw mode, where end of input is a key
 * (Ctrl-D: the byte 0x04) and never the stream's end.
 */
export function onHangUp(restore: () => void): () => void {
  const { stdin, stdout, stderr } = process;
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    try {
      restore();
    } catch {
      // the terminal is gone
    }
    hangUp();
  };
  process.on('SIGHUP', end);
  // Before any other listener where this runs first (the question's readline closes on stdin's end, which would read
  // as Ctrl-D): prepended.
  stdin.prependListener('end', end);
  stdin.prependListener('error', end);
  stdout.on('error', end);
  stderr.on('error', end);
  return () => {
    process.removeListener('SIGHUP', end);
    stdin.removeListener('end', end);
    stdin.removeListener('error', end);
    stdout.removeListener('error', end);
    stderr.removeListener('error', end);
  };
}
