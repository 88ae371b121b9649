// Quitting the monitor restores the terminal even when Ink's waitUntilExit() never settles. Ink 6.8 settles
// it from the callback of a `stdout.write('', cb)` after unmounting; frameStdout once dropped that callback
// (fixed in 58ec0d1), the event loop emptied and Node exited 0 on the alternate screen. runFullScreen now
// restores when the App's tree is unmounted. Here a preload makes the terminal stream lose every empty
// write and its callback (as the old proxy did): with the restore waiting for the promise, ESC[?1049l
// never comes and tmux stays on the alternate screen.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const tmux = tmuxServer('sockscope-quit-np');
const { until } = pane(tmux, 'np');

/** Drops tty writes of nothing, callback included: Ink's unmount barrier never fires. */
const PRELOAD = `
import tty from 'node:tty';
const write = tty.WriteStream.prototype.write;
tty.WriteStream.prototype.write = function (chunk, enc, cb) {
  if (chunk === '' || (chunk && chunk.length === 0)) return true;
  return write.call(this, chunk, enc, cb);
};
`;

const LEAVE_ALT = '\u001b[?1049l';
const ENTER_ALT = '\u001b[?1049h';
const SHOW_CURSOR = '\u001b[?25h';
const HIDE_CURSOR = '\u001b[?25l';

describe("quitting restores the terminal without Ink's exit promise (tmux, raw pty output)", { skip: tmuxSkip }, () => {
  let dir = '';
  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    dir = mkdtempSync(join(tmpdir(), 'sockscope-quit-np-'));
    writeFileSync(join(dir, 'drop-empty-writes.mjs'), PRELOAD);
    const r = tmux('new-session', '-d', '-s', 'np', '-x', '100', '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', dir, 'bash', '--norc', '--noprofile');
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
  ] as const)
    it(`${name}: ESC[?1049l and the cursor back, exit 0, with empty writes lost`, { timeout: 60_000 }, async () => {
      const raw = join(dir, `${key}.raw`);
      const mark = `np-${key === 'q' ? 'q' : 'cc'}-mark`;
      tmux('send-keys', '-t', 'np', `clear; echo ${mark}`, 'Enter');
      await until((s) => s.includes(mark), 'the mark on the main screen');
      assert.equal(tmux('pipe-pane', '-t', 'np', `cat > ${raw}`).status, 0);
      tmux('send-keys', '-t', 'np', `NODE_OPTIONS=--import=${join(dir, 'drop-empty-writes.mjs')} ${ROOT}bin/sockscope; echo EXIT=$?`, 'Enter');
      await until((s) => s.includes('LOCAL PORTS'), 'the monitor');
      tmux('send-keys', '-t', 'np', key);
      const s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
      tmux('pipe-pane', '-t', 'np');
      assert.match(s, /EXIT=0/);
      const out = readFileSync(raw, 'latin1');
      const entered = out.lastIndexOf(ENTER_ALT);
      assert.ok(entered >= 0, 'the monitor did not enter the alternate screen');
      assert.ok(out.lastIndexOf(LEAVE_ALT) > entered, `no ESC[?1049l after the monitor started: ${JSON.stringify(out.slice(-300))}`);
      assert.ok(out.lastIndexOf(SHOW_CURSOR) > out.lastIndexOf(HIDE_CURSOR), 'the cursor is left hidden');
      assert.equal(tmux('display', '-p', '-t', 'np', '#{alternate_on}').stdout.trim(), '0', 'still on the alternate screen');
      assert.ok(s.includes(mark) && !s.includes('LOCAL PORTS'), `main screen not restored:\n${s}`);
    });
});
