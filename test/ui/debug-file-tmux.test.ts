// The built monitor in a real terminal (tmux) with a SOCKET_DEBUG_FILE it cannot write. Before, every
// collection failed on the debug log's appendFileSync and the screen stayed "STALE: ENOENT: ... (no data yet)
// (retrying)" for ever. Now a file that cannot be opened is refused before the monitor starts (exit 2, one line
// naming SOCKET_DEBUG_FILE), and one whose writes fail later (/dev/full: ENOSPC) stops the logging without
// touching the collection; the notes line says so while the monitor runs, and stderr once the terminal is given back.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { hasTmux, ROOT, sleep, tmuxServer, tmuxSkip, until as poll } from '../helpers/tmux.js';

const tmux = tmuxServer('sockscope-debugfile');
const capture = () => tmux('capture-pane', '-p', '-J', '-t', 'mon').stdout;
const until = (pred: (screen: string) => boolean, what: string, ms?: number) => poll(capture, pred, what, ms);

describe('monitor with an unwritable SOCKET_DEBUG_FILE (tmux)', { skip: tmuxSkip }, () => {
  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test (apt-get install tmux)');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '120', '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', ROOT, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
  });

  after(() => {
    tmux('kill-server');
  });

  it('a file that cannot be opened: exit 2 with one line naming SOCKET_DEBUG_FILE, no full screen', async () => {
    tmux('send-keys', '-t', 'mon', 'clear; SOCKET_DEBUG=true SOCKET_DEBUG_FILE=/nonexistent/dir/x.log bin/sockscope; echo "exit=$?"', 'Enter');
    const s = await until((x) => /exit=\d+/.test(x), 'the monitor to end');
    assert.match(s, /exit=2/);
    assert.match(s, /^sockscope: SOCKET_DEBUG_FILE: cannot write the debug log to \/nonexistent\/dir\/x\.log \(ENOENT: no such file or directory\)$/m);
    assert.doesNotMatch(s, /STALE|\n\s+at /);
  });

  it('a file whose writes fail (/dev/full): the monitor collects and keeps collecting; the problem is said once after q', async () => {
    tmux('send-keys', '-t', 'mon', 'clear; SOCKET_DEBUG=true SOCKET_DEBUG_FILE=/dev/full bin/sockscope --interval 500ms; echo "exit=$?"', 'Enter');
    await until((x) => /PORTS? /.test(x) && / · sort: /.test(x), 'the ports view with data');
    // Refreshing every 500 ms, still collecting: no STALE line comes.
    await sleep(2500);
    assert.doesNotMatch(capture(), /STALE/);
    // While it runs, the notes line says the logging stopped (before, nothing said it until the monitor quit).
    await until((x) => /notes?( \(\d+\))?: .*SOCKET_DEBUG_FILE: cannot write the debug log to \/dev\/full/.test(x), 'the notes line naming SOCKET_DEBUG_FILE');
    tmux('send-keys', '-t', 'mon', 'q');
    const s = await until((x) => /exit=\d+/.test(x), 'the monitor to end');
    assert.match(s, /exit=0/);
    const said = s.split('\n').filter((l) => l.includes('SOCKET_DEBUG_FILE'));
    assert.deepEqual(said, ['sockscope: SOCKET_DEBUG_FILE: cannot write the debug log to /dev/full (ENOSPC: no space left on device); OS-call logging stopped'], s);
  });
});
