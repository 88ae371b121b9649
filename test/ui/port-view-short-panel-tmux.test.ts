// The port view on a short terminal dropped its recommendations before the header's rates line: with a real
// CLOSE_WAIT leak (12 on one port) at 80x11 the panel had its title and message but no fix, at 80x10 it was
// gone while the rates line and the listener line stayed. README (Behaviour): the header gives up lines
// first (the rates first), then the port view's listener lines, then the panel; the port's panel keeps its
// message and fix. The built bin/sockscope in tmux, resized.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freeLowPort } from '../helpers/free-port.js';
import { hasTmux, ROOT, sleep, tmuxServer, tmuxSkip, until as poll } from '../helpers/tmux.js';

describe('the port view on a short terminal keeps its finding and fix before the header', { skip: tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false) }, () => {
  let server: net.Server;
  const held: net.Socket[] = [];
  let port: number;
  const tmux = tmuxServer('sockscope-short-panel');
  const capture = () => tmux('capture-pane', '-p', '-t', 'mon').stdout.replace(/\n+$/, '');
  const until = (pred: (s: string) => boolean, what: string) => poll(capture, pred, what);

  before(async () => {
    port = await freeLowPort();
    // The server never closes what it accepted: each client's close leaves it in CLOSE_WAIT.
    server = net.createServer({ allowHalfOpen: true }, (c) => {
      c.on('error', () => {});
      held.push(c);
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    for (let i = 0; i < 12; i++) {
      const c = net.connect(port, '127.0.0.1');
      c.on('error', () => {});
      await new Promise<void>((r) => c.once('connect', () => r()));
      c.end();
    }
  });
  after(() => {
    tmux('kill-server');
    for (const c of held) c.destroy();
    server.close();
  });

  it('80x11 and 80x10: the finding\'s message and fix drawn, the rates line given up first', async () => {
    assert.ok(hasTmux);
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '80', '-y', '24', '-e', 'CI=false', '-c', ROOT, 'bin/sockscope', '--interval', '500ms');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => / · row \d+\/\d+/.test(s), 'the ports view');
    tmux('send-keys', '-t', 'mon', '/');
    await until((s) => s.includes('Enter keep'), 'the filter bar');
    tmux('send-keys', '-t', 'mon', '-l', String(port));
    tmux('send-keys', '-t', 'mon', 'Enter');
    await until((s) => s.includes(`filter "${port}"`) && new RegExp(`\\b${port} tcp\\s`).test(s), 'the port row');
    tmux('send-keys', '-t', 'mon', 'Enter');
    await until((s) => s.includes(`TCP PORT ${port}: SOCKETS`) && /RECOMMENDATIONS \(1/.test(s) && /^\s*fix: /m.test(s), 'the port view with its finding');
    for (const rows of [11, 10]) {
      tmux('resize-window', '-t', 'mon', '-x', '80', '-y', String(rows));
      await sleep(1500);
      const s = capture();
      const lines = s.split('\n');
      assert.ok(lines.length <= rows - 1, `80x${rows}: ${lines.length} lines:\n${s}`);
      assert.match(s, new RegExp(`TCP PORT ${port}: SOCKETS`), `80x${rows}: the table's title:\n${s}`);
      assert.match(s, /RECOMMENDATIONS \(1/, `80x${rows}: the panel:\n${s}`);
      assert.match(s, /CLOSE_WAIT/, `80x${rows}: the finding's message:\n${s}`);
      assert.match(s, /^\s*fix: /m, `80x${rows}: the finding's fix:\n${s}`);
      assert.ok(!/overflows .*\/s/.test(s), `80x${rows}: the rates line stays while the panel loses lines:\n${s}`);
    }
  });
});
