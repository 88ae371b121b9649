// Job control for the full-screen UIs: give the terminal back on a stop (SIGTSTP, the Ctrl-Z key) and take it again on SIGCONT.

/** What is given back and taken again (ui/terminal.ts TerminalGuard for the monitor; generate.ts's main-screen guard). */
export interface Stoppable {
  /** The UI owns the terminal (a stop then gives it back). */
  readonly active: boolean;
  /** Before the stop: raw mode off, cursor shown (and the screen the UI drew on left or cleared). */
  suspend(): void;
  /** After it: raw mode again if it was on, cursor hidden; the caller redraws. */
  reclaim(): void;
}

/**
 * Job control (README, Behaviour): the terminal is given back while the monitor is stopped and taken again when it
 * continues, as less and top do. The monitor was stopped by SIGTSTP's default action with raw mode on, on the
 * alternate screen: the shell's `[1]+ Stopped` came over the monitor, and after `fg` (the shell had put the terminal
 * back in cooked mode) arrow keys echoed as ^[[B and `q` waited for Enter.
 *
 * SIGTSTP (Ctrl-Z when raw mode is off, kill -TSTP) and the Ctrl-Z key (in raw mode the terminal sends the byte
 * 0x1a, not the signal: the keymap's `suspend`) give the terminal back, then stop the process by SIGTSTP's own
 * default action (the handler is taken off and the signal raised again), so the shell says `Stopped`; in a process
 * group the kernel will not stop (orphaned: nobody could continue it), it goes on at once. For the Ctrl-Z key the
 * signal goes to the whole process group, as the terminal sends it for Ctrl-Z in cooked mode (and as vim does):
 * sockscope is not always the whole job (`generate-server ... | cat`, `sh run.sh`, make, npm run), and raised for its
 * own pid alone it stopped only itself: the shell, waiting for the rest of the job still running, said no `Stopped`
 * and gave no prompt. A SIGTSTP received as a signal is raised for this process alone, as less and top do: the
 * terminal's own Ctrl-Z already went to the whole group, and a `kill -TSTP PID` from a script is meant for this
 * process, not for the script that sent it (sent to the group, it stopped that script too: diff review s26 dE #1).
 * Either way the process runs on past process.kill() only once it continues, and takes the terminal again there: no frame
 * can be drawn on the shell's screen first. A SIGCONT after a stop no handler saw (kill -STOP) takes it again as well;
 * the SIGCONT that follows the monitor's own stop is skipped.
 *
 * Shared by the monitor (alternate screen: ui/terminal.ts terminalGuard) and the standalone `sockscope generate`
 * (main screen: its own guard in generate.ts). `dispose` takes the handlers off (generate, once the wizard closed).
 */
export function stopAndResume(guard: Stoppable, redraw: () => void): { suspend: () => void; dispose: () => void } {
  let ownStop = false;
  const resume = () => {
    guard.reclaim();
    redraw();
  };
  /** Stops `target` (0: the process group, for the key; this pid, for a SIGTSTP received) with the terminal given back. */
  const stop = (target: number) => {
    if (!guard.active) return;
    guard.suspend();
    process.removeListener('SIGTSTP', onSignal);
    try {
      process.kill(target, 'SIGTSTP');
    } catch {
      // cannot happen for this process or its own group; go on as after a stop
    }
    process.on('SIGTSTP', onSignal);
    ownStop = true;
    setTimeout(() => (ownStop = false), 1000).unref();
    resume();
  };
  const onSignal = () => stop(process.pid);
  const suspend = () => stop(0);
  const onCont = () => {
    if (ownStop) ownStop = false;
    else if (guard.active) resume();
  };
  process.on('SIGTSTP', onSignal);
  process.on('SIGCONT', onCont);
  const dispose = () => {
    process.removeListener('SIGTSTP', onSignal);
    process.removeListener('SIGCONT', onCont);
  };
  return { suspend, dispose };
}

