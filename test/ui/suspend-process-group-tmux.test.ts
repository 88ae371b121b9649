// Ctrl-Z in the monitor and in the `sockscope generate` wizard when sockscope is not the whole job (the built bin, an
// interactive bash in tmux): `sh run.sh`, make, npm run put a parent in sockscope's process group. In raw mode Ctrl-Z
// is a byte, and cli/stop-and-resume.ts raised SIGTSTP for its own pid alone: node stopped, the parent went on waiting,
// and bash (waiting for the job) said no `Stopped` and gave no prompt. Now the whole process group stops, as the
// terminal stops it in cooked mode; fg (and bg, then fg) continue both, the UI takes the terminal again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { interactiveShell, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const skip = tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false);
const tmux = tmuxServer('sockscope-pgrp-stop');
const { until } = pane(tmux, 'sh');

const UIS = {
  monitor: { args: '', ready: (s: string) => s.includes('LOCAL PORTS'), quit: 'q' },
  wizard: { args: ' generate', ready: (s: string) => s.includes('› TCP'), quit: 'C-c' },
} as const;

describe('Ctrl-Z with sockscope under sh -c: the whole job stops (tmux)', { skip }, () => {
  const shell = interactiveShell(tmux, 'sh', 'sockscope-pgrp-stop-', 120);

  const show = (format: string) => tmux('display', '-p', '-t', 'sh', format).stdout.trim();
  /** STAT and command of every process on the pane's terminal. */
  const procs = () => execFileSync('ps', ['-o', 'stat=,comm=', '-t', show('#{pane_tty}')], { encoding: 'utf8' });
  const stty = () => execFileSync('stty', ['-a', '-F', show('#{pane_tty}')], { encoding: 'utf8' });

  for (const [ui, { args, ready, quit }] of Object.entries(UIS)) {
    it(`${ui}: Ctrl-Z stops sh and node (the shell says Stopped); bg stops it again at the terminal; fg resumes it in raw mode`, { timeout: 60_000 }, async () => {
      tmux('send-keys', '-t', 'sh', 'clear', 'Enter');
      await until((s) => s.trim() === 'READY$', 'a cleared screen');
      tmux('send-keys', '-t', 'sh', `sh -c '${ROOT}bin/sockscope${args}; echo AFTER=$?'`, 'Enter');
      await until(ready, `the ${ui}`);
      tmux('send-keys', '-t', 'sh', 'C-z');
      await until((x) => /Stopped/.test(x) && /READY\$\s*$/.test(x), 'the shell reporting the stop and its prompt', 10_000);
      let ps = procs();
      assert.match(ps, /^T\S*\s+sh$/m, `sh not stopped:\n${ps}`);
      assert.match(ps, /^T\S*\s+node$/m, `node not stopped:\n${ps}`);

      // bg: continued in the background, the UI takes the terminal again and is stopped by it (SIGTTOU), sh with it.
      tmux('send-keys', '-t', 'sh', 'clear; bg', 'Enter');
      await until((x) => /&\s*$/m.test(x) && /READY\$\s*$/.test(x), 'bg');
      for (let k = 0; k < 50 && !/^T\S*\s+node$/m.test(procs()); k++) await new Promise((r) => setTimeout(r, 100));
      ps = procs();
      assert.match(ps, /^T\S*\s+node$/m, `node not stopped again after bg:\n${ps}`);

      tmux('send-keys', '-t', 'sh', 'fg', 'Enter');
      await until(ready, `the ${ui} after fg`);
      ps = procs();
      assert.match(ps, /^S\S*\s+sh$/m, `sh not running after fg:\n${ps}`);
      assert.match(stty(), /\s-icanon\s/, 'raw mode not taken again');
      tmux('send-keys', '-t', 'sh', quit);
      const s = await until((x) => /AFTER=\d+/.test(x), 'the UI ending and sh going on');
      assert.match(s, ui === 'wizard' ? /AFTER=130/ : /AFTER=0/);
    });
  }

  // A SIGTSTP sent to sockscope (not the key) stops sockscope alone, as less and top do (diff review s26 dE #1): sent
  // to the process group, it stopped the script that sent it (a non-interactive sh, whose children share its group),
  // which then never sent its own kill -CONT.
  it('kill -TSTP from a script stops the monitor alone: the script goes on, continues it and ends it', { timeout: 60_000 }, async () => {
    tmux('send-keys', '-t', 'sh', 'clear', 'Enter');
    await until((s) => s.trim() === 'READY$', 'a cleared screen');
    const log = join(shell.dir(), 'pause.log');
    writeFileSync(
      join(shell.dir(), 'pause.sh'),
      `${ROOT}bin/sockscope </dev/tty &\np=$!; sleep 3; kill -TSTP $p; echo paused > ${log}; sleep 1\nkill -CONT $p; echo resumed >> ${log}; sleep 2; kill -TERM $p; wait; echo done >> ${log}\n`,
    );
    tmux('send-keys', '-t', 'sh', 'sh pause.sh; echo SCRIPT=$?', 'Enter');
    const s = await until((x) => /SCRIPT=\d+/.test(x) || /Stopped/.test(x), 'the script ending (or stopped)', 30_000);
    assert.ok(!/Stopped/.test(s), `the script was stopped with the monitor:\n${s}`);
    assert.equal(readFileSync(log, 'utf8'), 'paused\nresumed\ndone\n');
  });
});
