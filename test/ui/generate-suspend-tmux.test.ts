// Ctrl-Z in the standalone `sockscope generate` (the built bin, an interactive bash in tmux). Raw mode turns the
// terminal's suspend off (Ctrl-Z arrives as the byte 0x1a) and the wizard dropped the key: nothing happened, where
// README's key table says Ctrl-Z suspends everywhere (the terminal restored; fg resumes), as it does in the monitor
// and its wizard. Now the wizard's Ctrl-Z and SIGTSTP stop it the monitor's way (cli/stop-and-resume.ts): its frame
// erased, raw mode off and the cursor shown before the stop; on `fg` raw mode again and the frame redrawn.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { interactiveShell, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const skip = tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false);
const tmux = tmuxServer('sockscope-gen-stop');
const { capture, until } = pane(tmux, 'sh');

describe('sockscope generate: Ctrl-Z and SIGTSTP suspend, fg resumes (tmux)', { skip }, () => {
  const shell = interactiveShell(tmux, 'sh', 'sockscope-gen-stop-', 100);

  const show = (format: string) => tmux('display', '-p', '-t', 'sh', format).stdout.trim();
  const stty = () => execFileSync('stty', ['-a', '-F', show('#{pane_tty}')], { encoding: 'utf8' });
  /** The wizard's process state (ps STAT: T stopped). */
  const stat = (pid: number) => execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();

  for (const how of ['the Ctrl-Z key', 'kill -TSTP'] as const) {
    it(`${how}: stopped (the shell says so), the terminal given back; fg: raw mode, the frame, keys without Enter`, { timeout: 60_000 }, async () => {
      tmux('send-keys', '-t', 'sh', 'clear', 'Enter');
      await until((s) => s.trim() === 'READY$', 'a cleared screen');
      // No `; echo EXIT=$?` after it: the shell would run that at the stop. fg's status is the job's.
      tmux('send-keys', '-t', 'sh', `echo BEFORE-WIZARD; ${ROOT}bin/sockscope generate`, 'Enter');
      await until((s) => s.includes('Protocol') && s.includes('› TCP'), 'the first question');
      assert.match(stty(), /\s-icanon\s/, 'the wizard runs in raw mode');
      const pid = Number(execFileSync('pgrep', ['-P', show('#{pane_pid}')], { encoding: 'utf8' }).trim().split('\n')[0]);
      assert.ok(pid > 0);

      if (how === 'kill -TSTP') process.kill(pid, 'SIGTSTP');
      else tmux('send-keys', '-t', 'sh', 'C-z');
      let s = await until((x) => /Stopped/.test(x), 'the shell reporting the stop', 10_000);
      assert.match(stat(pid), /^T/, `the wizard is not stopped: ${stat(pid)}`);
      assert.ok(s.includes('BEFORE-WIZARD') && !s.includes('Protocol'), `the frame left on the shell's screen:\n${s}`);
      assert.equal(show('#{cursor_flag}'), '1', 'the cursor left hidden');

      tmux('send-keys', '-t', 'sh', 'fg', 'Enter');
      s = await until((x) => x.includes('Protocol') && x.includes('› TCP'), 'the frame after fg');
      assert.ok(s.includes('Stopped'), `the shell's lines above the frame erased:\n${s}`);
      assert.equal(s.match(/sockscope generate {2}step/g)?.length, 1, `one frame:\n${s}`);
      assert.match(stty(), /\s-icanon\s/, `raw mode not taken again:\n${stty()}`);
      assert.match(stty(), /\s-echo\s/);
      // A key without Enter moves the cursor; Ctrl-C then leaves as before (exit 130, nothing written).
      tmux('send-keys', '-t', 'sh', 'Down');
      s = await until((x) => x.includes('› UDP') || x.includes('^[[B'), 'Down after fg');
      assert.doesNotMatch(s, /\^\[\[B/, 'Down echoed as ^[[B: raw mode not taken again');
      tmux('send-keys', '-t', 'sh', 'C-c');
      await until((x) => x.includes('interrupted, nothing written') && /^READY\$\s*$/m.test(x), 'the prompt after Ctrl-C');
      tmux('send-keys', '-t', 'sh', 'echo EXIT=$?', 'Enter');
      s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
      assert.match(s, /EXIT=130/);
      assert.deepEqual(readdirSync(shell.dir()), []);
    });
  }

  it('suspended twice, then the wizard goes on to write its file', { timeout: 60_000 }, async () => {
    tmux('send-keys', '-t', 'sh', 'clear', 'Enter');
    await until((s) => s.trim() === 'READY$', 'a cleared screen');
    tmux('send-keys', '-t', 'sh', `${ROOT}bin/sockscope generate`, 'Enter');
    await until((s) => s.includes('› TCP'), 'the first question');
    for (let n = 0; n < 2; n++) {
      tmux('send-keys', '-t', 'sh', 'C-z');
      await until((x) => (x.match(/Stopped/g)?.length ?? 0) === n + 1, `stop ${n + 1}`, 10_000);
      tmux('send-keys', '-t', 'sh', 'fg', 'Enter');
      await until((x) => x.includes('› TCP'), `the frame after fg ${n + 1}`);
    }
    for (let k = 0; k < 16 && !/^Write to file/m.test(capture()); k++) {
      const before = capture();
      tmux('send-keys', '-t', 'sh', 'Enter');
      await until((x) => x !== before, 'the next question');
    }
    tmux('send-keys', '-t', 'sh', 'Enter');
    await until((x) => x.includes('Preview of'), 'the preview');
    tmux('send-keys', '-t', 'sh', 'Enter');
    await until((x) => x.includes('Enter or Esc to close'), 'the written screen');
    tmux('send-keys', '-t', 'sh', 'Enter');
    await until((x) => /^Watch it/m.test(x) && /^READY\$\s*$/m.test(x), 'the prompt after the wizard');
    tmux('send-keys', '-t', 'sh', 'echo EXIT=$?', 'Enter');
    const s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
    assert.match(s, /EXIT=0/);
    assert.deepEqual(readdirSync(shell.dir()), ['server.c']);
    rmSync(join(shell.dir(), 'server.c'));
  });
});
