// Job control under the full-screen monitor (the built bin, in a real pty). SIGTSTP stopped it by the default
// action with raw mode on, on the alternate screen: the shell's `[1]+ Stopped` came over the monitor, and after
// `fg` (the shell had put the terminal back in cooked mode) arrow keys echoed as ^[[B and `q` waited for Enter.
// Ctrl-Z, which raw mode delivers as the byte 0x1a, did nothing. Now, as less and top: the terminal is given
// back (raw mode off, main screen, cursor shown) before the process stops, and taken again with the whole
// frame redrawn when it continues.
//
// Two session leaders. A small job-control shell in Python that records the terminal's modes the moment the
// monitor stops (bash sets its own modes then, and readline its own while it reads a line, so only a leader
// that looks first sees what the monitor left), then puts cooked mode back as a shell does and continues it;
// and an interactive bash, the reviewer's case (`kill -TSTP`, `fg`, then keys without Enter).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, sleep, tmuxServer, tmuxSkip, until as poll } from '../helpers/tmux.js';

const skip = tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false);

/**
 * argv: OUT, then the command. Runs it as a foreground job of its own; on each stop N writes OUT.stopN (the stop
 * signal, then the ICANON, ECHO and ISIG flags as the job left them: 1 set, 0 clear), sets the modes the
 * terminal had before the job (as bash's set_tty_state), waits for OUT.fgN and continues the job in the
 * foreground. OUT gets the exit status.
 */
const LEADER = `
import os, signal, sys, termios, time
out, argv = sys.argv[1], sys.argv[2:]
tty = os.open('/dev/tty', os.O_RDWR)
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
cooked = termios.tcgetattr(tty)
print('LEADER-MAIN-SCREEN', flush=True)
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    os.tcsetpgrp(tty, os.getpid())
    signal.signal(signal.SIGTTOU, signal.SIG_DFL)
    os.execv(argv[0], argv)
try:
    os.setpgid(pid, pid)
except OSError:
    pass
os.tcsetpgrp(tty, pid)
n = 0
while True:
    _, st = os.waitpid(pid, os.WUNTRACED)
    if os.WIFSTOPPED(st):
        n += 1
        os.tcsetpgrp(tty, os.getpgrp())
        lflag = termios.tcgetattr(tty)[3]
        flags = ' '.join(f'{name}={int(bool(lflag & bit))}' for name, bit in (('icanon', termios.ICANON), ('echo', termios.ECHO), ('isig', termios.ISIG)))
        termios.tcsetattr(tty, termios.TCSADRAIN, cooked)
        with open(f'{out}.stop{n}', 'w') as f:
            f.write(f'{os.WSTOPSIG(st)} {flags}\\n')
        while not os.path.exists(f'{out}.fg{n}'):
            time.sleep(0.05)
        os.tcsetpgrp(tty, pid)
        os.killpg(pid, signal.SIGCONT)
        continue
    with open(out, 'w') as f:
        f.write(str(os.waitstatus_to_exitcode(st)))
    break
`;

const tmux = tmuxServer('sockscope-suspend');
const SIGTSTP = 20;

describe('job control: a stopped monitor gives the terminal back and takes it again (tmux)', { skip }, () => {
  let dir = '';
  // Two loopback listeners: the ports table has a second row for Down to reach.
  const servers = [net.createServer(), net.createServer()];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sockscope-suspend-'));
    writeFileSync(join(dir, 'leader.py'), LEADER);
    for (const s of servers) await new Promise<void>((res) => s.listen(0, '127.0.0.1', () => res()));
  });
  after(() => {
    for (const s of servers) s.close();
    tmux('kill-server');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const screen = (t: string) => tmux('capture-pane', '-p', '-t', t).stdout;
  const show = (t: string, format: string) => tmux('display', '-p', '-t', t, format).stdout.trim();
  /** The pty's local modes as stty reads them from outside: "icanon" or "-icanon", and so on. */
  const stty = (t: string) => execFileSync('stty', ['-a', '-F', show(t, '#{pane_tty}')], { encoding: 'utf8' });
  const monitorUp = (s: string) => s.includes('LOCAL PORTS') && / · row \d+\/\d+/.test(s) && /q quit/.test(s);

  it('SIGTSTP and the Ctrl-Z key: raw mode off, main screen, cursor shown at the stop; after SIGCONT raw mode, the frame redrawn, keys work', { timeout: 90_000 }, async () => {
    const out = join(dir, 'job');
    const r = tmux('new-session', '-d', '-s', 'job', '-x', '100', '-y', '24', '-e', 'CI=false', '-c', ROOT, 'python3', join(dir, 'leader.py'), out, process.execPath, `${ROOT}bin/sockscope`, '--interval', '500ms');
    assert.equal(r.status, 0, r.stderr);
    const until = (pred: (s: string) => boolean, what: string) => poll(() => screen('job'), pred, what);
    await until(monitorUp, 'the monitor');
    assert.equal(show('job', '#{alternate_on}'), '1');
    assert.match(stty('job'), /\s-icanon\s/, 'the monitor runs in raw mode');
    const pid = Number(execFileSync('pgrep', ['-P', show('job', '#{pane_pid}')], { encoding: 'utf8' }).trim().split('\n')[0]);
    assert.ok(pid > 0);

    // 1: kill -TSTP from another terminal; 2: Ctrl-Z typed in the monitor (0x1a in raw mode).
    for (const [n, stop] of [
      [1, () => process.kill(pid, 'SIGTSTP')],
      [2, () => tmux('send-keys', '-t', 'job', 'C-z')],
    ] as const) {
      stop();
      const stopFile = `${out}.stop${n}`;
      for (let k = 0; k < 100 && !existsSync(stopFile); k++) await sleep(100);
      assert.ok(existsSync(stopFile), `stop ${n}: the monitor did not stop within 10 s`);
      await sleep(100);
      assert.equal(readFileSync(stopFile, 'utf8').trim(), `${SIGTSTP} icanon=1 echo=1 isig=1`, `stop ${n}: stopped by SIGTSTP with the terminal's modes given back`);
      assert.equal(show('job', '#{alternate_on}'), '0', `stop ${n}: left on the alternate screen`);
      assert.equal(show('job', '#{cursor_flag}'), '1', `stop ${n}: the cursor is left hidden`);
      assert.ok(screen('job').includes('LEADER-MAIN-SCREEN'), `stop ${n}: the main screen is not back:\n${screen('job')}`);

      writeFileSync(`${out}.fg${n}`, '');
      await until((s) => monitorUp(s) && !s.includes('LEADER-MAIN-SCREEN'), `resume ${n}: the whole frame redrawn on the alternate screen`);
      assert.equal(show('job', '#{alternate_on}'), '1');
      assert.equal(show('job', '#{cursor_flag}'), '0', `resume ${n}: the cursor shown over the monitor`);
      assert.match(stty('job'), /\s-icanon\s/, `resume ${n}: raw mode not taken again:\n${stty('job')}`);
      assert.match(stty('job'), /\s-echo\s/);
      // A key without Enter: the help opens and closes.
      tmux('send-keys', '-t', 'job', '?');
      await until((s) => s.includes('Show or close this help'), `resume ${n}: ? opens the help`);
      tmux('send-keys', '-t', 'job', '?');
      await until((s) => monitorUp(s) && !s.includes('Show or close this help'), `resume ${n}: ? closes it`);
    }
    tmux('send-keys', '-t', 'job', 'q');
    for (let k = 0; k < 100 && !existsSync(out); k++) await sleep(100);
    assert.equal(readFileSync(out, 'utf8'), '0', 'q after the stops: exit 0');
  });

  it('interactive bash: kill -TSTP, `[1]+ Stopped` on the main screen, fg, then Down and q without Enter', { timeout: 90_000 }, async () => {
    const r = tmux('new-session', '-d', '-s', 'sh', '-x', '100', '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', ROOT, 'bash', '--norc', '--noprofile', '-i');
    assert.equal(r.status, 0, r.stderr);
    const until = (pred: (s: string) => boolean, what: string) => poll(() => screen('sh'), pred, what);
    await until((s) => s.includes('READY$'), 'the shell prompt');
    tmux('send-keys', '-t', 'sh', 'clear; echo BEFORE-MONITOR; bin/sockscope --interval 500ms', 'Enter');
    await until(monitorUp, 'the monitor');
    const pid = Number(execFileSync('pgrep', ['-P', show('sh', '#{pane_pid}')], { encoding: 'utf8' }).trim().split('\n')[0]);
    process.kill(pid, 'SIGTSTP');
    let s = await until((x) => /Stopped/.test(x), 'the shell reporting the stop');
    assert.equal(show('sh', '#{alternate_on}'), '0', 'the shell is left on the alternate screen');
    assert.ok(s.includes('BEFORE-MONITOR') && !s.includes('LOCAL PORTS'), `the main screen is not back:\n${s}`);
    tmux('send-keys', '-t', 'sh', 'fg', 'Enter');
    await until(monitorUp, 'the monitor after fg');
    assert.equal(show('sh', '#{alternate_on}'), '1');
    // Keys one by one, no Enter: Down moves the selection (row 2), q quits.
    tmux('send-keys', '-t', 'sh', 'Down');
    s = await until((x) => / · row 2\/\d+/.test(x) || x.includes('^[[B'), 'Down after fg');
    assert.doesNotMatch(s, /\^\[\[B/, 'Down echoed as ^[[B: raw mode not taken again');
    tmux('send-keys', '-t', 'sh', 'q');
    await until((x) => x.includes('READY$') && !x.includes('LOCAL PORTS'), 'the prompt after q');
    // fg's status is the job's.
    tmux('send-keys', '-t', 'sh', 'echo EXIT=$?', 'Enter');
    s = await until((x) => /EXIT=\d+/.test(x), 'the exit code after q');
    assert.match(s, /EXIT=0/);
    assert.equal(show('sh', '#{alternate_on}'), '0');
  });
});
