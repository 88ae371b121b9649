// A suspend key that is not a Ctrl key, in the filter bar (the built bin, an interactive bash in tmux, a config
// file of its own). The keymap's `suspend` was taken before the reducer in every mode, and the config accepts any
// key for it: with `keymap: {suspend: [z]}`, `/` then `abz` stopped the monitor at the z (bash: Stopped) and after
// fg the bar read `/ ab`. Now, as `q` is typed there and only Ctrl-C quits, only a Ctrl key suspends while text is
// typed: z is a letter in the filter bar, Ctrl-Z (bound too) still suspends there, and z suspends outside it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, sleep, tmuxServer, tmuxSkip, until as poll } from '../helpers/tmux.js';

const skip = tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false);
const tmux = tmuxServer('sockscope-suspend-text');

describe('a non-Ctrl suspend key is typed in the filter bar (tmux, interactive bash)', { skip }, () => {
  let home = '';
  const servers = [net.createServer(), net.createServer()];
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'sockscope-suspend-text-'));
    mkdirSync(join(home, '.config', 'sockscope'), { recursive: true });
    writeFileSync(join(home, '.config', 'sockscope', 'config.yaml'), 'keymap:\n  suspend: [z, ctrl+z]\n');
    for (const s of servers) await new Promise<void>((res) => s.listen(0, '127.0.0.1', () => res()));
  });
  after(() => {
    for (const s of servers) s.close();
    tmux('kill-server');
    // bash, killed with the server, may still write into its HOME: retried while it goes.
    if (home) rmSync(home, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  });

  const screen = () => tmux('capture-pane', '-p', '-t', 'sh').stdout;
  const show = (format: string) => tmux('display', '-p', '-t', 'sh', format).stdout.trim();
  const until = (pred: (s: string) => boolean, what: string) => poll(screen, pred, what);
  const monitorUp = (s: string) => s.includes('LOCAL PORTS') && /q quit/.test(s);
  const stopped = (s: string) => /Stopped/.test(s);

  it('`/` then abz types abz (it stopped at z); z outside the bar and Ctrl-Z in it suspend; fg; q exits 0', { timeout: 90_000 }, async () => {
    const r = tmux('new-session', '-d', '-s', 'sh', '-x', '100', '-y', '30', '-e', 'CI=false', '-e', `HOME=${home}`, '-e', `XDG_CONFIG_HOME=${home}/.config`, '-e', 'HISTFILE=/dev/null', '-e', 'PS1=READY$ ', '-c', ROOT, 'bash', '--norc', '--noprofile', '-i');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
    // The config is taken (sockscope config lists suspend from the user file).
    const listed = execFileSync(process.execPath, [`${ROOT}bin/sockscope`, 'config'], { encoding: 'utf8', env: { ...process.env, HOME: home, XDG_CONFIG_HOME: `${home}/.config` } });
    assert.match(listed, /suspend\s+z ctrl\+z/);
    tmux('send-keys', '-t', 'sh', 'clear; bin/sockscope --interval 500ms', 'Enter');
    await until(monitorUp, 'the monitor');

    // In the filter bar: a, b, then z alone, then "yz" in one read.
    tmux('send-keys', '-t', 'sh', '/');
    await until((s) => s.includes('Enter keep · Esc clear'), 'the filter bar');
    tmux('send-keys', '-t', 'sh', '-l', 'ab');
    await until((s) => s.includes('/ ab█'), '/ ab');
    tmux('send-keys', '-t', 'sh', '-l', 'z');
    let s = await until((x) => x.includes('/ abz█') || stopped(x), 'z typed or the monitor stopped');
    assert.ok(!stopped(s), `z in the filter bar stopped the monitor:\n${s}`);
    tmux('send-keys', '-t', 'sh', '-l', 'yz');
    s = await until((x) => x.includes('/ abzyz█') || stopped(x), 'yz typed');
    assert.ok(!stopped(s), s);
    await sleep(500);
    assert.ok(!stopped(screen()) && show('#{alternate_on}') === '1', 'the monitor stays in the foreground');

    // Ctrl-Z, a Ctrl key, still suspends from the filter bar; after fg the bar is as it was.
    tmux('send-keys', '-t', 'sh', 'C-z');
    await until(stopped, 'Ctrl-Z in the filter bar stopping the monitor');
    // clear: the next stop's Stopped must be a new line on the main screen.
    tmux('send-keys', '-t', 'sh', 'clear; fg', 'Enter');
    await until((x) => x.includes('/ abzyz█'), 'the filter bar after fg');

    // Esc clears the filter and closes the bar; z outside it suspends.
    tmux('send-keys', '-t', 'sh', 'Escape');
    await until((x) => monitorUp(x) && !x.includes('Esc clear') && !x.includes('abzyz'), 'the bar closed, the filter cleared');
    tmux('send-keys', '-t', 'sh', '-l', 'z');
    await until(stopped, 'z outside the filter bar stopping the monitor');
    tmux('send-keys', '-t', 'sh', 'clear; fg', 'Enter');
    await until(monitorUp, 'the monitor after the second fg');
    tmux('send-keys', '-t', 'sh', 'q');
    await until((x) => x.includes('READY$') && !x.includes('LOCAL PORTS'), 'the prompt after q');
    tmux('send-keys', '-t', 'sh', 'echo EXIT=$?', 'Enter');
    s = await until((x) => /EXIT=\d+/.test(x), 'the exit code');
    assert.match(s, /EXIT=0/);
  });
});
