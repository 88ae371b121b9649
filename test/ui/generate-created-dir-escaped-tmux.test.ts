// `sockscope generate` (the built bin in tmux) run in a directory whose name holds ESC: after the wizard closed, the
// lines it prints named the directory its write created raw (`Created the directory /tmp/esc<ESC>[7mX/sub`), the
// terminal turning the rest of the screen to inverse video; the wizard's own last screen escaped it. Now escaped too.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pane, ROOT, runCleared, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const skip = tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false);
const tmux = tmuxServer('sockscope-gen-escdir');
const { capture, until } = pane(tmux, 'gen');

describe('sockscope generate: the created directory named escaped after the wizard (tmux)', { skip }, () => {
  let top = '';
  let dir = '';
  before(async () => {
    top = mkdtempSync(join(tmpdir(), 'sockscope-gen-escdir-'));
    dir = join(top, 'esc\u001b[7mX');
    mkdirSync(dir);
    const r = tmux('new-session', '-d', '-s', 'gen', '-x', '120', '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', dir, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
  });
  after(() => {
    tmux('kill-server');
    if (top) rmSync(top, { recursive: true, force: true });
  });

  it('Created the directory .../esc\\x1b[7mX/sub, no ESC on the screen', { timeout: 60_000 }, async () => {
    await runCleared(tmux, 'gen', `${ROOT}bin/sockscope generate --no-color`);
    await until((s) => s.includes('Protocol'), 'the first question');
    for (let k = 0; k < 16 && !/^Write to file/m.test(capture()); k++) {
      const before = capture();
      tmux('send-keys', '-t', 'gen', 'Enter');
      await until((x) => x !== before, 'the next question');
    }
    // The file field holds the default name: erased, then sub/y.c typed.
    for (let k = 0; k < 30; k++) tmux('send-keys', '-t', 'gen', 'BSpace');
    tmux('send-keys', '-t', 'gen', '-l', 'sub/y.c');
    await until((x) => x.includes('sub/y.c'), 'the typed name');
    tmux('send-keys', '-t', 'gen', 'Enter');
    await until((x) => x.includes('Preview of'), 'the preview');
    tmux('send-keys', '-t', 'gen', 'Enter');
    await until((x) => x.includes('Enter or Esc to close'), 'the written screen');
    tmux('send-keys', '-t', 'gen', 'Enter');
    const s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
    assert.match(s, /EXIT=0/);
    assert.ok(existsSync(join(dir, 'sub', 'y.c')));
    // The wizard's last frame stays above the printed lines: both name the directory, both escaped.
    const named = s.split('\n').filter((l) => l.includes('Created the directory'));
    assert.equal(named.length, 2, s);
    for (const l of named) assert.match(l, /^Created the directory .*\/esc\\x1b\[7mX\/sub$/, s);
    // With the escapes tmux keeps: no inverse video (SGR 7) from the directory's name reached the terminal.
    const raw = tmux('capture-pane', '-p', '-e', '-t', 'gen').stdout;
    for (const l of raw.split('\n').filter((x) => x.includes('Created the director'))) assert.doesNotMatch(l, /\u001b\[[0-9;]*7[0-9;]*m/, JSON.stringify(l));
  });
});
