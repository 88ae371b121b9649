// `try bind|listen` run as nobody (uid 65534, setpriv) against sockets a root process holds on loopback: the holders
// list says "hidden uid 0" for each socket whose owner it cannot see, as every table does, and keeps "-" for one
// no process holds (a connection still in the listener's accept queue, inode 0). It printed "-" for all of them,
// which README reads as "no process holds it", under a summary naming a process of uid 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPythonHolder } from '../helpers/python-holder.js';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';
import { ROOT } from '../helpers/tmux.js';

const run = promisify(execFile);
const bin = `${ROOT}bin/sockscope`;
const skip = nobodySkip;

// A TCP listener with three connections, two accepted (held) and one left in the accept queue, and a bound UDP socket.
const HOLDER = String.raw`
import json, os, socket, sys
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(8)
p = l.getsockname()[1]
clients = [socket.create_connection(('127.0.0.1', p)) for _ in range(3)]
accepted = [l.accept()[0] for _ in range(2)]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))
held = [a.getpeername()[1] for a in accepted]
print(json.dumps({'pid': os.getpid(), 'tcp': p, 'udp': u.getsockname()[1], 'accepted': held, 'queued': [c.getsockname()[1] for c in clients if c.getsockname()[1] not in held]}), flush=True)
sys.stdin.read()
`;

interface Held {
  pid: number;
  tcp: number;
  udp: number;
  accepted: number[];
  queued: number[];
}

test('try as another user: a hidden owner reads "hidden uid 0", a socket no process holds "-"', { skip, timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
  const home = mkdtempSync(join(tmpdir(), 'sockscope-try-nobody-'));
  chmodSync(home, 0o755);
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const h = await startPythonHolder<Held>(t, HOLDER);
  assert.equal(h.queued.length, 1);

  const sockscope = async (asNobody: boolean, ...args: string[]) => {
    const cmd = asNobody ? ['setpriv', ...NOBODY, process.execPath, bin, ...args] : [process.execPath, bin, ...args];
    const r = await run(cmd[0], cmd.slice(1), { cwd: home, env: { ...process.env, HOME: home, NO_COLOR: '1' }, timeout: 60_000 }).catch((e: { stdout: string; stderr: string; code: number }) => e);
    assert.equal(r.stderr, '', args.join(' '));
    return r.stdout;
  };
  const holders = (out: string) =>
    out
      .split('\n')
      .slice(out.split('\n').findIndex((l) => l.startsWith('Sockets on ')) + 1)
      .filter((l) => /^ {2}[A-Z]/.test(l));
  const tcpLines = (owner: string) => [
    `  LISTEN      127.0.0.1:${h.tcp}  ${owner}`,
    ...h.accepted.map((c) => `  ESTABLISHED 127.0.0.1:${h.tcp} -> 127.0.0.1:${c}  ${owner}`),
    `  ESTABLISHED 127.0.0.1:${h.tcp} -> 127.0.0.1:${h.queued[0]}  -`,
  ];
  const sorted = (l: string[]) => [...l].sort();

  for (const op of ['bind', 'listen']) {
    const out = await sockscope(true, 'try', op, `127.0.0.1:${h.tcp}`);
    assert.match(out, new RegExp(`^Failed: port ${h.tcp} is held by a process of uid 0 \\(not visible to this user\\)`, 'm'), out);
    assert.deepEqual(sorted(holders(out)), sorted(tcpLines('hidden uid 0')), `try ${op} as nobody:\n${out}`);
  }
  const udp = await sockscope(true, 'try', 'bind', `127.0.0.1:${h.udp}`, '--udp');
  assert.deepEqual(holders(udp), [`  UNCONN      127.0.0.1:${h.udp}  hidden uid 0`], udp);

  // The JSON carries what the cell is made from: the uid, and inode 0 for the connection nobody holds yet.
  const doc = JSON.parse(await sockscope(true, 'try', 'bind', `127.0.0.1:${h.tcp}`, '--json')) as { context: { holders: { peer?: string; uid?: number; inode?: number; processes: unknown[] }[] } };
  const queued = doc.context.holders.find((x) => x.peer === `127.0.0.1:${h.queued[0]}`);
  assert.equal(queued?.inode, 0);
  for (const x of doc.context.holders) {
    assert.equal(x.uid, 0);
    assert.deepEqual(x.processes, []);
    if (x !== queued) assert.ok((x.inode ?? 0) > 0, JSON.stringify(x));
  }

  // As root the same sockets name their process; the queued connection is still "-".
  const asRoot = await sockscope(false, 'try', 'bind', `127.0.0.1:${h.tcp}`);
  assert.deepEqual(sorted(holders(asRoot)), sorted(tcpLines(`python3/${h.pid}`)), asRoot);
});
