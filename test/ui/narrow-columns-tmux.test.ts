// Review s23 (monitor) finding 5: below about 66 columns the ports table's rows were cut at the right edge (60x15:
// `PORT PROTO PROCESS QUEUE ESTAB SYN-R T-WAIT C-…`, C-WAIT and PEERS gone, while PROCESS kept its 14 cells and its
// pid read `2…`). placeColumns dropped no column below the narrow breakpoint. Now PROCESS shrinks first (its pid kept
// whole: the name gives way), then the least telling columns go (SYN-R, PEERS, ESTAB, T-WAIT), and no number is cut.
// The built bin/sockscope in tmux, in a network namespace of its own: a listener on 8080 held by a process with a
// long name, with a connection.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createNetns, deleteNetns, netnsScript, stopNetnsScript } from '../helpers/netns.js';
import { hasTmux, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const NS = `sockscope-narrow-${process.pid}`;
const root = process.getuid?.() === 0;

const HOLDER = String.raw`
import socket, sys, os, threading, ctypes
ctypes.CDLL(None).prctl(15, b'longservername', 0, 0, 0)
keep = []
L = socket.socket(); L.bind(('127.0.0.1', 8080)); L.listen(16); keep.append(L)
keep.append(socket.create_connection(('127.0.0.1', 8080))); keep.append(L.accept()[0])
print(os.getpid(), flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

describe('narrower than 80 columns: columns go, no number is cut (netns)', { skip: tmuxSkip || (root ? false : 'needs root (network namespace)') }, () => {
  const tmux = tmuxServer('sockscope-narrow');
  let session = '';
  const { until } = pane(tmux, session);
  let holder: ChildProcess | undefined;
  let pid = 0;

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    createNetns(NS);
    const started = await netnsScript(NS, HOLDER);
    holder = started.proc;
    pid = Number(started.line);
  });

  after(() => {
    tmux('kill-server');
    stopNetnsScript(holder);
    deleteNetns(NS);
  });

  for (const [w, header] of [
    [60, ['PORT', 'PROTO', 'PROCESS', 'QUEUE', 'ESTAB', 'T-WAIT', 'C-WAIT']],
    [50, ['PORT', 'PROTO', 'PROCESS', 'QUEUE', 'T-WAIT', 'C-WAIT']],
  ] as const) {
    it(`${w}x15: the ports table's header is ${header.join(' ')}, the pid whole, nothing cut at the edge`, async () => {
      session = `n${w}`;
      const r = tmux('new-session', '-d', '-s', session, '-x', String(w), '-y', '15', '-e', 'CI=false', '-c', ROOT, 'ip', 'netns', 'exec', NS, 'bin/sockscope', '--interval', '500ms');
      assert.equal(r.status, 0, r.stderr);
      const s = await until((x) => / 8080 tcp +lo/.test(x), 'the row with its owner');
      const lines = s.split('\n');
      const head = lines.find((l) => l.includes(' PORT PROTO '))!;
      assert.deepEqual(head.trim().split(/\s+/), [...header], s);
      const row = lines.find((l) => / 8080 tcp /.test(l))!;
      assert.ok(row, s);
      // The owner's pid whole (the name gives way), and the row ends on a whole cell: its last column's figure.
      assert.match(row, new RegExp(`\\s\\S*…?/${pid}\\s`), s);
      assert.doesNotMatch(row, /…\s*$/, s);
      const cells = row.trim().split(/\s+/);
      assert.equal(cells.length, header.length + 1, `a mark and one cell per column:\n${s}`);
      // ESTAB (where shown): the accepted end on 8080 (the client's end is on its own port).
      const names: readonly string[] = header;
      if (names.includes('ESTAB')) assert.equal(cells[1 + names.indexOf('ESTAB')], '1', s);
      assert.equal(cells[cells.length - 1], '·', `C-WAIT is the last cell:\n${s}`);
      for (const l of lines) assert.ok(l.length <= w, l);

      // The port view: its socket rows keep the pid whole and end on a whole cell too.
      tmux('send-keys', '-t', session, 'Enter');
      // Every row's owner looked up (the connection's comes with a refresh after the drill: `?` until then).
      const owned = (x: string) => x.split('\n').filter((l) => /LISTEN|ESTAB/.test(l) && !l.includes('STATE')).every((l) => l.includes(`/${pid}`));
      const v = await until((x) => /PORT 8080: SOCKETS/.test(x) && /ESTAB/.test(x) && owned(x), 'the port view with its owners');
      const rows = v.split('\n').filter((l) => /LISTEN|ESTAB/.test(l) && !l.includes('STATE'));
      assert.ok(rows.length >= 2, v);
      for (const l of rows) assert.match(l, new RegExp(`/${pid}\\s*$`), `the pid whole at the row's end:\n${v}`);
    });
  }
});
