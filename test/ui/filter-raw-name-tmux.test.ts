// Review s23 (monitor) finding 3: the / filter searched a process name only as shown (escapeControl), so a name with
// a raw bidi or control character (a process named U+202E "evil.exe" by prctl) was found by the six characters
// `\u202e` and never by the character itself pasted into the bar, though the title read the same either way. Each
// table's search terms now hold the raw name too (tables/filter.ts nameTerms): the ports table, the outgoing table
// (Tab) and a port's socket list. The built bin/sockscope in tmux, in a network namespace of its own: python3
// listens on 7070 and 8080 and connects to 7070; a process named U+202E "evil.exe" listens on 8080 too
// (SO_REUSEPORT) and connects to 8080.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import { hasTmux, pane, ROOT, sleep, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const NS = `sockscope-fraw-${process.pid}`;
const root = process.getuid?.() === 0;

const HOLDER = String.raw`
import socket, sys, os, threading, ctypes
evil = sys.argv[1] == 'evil'
if evil: ctypes.CDLL(None).prctl(15, '\u202eevil.exe'.encode(), 0, 0, 0)
keep = []
def serve(port, reuse):
    L = socket.socket(); L.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, int(reuse)); L.bind(('127.0.0.1', port)); L.listen(16); keep.append(L)
    def loop():
        while True: keep.append(L.accept()[0])
    threading.Thread(target=loop, daemon=True).start()
serve(8080, True)
if not evil: serve(7070, False)
keep.append(socket.create_connection(('127.0.0.1', 8080 if evil else 7070)))
print('ready', flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

describe('the filter finds a name by its raw characters too (netns)', { skip: tmuxSkip || (root ? false : 'needs root (network namespace)') }, () => {
  const tmux = tmuxServer('sockscope-fraw');
  const { until } = pane(tmux, 'mon');
  const holders: ChildProcess[] = [];
  const typeFilter = async (text: string) => {
    tmux('send-keys', '-t', 'mon', '/');
    await until((s) => s.includes('Enter keep'), 'the filter bar');
    tmux('send-keys', '-t', 'mon', '-l', text);
    tmux('send-keys', '-t', 'mon', 'Enter');
    return until((s) => s.includes('filter "') && !s.includes('Enter keep'), 'the filtered table');
  };
  const title = (s: string) => / (\d+) of (\d+) · filter "\\u202eevil"/.exec(s);

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    createNetns(NS);
    for (const kind of ['plain', 'evil']) {
      const h = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', HOLDER, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
      holders.push(h);
      await new Promise<void>((res, rej) => {
        createInterface({ input: h.stdout! }).once('line', () => res());
        h.once('exit', (code) => rej(new Error(`holder exited ${code}`)));
      });
    }
  });

  after(() => {
    tmux('kill-server');
    for (const h of holders) {
      h.stdin?.end();
      h.kill('SIGKILL');
    }
    deleteNetns(NS);
  });

  it('a pasted U+202E finds the process in the ports table, the outgoing table and the port view', async () => {
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '120', '-y', '24', '-e', 'CI=false', '-c', ROOT, 'ip', 'netns', 'exec', NS, 'bin/sockscope', '--interval', '500ms');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => /7070 tcp +python3\//.test(s) && /8080 tcp +python3\/\d+\+1/.test(s), 'the ports table with the owners');

    // Home: the one port row (the typed six characters found it before; the raw character did not).
    let s = await typeFilter('\u202eevil');
    let m = title(s);
    assert.ok(m && m[1] === '1', `ports table, raw U+202E:\n${s}`);
    assert.match(s, /^ .\s+8080 tcp /m, s);
    assert.doesNotMatch(s, /7070 tcp/, s);
    tmux('send-keys', '-t', 'mon', 'Escape');
    await until((s) => !s.includes('filter "'), 'the filter cleared');

    // The outgoing table: the connection to 8080 from the evil process.
    tmux('send-keys', '-t', 'mon', 'Tab');
    await until((s) => s.includes('\\u202eevil.exe') && !s.includes('LOCAL PORTS'), 'the outgoing table with its owner');
    s = await typeFilter('\u202eevil');
    m = title(s);
    assert.ok(m && m[1] === '1', `outgoing table, raw U+202E:\n${s}`);
    tmux('send-keys', '-t', 'mon', 'Escape');
    await until((s) => !s.includes('filter "'), 'the filter cleared');
    tmux('send-keys', '-t', 'mon', 'Tab');
    await until((s) => s.includes('LOCAL PORTS'), 'the ports table again');

    // The port view of 8080: two listeners (python3 and evil) and the accepted connection (one of them holds it).
    tmux('send-keys', '-t', 'mon', 'G');
    await until((s) => / · row 2\/2/.test(s), 'the 8080 row selected');
    tmux('send-keys', '-t', 'mon', 'Enter');
    await until((s) => /PORT 8080: SOCKETS 3/.test(s) && s.includes('\\u202eevil.exe') && s.includes('python3/'), 'the port view with its owners');
    await sleep(300);
    s = await typeFilter('\u202eevil');
    m = title(s);
    assert.ok(m && Number(m[1]) >= 1 && Number(m[1]) < 3 && m[2] === '3', `port view, raw U+202E:\n${s}`);
    const rows = s.split('\n').filter((l) => /ESTAB|LISTEN/.test(l) && !l.includes('STATE'));
    assert.ok(rows.length === Number(m[1]) && rows.every((l) => l.includes('\\u202eevil.exe')), `only the evil process's sockets:\n${s}`);
  });
});
