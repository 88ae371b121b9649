// User review s26 #2 and #3 in the monitor itself. #2: rows tied on the sort key came out by their ids as text:
// four listeners of `tiex` on 9000, 9500, 10000 and 10500, `/tiex` Enter then `s s` (ESTAB ↓) listed 10000,
// 10500, 9000, 9500; they keep the home view's order now. #3: `/time-wait` and `/tw` found no row though a port
// held TIME_WAIT (only `/time_wait` did). The built bin/sockscope in tmux, in a network namespace of its own.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import { hasTmux, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const NS = `sockscope-ties-${process.pid}`;
const root = process.getuid?.() === 0;

// Listens on the four ports as `tiex`; on 7000 a server that closes first leaves a TIME_WAIT socket there.
const HOLDER = String.raw`
import socket, sys, os, threading
open('/proc/self/comm', 'w').write('tiex')
keep = []
for port in (10500, 9000, 10000, 9500):
    L = socket.socket(); L.bind(('127.0.0.1', port)); L.listen(16); keep.append(L)
S = socket.socket(); S.bind(('127.0.0.1', 7000)); S.listen(4); keep.append(S)
c = socket.create_connection(('127.0.0.1', 7000))
a, _ = S.accept(); a.close()
c.recv(1); c.close()
print('ready', flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

describe('tied rows keep the port order; the filter takes ss names for states (netns, tmux)', { skip: tmuxSkip || (root ? false : 'needs root (network namespace)') }, () => {
  const tmux = tmuxServer('sockscope-ties');
  const { until } = pane(tmux, 'mon');
  let holder: ChildProcess | undefined;
  const keys = (...k: string[]) => tmux('send-keys', '-t', 'mon', ...k);
  const typeFilter = async (text: string) => {
    keys('/');
    await until((s) => s.includes('Enter keep'), 'the filter bar');
    keys('-l', text);
    keys('Enter');
    return until((s) => s.includes(`filter "${text}"`) && !s.includes('Enter keep'), `the table filtered by ${text}`);
  };
  // 7000 (the TIME_WAIT port) is tiex's too; no row has an ESTABLISHED socket: every ESTAB is a tie.
  const HOME = ['7000', '9000', '9500', '10000', '10500'];
  /** The PORT cells of the table's rows, top to bottom. */
  const ports = (s: string) => s.split('\n').flatMap((l) => /^ .\s+(\d+) tcp /.exec(l)?.[1] ?? []);

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    createNetns(NS);
    holder = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      createInterface({ input: holder!.stdout! }).once('line', () => res());
      holder!.once('exit', (code) => rej(new Error(`holder exited ${code}`)));
    });
  });

  after(() => {
    tmux('kill-server');
    holder?.stdin?.end();
    holder?.kill('SIGKILL');
    deleteNetns(NS);
  });

  it('`/tiex` then `s s` and `S`: 7000, 9000, 9500, 10000, 10500; `/tw` and `/time-wait` find port 7000', { timeout: 60_000 }, async () => {
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '120', '-y', '30', '-e', 'CI=false', '-c', ROOT, 'ip', 'netns', 'exec', NS, 'bin/sockscope', '--interval', '500ms');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => /10500 tcp +tiex\//.test(s) && /7000 tcp/.test(s), 'the ports table with the owners', 30_000);
    let s = await typeFilter('tiex');
    assert.deepEqual(ports(s), HOME, `port ↑:\n${s}`);
    keys('s', 's');
    s = await until((x) => x.includes('sort: ESTAB ↓'), 'ESTAB ↓');
    assert.deepEqual(ports(s), HOME, `ESTAB ↓ (every row 0):\n${s}`);
    keys('S');
    s = await until((x) => x.includes('sort: ESTAB ↑'), 'ESTAB ↑');
    assert.deepEqual(ports(s), HOME, `ESTAB ↑:\n${s}`);
    keys('Escape');
    await until((x) => !x.includes('filter "'), 'the filter cleared');
    for (const word of ['tw', 'time-wait', 't-wait', 'time_wait']) {
      s = await typeFilter(word);
      assert.deepEqual(ports(s), ['7000'], `/${word}: the port holding TIME_WAIT:\n${s}`);
      keys('Escape');
      await until((x) => !x.includes('filter "'), 'the filter cleared');
    }
  });
});
