// `sockscope generate` (the built bin) in a real terminal: Ctrl-C leaves with exit 130 and nothing written,
// Esc on the first question with exit 0; generate-server's overwrite question likewise on Ctrl-C.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pane, ROOT, runCleared, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const skip = tmuxSkip;
const tmux = tmuxServer('sockscope-gen');
const { capture, until } = pane(tmux, 'gen');
const fresh = (command: string) => runCleared(tmux, 'gen', command);

describe('sockscope generate: Ctrl-C and Esc (tmux)', { skip }, () => {
  let dir = '';
  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    dir = mkdtempSync(join(tmpdir(), 'sockscope-gen-'));
    const r = tmux('new-session', '-d', '-s', 'gen', '-x', '100', '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', dir, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
  });
  after(() => {
    tmux('kill-server');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Ctrl-C on a question: "interrupted, nothing written", exit 130 (was 0); in a text field too', async () => {
    await fresh(`${ROOT}bin/sockscope generate`);
    await until((s) => s.includes('Protocol'), 'the first question');
    tmux('send-keys', '-t', 'gen', 'C-c');
    let s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
    assert.match(s, /generate: interrupted, nothing written/);
    assert.match(s, /EXIT=130/);
    // At the port (a text field, after 5 Enters with the defaults) with a digit typed.
    await fresh(`${ROOT}bin/sockscope generate`);
    await until((x) => x.includes('Protocol'), 'the first question');
    for (let k = 0; k < 12 && !/^Port/m.test(capture()); k++) {
      const before = capture();
      tmux('send-keys', '-t', 'gen', 'Enter');
      await until((x) => x !== before, 'the next question');
    }
    tmux('send-keys', '-t', 'gen', '9', 'C-c');
    s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
    assert.match(s, /EXIT=130/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('Esc on the first question: "cancelled, nothing written", exit 0', async () => {
    await fresh(`${ROOT}bin/sockscope generate`);
    await until((s) => s.includes('Protocol'), 'the first question');
    tmux('send-keys', '-t', 'gen', 'Escape');
    const s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
    assert.match(s, /generate: cancelled, nothing written/);
    assert.match(s, /EXIT=0/);
  });

  it('sockscope generate --no-color: no colours, the cursor line in inverse video (chalk dropped every style)', async () => {
    await fresh(`${ROOT}bin/sockscope generate --no-color`);
    await until((x) => x.includes('Protocol'), 'the first question');
    const screen = tmux('capture-pane', '-p', '-e', '-t', 'gen').stdout;
    const params = [...screen.matchAll(/\u001b\[([0-9;]*)m/g)].flatMap((m) => m[1].split(';'));
    assert.ok(params.includes('7'), `no inverse video on the wizard's screen:\n${JSON.stringify(screen)}`);
    assert.ok(!params.some((p) => /^(3[0-7]|4[0-7]|9[0-7]|10[0-7])$/.test(p)), 'no colours under --no-color');
    tmux('send-keys', '-t', 'gen', 'Escape');
    await until((x) => /EXIT=\d+/.test(x), 'the exit code');
  });

  it('generate-server: Ctrl-C at the overwrite question leaves the file as it was, exit 130 (was 1 with "Aborted with Ctrl+C")', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'mine.py'), 'mine\n');
    await fresh(`${ROOT}bin/sockscope generate-server --language python --output mine.py`);
    await until((x) => x.includes('Overwrite? [y/N]'), 'the overwrite question');
    tmux('send-keys', '-t', 'gen', 'C-c');
    const s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
    assert.match(s, /interrupted, nothing written/);
    assert.match(s, /EXIT=130/);
    assert.equal(readFileSync(join(dir, 'mine.py'), 'utf8'), 'mine\n');
  });
});
