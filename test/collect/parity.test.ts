// Parity on the live kernel: with the scenario's real sockets open, every available collector reports the
// same sockets, states, ports, queues, inodes and owning pids. In CI (CI=true) a missing tool fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SocketSource } from '../../src/collect/source.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { Socket } from '../../src/model/socket.js';
import { ProcfsSource } from '../../src/collect/procfs.js';
import { NetstatSource } from '../../src/collect/netstat.js';
import { openScenario, type ExpectedSocket, type Scenario } from '../helpers/scenario.js';

const CI = process.env.CI === 'true';

function tool(cmd: string, args: string[], expect: RegExp): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return expect.test(`${r.stdout ?? ''}${r.stderr ?? ''}`);
}

interface Candidate {
  label: string;
  /** Why it cannot run here (undefined: it can). */
  missing?: string;
  make: () => Promise<SocketSource>;
  /**
   * What the source can see (unixNewline: a unix name with a newline whole, not cut at it; unixNul: a NUL
   * inside an abstract name as the byte it is, where the others' text has '@').
   */
  sees: { inode: boolean; backlog: boolean; pids: 'all' | 'one' | 'none'; unixPathCut: boolean; unixNewline: boolean; unixNul?: boolean };
}

const here = (rel: string): boolean => existsSync(new URL(rel, import.meta.url));

// procfs and netstat with kernelUnix null: the unix rows as /proc/net/unix's text gives them (the zoo's name with a
// newline would otherwise make them the kernel's: test/collect/unix-newline-forged-rows-netns).
const candidates: Candidate[] = [
  { label: 'procfs', make: async () => new ProcfsSource({ kernelUnix: null }), sees: { inode: true, backlog: false, pids: 'all', unixPathCut: false, unixNewline: true } },
  {
    label: 'netstat (net-tools)',
    missing: tool('netstat', ['--version'], /net-tools/) ? undefined : 'net-tools netstat is not installed',
    make: async () => new NetstatSource({ flavor: 'net-tools', kernelUnix: null }),
    sees: { inode: true, backlog: false, pids: 'all', unixPathCut: true, unixNewline: false },
  },
  {
    label: 'netstat (busybox)',
    missing: tool('busybox', ['netstat', '--help'], /Usage: netstat/) ? undefined : 'busybox (with its netstat applet) is not installed',
    make: async () => new NetstatSource({ flavor: 'busybox', kernelUnix: null }),
    sees: { inode: false, backlog: false, pids: tool('busybox', ['netstat', '--help'], /\[-en[A-Za-z]*p[A-Za-z]*\]/) ? 'one' : 'none', unixPathCut: false, unixNewline: false },
  },
  {
    label: 'ss',
    missing: !here('../../src/collect/ss.ts') ? 'src/collect/ss.ts is not in the tree' : tool('ss', ['-V'], /iproute2/) ? undefined : 'ss (iproute2) is not installed',
    make: async () => new (await import('../../src/collect/ss.js')).SsSource(),
    sees: { inode: true, backlog: true, pids: 'all', unixPathCut: false, unixNewline: true },
  },
  {
    label: 'netlink',
    missing: here('../../src/collect/netlink.ts') ? undefined : 'src/collect/netlink.ts is not in the tree',
    make: async () => new (await import('../../src/collect/netlink.js')).NetlinkSource(),
    sees: { inode: true, backlog: true, pids: 'all', unixPathCut: false, unixNewline: true, unixNul: true },
  },
];

let sc: Scenario;
const snaps = new Map<string, Snapshot>();

// Unix sockets with awkward names, held by python3 until its stdin closes (at most 120 s): a listener
// whose path has a newline (ss and /proc/net/unix print it raw, over two lines) and its connected
// pair, abstract names that differ after a NUL and one with a trailing space, and an abstract listener
// of backlog 2 with 3 connections waiting (/proc/net/unix lists each of those as an entry).
const ZOO = String.raw`
import socket, sys, os, threading
D, tag = sys.argv[1], sys.argv[2].encode()
keep = []
l = socket.socket(socket.AF_UNIX); l.bind(D + '/nl\nsock'); l.listen(4); keep.append(l)
c = socket.socket(socket.AF_UNIX); c.connect(D + '/nl\nsock'); keep.append(c); keep.append(l.accept()[0])
for n in (b'\0nul-' + tag + b'\0inside', b'\0nul-' + tag + b'\0other', b'\0trailing-' + tag + b' '):
    u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); u.bind(n); keep.append(u)
q = socket.socket(socket.AF_UNIX); q.bind(b'\0queue-' + tag); q.listen(2); keep.append(q)
for i in range(3):
    x = socket.socket(socket.AF_UNIX); x.setblocking(False); x.connect_ex(b'\0queue-' + tag); keep.append(x)
print('ready', flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;
const tag = String(process.pid);
let zooDir = '';
let zoo: ChildProcess | undefined;

before(async () => {
  sc = await openScenario();
  zooDir = mkdtempSync(join(tmpdir(), 'sockscope-parity-'));
  zoo = spawn('python3', ['-c', ZOO, zooDir, tag], { stdio: ['pipe', 'pipe', 'inherit'] });
  await Promise.race([
    new Promise((res) => createInterface({ input: zoo!.stdout! }).once('line', res)),
    new Promise((_, rej) => setTimeout(() => rej(new Error('the python unix socket zoo did not start in 15 s')), 15_000)),
  ]);
});
after(async () => {
  zoo?.stdin?.end();
  zoo?.kill();
  if (zooDir) rmSync(zooDir, { recursive: true, force: true });
  await sc?.close();
});

/** What `c` reports wrong about the zoo's unix sockets. */
function unixZooProblems(c: Candidate, unix: Socket[]): string[] {
  const problems: string[] = [];
  const named = (name: string) => unix.filter((s) => s.local.address === name);
  const nl = `${zooDir}/nl\nsock`;
  if (c.sees.unixNewline && named(nl).length !== 2) problems.push(`path with a newline: ${named(nl).length} sockets named ${JSON.stringify(nl)} (the listener and the accepted one)`);
  const nul = c.sees.unixNul ? '\0' : '@';
  for (const n of [`@nul-${tag}${nul}inside`, `@nul-${tag}${nul}other`]) if (named(n).length !== 1) problems.push(`${JSON.stringify(n)}: found ${named(n).length}`);
  const trailing = c.sees.unixPathCut ? `@trailing-${tag}` : `@trailing-${tag} `;
  if (named(trailing).length !== 1) problems.push(`${JSON.stringify(trailing)}: found ${named(trailing).length}`);
  const queue = named(`@queue-${tag}`);
  const listener = queue.filter((s) => s.state === 'LISTEN');
  if (listener.length !== 1) problems.push(`@queue listener: found ${listener.length}`);
  else if (listener[0].recvQ !== 3) problems.push(`@queue listener: accept queue (Recv-Q) ${listener[0].recvQ}, expected 3`);
  if (queue.length !== listener.length) problems.push(`@queue: ${queue.length - listener.length} waiting connections listed as sockets (${queue.map((s) => s.state).join(' ')})`);
  return problems;
}


function matches(s: Socket, e: ExpectedSocket): boolean {
  return (
    s.protocol === e.protocol &&
    s.ipVersion === e.ipVersion &&
    s.state === e.state &&
    s.local.port === e.localPort &&
    s.local.address === e.localAddress &&
    (e.peerPort < 0 || s.peer.port === e.peerPort) &&
    (e.peerPort <= 0 || s.peer.address === e.peerAddress)
  );
}

for (const c of candidates) {
  const skip = c.missing && !CI ? c.missing : false;
  test(`parity: ${c.label} reports the scenario's sockets`, { skip, timeout: 60_000 }, async () => {
    assert.equal(c.missing, undefined, `${c.label}: ${c.missing} (required in CI)`);
    const src = await c.make();
    const snap = await src.collect({ processes: 'all', timeoutMs: 20_000 });
    snaps.set(c.label, snap);
    const problems: string[] = [];
    const inScenario = snap.sockets.filter((s) => s.protocol !== 'unix');
    for (const e of sc.expected) {
      const found = inScenario.filter((s) => matches(s, e));
      const want = e.state === 'TIME_WAIT' ? sc.timeWait.count : 1;
      if (e.state === 'TIME_WAIT') {
        if (found.length < want) problems.push(`${e.role}: ${found.length} of ${want} TIME_WAIT sockets on port ${e.localPort}`);
        continue;
      }
      if (found.length !== 1) {
        problems.push(`${e.role}: expected one ${e.protocol}${e.ipVersion} ${e.state} ${e.localAddress}:${e.localPort} -> ${e.peerAddress}:${e.peerPort}, found ${found.length}`);
        continue;
      }
      const s = found[0];
      if (s.recvQ !== e.recvQ) problems.push(`${e.role}: Recv-Q ${s.recvQ}, expected ${e.recvQ}`);
      if (e.sendQ !== undefined && s.sendQ !== e.sendQ) problems.push(`${e.role}: Send-Q ${s.sendQ}, expected ${e.sendQ}`);
      if (e.backlog !== undefined) {
        if (c.sees.backlog && s.sendQ !== e.backlog) problems.push(`${e.role}: backlog (Send-Q) ${s.sendQ}, expected ${e.backlog}`);
        if (!c.sees.backlog && !s.sendQUnknown) problems.push(`${e.role}: Send-Q of LISTEN should be marked unknown`);
      }
      if (c.sees.inode && e.inode > 0 && s.inode !== e.inode) problems.push(`${e.role}: inode ${s.inode}, expected ${e.inode}`);
      const pids = [...new Set(s.processes.map((p) => p.pid))].sort((a, b) => a - b);
      if (c.sees.pids === 'all' && JSON.stringify(pids) !== JSON.stringify(e.pids)) problems.push(`${e.role}: pids ${JSON.stringify(pids)}, expected ${JSON.stringify(e.pids)}`);
      if (c.sees.pids === 'one' && (e.pids.length ? pids.length !== 1 || !e.pids.includes(pids[0]) : pids.length !== 0)) problems.push(`${e.role}: pid ${JSON.stringify(pids)}, expected one of ${JSON.stringify(e.pids)}`);
    }
    // The unix listener whose path has a space, and its connected pair.
    const unix = snap.sockets.filter((s) => s.protocol === 'unix');
    const path = c.sees.unixPathCut ? sc.unix.path.slice(0, sc.unix.path.indexOf(' ')) : sc.unix.path;
    const ul = unix.filter((s) => s.state === 'LISTEN' && s.local.address === path && (!c.sees.inode || s.inode === sc.unix.listenerInode));
    if (ul.length !== 1) problems.push(`unix listener "${path}": found ${ul.length}`);
    else {
      if (ul[0].unixType !== 'stream') problems.push(`unix listener type ${ul[0].unixType}`);
      if (c.sees.pids === 'all' && JSON.stringify(ul[0].processes.map((p) => p.pid)) !== JSON.stringify([sc.pid])) problems.push(`unix listener pids ${JSON.stringify(ul[0].processes.map((p) => p.pid))}`);
    }
    const conn = unix.filter((s) => s.state === 'ESTABLISHED' && (c.sees.inode ? [sc.unix.serverInode, sc.unix.clientInode].includes(s.inode!) : s.local.address === sc.unix.path));
    if (conn.length !== (c.sees.inode ? 2 : 1)) problems.push(`unix connected pair: found ${conn.length}`);
    problems.push(...unixZooProblems(c, unix));
    if (c.sees.pids === 'none') assert.equal(snap.attribution.complete, false, 'a source without owners must say so');
    assert.deepEqual(problems, [], `${c.label}:\n  ${problems.join('\n  ')}`);
  });
}

test('parity: every collector that ran agrees socket for socket on the scenario ports', { timeout: 10_000 }, () => {
  const ran = [...snaps.keys()];
  if (ran.length < 2) return;
  const ports = new Set(sc.ports);
  const key = (s: Socket) => `${s.protocol}${s.ipVersion} ${s.state} ${s.local.address}:${s.local.port} ${s.peer.address}:${s.peer.port} r=${s.recvQ}`;
  const ours = (snap: Snapshot) =>
    snap.sockets
      .filter((s) => s.protocol !== 'unix' && ports.has(s.local.port) && (s.processes.some((p) => p.pid === sc.pid || p.pid === sc.acceptQueue.pid || sc.shared.pids.includes(p.pid)) || s.inode === 0 || s.inode === undefined))
      .filter((s) => sc.expected.some((e) => matches(s, e)))
      .map(key)
      .sort();
  const base = ours(snaps.get(ran[0])!);
  for (const label of ran.slice(1)) assert.deepEqual(ours(snaps.get(label)!), base, `${label} vs ${ran[0]}`);
});
