// Two TCP listeners on 0.0.0.0:P each bound to its own interface (SO_BINDTODEVICE) are two services, not an
// SO_REUSEPORT group (review s17 export #4): they were merged into one series address="0.0.0.0" with
// listen_sockets 2 and their backlogs summed. The listener series now write the address with %DEVICE, as for
// an IPv6 zone, when the collector names the device (netlink's idiag_if, ss's "%dev"). In a namespace of the
// test's own (lo and a veth end), a python3 holder binds them, and an unbound SO_REUSEPORT pair that stays one
// series; the built exporter runs beside them with each source that names devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startCli } from '../helpers/exporter.js';
import { waitFor } from '../helpers/free-port.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const CODE = `
def listen(port, backlog, dev=None, reuse=False):
    s = socket.socket()
    if dev: s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev)
    if reuse: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(('0.0.0.0', port)); s.listen(backlog); return s
held = [listen(7100, 5, b'lo'), listen(7100, 7, b'sscbd0'), listen(7200, 3, reuse=True), listen(7200, 4, reuse=True)]
`;

for (const source of ['netlink', 'ss']) {
  test(`--source ${source}: listeners on 0.0.0.0:P bound to different interfaces are series apart; an SO_REUSEPORT pair stays one`, { timeout: 60_000 }, async (t) => {
    const ns = `sscbd-${source}-${process.pid}`;
    t.after(() => deleteNetns(ns));
    createNetns(ns, [['link', 'add', 'sscbd0', 'type', 'veth', 'peer', 'name', 'sscbd1'], ['link', 'set', 'sscbd0', 'up'], ['link', 'set', 'sscbd1', 'up']]);
    const holder = await netnsHolder(ns, CODE);
    t.after(() => holder.kill('SIGKILL'));
    const { child } = await startCli(['export', '--listen', '127.0.0.1:9464', '--interval', '200ms', '--source', source], { file: 'ip', pre: ['netns', 'exec', ns, process.execPath] });
    t.after(() => child.kill('SIGKILL'));
    const text = await waitFor('the listeners in /metrics', () => {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:9464/metrics'], { encoding: 'utf8' });
      return r.status === 0 && r.stdout.includes('port="7100"') && r.stdout.includes('port="7200"') ? r.stdout : undefined;
    });
    const series = (port: number) =>
      text
        .split('\n')
        .filter((l) => /^sockscope_listen_(backlog|sockets)\{/.test(l) && l.includes(`port="${port}"`))
        .sort();
    assert.deepEqual(series(7100), [
      'sockscope_listen_backlog{protocol="tcp",port="7100",address="0.0.0.0%lo"} 5',
      'sockscope_listen_backlog{protocol="tcp",port="7100",address="0.0.0.0%sscbd0"} 7',
      'sockscope_listen_sockets{protocol="tcp",port="7100",address="0.0.0.0%lo"} 1',
      'sockscope_listen_sockets{protocol="tcp",port="7100",address="0.0.0.0%sscbd0"} 1',
    ]);
    assert.deepEqual(series(7200), ['sockscope_listen_backlog{protocol="tcp",port="7200",address="0.0.0.0"} 7', 'sockscope_listen_sockets{protocol="tcp",port="7200",address="0.0.0.0"} 2']);
    // The port's sockets are still counted together.
    assert.match(text, /^sockscope_sockets\{protocol="tcp",port="7100",state="LISTEN"\} 2$/m);
  });
}
