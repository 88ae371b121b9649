import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { NetstatSource, busyboxFeatures, netstatArgs } from '../../src/collect/netstat.js';
import { CollectorError } from '../../src/collect/source.js';
import type { RunResult } from '../../src/collect/exec.js';
import { unknownSysctls } from '../../src/model/snapshot.js';

const fx = (dir: string, name: string): string => readFileSync(new URL(`../fixtures/${dir}/${name}`, import.meta.url), 'utf8');
const hostInfo = async () => ({ hostname: 'fixture', kernel: '6.1.0', counters: { netstat: null, snmp: null, sockstat: null }, sysctls: unknownSysctls() });
const ok = (stdout: string, stderr = '', exitCode = 0): RunResult => ({ stdout, stderr, exitCode });

type Call = [string, readonly string[]];
function fakeRunner(answers: (file: string, args: readonly string[]) => RunResult, calls: Call[]) {
  return async (file: string, args: readonly string[]): Promise<RunResult> => {
    calls.push([file, args]);
    if (file === 'missing') throw new CollectorError(file, 'not installed (command not found)');
    return answers(file, args);
  };
}

test('busybox feature detection from its usage line', () => {
  assert.deepEqual(busyboxFeatures('Usage: netstat [-ral] [-tuwx] [-en]'), { hasProgram: false, hasWide: false });
  assert.deepEqual(busyboxFeatures('Usage: netstat [-ral] [-tuwx] [-enWp]'), { hasProgram: true, hasWide: true });
});

test('arguments: protocols, -e/-W/-o for net-tools (busybox has no -o), -p only when asked', () => {
  const nt = { flavor: 'net-tools' as const, command: ['netstat'], hasProgram: true, hasWide: true };
  assert.deepEqual(netstatArgs(nt, {}, false), ['-tuxaneWo']);
  assert.deepEqual(netstatArgs(nt, { protocols: ['tcp'] }, true), ['-taneWop']);
  assert.deepEqual(netstatArgs(nt, { protocols: ['unix'] }, false), ['-xaneW'], 'no timers on unix lines');
  const bb = { flavor: 'busybox' as const, command: ['busybox', 'netstat'], hasProgram: false, hasWide: false };
  assert.deepEqual(netstatArgs(bb, {}, false), ['netstat', '-tuxan']);
  assert.deepEqual(netstatArgs({ ...bb, hasWide: true, hasProgram: true }, { protocols: ['tcp'] }, true), ['netstat', '-tanWp']);
});

test('net-tools: detected from --version, owners from the attributor by inode (not -p)', async () => {
  const calls: Call[] = [];
  const runner = fakeRunner((f, a) => (a[0] === '--version' ? ok('net-tools 2.10\nFred Baumgarten...') : ok(fx('netstat-nettools', 'scenario-tunaepW.txt') + fx('netstat-nettools', 'scenario-xanp.txt'))), calls);
  const attribute = async (socks: { processes: unknown[] }[], scope: 'listeners' | 'all') => {
    for (const s of socks) s.processes = [{ pid: 1, name: 'x', fd: 3 }];
    return { scope, complete: true, hiddenProcesses: 0 };
  };
  const src = new NetstatSource({ runner, attribute, hostInfo });
  const snap = await src.collect();
  assert.deepEqual(calls.map((c) => [c[0], ...c[1]]), [['netstat', '--version'], ['netstat', '-tuxaneWo']]);
  assert.equal(snap.source, 'netstat');
  assert.equal(snap.sourceNote, 'net-tools netstat');
  assert.ok(snap.sockets.every((s) => s.processes.length === 1 && s.processes[0].pid === 1));
  assert.ok(snap.notes.some((n) => n.includes('cuts unix socket paths')));
  await src.collect({ processes: 'none' });
  assert.equal(calls.length, 3, 'detection happens once');
});

test('busybox without -p: owners unknown and said so; busybox applet as netstat (Alpine)', async () => {
  const calls: Call[] = [];
  const runner = fakeRunner((f, a) => {
    if (f === 'busybox' && a[1] === '--help') return ok('', 'BusyBox v1.35.0 multi-call binary.\n\nUsage: netstat [-ral] [-tuwx] [-en]\n', 1);
    return ok(fx('netstat-busybox', 'debian-scenario-tuan.txt'));
  }, calls);
  const snap = await new NetstatSource({ runner, flavor: 'busybox', attribute: null, hostInfo }).collect({ protocols: ['tcp', 'udp'] });
  assert.deepEqual(calls.map((c) => [c[0], ...c[1]]), [['busybox', 'netstat', '--help'], ['busybox', 'netstat', '-tuan']]);
  assert.equal(snap.attribution.complete, false);
  assert.ok(snap.notes.some((n) => n.includes('built without -p')));

  const calls2: Call[] = [];
  const alpine = fakeRunner((f, a) => (a[0] === '--version' ? ok('', 'BusyBox v1.36.1 multi-call binary.\n\nUsage: netstat [-ral] [-tuwx] [-enWp]\n', 1) : ok(fx('netstat-busybox', 'alpine-tuxanWp.txt'))), calls2);
  const snap2 = await new NetstatSource({ runner: alpine, attribute: null, hostInfo }).collect({ processes: 'all' });
  assert.deepEqual(calls2[1], ['netstat', ['-tuxanWp']]);
  assert.equal(snap2.sourceNote, 'busybox netstat');
  assert.deepEqual(snap2.sockets.find((s) => s.local.port === 22)?.processes.map((p) => p.pid), [1203]);
});

test('no netstat at all: a CollectorError naming netstat', async () => {
  const runner = async (file: string): Promise<RunResult> => {
    throw new CollectorError(file, 'not installed (command not found)');
  };
  await assert.rejects(new NetstatSource({ runner, attribute: null, hostInfo }).collect(), (e: unknown) => e instanceof CollectorError && e.tool === 'netstat' && /not installed/.test(e.message));
});

const haveNetTools = spawnSync('netstat', ['--version'], { encoding: 'utf8' }).stdout?.includes('net-tools') ?? false;

// In CI a missing net-tools fails the test (it is in .ci/apt-packages.txt); locally it is skipped.
test('live: net-tools netstat on this host', { skip: !haveNetTools && process.env.CI !== 'true' ? 'net-tools netstat is not installed' : false }, async () => {
  const snap = await new NetstatSource({ flavor: 'net-tools' }).collect({ processes: 'listeners', protocols: ['tcp'] });
  assert.equal(snap.source, 'netstat');
  assert.ok(snap.sockets.length > 0);
});

// net-tools `netstat -tuxaneW` lines as printed on Linux 6.18 (columns kept): a link-local listener, and
// unix sockets from /proc/net/unix: a listener with two connections waiting (CONNECTING, inode 0) and
// the two socketpairs of netstat's own stdout and stderr (inodes 900001-900004).
const NETTOOLS_UNIX = `Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode     
tcp6       0      0 fe80::1:7103            :::*                    LISTEN      0          51317814  
tcp6       0      0 ::1:7104                :::*                    LISTEN      0          51317816  
Active UNIX domain sockets (servers and established)
Proto RefCnt Flags       Type       State         I-Node   Path
unix  2      [ ACC ]     STREAM     LISTENING     51291955 @abs
unix  3      [ ]         STREAM     CONNECTING    0        @abs
unix  3      [ ]         STREAM     CONNECTED     900001   
unix  3      [ ]         STREAM     CONNECTED     900002   
unix  3      [ ]         STREAM     CONNECTING    0        @abs
unix  3      [ ]         STREAM     CONNECTED     900003   
unix  3      [ ]         STREAM     CONNECTED     900004   
unix  3      [ ]         STREAM     CONNECTED     51291957 
`;

test("unix: waiting connections count in their listener's accept queue, netstat's own stdio sockets are left out, notes say what netstat cannot show", async () => {
  const asked: unknown[] = [];
  const runner = async (file: string, args: readonly string[], opts?: { stdioSockets?: boolean }): Promise<RunResult> => {
    if (args[0] === '--version') return ok('net-tools 2.10');
    asked.push(opts?.stdioSockets);
    const text = args[0].includes('x') ? NETTOOLS_UNIX : NETTOOLS_UNIX.slice(0, NETTOOLS_UNIX.indexOf('Active UNIX'));
    return { ...ok(text), ...(opts?.stdioSockets ? { stdioSockets: [900001, 900002, 900003, 900004] } : {}) };
  };
  const snap = await new NetstatSource({ runner, attribute: null, hostInfo }).collect({ processes: 'none' });
  assert.deepEqual(asked, [true], 'the stdio sockets are asked for when unix sockets are');
  const unix = snap.sockets.filter((s) => s.protocol === 'unix');
  assert.deepEqual(
    unix.map((s) => [s.state, s.inode, s.local.address, s.recvQ]),
    [
      ['LISTEN', 51291955, '@abs', 2],
      ['ESTABLISHED', 51291957, '', 0],
    ],
  );
  assert.ok(snap.notes.includes('netstat has no interface field: link-local IPv6 addresses (fe80::/10) are shown without their %interface (fe80::1, not fe80::1%eth0); --source netlink or ss shows it'), snap.notes.join('\n'));
  assert.ok(snap.notes.some((n) => n.startsWith('netstat -x has no queue lengths')));
  const tcp = await new NetstatSource({ runner, attribute: null, hostInfo }).collect({ processes: 'none', protocols: ['tcp'], port: 7104 });
  assert.deepEqual(asked, [true, undefined], 'not for TCP alone');
  assert.deepEqual(tcp.sockets.map((s) => s.local.address), ['::1']);
  assert.deepEqual(tcp.notes.filter((n) => n.includes('link-local') || n.includes('unix')), [], 'the link-local listener is not in the snapshot');
});
