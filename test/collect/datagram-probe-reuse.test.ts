// debug-connections --udp with several addresses: the readings that do not depend on the address (this host's UDP
// sockets connected to the port, the port's TCP listeners after a refusal) are collected once for the whole probe;
// the port's UDP sockets are still read before and after each datagram (their drop counters). The real collector,
// its collect() calls counted; real datagrams on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { probeDatagrams } from '../../src/collect/datagram-probe.js';
import type { ProbeResult } from '../../src/collect/connect-probe.js';
import { createSource } from '../../src/collect/index.js';
import type { CollectOptions, SocketSource } from '../../src/collect/source.js';

function counting(source: SocketSource): { source: SocketSource; calls: CollectOptions[] } {
  const calls: CollectOptions[] = [];
  return { calls, source: { name: source.name, collect: (opts?: CollectOptions) => (calls.push(opts ?? {}), source.collect(opts)) } };
}

test('two refused local addresses: one reading of the connected UDP sockets and one of the TCP listeners, UDP port readings around each datagram', { timeout: 60_000 }, async (t) => {
  // A port with nothing bound (bound, then closed), and a UDP socket connect()ed to 127.0.0.1 on it.
  const probe = createSocket('udp4');
  await new Promise<void>((res) => probe.bind(0, '127.0.0.1', () => res()));
  const port = probe.address().port;
  probe.close();
  const peer = createSocket('udp4');
  t.after(() => peer.close());
  await new Promise<void>((res) => peer.connect(port, '127.0.0.1', () => res()));

  const c = counting(createSource('auto'));
  const result: ProbeResult = { host: 'test', port, timeoutMs: 2000, resolution: { addresses: ['127.0.0.1', '127.0.0.2'], ms: 0 }, addresses: [], verdict: { ok: false, summary: '', nextSteps: [] } };
  const r = await probeDatagrams({ host: 'test', port, timeoutMs: 2000, udp: true }, result, [
    { address: '127.0.0.1', family: 4 },
    { address: '127.0.0.2', family: 4 },
  ], c.source);

  assert.deepEqual(r.addresses.map((a) => a.connect.errno), ['ECONNREFUSED', 'ECONNREFUSED']);
  // Counted per address from the one reading: the connected socket is 127.0.0.1's.
  assert.deepEqual(r.addresses.map((a) => a.existing?.udpConnected), [1, 0]);
  const connectedReads = c.calls.filter((o) => o.peerPort === port);
  const listenerReads = c.calls.filter((o) => o.protocols?.includes('tcp'));
  const portReads = c.calls.filter((o) => o.port === port && o.protocols?.includes('udp'));
  assert.equal(connectedReads.length, 1, 'the UDP sockets connected to the port are read once, not once per address');
  assert.equal(listenerReads.length, 1, 'the TCP listeners of the port are read once, not once per refused address');
  assert.equal(portReads.length, 4, 'the UDP sockets on the port: before and after each of the two datagrams');
});
