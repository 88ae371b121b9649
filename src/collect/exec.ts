// Runs a child process with an argument array (never a shell), a timeout, and SOCKET_DEBUG logging.
import { logOsCall } from './debug.js';
import { CollectorError, DEFAULT_TIMEOUT_MS } from './source.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `file args...`; throws CollectorError naming the tool on spawn failure or timeout. Non-zero exit is returned, not thrown. */
export async function run(file: string, args: readonly string[], opts: { timeoutMs?: number; input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  const t0 = performance.now();
  try {
    // Loaded on first use: execa's module graph costs ~20 ms of start-up that commands without a child process never need.
    const { execa } = await import('execa');
    const r = await execa(file, args, {
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      reject: false,
      stripFinalNewline: false,
      input: opts.input,
      stdin: opts.input === undefined ? 'ignore' : undefined,
      env: { LC_ALL: 'C', ...opts.env },
      maxBuffer: 1024 * 1024 * 1024,
    });
    logOsCall('exec', [file, ...args].join(' '), performance.now() - t0, r.stdout.length, `exit=${r.exitCode ?? 'signal'}`);
    if (r.timedOut) throw new CollectorError(file, `timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`);
    if (r.failed && r.exitCode === undefined) {
      const code = (r as { code?: string }).code;
      throw new CollectorError(file, code === 'ENOENT' ? 'not installed (command not found)' : r.shortMessage || 'could not run');
    }
    return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? 1 };
  } catch (e) {
    if (e instanceof CollectorError) throw e;
    logOsCall('exec', [file, ...args].join(' '), performance.now() - t0, 0, 'error');
    throw new CollectorError(file, (e as Error).message, e);
  }
}
