// generate-server's `Overwrite? [y/N]` on a terminal: the answer, with job control and end of input handled.
import { createInterface } from 'node:readline/promises';
import { stopAndResume, type Stoppable } from '../stop-and-resume.js';
import { onHangUp } from '../hang-up.js';

/**
 * y or yes: overwrite (true); anything else, and end of input (Ctrl-D on the empty line, as a shell's `read` takes
 * it): no (false, the default N); Ctrl-C: 'interrupted'. Without a terminal on stdin and stderr: false.
 *
 * Ctrl-Z and SIGTSTP stop the question the wizard's way (cli/stop-and-resume.ts): raw mode off, stopped by SIGTSTP's
 * default action, raw mode again and the question drawn again after `fg`, still waiting. Left to readline's own
 * Ctrl-Z handling, the interface paused itself on SIGCONT, so nothing kept the event loop alive while the question
 * pended and Node exited 0 with nothing written (`generate-server ... && cc server.c` built the old file).
 *
 * The terminal going away (SIGHUP, or its reads ending: cli/hang-up.ts) ends the process by SIGHUP, raw mode off
 * first where the terminal is still there (kill -HUP), as the monitor does: a hang-up read as Ctrl-D (end of input)
 * went on to exit 2 through Node's exit path, which died of SIGSEGV on the hung-up terminal (nodejs/node#51519), and
 * kill -HUP left the terminal in raw mode.
 */
export async function confirmOverwrite(paths: string[]): Promise<boolean | 'interrupted'> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY || !stderr.isTTY) return false;
  const setRaw = (on: boolean) => {
    try {
      stdin.setRawMode(on);
    } catch {
      // the terminal may be gone
    }
  };
  // Before readline's own listener on stdin's end (which would close the question as Ctrl-D does).
  const offHangUp = onHangUp(() => setRaw(false));
  const rl = createInterface({ input: stdin, output: stderr });
  // With a SIGINT listener readline emits Ctrl-C instead of closing (and rejecting the question): the question is
  // aborted here, and a close is then end of input (Ctrl-D on the empty line) alone, which rejects it too.
  let interrupted = false;
  const abort = new AbortController();
  rl.on('SIGINT', () => {
    interrupted = true;
    abort.abort();
  });
  rl.on('close', () => abort.abort());
  let asking = true;
  const guard: Stoppable = {
    get active() {
      return asking;
    },
    suspend: () => setRaw(false),
    // The shell put the terminal back in cooked mode: off and on again (libuv skips a setRawMode(true) it believes in effect).
    reclaim: () => {
      setRaw(false);
      setRaw(true);
    },
  };
  // The question and what was typed so far, on the line the shell's `fg` left the cursor on.
  const job = stopAndResume(guard, () => {
    if (asking) rl.prompt(true);
  });
  // With a SIGTSTP listener readline emits the Ctrl-Z key (the byte 0x1a in raw mode) instead of stopping by itself.
  rl.on('SIGTSTP', () => job.suspend());
  try {
    const answer = await rl.question(`${paths.join(', ')} already exist${paths.length === 1 ? 's' : ''}. Overwrite? [y/N] `, { signal: abort.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ABORT_ERR') throw e;
    if (interrupted) return 'interrupted';
    // End of input: the default N, on a line of its own for the message that follows.
    stderr.write('\n');
    return false;
  } finally {
    asking = false;
    job.dispose();
    rl.close();
    offHangUp();
  }
}
