// A process a test starts to hold sockets (python3, often in a namespace of its own), which prints one line (its pid
// and fd numbers) once they are open and then sleeps: the line, and the process killed when the test ends.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Runs argv, resolves with its first stdout line (fails after 10 s, or when it exits first); killed after the test. */
export function holderLine(t: { after: (fn: () => void) => void }, argv: readonly string[]): Promise<string> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`holder not ready in 10 s: ${argv.join(' ').slice(0, 80)}`)), 10_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`holder exited with ${code} before its line`));
    });
  });
}

/** The "PID label=fd label=fd ..." line of a holder, parsed. */
export function labelledFds(line: string): { pid: number; fd: Record<string, number> } {
  const [pid, ...pairs] = line.trim().split(' ');
  return { pid: Number(pid), fd: Object.fromEntries(pairs.map((p) => [p.split('=')[0], Number(p.split('=')[1])])) };
}
