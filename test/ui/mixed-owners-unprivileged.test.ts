// Rows whose sockets belong to two users, read by one of them (nobody) who cannot see the other's (root's)
// processes. The (unnamed) unix row of socketpairs: the plain table looks up listeners' owners only, so its
// PROCESS cell is `?` (owners not looked up), not "hidden uid 0" (said of sockets no one looked up, while 5 of
// them were the reader's own); --json looks up every owner and names the reader's process AND says the others
// are hidden (it said ownerHidden false, hiddenOwnerUids [], as if the reader's process held them all). A TCP
// port with a listener of each user (two addresses): the table and --json say both, the visible owner and
// "hidden uid 0" (before: the visible one alone, ownerHidden false at the row).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startPythonHolder } from '../helpers/python-holder.js';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';
import { HOST_WIDE_OUTPUT } from '../helpers/run-cli.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
// nobody may not read root's python (a pyenv under /root): the system one.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** python3 as nobody running `script` (which prints one JSON line), killed when the test ends. */
function nobodyHolder<T>(t: { after: (fn: () => void) => void }, script: string): Promise<T> {
  return startPythonHolder<T>(t, script, { command: ['setpriv', ...NOBODY, '--', PYTHON], cwd: '/' });
}

function asNobody(args: string[]): string {
  const r = spawnSync('setpriv', [...NOBODY, '--', 'env', 'HOME=/tmp', BIN, ...args], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000, cwd: '/' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const HOLD = (extra: string) => `import socket,sys,json,os
pairs=[socket.socketpair() for _ in range(5)]
${extra}
print(json.dumps({"pid":os.getpid(),"port":port}),flush=True)
sys.stdin.read()`;

interface Row {
  processes: { pid: number; name: string }[];
  ownerHidden: boolean;
  hiddenOwnerUids: number[];
}

test('root\'s and nobody\'s sockets in one row, read by nobody: text and --json say what was looked up and what is hidden', { skip: nobodySkip, timeout: 120_000 }, async (t) => {
  const root = await startPythonHolder<{ pid: number; port: number }>(t, HOLD('l=socket.socket();l.bind(("127.0.0.1",0));l.listen(8);port=l.getsockname()[1]'));
  const own = await nobodyHolder<{ pid: number; port: number }>(t, HOLD(`l=socket.socket();l.bind(("127.0.0.2",${root.port}));l.listen(8);port=${root.port}`));

  const plain = asNobody(['--unix']);
  const unnamed = plain.split('\n').find((l) => / unix {2}\(unnamed\) /.test(l));
  assert.ok(unnamed, plain);
  assert.match(unnamed, /\(unnamed\) \? /, 'owners of socketpairs are not looked up by the plain table: ?, not "hidden uid 0"');

  const j = JSON.parse(asNobody(['--unix', '--json'])) as { unix: (Row & { path: string })[] };
  const u = j.unix.find((x) => x.path === '(unnamed)');
  assert.ok(u);
  assert.ok(u.processes.some((p) => p.pid === own.pid), `the reader's own process is named: ${JSON.stringify(u.processes)}`);
  assert.ok(!u.processes.some((p) => p.pid === root.pid), "root's process is not visible to nobody");
  assert.equal(u.ownerHidden, true, `root's socketpairs are held out of sight: ${JSON.stringify(u)}`);
  assert.ok(u.hiddenOwnerUids.includes(0), JSON.stringify(u));

  const tcp = asNobody(['--tcp']);
  const row = tcp.split('\n').find((l) => new RegExp(`\\s${root.port} tcp `).test(l));
  assert.match(row ?? '', new RegExp(`${root.port} tcp +python3?/${own.pid}, hidden uid 0 `), tcp);
  const tj = JSON.parse(asNobody(['--tcp', '--json'])) as { ports: (Row & { port: number })[] };
  const p = tj.ports.find((x) => x.port === root.port);
  assert.ok(p);
  assert.deepEqual(p.processes.map((x) => x.pid), [own.pid]);
  assert.equal(p.ownerHidden, true, JSON.stringify(p));
  assert.deepEqual(p.hiddenOwnerUids, [0]);
});
