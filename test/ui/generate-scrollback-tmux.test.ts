// `sockscope generate` (the built bin) runs on the main screen, under the shell's history. Ink 6.8 clears the
// screen and the scrollback (ESC[3J) on every render once a frame is as tall as the terminal (docs ink-notes),
// and the wizard fitted its frames to exactly the terminal's rows: at 80x10 after `seq 1 300` tmux's
// history_size went 302 -> 0 on the IO-model step, and at 80x24 when a 300-character file name's write error
// wrapped over five rows. The standalone wizard now keeps every frame one row short of the terminal.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const skip = tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false);
const tmux = tmuxServer('sockscope-gen-scroll');

describe('sockscope generate keeps the shell history (tmux)', { skip }, () => {
  const dirs: string[] = [];
  after(() => {
    tmux('kill-server');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A session `name` of cols x rows in a new directory with `seq 1 300` in its history, then the wizard. */
  async function start(name: string, cols: number, rows: number) {
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-gen-scroll-'));
    dirs.push(dir);
    const r = tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', dir, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    const p = pane(tmux, name);
    await p.until((s) => s.includes('READY$'), 'the shell prompt');
    tmux('send-keys', '-t', name, `seq 1 300; ${ROOT}bin/sockscope generate; echo EXIT=$?`, 'Enter');
    await p.until((s) => s.includes('Protocol'), 'the first question');
    const history = () => Number(tmux('display', '-p', '-t', name, '#{history_size}').stdout.trim());
    assert.ok(history() >= 280, `the history after seq 1 300: ${history()}`);
    /** Sends a key and waits for the screen to change. */
    const key = async (k: string, what: string) => {
      const before = p.capture();
      tmux('send-keys', '-t', name, k);
      return p.until((s) => s !== before, what);
    };
    return { dir, p, history, key };
  }

  it('80x10: the IO-model step and a Down on it leave the history as it was (was 302 -> 0)', { timeout: 60_000 }, async () => {
    const { p, history, key } = await start('small', 80, 10);
    const before = history();
    // TCP, C, POSIX: the IO-model list, taller than 10 rows.
    await key('Enter', 'the language question');
    await key('Enter', 'the platform question');
    await key('Enter', 'the IO-model question');
    assert.match(p.capture(), /^IO model/m);
    assert.ok(history() >= before, `history ${before} -> ${history()} on the IO-model step`);
    await key('Down', 'the cursor moved');
    assert.ok(history() >= before, `history ${before} -> ${history()} after Down`);
    // Every frame is at most 9 rows: the last row of the pane stays below it.
    tmux('send-keys', '-t', 'small', 'C-c');
    const s = await p.until((x) => /EXIT=\d+/.test(x), 'the exit code');
    assert.match(s, /EXIT=130/);
    assert.ok(history() >= before, `history ${before} -> ${history()} after the wizard`);
  });

  it('80x24: a 300-character file name whose write error wraps leaves the history as it was', { timeout: 60_000 }, async () => {
    const { dir, p, history, key } = await start('long', 80, 24);
    const before = history();
    for (let k = 0; k < 14 && !/^Write to file/m.test(p.capture()); k++) await key('Enter', 'the next question');
    assert.match(p.capture(), /^Write to file/m, 'the file step');
    for (let k = 0; k < 12; k++) tmux('send-keys', '-t', 'long', 'BSpace');
    await p.until((s) => /› ?\s*$/m.test(s) || !/server\.c/.test(s), 'the default name erased');
    tmux('send-keys', '-t', 'long', '-l', `${'x'.repeat(300)}.c`);
    await p.until((s) => s.includes('xxxx.c'), 'the long name typed');
    await key('Enter', 'the preview');
    assert.match(p.capture(), /Preview of/);
    await key('Enter', 'the write error');
    const s = await p.until((x) => /^! cannot write/m.test(x), 'the write error');
    assert.ok(history() >= before, `history ${before} -> ${history()} with the write error on screen:\n${s}`);
    await key('Down', 'the preview scrolled');
    assert.ok(history() >= before, `history ${before} -> ${history()} after Down`);
    tmux('send-keys', '-t', 'long', 'C-c');
    await p.until((x) => /EXIT=\d+/.test(x), 'the exit code');
    assert.ok(history() >= before, `history ${before} -> ${history()} after the wizard`);
    assert.ok(existsSync(dir));
  });
});
