// Tests that run the built bin/sockscope in a real terminal: a tmux server of their own, and polling its screen.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

/** The repository root (bin/sockscope, dist/). */
export const ROOT = new URL('../..', import.meta.url).pathname;

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const inCi = process.env.CI === 'true' || process.env.CI === '1';
/** Without tmux the test fails in CI and is skipped on a developer machine. */
export const tmuxSkip: string | false = !hasTmux && !inCi ? 'tmux is not installed' : false;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs tmux commands on a server of this test process's own (tmux -L NAME-PID). */
export function tmuxServer(name: string): (...args: string[]) => SpawnSyncReturns<string> {
  const sock = `${name}-${process.pid}`;
  return (...args) => spawnSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
}

/** Reads the screen every 100 ms until `pred` holds (returns that screen); throws with the last screen after `ms`. */
export async function until(read: () => string, pred: (screen: string) => boolean, what: string, ms = 20_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = read();
    if (pred(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await sleep(100);
  }
}

/**
 * Types `command; echo EXIT=$?` in pane `target` (a bash whose prompt is `READY$ `) on a screen cleared and seen
 * empty first: the last run's text (a wizard's 'Protocol', 'EXIT=130') would satisfy the next wait before `clear`
 * ran (CI: a capture of the still empty screen 19 ms in, then the next command typed into a wizard still running).
 */
export async function runCleared(tmux: (...args: string[]) => SpawnSyncReturns<string>, target: string, command: string): Promise<void> {
  tmux('send-keys', '-t', target, 'clear', 'Enter');
  await until(() => tmux('capture-pane', '-p', '-t', target).stdout, (s) => s.trim() === 'READY$', 'a cleared screen');
  tmux('send-keys', '-t', target, `${command}; echo EXIT=$?`, 'Enter');
}

/** Pane `target`'s screen (capture) and a wait on it (until: every 100 ms, 20 s unless told), for tests' tmux servers. */
export function pane(
  tmux: (...args: string[]) => SpawnSyncReturns<string>,
  target: string,
): { capture: () => string; until: (pred: (screen: string) => boolean, what: string, ms?: number) => Promise<string> } {
  const capture = () => tmux('capture-pane', '-p', '-t', target).stdout;
  return { capture, until: (pred, what, ms) => until(capture, pred, what, ms) };
}

/**
 * Inside a describe(): an interactive bash (no rc files, job control on, prompt `READY$ `) in tmux session
 * `session` (width x 30) of `tmux`'s server, in a temp directory of its own named `prefix`..., up before the
 * describe's tests; the server and the directory are removed after them. `dir()` is that directory.
 */
export function interactiveShell(tmux: (...args: string[]) => SpawnSyncReturns<string>, session: string, prefix: string, width: number): { dir: () => string } {
  let dir = '';
  const { until: seen } = pane(tmux, session);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    const r = tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', dir, 'bash', '--norc', '--noprofile', '-i');
    if (r.status !== 0) throw new Error(`tmux new-session: ${r.stderr}`);
    await seen((screen) => screen.includes('READY$'), 'the shell prompt');
  });
  after(() => {
    tmux('kill-server');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir };
}

/**
 * A python3 session leader for hang-up tests (`python3 leader.py OUT forward|keep COMMAND...`): runs the command with
 * the terminal as its stdio (stderr to OUT.err with `stderrToFile`), passes SIGHUP on to it or not, and writes how it
 * ended to OUT (-N: killed by signal N). Killing the tmux session hangs the terminal up under it.
 */
export function hangUpLeader(stderrToFile = false): string {
  return `
import signal, subprocess, sys
out, forward = sys.argv[1], sys.argv[2] == 'forward'
p = None
def on_hup(sig, frame):
    if forward and p: p.send_signal(signal.SIGHUP)
signal.signal(signal.SIGHUP, on_hup)
p = subprocess.Popen(sys.argv[3:], preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL)${stderrToFile ? ", stderr=open(out + '.err', 'w')" : ''})
open(out, 'w').write(str(p.wait()))
`;
}
