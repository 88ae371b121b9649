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

test('arguments: protocols, -e/-W for net-tools, -p only when asked', () => {
  const nt = { flavor: 'net-tools' as const, command: ['netstat'], hasProgram: true, hasWide: true };
  assert.deepEqual(netstatArgs(nt, {}, false), ['-tuxaneW']);
  assert.deepEqual(netstatArgs(nt, { protocols: ['tcp'] }, true), ['-taneWp']);
  const bb = { flavor: 'busybox' as const, command: ['busybox', 'netstat'], hasProgram: false, hasWide: false };
  assert.deepEqual(netstatArgs(bb, {}, false), ['netstat', '-tuxan']);
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
  assert.deepEqual(calls.map((c) => [c[0], ...c[1]]), [['netstat', '--version'], ['netstat', '-tuxaneW']]);
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
