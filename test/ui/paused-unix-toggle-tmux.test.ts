// Review s23 (monitor) finding 1: paused (Space), then `x` (show unix): the header read `unix 0` though the namespace
// held unix sockets, and the table listed none without a word. The snapshot on screen was collected without unix
// (they are collected only while shown), and the totals line took the toggle for whether they were collected. Now it
// reads `unix not collected` (README: "not a false 0"), the table's title says they are not collected yet and that
// Space resumes, and resuming lists them. The built bin/sockscope in tmux, in a network namespace of its own holding
// real unix sockets (a listener, a connected pair) and a TCP listener.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createNetns, deleteNetns, netnsScript, stopNetnsScript } from '../helpers/netns.js';
import { hasTmux, pane, ROOT, sleep, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const NS = `sockscope-pux-${process.pid}`;
const root = process.getuid?.() === 0;

const HOLDER = String.raw`
import socket, sys, os, threading
D = sys.argv[1]
keep = []
X = socket.socket(socket.AF_UNIX); X.bind(D + '/paused.sock'); X.listen(5); keep.append(X)
c = socket.socket(socket.AF_UNIX); c.connect(D + '/paused.sock'); keep.append(c); keep.append(X.accept()[0])
L = socket.socket(); L.bind(('127.0.0.1', 8080)); L.listen(16); keep.append(L)
print('ready', flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

describe('x while paused: unix not collected, not a false 0 (netns)', { skip: tmuxSkip || (root ? false : 'needs root (network namespace)') }, () => {
  const tmux = tmuxServer('sockscope-pux');
  // A session per case (killing the only session ends the server, and a new-session right after can meet it exiting).
  let session = '';
  const { capture, until } = pane(tmux, session);
  /** The table's rows: the lines under its column header. */
  const rowsOf = (s: string) => s.split('\n').slice(s.split('\n').findIndex((l) => l.includes('PORT PROTO')) + 1).join('\n');
  let holder: ChildProcess | undefined;
  let dir = '';

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    createNetns(NS);
    dir = mkdtempSync('/tmp/sockscope-pux-');
    holder = (await netnsScript(NS, HOLDER, [dir])).proc;
  });

  after(() => {
    tmux('kill-server');
    stopNetnsScript(holder);
    deleteNetns(NS);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [w, unknown] of [
    [120, 'UDP 0  unix not collected'],
    [50, ' unix -'],
  ] as const) {
    it(`${w} columns: Space, x reads "${unknown.trim().replace('UDP 0  ', '')}" and says why no unix row is listed; Space lists them`, async () => {
      session = `mon${w}`;
      const r = tmux('new-session', '-d', '-s', session, '-x', String(w), '-y', '24', '-e', 'CI=false', '-c', ROOT, 'ip', 'netns', 'exec', NS, 'bin/sockscope');
      assert.equal(r.status, 0, r.stderr);
      // The owner's name is cut at 50 columns (`pyt…/PID`): its pid says it was looked up.
      await until((s) => / 8080 tcp +\S*\/\d+ /.test(s) && s.includes(unknown), 'the first table with its owner');
      tmux('send-keys', '-t', session, 'Space');
      await until((s) => s.includes('PAUSED'), 'PAUSED');
      tmux('send-keys', '-t', session, 'x');
      const paused = await until((s) => s.split('\n')[0].includes('tcp+udp+unix'), 'the identity line with unix');
      await sleep(1500);
      const still = capture();
      const lines = still.split('\n');
      assert.ok(lines[1].includes(unknown), `the totals line says unix is not collected, not 0:\n${still}`);
      assert.doesNotMatch(lines[1], /unix 0/, still);
      // The title is cut at the width: its start says it.
      assert.match(still, w >= 80 ? /LOCAL PORTS 1 · unix not collected yet \(paused: Space resumes\) · sort/ : /LOCAL PORTS 1 · unix not collected yet/, still);
      assert.doesNotMatch(rowsOf(still), / - unix /, `no unix row yet:\n${still}`);
      tmux('send-keys', '-t', session, 'Space');
      const resumed = await until((s) => /LOCAL PORTS 3 · sort/.test(s) && / - unix /.test(rowsOf(s)), 'the unix rows after Space');
      assert.match(resumed.split('\n')[1], /unix [1-9]/, resumed);
      assert.doesNotMatch(resumed, /not collected/, resumed);
    });
  }
});
