// Starts the built CLI (bin/sockscope, usually `export`) and waits for its "serving http://" line.
import { spawn, type ChildProcess } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

export interface StartCliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The program to run, `pre` then the CLI and `argv` its arguments (setpriv, unshare, ip netns exec); node by default. */
  file?: string;
  pre?: string[];
  /** How long to wait for "serving http://" before the child is killed and the start fails. */
  timeoutMs?: number;
}

/**
 * Runs the built CLI; resolves with the child once it says it serves. Fails at once when the child exits first
 * (with its stderr), and after `timeoutMs` (20 s) otherwise, killing the child.
 */
export async function startCli(argv: string[], o: StartCliOptions = {}): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(o.file ?? process.execPath, [...(o.pre ?? []), BIN, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env: o.env ?? process.env, cwd: o.cwd });
  let err = '';
  const timeoutMs = o.timeoutMs ?? 20_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not say "serving http://" within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes('serving http://')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (c, sig) => {
      clearTimeout(timer);
      reject(new Error(`the CLI exited (${c ?? sig}) before serving: ${err}`));
    });
  });
  return { child, stderr: () => err };
}

/**
 * Runs the built CLI to its end without blocking this process (a holder it must reach may live here, as spawnSync
 * would stop it from accepting); its stderr and exit status. Killed after `timeoutMs` (30 s).
 */
export function runCliAsync(argv: string[], o: Omit<StartCliOptions, 'timeoutMs' | 'cwd'> & { timeoutMs?: number } = {}): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(o.file ?? process.execPath, [...(o.pre ?? []), BIN, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env: o.env ?? process.env });
    let stderr = '';
    c.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    c.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}
