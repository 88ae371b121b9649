// buffers --peer-port P is this host's outgoing connections to P, as analyze --peer-port (product.md). Its
// collection, filtered on the peer port, held no listener, so a connection this host accepted on a listening
// port inside the ephemeral range was taken for an outgoing one: `buffers --peer-port 47100` (47100 a client's
// source port) judged the server's accepted socket 127.0.0.1:47050 -> 127.0.0.1:47100. In a namespace of the
// test's own, on loopback, with the netlink and ss sources. Needs root and iproute2 (as CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { netnsWithHolder } from '../helpers/netns.js';

const NS = `sockscope-bppin-${process.pid}`;
const HOLDER = `
def bound(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', port)); return s
l = bound(47050); l.listen(8)
c = bound(47100); c.connect(('127.0.0.1', 47050)); a, _ = l.accept()
c.sendall(b'x' * 1000); a.recv(1000)
time.sleep(0.3)`;

const connections = (peerPort: number, source: string): string[] => {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'bin/sockscope', 'buffers', '--peer-port', String(peerPort), '--source', source, '--json'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { connections: { local: string; peer: string }[] }).connections.map((c) => `${c.local} -> ${c.peer}`);
};

test('buffers --peer-port judges no connection this host accepted (a listening port inside the ephemeral range)', async (t) => {
  await netnsWithHolder(t, NS, HOLDER);
  for (const source of ['netlink', 'ss']) {
    assert.deepEqual(connections(47100, source), [], `${source}: the accepted socket is not an outgoing connection to 47100`);
    assert.deepEqual(connections(47050, source), ['127.0.0.1:47100 -> 127.0.0.1:47050'], `${source}: the client's connection to 47050 is`);
  }
});
