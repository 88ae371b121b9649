// The built bin/sockscope in a real terminal (tmux): two Esc presses in one write to the pty (tmux
// send-keys -H 1b 1b writes both bytes at once; a slow SSH link does the same) each back out a level,
// and an arrow key's ESC [ A is still one Up. Real loopback sockets this test opens.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { hasTmux, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const tmux = tmuxServer('sockscope-esc');
const { until } = pane(tmux, 'esc');
const send = (...keys: string[]) => tmux('send-keys', '-t', 'esc', ...keys);
/** The table title's "row k/n". */
const row = (s: string) => / · row (\d+)\/\d+/.exec(s)?.[1];

/** A listener with 2 connected clients (the port view lists LISTEN and 2 ESTABLISHED). */
const SERVER = `
const net = require('net');
const srv = net.createServer(() => {}).listen(0, '127.0.0.1', () => {
  const port = srv.address().port;
  let n = 0;
  for (let i = 0; i < 2; i++) net.connect(port, '127.0.0.1', () => { if (++n === 2) console.log(JSON.stringify({ port })); });
});
setTimeout(() => process.exit(0), 120000).unref();
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

describe('Esc presses in one write to a real terminal', { skip: tmuxSkip }, () => {
  let server: ChildProcess | undefined;
  let port = 0;

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test (apt-get install tmux)');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    server = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
    port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('helper did not start')), 10_000);
      server!.stdout!.once('data', (d) => {
        clearTimeout(t);
        resolve(JSON.parse(String(d)).port);
      });
    });
    const r = tmux('new-session', '-d', '-s', 'esc', '-x', '120', '-y', '40', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', ROOT, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
  });

  after(() => {
    tmux('kill-server');
    server?.kill();
  });

  it('help -> socket -> port view with one write of ESC ESC; ESC [ A moves one row up', async () => {
    const portView = `TCP PORT ${port}: SOCKETS`;
    send(`clear; bin/sockscope --port ${port} --interval 500ms`, 'Enter');
    await until((s) => new RegExp(`\\s${port} tcp`).test(s), `the row of port ${port}`);
    send('Enter');
    await until((s) => s.includes(portView) && (s.match(/ESTABLISHED/g) ?? []).length === 2, 'the port view with 2 connections');
    send('Enter');
    await until((s) => s.includes('SOCKET tcp'), 'the socket view');
    send('?');
    await until((s) => s.includes('HELP'), 'the help');

    send('-H', '1b', '1b');
    // Space goes in after them: once PAUSED shows, both Esc have acted (one Esc would have left the socket view).
    send('Space');
    let s = await until((x) => x.includes('PAUSED'), 'the monitor paused after ESC ESC');
    assert.ok(s.includes(portView) && !s.includes('SOCKET tcp') && !s.includes('HELP'), `not the port view:\n${s}`);
    assert.equal(row(s), '1');

    send('j');
    await until((x) => row(x) === '2', 'row 2');
    send('-H', '1b', '5b', '41');
    s = await until((x) => row(x) === '1', 'row 1 after ESC [ A');
    assert.ok(s.includes(portView), `ESC [ A left the port view:\n${s}`);

    send('q');
    await until((x) => x.trimEnd().endsWith('READY$'), 'the shell prompt after q');
  });
});
