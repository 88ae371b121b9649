// The one-shot forms of --host (analyze, analyze-states, the monitor's --json and plain table) signalled
// while their ssh still runs (a login that takes 30 s): the ssh went on, reparented to init, after
// sockscope exited 143. Now SIGINT/SIGTERM/SIGHUP kill it and sockscope exits 130/143/129, no stack trace.
// A real sshd on loopback (helpers/sshd-users.ts) whose test user's login shell sleeps 30 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { startSshdWithUsers, type UsersSshd } from '../helpers/sshd-users.js';
import { alive } from '../helpers/pid-alive.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pids of `ssh` processes whose parent is `ppid`. */
function sshChildren(ppid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(ppid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === 'ssh')
    .map((f) => Number(f[0]));
}

let sshd: UsersSshd | undefined;
test.after(() => sshd?.stop());

const cases: Array<[string[], NodeJS.Signals, number]> = [
  [['analyze-states'], 'SIGTERM', 143],
  [['analyze-states'], 'SIGINT', 130],
  [['analyze', '--port', '22'], 'SIGHUP', 129],
  [['--json'], 'SIGTERM', 143],
  [[], 'SIGINT', 130], // the plain table (stdout a pipe)
];

for (const [args, sig, code] of cases) {
  test(`sockscope ${args.join(' ') || '(plain table)'} --host: ${sig} kills its ssh and exits ${code}`, { timeout: 60_000 }, async () => {
    sshd ??= await startSshdWithUsers([{ name: 'sig-slow', uid: 4261, shell: '#!/bin/sh\nsleep 30\nexec /bin/sh "$@"\n' }]);
    const child = spawn(BIN, [...args, '--host', 'sig-slow@sockscope-test', '--ssh-config', sshd.clientConfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    let ssh: number[] = [];
    for (let i = 0; i < 200 && ssh.length === 0; i++) {
      await sleep(50);
      ssh = sshChildren(child.pid!);
    }
    try {
      assert.equal(ssh.length, 1, 'ssh started');
      await sleep(500); // the login is under way
      child.kill(sig);
      assert.equal(await exited, code, err);
      assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
      for (let i = 0; i < 40 && alive(ssh[0]); i++) await sleep(50);
      assert.ok(!alive(ssh[0]), `the ssh (pid ${ssh[0]}) outlived sockscope`);
    } finally {
      for (const p of ssh) if (alive(p)) process.kill(p, 'SIGKILL');
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
}
