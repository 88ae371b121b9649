// `try bind|listen` that SUCCEEDS showed other sockets on the port with owner "-" (README: no process holds it)
// and `processes: []` in --json although a process held them (review s15 #2): runTry named processes only
// after a failed call, a sendto or a listen --reuseport, but printed the holders after every listen and
// listed them in --json after every call. Now every holder shown is attributed.
// A python3 process holds, on loopback: a connection accepted on 127.0.0.1:P whose listener it closed (a
// `listen --reuseaddr` on 127.0.0.1:P then goes through and lists that connection), and a UDP socket on
// 127.0.0.1:Q (a `bind --udp 127.0.0.2:Q` goes through and lists it in --json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { startPythonHolder } from '../helpers/python-holder.js';
import { ROOT } from '../helpers/tmux.js';

const run = promisify(execFile);
const bin = `${ROOT}bin/sockscope`;

const HOLDER = String.raw`
import json, os, socket, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 0)); l.listen(5)
p = l.getsockname()[1]
c = socket.socket(); c.connect(('127.0.0.1', p))
a, _ = l.accept(); l.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))
print(json.dumps({'pid': os.getpid(), 'port': p, 'peer': c.getsockname()[1], 'fd': a.fileno(), 'udp': u.getsockname()[1], 'udpFd': u.fileno()}), flush=True)
sys.stdin.read()
`;

interface Holder {
  state: string;
  local: string;
  peer?: string;
  processes: { pid: number; name: string; fd: number }[];
}

test('try listen/bind that succeed name the processes of the sockets they show (not "-")', { timeout: 60_000 }, async (t) => {
  assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
  const h = await startPythonHolder<{ pid: number; port: number; peer: number; fd: number; udp: number; udpFd: number }>(t, HOLDER);
  const sockscope = async (...args: string[]) => {
    const r = await run(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
    assert.equal(r.stderr, '', args.join(' '));
    return r.stdout;
  };

  const out = await sockscope('try', 'listen', '--reuseaddr', `127.0.0.1:${h.port}`);
  assert.match(out, /^Result: bind \+ listen on 127\.0\.0\.1:\d+ succeeded/m, out);
  assert.match(out, new RegExp(`^  ESTABLISHED +127\\.0\\.0\\.1:${h.port} -> 127\\.0\\.0\\.1:${h.peer}  python3/${h.pid}$`, 'm'), out);
  assert.doesNotMatch(out, new RegExp(`127\\.0\\.0\\.1:${h.peer}  -$`, 'm'), out);
  const listen = JSON.parse(await sockscope('try', 'listen', '--reuseaddr', `127.0.0.1:${h.port}`, '--json')) as { call: { ok: boolean }; context: { holders: Holder[] } };
  assert.equal(listen.call.ok, true);
  const conn = listen.context.holders.find((x) => x.peer === `127.0.0.1:${h.peer}`);
  assert.deepEqual(conn?.processes, [{ pid: h.pid, name: 'python3', fd: h.fd }], JSON.stringify(listen.context.holders));

  const bind = JSON.parse(await sockscope('try', 'bind', '--udp', `127.0.0.2:${h.udp}`, '--json')) as { call: { ok: boolean }; context: { holders: Holder[] } };
  assert.equal(bind.call.ok, true);
  const udp = bind.context.holders.find((x) => x.local === `127.0.0.1:${h.udp}`);
  assert.deepEqual(udp?.processes, [{ pid: h.pid, name: 'python3', fd: h.udpFd }], JSON.stringify(bind.context.holders));
});
