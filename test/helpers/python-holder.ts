// A python3 process that opens sockets (its script prints one JSON line: pid and fd numbers) and holds them
// until the test ends: the test reads them from outside (getsockopt on another process's fds).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Starts `python3 -c script`, resolves with the JSON of its first stdout line; killed when the test ends.
 * `opts.command`: the words that run python instead of `python3` (`setpriv ... -- /usr/bin/python3`), and its cwd.
 */
export function startPythonHolder<T>(t: { after: (fn: () => void) => void }, script: string, opts: { command?: readonly string[]; cwd?: string } = {}): Promise<T> {
  const [file, ...args] = opts.command ?? ['python3'];
  const child = spawn(file, [...args, '-c', script], { stdio: ['pipe', 'pipe', 'inherit'], ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the python socket holder did not start in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as T);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the python socket holder exited with ${code}`)));
  });
}
