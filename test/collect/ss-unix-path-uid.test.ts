// `ss -xe` prints `ino:N` for a path-bound unix socket (the inode of the bound file: unix_diag's
// UNIX_DIAG_VFS) and never a uid. The ss parser took any `ino:` without `uid:` for a uid 0 that ss -e omits
// (right for TCP and UDP: ss prints `uid:N` only when it is not 0), so with --source ss every path-bound
// unix socket read uid 0: unprivileged, another user's listener at /tmp/x/svc.sock showed `hidden uid 0`
// (--json listeners uid 0) where netlink says its real uid; as root every path-bound listener had "uid": 0.
// A unix line never gives a uid now. Fixture: a real `ss -xanpe` (iproute2 6.1) of sockets uid 1000 held:
// a listener with one connection accepted and one waiting, a bound datagram socket, and two unnamed clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, chownSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseSs } from '../../src/parse/ss.js';
import { startPythonHolder } from '../helpers/python-holder.js';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';
import { HOST_WIDE_OUTPUT } from '../helpers/run-cli.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const fx = (name: string) => readFileSync(new URL(`../fixtures/ss/${name}`, import.meta.url), 'utf8');

test('ss -xanpe: a path-bound unix socket\'s ino: (the bound file) gives it no uid; TCP keeps the uid 0 ss -e omits', () => {
  const socks = parseSs(fx('unix-path-ino-xanpe.txt'));
  assert.equal(socks.length, 5);
  const listener = socks.find((s) => s.state === 'LISTEN')!;
  assert.equal(listener.local.address, '/tmp/s19fx/d/svc.sock');
  assert.equal(listener.inode, 25141716, "the socket's inode, not the file's (ino:4506834)");
  assert.equal(listener.recvQ, 1);
  assert.equal(listener.sendQ, 4);
  for (const s of socks) assert.equal(s.uid, undefined, `${s.local.address || '(unnamed)'} ${s.inode}: ss -x prints no uid`);
  assert.equal(socks.filter((s) => s.local.address.startsWith('/tmp/')).length, 3, 'listener, accepted socket, datagram socket');
  // TCP: ss -e prints uid:N only when it is not 0.
  const [t] = parseSs('tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* ino:21301 sk:1 cgroup:/ <->\n');
  assert.equal(t.uid, 0);
  const [t1] = parseSs('tcp LISTEN 0 128 0.0.0.0:23 0.0.0.0:* uid:1000 ino:21302 sk:2 cgroup:/ <->\n');
  assert.equal(t1.uid, 1000);
});

const root = process.getuid?.() === 0;
const UID = 4291;

interface Listing {
  unix: { path: string; ownerHidden: boolean; hiddenOwnerUids: number[]; processes: unknown[]; listeners: { ownerHidden: boolean; uid?: number }[] }[];
}

function sockscope(args: string[], asNobody: boolean): string {
  const r = asNobody ? spawnSync('setpriv', [...NOBODY, '--', 'env', 'HOME=/tmp', BIN, ...args], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000 }) : spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test(`--source ss: a path-bound unix listener uid ${UID} holds is not uid 0 (plain and --json, as nobody and as root); netlink names uid ${UID}`, { skip: root ? nobodySkip : 'needs root (a listener of another uid)', timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync('/tmp/sockscope-unixuid-');
  chownSync(dir, UID, UID);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = `${dir}/svc.sock`;
  await startPythonHolder(
    t,
    `import socket,sys,os,json
os.setgroups([]);os.setgid(${UID});os.setuid(${UID})
s=socket.socket(socket.AF_UNIX);s.bind(${JSON.stringify(path)});s.listen(4)
print(json.dumps({}),flush=True)
sys.stdin.read()`,
  );
  const row = (out: string) => out.split('\n').find((l) => l.includes(` unix  ${path} `)) ?? '';
  const listing = (args: string[], asNobody: boolean) => JSON.parse(sockscope([...args, '--unix', '--json'], asNobody)) as Listing;

  // Unprivileged: the owner is hidden and its uid unknown with ss, as with procfs: '?', not 'hidden uid 0'.
  const plain = sockscope(['--source', 'ss', '--unix'], true);
  assert.match(row(plain), new RegExp(`${path} \\? `), plain);
  assert.doesNotMatch(row(plain), /hidden uid/, plain);
  const j = listing(['--source', 'ss'], true).unix.find((u) => u.path === path);
  assert.ok(j, 'the listener in --json');
  assert.equal(j.ownerHidden, true);
  assert.deepEqual(j.hiddenOwnerUids, [], 'the uid is unknown');
  assert.equal(j.listeners[0].uid, undefined);
  assert.equal(j.listeners[0].ownerHidden, true);
  // netlink sees the uid.
  assert.match(row(sockscope(['--source', 'netlink', '--unix'], true)), new RegExp(`${path} hidden uid ${UID} `));
  assert.equal(listing(['--source', 'netlink'], true).unix.find((u) => u.path === path)?.listeners[0].uid, UID);

  // As root: the owner is named, and the listener has no uid 0 made up for it.
  const asRoot = listing(['--source', 'ss'], false).unix.find((u) => u.path === path);
  assert.ok(asRoot, 'the listener in --json as root');
  assert.equal(asRoot.processes.length, 1);
  assert.equal(asRoot.listeners[0].uid, undefined);
  assert.match(row(sockscope(['--source', 'ss', '--unix'], false)), new RegExp(`${path} python3?/\\d+ `));
});
