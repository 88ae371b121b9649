// The built CLI run as nobody (uid 65534) against sockets a root python3 holds: `buffers --port P` on a
// listener with 3 accepted connections, and `debug-connections` to a listener that never accepts. The
// owners are another user's process the run cannot read: buffers said `-` ("no process holds it") and
// `"processes": []` with no marker, debug-connections `accepted: no: it waits in the accept queue of ...`
// without a word of the owner. Both now say it is hidden, with the uid, as analyze and the monitor do.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startPythonHolder } from '../helpers/python-holder.js';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';
import { ROOT } from '../helpers/tmux.js';

const run = promisify(execFile);
const bin = `${ROOT}bin/sockscope`;
const skip = nobodySkip;

// A listener with 3 connections accepted (both ends held), and a listener that never calls accept().
const HOLDER = `
import socket, json, sys
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(16)
port = srv.getsockname()[1]
clients = [socket.create_connection(('127.0.0.1', port)) for _ in range(3)]
accepted = [srv.accept()[0] for _ in range(3)]
idle = socket.socket(); idle.bind(('127.0.0.1', 0)); idle.listen(4)
print(json.dumps({'port': port, 'idlePort': idle.getsockname()[1]}), flush=True)
sys.stdin.read()
`;

describe('as another user: buffers and debug-connections say the owner is hidden, with the uid', { skip }, () => {
  let home: string;
  let ports: { port: number; idlePort: number };
  const cleanups: (() => void)[] = [];

  const asNobody = async (...args: string[]) => {
    const r = await run('setpriv', [...NOBODY, process.execPath, bin, ...args], { cwd: home, env: { ...process.env, HOME: home, NO_COLOR: '1' }, timeout: 60_000, maxBuffer: 64 << 20 });
    return r.stdout;
  };

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    home = mkdtempSync(join(tmpdir(), 'sockscope-nobody-'));
    chmodSync(home, 0o755);
    ports = await startPythonHolder({ after: (fn) => cleanups.push(fn) }, HOLDER);
  });

  after(() => {
    for (const fn of cleanups) fn();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('buffers --port P: every connection reads "hidden uid 0"; --json has ownerHidden true and uid 0; root names python3', async () => {
    const text = await asNobody('buffers', '--port', String(ports.port));
    const rows = text.split('\n').filter((l) => /│ ESTABLISHED /.test(l));
    assert.equal(rows.length, 3, text);
    for (const row of rows) assert.match(row, /│ ESTABLISHED +│ hidden uid 0 +│/, text);
    const doc = JSON.parse(await asNobody('buffers', '--port', String(ports.port), '--json'));
    assert.equal(doc.connections.length, 3);
    for (const c of doc.connections) assert.deepEqual([c.processes, c.ownerHidden, c.uid], [[], true, 0]);
    const asRoot = JSON.parse((await run(process.execPath, [bin, 'buffers', '--port', String(ports.port), '--json'], { timeout: 60_000 })).stdout);
    for (const c of asRoot.connections) assert.deepEqual([c.processes[0]?.name, c.ownerHidden, c.uid], ['python3', false, 0]);
    const rootText = (await run(process.execPath, [bin, 'buffers', '--port', String(ports.port)], { timeout: 60_000 })).stdout;
    assert.doesNotMatch(rootText, /hidden uid/, rootText);
  });

  it('debug-connections to a listener that never accepts: "accepted: no" and the verdict name the hidden owner by its uid', async () => {
    const text = await asNobody('debug-connections', '--address', `127.0.0.1:${ports.idlePort}`);
    assert.match(text, new RegExp(`accepted: no: it waits in the accept queue of 127\\.0\\.0\\.1:${ports.idlePort} \\(a process of uid 0 \\(not visible to this user\\)\\): Recv-Q \\d+`), text);
    assert.match(text, /but a process of uid 0 \(not visible to this user\) has not accepted the connection/, text);
    const doc = JSON.parse(await asNobody('debug-connections', '--address', `127.0.0.1:${ports.idlePort}`, '--json'));
    assert.equal(doc.addresses[0].notAccepted?.by, 'a process of uid 0 (not visible to this user)', JSON.stringify(doc.addresses[0]));
    assert.equal(doc.addresses[0].notAccepted?.pid, undefined);
  });
});
