// The built bin/sockscope in a real terminal (tmux) against real loopback sockets this test opens.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { hasTmux, pane, ROOT, sleep, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const skip = tmuxSkip;
const tmux = tmuxServer('sockscope-test');
const { capture, until } = pane(tmux, 'mon');

/** A node process: a TCP server with 3 connected clients (3 ESTABLISHED on the server port). */
const SERVER = `
const net = require('net');
const srv = net.createServer((c) => {}).listen(0, '127.0.0.1', 9, () => {
  const port = srv.address().port;
  let n = 0;
  for (let i = 0; i < 3; i++) net.connect(port, '127.0.0.1', () => { if (++n === 3) console.log(JSON.stringify({ port, pid: process.pid })); });
});
setTimeout(() => process.exit(0), 120000).unref();
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

/** A listener whose process names itself with an escape sequence (comm: ESC[7mEVIL). */
const EVIL = `
require('fs').writeFileSync('/proc/self/comm', '\\u001b[7mEVIL');
const srv = require('net').createServer().listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: srv.address().port, pid: process.pid })));
setTimeout(() => process.exit(0), 120000).unref();
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

function startNode(code: string): Promise<{ child: ChildProcess; port: number; pid: number }> {
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('helper did not start')), 10_000);
    child.stdout!.once('data', (d) => {
      clearTimeout(t);
      resolve({ child, ...JSON.parse(String(d)) });
    });
    child.once('exit', (c) => reject(new Error(`helper exited ${c}`)));
  });
}

describe('monitor in a real terminal (tmux)', { skip }, () => {
  let server: Awaited<ReturnType<typeof startNode>>;
  let evil: Awaited<ReturnType<typeof startNode>>;

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test (apt-get install tmux)');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    server = await startNode(SERVER);
    evil = await startNode(EVIL);
    // A plain shell whose prompt we can recognise; CI=false so Ink behaves as in a real terminal.
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '120', '-y', '40', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', ROOT, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
  });

  after(() => {
    tmux('kill-server');
    for (const h of [server, evil]) h?.child.kill();
  });

  it('shows the port with its counts; / Enter Esc navigate; resize leaves no ghost lines; q restores the shell', async () => {
    tmux('send-keys', '-t', 'mon', 'clear; bin/sockscope --interval 500ms', 'Enter');
    await until((s) => / · row \d+\/\d+/.test(s), 'the ports view with data');
    // Filter to our port: the row shows node as the owner and 3 ESTABLISHED.
    tmux('send-keys', '-t', 'mon', '/');
    await until((x) => x.includes('Enter keep'), 'the filter bar');
    tmux('send-keys', '-t', 'mon', `${server.port}`, 'Enter');
    const row = new RegExp(`\\s${server.port} tcp\\s+node/${server.pid}\\s+0/9\\s+3\\s`);
    let s = await until((x) => x.includes(`filter "${server.port}"`) && x.includes('q quit'), 'the filter applied');
    s = await until((x) => row.test(x), `the row of port ${server.port} with 3 ESTABLISHED`);
    assert.match(s, / · row 1\/1/);

    tmux('send-keys', '-t', 'mon', 'Enter');
    s = await until((x) => x.includes(`TCP PORT ${server.port}: SOCKETS`) && (x.match(/ESTABLISHED/g) ?? []).length === 3, 'the port view with 3 sockets');
    assert.match(s, new RegExp(`listening 127\\.0\\.0\\.1:${server.port}\\s+accept queue 0/9`));

    tmux('send-keys', '-t', 'mon', 'Escape');
    await until((x) => x.includes('LOCAL PORTS') && !x.includes(`TCP PORT ${server.port}`), 'back to the ports view');

    // The escaped process name: its escape sequence is shown as text, not obeyed.
    tmux('send-keys', '-t', 'mon', 'Escape');
    await until((x) => !x.includes('filter "'), 'the filter cleared');
    tmux('send-keys', '-t', 'mon', `/${evil.port}`, 'Enter');
    s = await until((x) => x.includes(`${evil.port} tcp`) && x.includes(`filter "${evil.port}"`), 'the evil listener');
    assert.ok(s.includes(`\\x1b[7mEVIL/${evil.pid}`), `name not shown escaped:\n${s}`);
    const attrs = tmux('capture-pane', '-p', '-e', '-t', 'mon').stdout;
    assert.ok(!attrs.includes('\u001b[7mEVIL'), 'the escape sequence reached the terminal');

    // Resize: the frame is redrawn for 80x24 with nothing left of the 120x40 frame.
    tmux('resize-window', '-t', 'mon', '-x', '80', '-y', '24');
    s = await until((x) => x.split('\n').some((l) => l.startsWith('q quit')) && !x.includes('FIN-W'), 'the 80x24 frame');
    await sleep(700); // a refresh or two after the resize
    s = capture();
    const lines = s.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('sockscope ·')).length, 1, `one header:\n${s}`);
    assert.equal(lines.filter((l) => l.startsWith('q quit')).length, 1, `one footer:\n${s}`);
    assert.ok(lines.every((l) => l.length <= 80), 'no line wider than the terminal');
    assert.ok(!s.includes('TREND') && !s.includes('OTHER'), 'no columns of the wide layout left behind');

    // q: the alternate screen is left, the shell is back and nothing of the monitor remains.
    tmux('send-keys', '-t', 'mon', 'q');
    s = await until((x) => x.trimEnd().endsWith('READY$'), 'the shell prompt after q');
    assert.ok(!s.includes('LOCAL PORTS') && !s.includes('sockscope ·'), `monitor left on screen:\n${s}`);
    assert.ok(!/\[\?1049|\[\?25|\^\[/.test(s), `escape output left on screen:\n${s}`);
    // The terminal is usable: a command runs and prints normally (raw mode is off: Enter is a newline).
    tmux('send-keys', '-t', 'mon', 'echo after-$((40+2))', 'Enter');
    await until((x) => x.includes('after-42'), 'a command after the monitor');
  });

  it('SIGTERM and SIGHUP restore the terminal too', async () => {
    const pidFile = `/tmp/sockscope-tmux-${process.pid}.pid`;
    for (const sig of ['TERM', 'HUP'] as const) {
      rmSync(pidFile, { force: true });
      // In the foreground (a background job may not touch the terminal); the test sends the signal.
      tmux('send-keys', '-t', 'mon', `clear; sh -c 'echo $$ > ${pidFile}; exec bin/sockscope'; echo "exit=$?"`, 'Enter');
      await until((x) => / · row \d+\/\d+/.test(x), 'the monitor');
      process.kill(Number(readFileSync(pidFile, 'utf8')), `SIG${sig}`);
      const s = await until((x) => /exit=\d+/.test(x), `the monitor ended by SIG${sig}`);
      assert.ok(!s.includes('LOCAL PORTS'), `monitor left on screen after SIG${sig}:\n${s}`);
      assert.match(s, sig === 'TERM' ? /exit=143/ : /exit=129/);
    }
  });

  it('stdin not a TTY: no key handling, no raw-mode crash; Ctrl-C (SIGINT) restores the terminal', async () => {
    tmux('send-keys', '-t', 'mon', 'clear; bin/sockscope < /dev/null; echo "exit=$?"', 'Enter');
    await until((x) => / · row \d+\/\d+/.test(x) || /LOCAL PORTS 0/.test(x), 'the monitor without keyboard');
    tmux('send-keys', '-t', 'mon', 'C-c');
    const s = await until((x) => /exit=\d+/.test(x), 'the monitor ended by Ctrl-C');
    assert.match(s, /exit=130/);
    assert.ok(!s.includes('LOCAL PORTS') && !/raw mode|setRawMode/i.test(s), s);
  });
});
