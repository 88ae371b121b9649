// Starts test/fixtures/sockopt/socket-holder.c (a loopback listener and one connection, both ends in one
// process), as another uid through setpriv when asked, optionally not dumpable. `stop()` kills it.
import { spawn, spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { compileFixture } from '../collect/getsockopt-helpers.js';

export interface SocketHolder {
  pid: number;
  port: number;
  listenFd: number;
  clientFd: number;
  acceptedFd: number;
  stop: () => void;
}

/** Fails (never skips) when setpriv is missing: the hidden-process tests need another uid. */
export function requireSetpriv(): void {
  const r = spawnSync('setpriv', ['--version']);
  if (r.error) throw new Error(`setpriv (util-linux) is required for this test: ${r.error.message}`);
}

/** Runs the fixture (as `uid` when given); resolves once it has printed its sockets. */
export async function startSocketHolder(opts: { uid?: number; undumpable?: boolean } = {}): Promise<SocketHolder> {
  const { exe, cleanup } = compileFixture('socket-holder.c');
  const args = opts.undumpable ? ['undumpable'] : [];
  if (opts.uid !== undefined) requireSetpriv();
  const child =
    opts.uid === undefined
      ? spawn(exe, args, { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn('setpriv', [`--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', '--', exe, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const stop = () => {
    child.stdin!.end();
    child.kill('SIGKILL');
    cleanup();
  };
  try {
    const info = await new Promise<Omit<SocketHolder, 'stop'>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket-holder did not become ready in 10 s')), 10_000);
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      });
      child.once('exit', (code) => reject(new Error(`socket-holder exited with ${code}`)));
    });
    return { ...info, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

/** The socket inode behind fd `fd` of `pid` (the tests run as root, which reads any process's fds). */
export function inodeOf(pid: number, fd: number): number {
  return Number(/socket:\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))![1]);
}
