// SIGINT, SIGTERM and SIGHUP in the one-shot commands (analyze, analyze-states, the monitor's --json and
// plain table): without a handler Node died by the signal and the ssh of a --host still logging in (or
// its ss still running) went on, reparented to init, though README says an ssh still running when
// sockscope exits is killed. The full-screen monitor has handlers of its own (monitor-run.ts).

/** The exit code of each signal, as a shell reports a process it ended: 128 + its number. */
const SIGNAL_EXITS: ReadonlyArray<readonly [NodeJS.Signals, number]> = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
];

let installed = false;

/**
 * On SIGINT/SIGTERM/SIGHUP: exit 130/143/129 with no stack trace. process.exit runs exec.ts's exit hook,
 * which kills every ssh (every runStreaming child) still running; dying by the signal skipped it.
 * Installed once per process; a signal handler does not keep the process alive.
 */
export function exitOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const [sig, code] of SIGNAL_EXITS)
    process.on(sig, () => process.exit(code));
}
