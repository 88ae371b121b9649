// Listeners bound with SO_BINDTODEVICE keep their device in analyze (the Listeners table prints
// `0.0.0.0%vA`, as ss does) and in the JSON of analyze --json and sockscope --json (`device`, the name try's
// holders use). Before, two TCP listeners on 0.0.0.0:7005 bound to vA and vB were two identical rows
// "0.0.0.0 7005", and a UDP socket bound to vA showed no device. Real sockets in a namespace of the
// test's own, on a veth pair (dummy links are not available in every kernel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

const HOLD = `
SO_BINDTODEVICE = 25
ls = []
for dev in (b'vA', b'vB'):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev); s.bind(('0.0.0.0', 7005)); s.listen(4); ls.append(s)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, b'vA'); u.bind(('0.0.0.0', 7016))
p = socket.socket(); p.bind(('0.0.0.0', 7017)); p.listen(1)
`;

function inNs(ns: string, args: string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('SO_BINDTODEVICE listeners: analyze shows 0.0.0.0%vA and 0.0.0.0%vB, the JSON has device', { skip: process.getuid?.() !== 0 && 'needs root for a network namespace', timeout: 120_000 }, async (t) => {
  const ns = `sockscope-bdev-${process.pid}`;
  let holder: ChildProcess | undefined;
  t.after(() => {
    holder?.kill('SIGKILL');
    deleteNetns(ns);
  });
  createNetns(ns, [['link', 'add', 'vA', 'type', 'veth', 'peer', 'name', 'vB'], ['link', 'set', 'vA', 'up'], ['link', 'set', 'vB', 'up']]);
  holder = await netnsHolder(ns, HOLD);
  for (const source of ['netlink', 'ss']) {
    const text = inNs(ns, ['analyze', '--port', '7005', '--source', source]);
    const rows = text.split('\n').filter((l) => /^│ tcp /.test(l)).map((l) => l.split('│').map((c) => c.trim()).filter((c) => c !== ''));
    assert.deepEqual(rows.map((r) => `${r[1]} ${r[2]}`).sort(), ['0.0.0.0%vA 7005', '0.0.0.0%vB 7005'], `${source}: ${text}`);
    const j = JSON.parse(inNs(ns, ['analyze', '--port', '7005', '--source', source, '--json'])) as { listeners: { address: string; device?: string }[] };
    assert.deepEqual(j.listeners.map((l) => `${l.address} ${l.device}`).sort(), ['0.0.0.0 vA', '0.0.0.0 vB'], source);
    const udp = inNs(ns, ['analyze', '--port', '7016', '--source', source]);
    assert.match(udp, /│ 0\.0\.0\.0%vA +│ 7016 /, `${source}: ${udp}`);
    const ju = JSON.parse(inNs(ns, ['analyze', '--port', '7016', '--source', source, '--json'])) as { listeners: { device?: string }[] };
    assert.deepEqual(ju.listeners.map((l) => l.device), ['vA'], source);
    // An unbound listener has no device.
    const jp = JSON.parse(inNs(ns, ['analyze', '--port', '7017', '--source', source, '--json'])) as { listeners: { device?: string }[] };
    assert.deepEqual(jp.listeners.map((l) => l.device), [undefined], source);
    const snap = JSON.parse(inNs(ns, ['--source', source, '--json', '--tcp', '--udp'])) as { ports: { protocol: string; port: number; listeners: { address: string; device?: string }[] }[] };
    const p7005 = snap.ports.find((p) => p.protocol === 'tcp' && p.port === 7005);
    assert.deepEqual(p7005?.listeners.map((l) => `${l.address} ${l.device}`).sort(), ['0.0.0.0 vA', '0.0.0.0 vB'], source);
    const p7016 = snap.ports.find((p) => p.protocol === 'udp' && p.port === 7016);
    assert.deepEqual(p7016?.listeners.map((l) => l.device), ['vA'], source);
  }
});
