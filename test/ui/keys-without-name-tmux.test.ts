// Keys Ink reads as ctrl with no name must not end the monitor or the wizard (user review s26 monitor #1):
// Ctrl-F1..F4 as xterm, VTE and tmux send them (ESC[1;5P), a pasted SGR code (ESC[7m) and a DSR reply (ESC[0n)
// made Ink 6.8's useInput call `undefined.startsWith(...)`: "sockscope: Cannot read properties of undefined
// (reading 'startsWith')", exit 1, in the monitor; the standalone wizard printed Node's stack trace.
// scripts/esbuild-plugins.mjs patchInkUseInput gives such a key the input ''. The built bin in a real pty.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pane, ROOT, runCleared, tmuxServer, tmuxSkip, until as poll } from '../helpers/tmux.js';
import { patchInkUseInput } from '../../scripts/esbuild-plugins.mjs';

const tmux = tmuxServer('sockscope-nameless-keys');
const { until, capture } = pane(tmux, 'keys');
// ESC[1;5P (Ctrl-F1), ESC[1;6R (Ctrl-Shift-F3), ESC[7m and ESC[31m (pasted SGR), ESC[0n (DSR reply).
const SEQUENCES = ['\u001b[1;5P', '\u001b[1;6R', '\u001b[7m', '\u001b[31m', '\u001b[0n'];

describe('keys Ink reads as ctrl with no name (tmux)', { skip: tmuxSkip }, () => {
  let dir = '';
  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    dir = mkdtempSync(join(tmpdir(), 'sockscope-keys-'));
    const r = tmux('new-session', '-d', '-s', 'keys', '-x', '100', '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', dir, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
  });
  after(() => {
    tmux('kill-server');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rawMode = async () => {
    const tty = tmux('display', '-p', '-t', 'keys', '#{pane_tty}').stdout.trim();
    await poll(() => execFileSync('stty', ['-a', '-F', tty], { encoding: 'utf8' }), (m) => /\s-icanon\s/.test(m), 'raw mode');
  };
  const sendAll = async () => {
    for (const s of SEQUENCES) {
      tmux('send-keys', '-t', 'keys', '-l', s);
      await new Promise((r) => setTimeout(r, 150));
    }
    tmux('send-keys', '-t', 'keys', 'C-F1');
    await new Promise((r) => setTimeout(r, 500));
  };

  for (const [name, command, ready, quit] of [
    ['the monitor', `${ROOT}bin/sockscope`, 'LOCAL PORTS', ['q']],
    ['the generate wizard', `${ROOT}bin/sockscope generate`, 'Protocol', ['Escape']],
  ] as const) {
    it(`${name} keeps running, and its quit key still ends it with exit 0`, { timeout: 60_000 }, async () => {
      await runCleared(tmux, 'keys', command);
      await until((s) => s.includes(ready), name);
      await rawMode();
      await sendAll();
      const s = capture();
      assert.ok(!/EXIT=\d|startsWith|TypeError/.test(s) && s.includes(ready), `${name} ended:\n${s}`);
      for (const k of quit) tmux('send-keys', '-t', 'keys', k);
      const done = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
      assert.match(done, /EXIT=0/, done);
      assert.ok(!/TypeError|startsWith/.test(done), done);
    });
  }
});

describe('patchInkUseInput', () => {
  it('edits the one ctrl branch, and fails on a text without it (an Ink upgrade)', () => {
    const branch = '            else if (keypress.ctrl) {\n                input = keypress.name;\n            }\n';
    assert.equal(patchInkUseInput(`a\n${branch}b\n`), `a\n            else if (keypress.ctrl) {\n                input = keypress.name ?? '';\n            }\nb\n`);
    assert.throws(() => patchInkUseInput('no such branch'), /use-input\.js.*found 0 times/);
  });
});
