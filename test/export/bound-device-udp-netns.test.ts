// Two UDP sockets on 0.0.0.0:P each bound to its own interface (SO_BINDTODEVICE: a DHCP server's layout, one
// socket per served interface) are two sockets apart, as the TCP listeners have been since 53006af (review s17
// diff #2): the per-port UDP series (queue, fullest buffer, drops) merged them into one address="0.0.0.0" with
// their queues summed. They now write the device after the address as the listen_* series do
// (address="0.0.0.0%lo"), when the collector names it (netlink's idiag_if, ss's "%dev"). In a namespace of the
// test's own (lo and a veth end), a python3 holder binds 0.0.0.0:67 to lo (a 4 KiB buffer, flooded over
// loopback until it drops) and to the veth end (nothing sent), and an unbound SO_REUSEPORT pair on 0.0.0.0:69
// that stays one series; the built exporter runs beside them with each source that names devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startCli } from '../helpers/exporter.js';
import { waitFor } from '../helpers/free-port.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const CODE = `
def bind(port, dev=None, reuse=False, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if dev: s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev)
    if reuse: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if rcvbuf: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(('0.0.0.0', port)); return s
held = [bind(67, b'lo', rcvbuf=4096), bind(67, b'sscud0'), bind(69, reuse=True), bind(69, reuse=True)]
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200): c.sendto(b'q' * 200, ('127.0.0.1', 67))
`;

/** The value of `name{port="P",address="A"}` in `text`, undefined when absent. */
function sample(text: string, name: string, port: number, address: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{port="${port}",address="${address}"} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

for (const source of ['netlink', 'ss']) {
  test(`--source ${source}: UDP sockets on 0.0.0.0:P bound to different interfaces are series apart; an SO_REUSEPORT pair stays one`, { timeout: 60_000 }, async (t) => {
    const ns = `sscud-${source}-${process.pid}`;
    t.after(() => deleteNetns(ns));
    createNetns(ns, [['link', 'add', 'sscud0', 'type', 'veth', 'peer', 'name', 'sscud1'], ['link', 'set', 'sscud0', 'up'], ['link', 'set', 'sscud1', 'up']]);
    const holder = await netnsHolder(ns, CODE);
    t.after(() => holder.kill('SIGKILL'));
    const { child } = await startCli(['export', '--listen', '127.0.0.1:9464', '--interval', '200ms', '--source', source], { file: 'ip', pre: ['netns', 'exec', ns, process.execPath] });
    t.after(() => child.kill('SIGKILL'));
    let last = '';
    const text = await waitFor('the UDP series in /metrics', () => {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:9464/metrics'], { encoding: 'utf8' });
      last = r.stdout;
      return r.status === 0 && r.stdout.includes('sockscope_udp_receive_queue_bytes{port="67"') && r.stdout.includes('sockscope_udp_receive_queue_bytes{port="69"') ? r.stdout : undefined;
    }).catch((e: Error) => assert.fail(`${e.message}\n${last}`));
    const series = (port: number) =>
      text
        .split('\n')
        .filter((l) => /^sockscope_udp_(receive_queue_bytes|receive_buffer_fill_max|socket_drops_total)\{/.test(l) && l.includes(`port="${port}"`))
        .map((l) => l.replace(/ [\d.e+-]+$/, ''))
        .sort();
    assert.deepEqual(series(67), [
      'sockscope_udp_receive_buffer_fill_max{port="67",address="0.0.0.0%lo"}',
      'sockscope_udp_receive_buffer_fill_max{port="67",address="0.0.0.0%sscud0"}',
      'sockscope_udp_receive_queue_bytes{port="67",address="0.0.0.0%lo"}',
      'sockscope_udp_receive_queue_bytes{port="67",address="0.0.0.0%sscud0"}',
      'sockscope_udp_socket_drops_total{port="67",address="0.0.0.0%lo"}',
      'sockscope_udp_socket_drops_total{port="67",address="0.0.0.0%sscud0"}',
    ], text);
    // The lo socket holds the queue and the drops; the veth one none of them.
    assert.ok(sample(text, 'sockscope_udp_receive_queue_bytes', 67, '0.0.0.0%lo')! > 0, text);
    assert.ok(sample(text, 'sockscope_udp_socket_drops_total', 67, '0.0.0.0%lo')! > 0, text);
    assert.ok(sample(text, 'sockscope_udp_receive_buffer_fill_max', 67, '0.0.0.0%lo')! > 0.5, text);
    assert.equal(sample(text, 'sockscope_udp_receive_queue_bytes', 67, '0.0.0.0%sscud0'), 0, text);
    assert.equal(sample(text, 'sockscope_udp_socket_drops_total', 67, '0.0.0.0%sscud0'), 0, text);
    assert.equal(sample(text, 'sockscope_udp_receive_buffer_fill_max', 67, '0.0.0.0%sscud0'), 0, text);
    assert.deepEqual(series(69), [
      'sockscope_udp_receive_buffer_fill_max{port="69",address="0.0.0.0"}',
      'sockscope_udp_receive_queue_bytes{port="69",address="0.0.0.0"}',
      'sockscope_udp_socket_drops_total{port="69",address="0.0.0.0"}',
    ]);
    // The port's sockets are still counted together.
    assert.match(text, /^sockscope_sockets\{protocol="udp",port="67",state="CLOSE"\} 2$/m);
  });
}
