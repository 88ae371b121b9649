// Quitting the full-screen monitor with q and with the Ctrl-C key (the built bin, in a real pty): the
// terminal must be restored, i.e. the bytes the monitor wrote end with the cursor shown and the alternate
// screen left (ESC[?25h, ESC[?1049l), tmux is back on the main screen, and what was printed before the
// monitor is visible again. Review-churn #1: FrameStdout's write dropped Ink's callback, so unmount()'s
// write('', cb) never settled waitUntilExit(), the event loop emptied and Node exited 0 before
// terminalGuard.restore() ran: the shell prompt came back on the alternate screen. A fake stdout cannot
// catch that (its write calls the callback); the raw pty output can.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pane, ROOT, tmuxServer, tmuxSkip, until as poll } from '../helpers/tmux.js';

const skip = tmuxSkip;
const tmux = tmuxServer('sockscope-quit');
const { until } = pane(tmux, 'quit');

const ENTER_ALT = '\u001b[?1049h';
const LEAVE_ALT = '\u001b[?1049l';
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const show = (s: string) => JSON.stringify(s.slice(-400));

describe('quitting the monitor restores the terminal (tmux, raw pty output)', { skip }, () => {
  let dir = '';
  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    dir = mkdtempSync(join(tmpdir(), 'sockscope-quit-'));
    const r = tmux('new-session', '-d', '-s', 'quit', '-x', '100', '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', dir, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
  });
  after(() => {
    tmux('kill-server');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, key] of [
    ['q', 'q'],
    ['the Ctrl-C key', 'C-c'],
  ] as const) {
    it(`${name}: ESC[?25h and ESC[?1049l written after the last frame, the main screen back, exit 0`, { timeout: 60_000 }, async () => {
      const raw = join(dir, `${key}.raw`);
      const mark = `before-${key === 'q' ? 'q' : 'cc'}-${40 + 2}`;
      tmux('send-keys', '-t', 'quit', `clear; echo ${mark.replace('42', '$((40+2))')}`, 'Enter');
      await until((s) => s.includes(mark), 'the mark printed on the main screen');
      // Everything the programs in the pane write from here on, byte for byte.
      assert.equal(tmux('pipe-pane', '-t', 'quit', `cat > ${raw}`).status, 0);
      tmux('send-keys', '-t', 'quit', `${ROOT}bin/sockscope; echo EXIT=$?`, 'Enter');
      await until((s) => s.includes('LOCAL PORTS'), 'the monitor');
      assert.equal(tmux('display', '-p', '-t', 'quit', '#{alternate_on}').stdout.trim(), '1', 'the monitor runs on the alternate screen');
      // The first frame can be drawn before the input hook turns raw mode on: a Ctrl-C in that gap is the
      // terminal's SIGINT (exit 130), not the key. Wait for raw mode, as a user sees keys work.
      const tty = tmux('display', '-p', '-t', 'quit', '#{pane_tty}').stdout.trim();
      await poll(() => execFileSync('stty', ['-a', '-F', tty], { encoding: 'utf8' }), (m) => /\s-icanon\s/.test(m), 'raw mode');
      tmux('send-keys', '-t', 'quit', key);
      const s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
      tmux('pipe-pane', '-t', 'quit'); // stops the pipe
      assert.match(s, /EXIT=0/);
      const out = readFileSync(raw, 'latin1');
      const entered = out.lastIndexOf(ENTER_ALT);
      assert.ok(entered >= 0, `the monitor did not enter the alternate screen: ${show(out)}`);
      assert.ok(out.lastIndexOf(LEAVE_ALT) > entered, `no ESC[?1049l after the monitor started: ${show(out)}`);
      assert.ok(out.lastIndexOf(SHOW_CURSOR) > out.lastIndexOf(HIDE_CURSOR), `the cursor is left hidden: ${show(out)}`);
      assert.equal(tmux('display', '-p', '-t', 'quit', '#{alternate_on}').stdout.trim(), '0', 'still on the alternate screen');
      // The main screen is back: the mark printed before the monitor shows, the monitor does not.
      assert.ok(s.includes(mark) && !s.includes('LOCAL PORTS'), `main screen not restored:\n${s}`);
    });
  }
});
