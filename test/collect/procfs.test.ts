import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcfsSource } from '../../src/collect/procfs.js';
import { CollectorError } from '../../src/collect/source.js';
import { unknownSysctls } from '../../src/model/snapshot.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/procfs/${name}`, import.meta.url));
const hostInfo = async () => ({ hostname: 'fixture', kernel: '6.1.0', counters: { netstat: null, snmp: null, sockstat: null }, sysctls: unknownSysctls() });

function fakeProc(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-procfs-'));
  mkdirSync(join(root, 'net'));
  for (const [name, src] of Object.entries(files)) copyFileSync(fixture(src), join(root, 'net', name));
  return root;
}

test('reads every /proc/net file once and builds a snapshot; missing tcp6/udp6 is a note, not an error', async () => {
  const root = fakeProc({ tcp: 'edge-tcp.txt', udp: 'edge-udp.txt', unix: 'edge-unix.txt' });
  try {
    const snap = await new ProcfsSource({ procRoot: root, attribute: null, hostInfo }).collect({ processes: 'none' });
    assert.equal(snap.source, 'procfs');
    assert.equal(snap.hostname, 'fixture');
    assert.equal(snap.sockets.filter((s) => s.protocol === 'tcp').length, 8);
    assert.equal(snap.sockets.filter((s) => s.protocol === 'udp').length, 2);
    assert.equal(snap.sockets.filter((s) => s.protocol === 'unix').length, 10);
    assert.ok(snap.notes.some((n) => n.includes('tcp6 is missing')));
    assert.ok(snap.notes.some((n) => n.includes('listen backlogs')));
    assert.deepEqual(snap.attribution, { scope: 'none', complete: true, hiddenProcesses: 0 });
    const only80 = await new ProcfsSource({ procRoot: root, attribute: null, hostInfo }).collect({ processes: 'none', protocols: ['tcp'], port: 80 });
    assert.deepEqual(only80.sockets.map((s) => [s.state, s.local.port]), [['LISTEN', 80]]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('notes: unix queues /proc/net/unix cannot show, link-local addresses shown without their zone (only when one is in the snapshot)', async () => {
  const root = fakeProc({ tcp: 'edge-tcp.txt', tcp6: 'edge-tcp6.txt', udp: 'edge-udp.txt', udp6: 'edge-udp6.txt', unix: 'unix-names.txt' });
  try {
    const src = new ProcfsSource({ procRoot: root, attribute: null, hostInfo });
    const snap = await src.collect({ processes: 'none' });
    const unixNote = snap.notes.find((n) => n.startsWith('/proc/net/unix has no queue lengths'));
    assert.ok(unixNote, snap.notes.join('\n'));
    assert.match(unixNote, /Recv-Q and Send-Q of unix sockets are unknown/);
    const zone = snap.notes.find((n) => n.includes('link-local'));
    assert.equal(zone, '/proc/net/tcp6 and udp6 have no interface field: link-local IPv6 addresses (fe80::/10) are shown without their %interface (fe80::1, not fe80::1%eth0); --source netlink or ss shows it');
    assert.equal(snap.sockets.find((s) => s.local.address === '@queue')?.recvQ, 3);
    assert.equal(snap.sockets.filter((s) => s.protocol === 'unix').length, 15);
    // Port 8080 is the fe80::1 listener of edge-tcp6; port 22 has none, so no zone note.
    assert.ok((await src.collect({ processes: 'none', protocols: ['tcp'], port: 8080 })).notes.some((n) => n.includes('link-local')));
    const p22 = await src.collect({ processes: 'none', protocols: ['tcp'], port: 22 });
    assert.ok(p22.sockets.length > 0);
    assert.ok(!p22.notes.some((n) => n.includes('link-local')), p22.notes.join('\n'));
    assert.ok(!p22.notes.some((n) => n.includes('unix')), 'no unix sockets asked for: no unix note');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('attribution is delegated and its note is kept', async () => {
  const root = fakeProc({ tcp: 'edge-tcp.txt', tcp6: 'edge-tcp6.txt', udp: 'edge-udp.txt', udp6: 'edge-udp6.txt' });
  try {
    const seen: string[] = [];
    const attribute = async (socks: { inode?: number; processes: unknown[] }[], scope: 'listeners' | 'all') => {
      seen.push(scope);
      for (const s of socks) if (s.inode === 11001) s.processes = [{ pid: 42, name: 'web server', fd: 3 }];
      return { scope, complete: false, hiddenProcesses: 2, note: '2 processes of other users are hidden: run as root to see them' };
    };
    const snap = await new ProcfsSource({ procRoot: root, attribute, hostInfo }).collect({ protocols: ['tcp', 'udp'] });
    assert.deepEqual(seen, ['listeners']);
    assert.deepEqual(snap.sockets.find((s) => s.inode === 11001)?.processes, [{ pid: 42, name: 'web server', fd: 3 }]);
    assert.equal(snap.attribution.hiddenProcesses, 2);
    assert.ok(snap.notes.includes('2 processes of other users are hidden: run as root to see them'));
    assert.equal(snap.sockets.filter((s) => s.ipVersion === 6).length, 8);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a missing /proc/net/tcp is a CollectorError naming the file', async () => {
  const root = fakeProc({});
  try {
    await assert.rejects(new ProcfsSource({ procRoot: root, attribute: null, hostInfo }).collect(), (e: unknown) => e instanceof CollectorError && e.tool.endsWith('/net/tcp'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('live: the real /proc with the shared attributor', async () => {
  const snap = await new ProcfsSource().collect({ processes: 'listeners' });
  assert.equal(snap.source, 'procfs');
  assert.ok(snap.sockets.length > 0);
  assert.ok(snap.sysctls['net.core.somaxconn'] !== undefined);
  assert.equal(snap.attribution.scope, 'listeners');
});

test('live: an overflowing accept queue (Recv-Q = backlog + 1, extra clients stuck in SYN_SENT)', async () => {
  const { openScenario } = await import('../helpers/scenario.js');
  const sc = await openScenario({ acceptBacklog: 1, acceptClients: 4, noIpv6: true });
  try {
    const port = sc.acceptQueue.port;
    let snap = await new ProcfsSource().collect({ processes: 'none', protocols: ['tcp'] });
    // The SYNs of the extra clients are dropped and retried; give the kernel a moment to show them.
    for (let i = 0; i < 40 && snap.sockets.filter((s) => s.peer.port === port && s.state === 'SYN_SENT').length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      snap = await new ProcfsSource().collect({ processes: 'none', protocols: ['tcp'] });
    }
    const listener = snap.sockets.find((s) => s.local.port === port && s.state === 'LISTEN')!;
    assert.equal(listener.recvQ, 2);
    assert.equal(sc.acceptQueue.pending, 2);
    assert.equal(snap.sockets.filter((s) => s.peer.port === port && s.state === 'SYN_SENT').length, 2);
  } finally {
    await sc.close();
  }
});
