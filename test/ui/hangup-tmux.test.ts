// The terminal going away under the full-screen monitor (an SSH drop), in a real pty: tmux kill-session
// hangs the pty up. The monitor must end by SIGHUP (a shell reports 129), not through Node's exit path,
// whose ResetStdio() asserts on a hung-up tty (nodejs/node#51519): it died of SIGSEGV with a native stack
// on stderr. Two session leaders: one that forwards SIGHUP to its child as a login shell does, and one
// that ignores it (then the monitor learns from its terminal's reads failing, not from a signal).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hangUpLeader, ROOT, sleep, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const skip = tmuxSkip;


const tmux = tmuxServer('sockscope-hup');

describe('the terminal hangs up under the monitor (tmux kill-session)', { skip }, () => {
  let dir = '';
  before(() => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    dir = mkdtempSync(join(tmpdir(), 'sockscope-hup-'));
    writeFileSync(join(dir, 'leader.py'), hangUpLeader(true));
  });
  after(() => {
    tmux('kill-server');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const mode of ['forward', 'ignore'] as const) {
    it(`session leader that ${mode === 'forward' ? 'forwards SIGHUP (a login shell)' : 'ignores SIGHUP'}: the monitor ends by SIGHUP, no native stack`, { timeout: 60_000 }, async () => {
      const out = join(dir, `${mode}.rc`);
      const r = tmux('new-session', '-d', '-s', mode, '-x', '80', '-y', '24', 'python3', join(dir, 'leader.py'), out, mode, process.execPath, `${ROOT}bin/sockscope`);
      assert.equal(r.status, 0, r.stderr);
      // The monitor is up when its header is on screen.
      for (let k = 0; k < 100 && !tmux('capture-pane', '-p', '-t', mode).stdout.includes('LOCAL PORTS'); k++) await sleep(100);
      assert.match(tmux('capture-pane', '-p', '-t', mode).stdout, /LOCAL PORTS/);
      tmux('kill-session', '-t', mode);
      const ended = () => existsSync(out) && readFileSync(out, 'utf8') !== '';
      for (let k = 0; k < 100 && !ended(); k++) await sleep(100);
      assert.ok(ended(), 'the monitor did not end within 10 s of the hangup');
      const stderr = readFileSync(`${out}.err`, 'utf8');
      assert.equal(readFileSync(out, 'utf8'), '-1', `ended by SIGHUP (-1), got ${readFileSync(out, 'utf8')}; stderr:\n${stderr}`);
      assert.doesNotMatch(stderr, /Assertion failed|Native stack/);
    });
  }
});
