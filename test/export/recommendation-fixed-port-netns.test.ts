// sockscope_recommendation names a finding's local port by number when the port lies outside the ephemeral
// range (ip_local_port_range), as the rules' own grouping does (isServedLocalPort), whether or not
// sockscope_sockets names it in that collection (review s17 diff #1): 139deb3 named it only where
// sockscope_sockets did, so a server whose listener had gone with its CLOSE_WAIT left behind, and a UDP
// service socket connected to its client and dropping, were both exported under port="other", exactly when
// the number matters. Only ports inside the ephemeral range stay "other" (see
// recommendation-ephemeral-port-netns.test.ts). In a namespace of the test's own, a python3 holder leaves 20
// CLOSE_WAIT on 127.0.0.1:8080 (accepted, the listener closed, the clients closed) and floods a UDP socket on
// 127.0.0.1:5514 that is connected to its client and never read; the built exporter runs beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startCli } from '../helpers/exporter.js';
import { waitFor } from '../helpers/free-port.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const CODE = `
import threading
L = socket.socket(); L.bind(('127.0.0.1', 8080)); L.listen(64)
clients = [socket.create_connection(('127.0.0.1', 8080)) for i in range(20)]
accepted = [L.accept()[0] for i in range(20)]
L.close()
for c in clients: c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); u.bind(('127.0.0.1', 5514))
peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); peer.bind(('127.0.0.1', 0))
u.connect(peer.getsockname())
def flood():
    while True:
        for i in range(100): peer.sendto(b'q' * 200, ('127.0.0.1', 5514))
        time.sleep(0.25)
threading.Thread(target=flood, daemon=True).start()
`;

test('close-wait-accumulating on 8080 with its listener gone and udp-socket-drops on a connected socket on 5514 keep their port numbers', { timeout: 60_000 }, async (t) => {
  const ns = `sscfp-${process.pid}`;
  t.after(() => deleteNetns(ns));
  createNetns(ns);
  const holder = await netnsHolder(ns, CODE);
  t.after(() => holder.kill('SIGKILL'));
  const { child } = await startCli(['export', '--listen', '127.0.0.1:9464', '--interval', '200ms'], { file: 'ip', pre: ['netns', 'exec', ns, process.execPath] });
  t.after(() => child.kill('SIGKILL'));
  let last = '';
  const found = (id: string) => new RegExp(`^sockscope_recommendation\\{id="${id}",[^}]*\\} \\d+$`, 'm');
  const text = await waitFor('both findings in /metrics', () => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:9464/metrics'], { encoding: 'utf8' });
    last = r.stdout;
    return r.status === 0 && found('close-wait-accumulating').test(r.stdout) && found('udp-socket-drops').test(r.stdout) ? r.stdout : undefined;
  }).catch((e: Error) => assert.fail(`${e.message}\n${last}`));
  const recs = text.split('\n').filter((l) => l.startsWith('sockscope_recommendation{'));
  const all = recs.join('\n');
  assert.match(all, /^sockscope_recommendation\{id="close-wait-accumulating",severity="(warning|critical)",port="8080",peer_port=""\} 1$/m, all);
  assert.match(all, /^sockscope_recommendation\{id="udp-socket-drops",severity="warning",port="5514",peer_port=""\} 1$/m, all);
  assert.doesNotMatch(all, /port="other"/, all);
  // sockscope_sockets still sums both ports under "other": no listener on 8080, no unconnected socket on 5514.
  assert.doesNotMatch(text, /^sockscope_sockets\{[^}]*port="(8080|5514)"/m, text);
});
