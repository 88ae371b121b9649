// Interface names are this network namespace's, not /sys/class/net's. The test enters a namespace of its
// own with nsenter --net (as `unshare -n` does, and unlike `ip netns exec`, it leaves /sys mounted as the
// host's), where index 2 is the veth zz0 and the host's sysfs says index 2 is one of the host's
// interfaces. IPv6 zones (fe80::1%zz0) in the netlink collector and in `try` used sysfs: analyze showed
// fe80::1%<the host's interface 2> where --source ss showed %zz0, and try refused %zz0.
// Needs root (ip netns), nsenter (util-linux), python3, iproute2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ns = `sockscope-ifname-${process.pid}`;
let zz0 = 0;
let port = 0;
let listener: ChildProcess | undefined;

function inNs(cmd: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, '--', ...cmd], { encoding: 'utf8', timeout: 30_000, cwd: ROOT });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

before(async () => {
  createNetns(ns, [
    ['link', 'add', 'zz0', 'type', 'veth', 'peer', 'name', 'zz1'],
    ['link', 'set', 'zz0', 'up'],
    ['link', 'set', 'zz1', 'up'],
    ['addr', 'add', 'fe80::1/64', 'dev', 'zz0', 'nodad'],
  ]);
  zz0 = Number(/^(\d+):/.exec(spawnSync('ip', ['-n', ns, '-o', 'link', 'show', 'zz0'], { encoding: 'utf8' }).stdout)?.[1]);
  assert.ok(zz0 > 0, 'index of zz0');
  // What makes the test tell the two apart: sysfs here is the host's, where zz0 does not exist.
  assert.equal(inNs(['cat', '/sys/class/net/zz0/ifindex']).status, 1, 'nsenter --net keeps the host sysfs');
  const py = 'import socket,sys,os,threading\nt=socket.socket(socket.AF_INET6); t.bind(("fe80::1",0,0,socket.if_nametoindex("zz0"))); t.listen(4)\nprint(t.getsockname()[1], flush=True)\nthreading.Timer(120, lambda: os._exit(0)).start()\nsys.stdin.read()\nos._exit(0)';
  listener = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', 'python3', '-c', py], { stdio: ['pipe', 'pipe', 'inherit'] });
  port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 listener not ready in 10 s')), 10_000);
    createInterface({ input: listener!.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(Number(l));
    });
    listener!.once('exit', (code) => reject(new Error(`python3 exited with ${code}`)));
  });
});

after(() => {
  listener?.kill('SIGKILL');
  deleteNetns(ns);
});

test('interfaceName and interfaceIndex answer for the current network namespace, not for sysfs', () => {
  const hostNames = readdirSync('/sys/class/net');
  const hostByIndex = new Map(hostNames.map((n) => [Number(readFileSync(`/sys/class/net/${n}/ifindex`, 'utf8')), n]));
  const other = hostNames.find((n) => n !== 'lo');
  const script = `
    import { interfaceIndex, interfaceName } from './src/collect/interface-names.ts';
    console.log(JSON.stringify({ name: interfaceName(${zz0}) ?? null, index: interfaceIndex('zz0') ?? null, lo: interfaceName(1) ?? null,
      hostIf: ${JSON.stringify(other ?? null)} === null ? null : interfaceIndex(${JSON.stringify(other ?? '')}) ?? null, none: interfaceName(99999) ?? null }));`;
  const r = inNs([process.execPath, '--import', 'tsx', '--input-type=module', '-e', script]);
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, string | number | null>;
  assert.equal(got.name, 'zz0', `index ${zz0} here is zz0 (sysfs says ${hostByIndex.get(zz0) ?? 'nothing'})`);
  assert.equal(got.index, zz0);
  assert.equal(got.lo, 'lo');
  assert.equal(got.hostIf, null, `the host's ${other} is not in this namespace (sysfs has it)`);
  assert.equal(got.none, null);
});

test('the netlink collector names the zone of fe80::1%zz0 as ss does', () => {
  const read = (source: string) => {
    const r = inNs([process.execPath, 'bin/sockscope', '--json', '--tcp', '--port', String(port), '--source', source]);
    assert.equal(r.status, 0, `--source ${source}: ${r.stderr}`);
    const doc = JSON.parse(r.stdout) as { source: string; ports: { port: number; listeners: { address: string }[] }[] };
    return doc.ports.find((p) => p.port === port)?.listeners.map((l) => l.address);
  };
  assert.deepEqual(read('ss'), ['fe80::1%zz0']);
  assert.deepEqual(read('netlink'), ['fe80::1%zz0'], 'netlink: the name of this namespace index');
});

test('try bind takes a zone that names an interface of this namespace only', () => {
  const r = inNs([process.execPath, 'bin/sockscope', 'try', 'bind', '[fe80::1%zz0]:0', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { call: { ok: boolean; steps: unknown[] } };
  assert.equal(j.call.ok, true, JSON.stringify(j.call.steps));
  const host = readdirSync('/sys/class/net').find((n) => n !== 'lo');
  if (host) {
    const bad = inNs([process.execPath, 'bin/sockscope', 'try', 'bind', `[fe80::1%${host}]:0`]);
    assert.equal(bad.status, 2, `${host} is the host's, not this namespace's: ${bad.stdout}`);
  }
});
