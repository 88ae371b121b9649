// Test helpers for the getsockopt helper and the inspect/try/debug commands: compile the C fixtures with gcc and
// run the process that opens sockets with known options. Every process started here is killed by `stop()`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin/sockscope');
export const FIXTURES = join(ROOT, 'test/fixtures/sockopt');

/** Compiles a C fixture with gcc into a temporary directory; fails (never skips) when gcc is missing. */
export function compileFixture(name: string): { exe: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-sockopt-'));
  chmodSync(dir, 0o755); // other uids (setpriv in tests) run the binary too
  const exe = join(dir, name.replace(/\.c$/, ''));
  const r = spawnSync('gcc', ['-Wall', '-Wextra', '-O0', '-o', exe, join(FIXTURES, name)], { encoding: 'utf8' });
  if (r.error) throw new Error(`gcc is required for this test (Debian package gcc): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`gcc failed on ${name}:\n${r.stderr}`);
  return { exe, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface KnownSocket {
  label: string;
  fd: number;
  port: number;
  options: Record<string, number | string | { onoff: number; seconds: number }>;
}

export interface KnownOptionsProcess {
  pid: number;
  sockets: Record<string, KnownSocket>;
  child: ChildProcess;
  stop: () => void;
}

/** Starts test/fixtures/sockopt/known-options.c (as `uid` through setpriv when given) and waits until it has printed every socket. */
export async function startKnownOptions(congestion = 'reno', uid?: number): Promise<KnownOptionsProcess> {
  const { exe, cleanup } = compileFixture('known-options.c');
  const child =
    uid === undefined
      ? spawn(exe, [congestion], { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', exe, congestion], { stdio: ['pipe', 'pipe', 'inherit'] });
  const sockets: Record<string, KnownSocket> = {};
  const pid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('known-options did not become ready in 10 s')), 10_000);
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      const j = JSON.parse(line);
      if (j.ready) {
        clearTimeout(timer);
        resolve(j.pid);
      } else sockets[j.label] = j;
    });
    child.once('exit', (code) => reject(new Error(`known-options exited with ${code}`)));
  });
  const stop = () => {
    child.stdin!.end();
    child.kill('SIGKILL');
    cleanup();
  };
  return { pid, sockets, child, stop };
}

/** Runs bin/sockscope with arguments; optionally as another uid (setpriv), or inside a network namespace. */
export function sockscope(args: string[], opts: { uid?: number; netns?: string; timeoutMs?: number } = {}): { status: number | null; stdout: string; stderr: string } {
  let file = process.execPath;
  let argv = [BIN, ...args];
  if (opts.uid !== undefined) {
    argv = [`--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', '--', file, ...argv];
    file = 'setpriv';
  }
  if (opts.netns) {
    argv = ['netns', 'exec', opts.netns, file, ...argv];
    file = 'ip';
  }
  const r = spawnSync(file, argv, { encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000, env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw new Error(`could not run ${file}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Normalizes a value sockscope reports to the C program's representation (booleans as 0/1). */
export function asC(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v && typeof v === 'object' && 'onoff' in v) {
    const l = v as { onoff: boolean | number; seconds: number };
    return { onoff: l.onoff === true || l.onoff === 1 ? 1 : 0, seconds: l.seconds };
  }
  return v;
}

/** As sockscope(), without blocking this process's event loop (for servers that live in the test process); `env` is added to this one's. */
export function sockscopeAsync(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
