// Unix sockets from sources that give them no uid (/proc/net/unix has no uid column, netstat -x reads it,
// ss -x prints none): a held socket whose owner is not known is `?`, never `-` ("no process holds it").
// Before: without root another user's unix listener showed `-` with --source procfs, netstat and ss (--json:
// ownerHidden false, no note), while netlink said "hidden uid 0"; and as root the "(unnamed)" row (socketpairs
// python holds, not looked up by the home view) showed `-` with those sources, `?` with netlink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startPythonHolder } from '../helpers/python-holder.js';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';
import { HOST_WIDE_OUTPUT } from '../helpers/run-cli.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const netTools = /net-tools/.test(spawnSync('netstat', ['--version'], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT }).stdout ?? '');
const SOURCES = ['procfs', 'ss', ...(netTools ? ['netstat'] : [])];
const TAG = `rv-uidunk-${process.pid}`;

async function holder(t: { after: (fn: () => void) => void }): Promise<void> {
  await startPythonHolder(
    t,
    `import socket,sys,json
s=socket.socket(socket.AF_UNIX);s.bind(b'\\0${TAG}');s.listen(1)
a,b=socket.socketpair()
print(json.dumps({}),flush=True)
sys.stdin.read()`,
  );
}

function sockscope(args: string[], asNobody: boolean): string {
  const r = asNobody
    ? spawnSync('setpriv', [...NOBODY, '--', 'env', 'HOME=/tmp', BIN, ...args], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000 })
    : spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const rowOf = (out: string, name: string) => out.split('\n').find((l) => l.includes(` unix  ${name} `));

test('without root: another user\'s unix listener is ? with a note (procfs, netstat, ss), hidden uid 0 with netlink; --json says ownerHidden', { skip: nobodySkip, timeout: 120_000 }, async (t) => {
  await holder(t);
  for (const source of SOURCES) {
    const plain = sockscope(['--source', source, '--unix'], true);
    const row = rowOf(plain, `@${TAG}`);
    assert.ok(row, `${source}: ${plain}`);
    assert.match(row, new RegExp(`@${TAG} \\? `), `${source}: ${row}`);
    assert.match(plain, /note: owners of \d+ unix sockets? not found \(shown as \?\): hidden from this user, and .*no uid/, `${source}: ${plain}`);
    const j = JSON.parse(sockscope(['--source', source, '--unix', '--json'], true)) as {
      unix: { path: string; ownerHidden: boolean; hiddenOwnerUids: number[]; processes: unknown[]; listeners: { ownerHidden: boolean; uid?: number }[] }[];
      notes: string[];
    };
    const u = j.unix.find((x) => x.path === `@${TAG}`);
    assert.ok(u, source);
    assert.deepEqual(u.processes, []);
    assert.equal(u.ownerHidden, true, source);
    assert.deepEqual(u.hiddenOwnerUids, [], `${source}: the uid is unknown`);
    assert.equal(u.listeners[0].ownerHidden, true, source);
    assert.equal(u.listeners[0].uid, undefined, source);
    assert.ok(j.notes.some((n) => /unix sockets? not found .*no uid/.test(n)), `${source}: ${j.notes.join('\n')}`);
  }
  const netlink = sockscope(['--source', 'netlink', '--unix'], true);
  assert.match(rowOf(netlink, `@${TAG}`) ?? '', new RegExp(`@${TAG} hidden uid 0 `), netlink);
});

test('as root: the (unnamed) row of socketpairs the home view did not look up is ? with every source, not -', { skip: process.getuid?.() !== 0 && 'needs root', timeout: 120_000 }, async (t) => {
  await holder(t);
  for (const source of ['netlink', ...SOURCES]) {
    const plain = sockscope(['--source', source, '--unix'], false);
    const row = rowOf(plain, '(unnamed)');
    assert.ok(row, `${source}: ${plain}`);
    assert.match(row, /\(unnamed\) \? /, `${source}: ${row}`);
    assert.match(rowOf(plain, `@${TAG}`) ?? '', new RegExp(`@${TAG} python3?/\\d+ `), `${source}: the listener's owner is looked up`);
  }
});
