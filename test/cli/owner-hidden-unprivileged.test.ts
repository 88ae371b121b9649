// The built CLI run as nobody (uid 65534) against a listener and 12 CLOSE_WAIT connections this test
// holds as root: the owner is another user's process the run cannot read, and every printer says so
// ("hidden uid 0" in every table and analyze, ownerHidden in JSON, the CLOSE_WAIT advice with the uid), while a
// port holding only TIME_WAIT (no process holds it) stays "-". The review (uid 1001, root's sockets)
// saw "-" and "process": null for both, and advice to "collect with every socket attributed".
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { waitFor } from '../helpers/free-port.js';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';
import { ROOT, tmuxServer, tmuxSkip, until } from '../helpers/tmux.js';

const run = promisify(execFile);
const bin = `${ROOT}bin/sockscope`;
const skip = nobodySkip;
const CLOSE_WAITS = 12;

/** Sockets in `state` on local port `port`, as the kernel lists them (/proc/net/tcp, hex state). */
function countState(port: number, hexState: string): number {
  // Read directly: a busy host's table passes spawnSync's 1 MB output limit (8,900 sockets did), which read as 0 sockets.
  const out = readFileSync('/proc/net/tcp', 'utf8');
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return out.split('\n').filter((l) => {
    const f = l.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hexPort}`) && f[3] === hexState;
  }).length;
}

/** A port below the ephemeral range that binds (the plain table lists such a port with no listener). */
async function lowPort(): Promise<net.Server> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    const srv = net.createServer();
    const ok = await new Promise<boolean>((r) => {
      srv.once('error', () => r(false));
      srv.listen(port, '127.0.0.1', () => r(true));
    });
    if (ok) return srv;
  }
  throw new Error('no free port in 20000-30000');
}

describe('as another user: owners hidden from it are said to be hidden, with the uid', { skip }, () => {
  let home: string;
  let server: net.Server;
  let port: number;
  let twPort: number;
  const clients: net.Socket[] = [];
  const accepted: net.Socket[] = [];

  const asNobody = async (...args: string[]) => {
    const r = await run('setpriv', [...NOBODY, process.execPath, bin, ...args], { cwd: home, env: { ...process.env, HOME: home, NO_COLOR: '1' }, timeout: 60_000, maxBuffer: 64 << 20 });
    return r.stdout;
  };

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    home = mkdtempSync(join(tmpdir(), 'sockscope-nobody-'));
    chmodSync(home, 0o755);
    // Port P: a listener and 12 connections whose clients closed: CLOSE_WAIT on the server side, held here.
    // allowHalfOpen: Node would answer each client's FIN with its own, and CLOSE_WAIT would not last.
    server = net.createServer({ allowHalfOpen: true }, (c) => accepted.push(c));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', 16, () => r()));
    port = (server.address() as net.AddressInfo).port;
    for (let i = 0; i < CLOSE_WAITS; i++) {
      const c = net.connect(port, '127.0.0.1');
      await new Promise<void>((r) => c.once('connect', () => r()));
      clients.push(c);
    }
    await waitFor('every connection accepted', () => (accepted.length === CLOSE_WAITS ? true : undefined), 10_000, 20);
    for (const c of clients) c.end();
    await waitFor('CLOSE_WAIT on the server side', () => (countState(port, '08') === CLOSE_WAITS ? true : undefined), 10_000, 50);
    // Port Q: the server closes first, then the client: TIME_WAIT on Q, and the listener closed.
    const tw = await lowPort();
    twPort = (tw.address() as net.AddressInfo).port;
    const served = new Promise<net.Socket>((r) => tw.once('connection', r));
    const c = net.connect(twPort, '127.0.0.1');
    c.on('end', () => c.end());
    (await served).end();
    await new Promise<void>((r) => tw.close(() => r()));
    await waitFor('TIME_WAIT on the closed port', () => (countState(twPort, '06') > 0 ? true : undefined), 10_000, 50);
  });

  after(() => {
    for (const s of [...clients, ...accepted]) s.destroy();
    server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('the plain table: "hidden uid 0" for the port root holds, "-" for a port with only TIME_WAIT; the advice names the uid', async () => {
    const out = await asNobody('--port', String(port));
    const row = out.split('\n').find((l) => new RegExp(`\\s${port} tcp `).test(l));
    assert.match(row ?? '', new RegExp(`${port} tcp +hidden uid 0 `), out);
    assert.match(out, /the owning process \(hidden: another user's, uid 0; run as root or as uid 0 to name it\) does not close sockets/, out);
    assert.doesNotMatch(out, /collect with every socket attributed/);
    const twOut = await asNobody('--port', String(twPort));
    const twRow = twOut.split('\n').find((l) => new RegExp(`\\s${twPort} tcp `).test(l));
    assert.match(twRow ?? '', new RegExp(`${twPort} tcp +- `), twOut);
  });

  it('analyze: "hidden uid 0" in the listeners table; --json says ownerHidden with the uid, process null kept', async () => {
    const text = await asNobody('analyze', '--port', String(port));
    assert.match(text, new RegExp(`│ tcp +│ 127\\.0\\.0\\.1 │ ${port} │ 16 +│ 0/16 +│ hidden uid 0 │`), text);
    const doc = JSON.parse(await asNobody('analyze', '--port', String(port), '--json'));
    assert.equal(doc.listeners.length, 1);
    assert.deepEqual([doc.listeners[0].process, doc.listeners[0].processes, doc.listeners[0].ownerHidden, doc.listeners[0].uid], [null, [], true, 0]);
    assert.deepEqual(doc.hiddenOwnerUids, [0]);
    const snap = JSON.parse(await asNobody('--port', String(port), '--json'));
    const p = snap.ports.find((x: { port: number }) => x.port === port);
    assert.deepEqual([p.processes, p.ownerHidden, p.hiddenOwnerUids, p.listeners[0].ownerHidden], [[], true, [0], true]);
    // Root, the same port: named, not hidden.
    const asRoot = JSON.parse((await run(process.execPath, [bin, 'analyze', '--port', String(port), '--json'], { timeout: 60_000 })).stdout);
    assert.deepEqual([asRoot.listeners[0].process?.pid, asRoot.listeners[0].ownerHidden], [process.pid, false]);
  });

  it('the monitor\'s port view: every socket row and the listener line read "hidden uid 0"; the socket view says whose it is', { skip: tmuxSkip }, async () => {
    const tmux = tmuxServer('sockscope-owner-hidden');
    const capture = () => tmux('capture-pane', '-p', '-t', 'mon').stdout;
    const cmd = `setpriv ${NOBODY.join(' ')} ${process.execPath} ${bin} --port ${port}`;
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '140', '-y', '40', '-e', 'CI=false', '-e', `HOME=${home}`, '-e', 'NO_COLOR=1', '-c', home, cmd);
    assert.equal(r.status, 0, r.stderr);
    try {
      await until(capture, (s) => s.includes(`${port} tcp`), 'the ports table');
      tmux('send-keys', '-t', 'mon', 'Enter');
      const screen = await until(capture, (s) => s.split('\n').filter((l) => /CLOSE_WAIT .*hidden uid 0\s*$/.test(l)).length >= 3, 'CLOSE_WAIT rows with hidden owners');
      assert.match(screen, /LISTEN .*hidden uid 0\s*$/m, screen);
      assert.doesNotMatch(screen, /CLOSE_WAIT .* -\s*$/m, screen);
      // The listener line above the table (view-helpers.ts listenerLines) said '-'.
      assert.match(screen, /^listening 127\.0\.0\.1:\d+ .*accept queue .*hidden uid 0\s*$/m, screen);
      // The listener's row: no rtt or retransmits (tcp_info of a listener measures nothing).
      assert.match(screen, /LISTEN\s+0\s+16\s.*\s-\s+-\s+(-|\d+)\s+hidden uid 0\s*$/m, screen);
      tmux('send-keys', '-t', 'mon', 'Home');
      tmux('send-keys', '-t', 'mon', 'Enter');
      // The view opens on the port view's snapshot and fills in owners and tcp_info on its next refresh.
      const view = await until(capture, (s) => /^SOCKET tcp 127\.0\.0\.1:\d+ -> /m.test(s) && /^\s*process\s+hidden/m.test(s) && !s.includes('not collected yet'), 'the listener\'s socket view, refreshed');
      assert.match(view, /process\s+hidden: a process of uid 0 \(another user's: run as root or as uid 0 to name it\)/, view);
      assert.match(view, /a listening socket has no connection/, view);
      assert.doesNotMatch(view, /rtt \/ rttvar/, view);
      tmux('send-keys', '-t', 'mon', 'q');
    } finally {
      tmux('kill-server');
    }
  });
});
