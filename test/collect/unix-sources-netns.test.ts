// Every source against `ss` run from outside sockscope, in a network namespace of this test's own (unix
// sockets and interfaces are per namespace, so no other test's sockets come and go in the counts):
// - the unix totals of `sockscope --unix --json --source X` equal the records of `ss -xaHe` run by the
//   test (whose stdio pipes belong to the test's namespace): sockscope's own children (ss, netstat)
//   have socketpairs for stdout and stderr that those sources listed as 4 more unnamed sockets;
// - the namespace holds names with newlines (a record ss prints over two lines), a trailing space and
//   NULs, and a listener with connections waiting to be accepted (procfs and netstat listed each as a
//   socket of its own), so that a source that drops or splits one disagrees;
// - a TCP listener on fe80::1%d0: procfs and netstat cannot show the zone and say so in a note.
// Needs root (ip netns), python3, iproute2; net-tools for the netstat part (skipped without it, not in CI).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CI = process.env.CI === 'true';
const haveNetTools = /net-tools/.test(spawnSync('netstat', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const ns = `sockscope-unix-${process.pid}`;
let dir = '';
let zoo: ChildProcess | undefined;

// Stays until its stdin closes (the test ends or dies), at most 120 s.
const ZOO = String.raw`
import socket, sys, os, threading
D = sys.argv[1]
keep = []
def unix(kind, name, listen=None):
    s = socket.socket(socket.AF_UNIX, kind); s.bind(name); keep.append(s)
    if listen is not None: s.listen(listen)
    return s
l = unix(socket.SOCK_STREAM, D + '/nl\nsock', 4)
c = socket.socket(socket.AF_UNIX); c.connect(D + '/nl\nsock'); keep.append(c); keep.append(l.accept()[0])
unix(socket.SOCK_DGRAM, D + '/two\n\nlines')
unix(socket.SOCK_DGRAM, b'\0trailing space ')
unix(socket.SOCK_DGRAM, b'\0nul\0inside')
unix(socket.SOCK_DGRAM, b'\0nul\0other')
unix(socket.SOCK_STREAM, b'\0queue', 2)
for i in range(3):
    x = socket.socket(socket.AF_UNIX); x.setblocking(False); x.connect_ex(b'\0queue'); keep.append(x)
keep.extend(socket.socketpair())
t = socket.socket(socket.AF_INET6); t.bind(('fe80::1', 0, 0, socket.if_nametoindex('d0'))); t.listen(8); keep.append(t)
print(t.getsockname()[1], flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

function inNs(cmd: string[], timeout = 30_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout, cwd: ROOT });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function sockscope(args: string[]): { totals: { unix: number }; notes: string[]; ports: { port: number; listeners: { address: string }[] }[] } {
  const r = inNs([process.execPath, 'bin/sockscope', '--json', ...args]);
  assert.equal(r.status, 0, `sockscope ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The socket records in `ss -xaHe` run by the test: a line that starts a record has a Netid and a state. */
function ssRecords(): number {
  const r = inNs(['ss', '-xaHe']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => /^u_(str|dgr|seq) +[A-Z]/.test(l)).length;
}

let port = 0;

before(async () => {
  createNetns(ns, [
    ['link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1'],
    ['link', 'set', 'd0', 'up'],
    ['link', 'set', 'd1', 'up'],
    ['addr', 'add', 'fe80::1/64', 'dev', 'd0', 'nodad'],
  ]);
  dir = mkdtempSync(join(tmpdir(), 'sockscope-unix-'));
  zoo = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', ZOO, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await Promise.race([
    new Promise<string>((res) => createInterface({ input: zoo!.stdout! }).once('line', res)),
    new Promise<string>((_, rej) => setTimeout(() => rej(new Error('the python socket zoo did not start in 15 s')), 15_000)),
  ]);
  port = Number(line);
  assert.ok(port > 0, line);
});

after(() => {
  zoo?.stdin?.end();
  zoo?.kill();
  deleteNetns(ns);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('unix totals of every source equal the records of ss -xaHe run from outside (no own stdio sockets, no split or extra records)', { timeout: 120_000 }, () => {
  const want = ssRecords();
  // The zoo: 2 + 1 (path listener and its pair), 1, 3 named datagram, the listener and its 3 clients, 2 of the pair.
  assert.equal(want, 13, 'the zoo as ss sees it');
  const sources = ['netlink', 'ss', 'procfs', ...(haveNetTools || CI ? ['netstat'] : [])];
  const got = Object.fromEntries(sources.map((s) => [s, sockscope(['--unix', '--source', s]).totals.unix]));
  assert.deepEqual(got, Object.fromEntries(sources.map((s) => [s, want])));
  assert.equal(ssRecords(), want, 'nothing changed meanwhile');
});

test('a link-local listener: procfs and netstat say they cannot show its zone; netlink and ss show it', { timeout: 120_000 }, () => {
  const note = /no interface field: link-local IPv6 addresses \(fe80::\/10\) are shown without their %interface/;
  for (const source of ['procfs', ...(haveNetTools || CI ? ['netstat'] : [])]) {
    const snap = sockscope(['--tcp', '--source', source]);
    assert.ok(snap.notes.some((n) => note.test(n)), `${source}: ${snap.notes.join(' | ')}`);
    assert.deepEqual(snap.ports.find((p) => p.port === port)?.listeners.map((l) => l.address), ['fe80::1']);
  }
  for (const source of ['netlink', 'ss']) {
    const snap = sockscope(['--tcp', '--source', source]);
    assert.ok(!snap.notes.some((n) => note.test(n)), `${source}: ${snap.notes.join(' | ')}`);
    assert.deepEqual(snap.ports.find((p) => p.port === port)?.listeners.map((l) => l.address), ['fe80::1%d0']);
  }
});
