// analyze --port P on a port whose only socket is a connected UDP one printed an empty TCP "Listeners (none)"
// table before "Connected UDP sockets (1)" (review s18): README says the TCP Listeners table is left out on a
// port that has only UDP sockets, and it was, for a bound socket only. Real loopback sockets, the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, connect, type AddressInfo } from 'node:net';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const analyze = (port: number) => spawnSync(BIN, ['analyze', '--port', String(port)], { encoding: 'utf8', timeout: 30_000 });

test('analyze --port: a port with only a connected UDP socket has no TCP Listeners table; one with a TCP connection keeps it', { timeout: 60_000 }, async (t) => {
  const peer = createSocket('udp4');
  const client = createSocket('udp4');
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => client.connect(peer.address().port, '127.0.0.1', r));
  t.after(() => {
    client.close();
    peer.close();
  });
  const only = analyze(client.address().port);
  assert.equal(only.status, 0, only.stderr);
  assert.match(only.stdout, /^Connected UDP sockets \(1\)/m, only.stdout);
  assert.doesNotMatch(only.stdout, /^Listeners$/m, only.stdout);

  // A TCP port with connections and no listener (its listener closed): the empty Listeners table says so.
  const srv = createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const c = connect(port, '127.0.0.1');
  await new Promise<void>((r) => srv.once('connection', () => r()));
  // close() stops listening at once; its callback would wait for the accepted connection to end.
  srv.close();
  t.after(() => c.destroy());
  await new Promise((r) => setTimeout(r, 100));
  const tcp = analyze(port);
  assert.equal(tcp.status, 0, tcp.stderr);
  assert.match(tcp.stdout, /^Listeners\n {2}\(none\)/m, tcp.stdout);
});
