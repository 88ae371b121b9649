// Runs the built CLI (bin/sockscope) without blocking this process, so that listeners and servers the test
// holds in it keep answering; NO_COLOR set, killed after 60 s.
import { spawn } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

export function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

/**
 * maxBuffer for spawnSync of a command that lists every socket of the host (`--unix --json`): Node's default (1 MiB)
 * cut the output of a host holding 2,000 unix sockets with exit status 0 (a reviewer's load beside the suite), and
 * JSON.parse failed on the cut.
 */
export const HOST_WIDE_OUTPUT = 256 * 1024 * 1024;
