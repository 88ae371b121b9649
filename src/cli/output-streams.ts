// stdout/stderr write failures (EPIPE, ENOSPC, EIO): an exit code and at most one line, never a stack trace.
import { getSystemErrorMap } from 'node:util';

let outputGuarded = false;
let outputFailureSeen = false;

/**
 * A failed write to stdout or stderr is an 'error' event on the stream, and an unhandled one ends in a
 * Node stack trace. EPIPE means the reader has gone (`sockscope ... | head`): stop without a word, as a
 * Unix tool killed by SIGPIPE does (Node ignores SIGPIPE), with the exit code set so far (0 when none).
 * Any other failure (ENOSPC on /dev/full, EIO) is one line on stderr and exit 1; when stderr itself
 * fails there is nowhere to say it, so only the exit code tells. Installed once, for every command.
 */
export function guardOutputStreams(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].on('error', (err: NodeJS.ErrnoException) => {
      // A command with its own listener (the full-screen monitor restores the terminal and exits 129 when
      // it goes away) decides for itself; this one was registered first, so it runs first and steps aside.
      if (process[stream].listenerCount('error') > 1) {
        outputFailureSeen = true;
        return;
      }
      process.exit(outputFailed(stream, err));
    });
  }
  // The 'error' event comes on the next tick, so a process.exit() right after the write (yargs after
  // --help, exitWithError) ends the run before it: the stream is already marked errored, though.
  process.on('exit', () => {
    for (const stream of ['stdout', 'stderr'] as const) {
      const err = process[stream].errored as NodeJS.ErrnoException | null;
      if (err && !outputFailureSeen) process.exitCode = outputFailed(stream, err);
    }
  });
}

const gone = { stdout: false, stderr: false };
let daemonOutput = false;

/**
 * For a command that runs until stopped (the exporter): its log reader going away (`2>&1 | head -1`, a closed
 * terminal, a log shipper restarted) must not stop it. A failed write to stdout or stderr is then not the end
 * of the run: this listener makes the guard step aside, and later lines to that stream are dropped
 * (writeOutput). Installed once.
 */
export function keepRunningWithoutOutput(): void {
  if (daemonOutput) return;
  daemonOutput = true;
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].on('error', () => {
      gone[stream] = true;
    });
  }
}

/** Writes to stdout or stderr unless a write there has failed (then the text is dropped). */
export function writeOutput(stream: 'stdout' | 'stderr', text: string): void {
  if (gone[stream] || process[stream].destroyed || process[stream].errored) {
    gone[stream] = true;
    return;
  }
  try {
    process[stream].write(text);
  } catch {
    gone[stream] = true;
  }
}

/** Says why output failed (stdout only: stderr is where it would be said) and returns the exit code. */
function outputFailed(stream: 'stdout' | 'stderr', err: NodeJS.ErrnoException): number {
  const first = !outputFailureSeen;
  outputFailureSeen = true;
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  if (err.code === 'EPIPE') return code;
  if (stream === 'stdout' && first) {
    const why = (typeof err.errno === 'number' ? getSystemErrorMap().get(err.errno)?.[1] : undefined) ?? err.code ?? err.message;
    try {
      process.stderr.write(`sockscope: cannot write output: ${why}\n`);
    } catch {
      // stderr is gone too: the exit code is all that is left.
    }
  }
  return code === 0 ? 1 : code;
}

