// Which connections to a peer port are this host's outgoing ones (`--peer-port P`), and how a collection
// filtered on P keeps the listeners that tell (CollectOptions.withListeners): pure parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketsToPeerPort, summarizePeerPorts } from '../../src/model/aggregate.js';
import { listenersOnlyForDirection, portFilterOf } from '../../src/collect/source.js';
import { ssArgs } from '../../src/collect/ss.js';
import { portFilterBytecode, runPortBytecode } from '../../src/parse/inet-diag-request.js';
import { listener, tcp, udp } from '../helpers/fake-snapshot.js';

const RANGE = [32768, 60999] as const;

test('a SYN_RECV socket is incoming even when its listener is not in the sockets', () => {
  const half = tcp('127.0.0.1:47052', '127.0.0.1:47101', 'SYN_RECV');
  assert.deepEqual(socketsToPeerPort([half], 47101, undefined, undefined, RANGE), []);
  assert.deepEqual(summarizePeerPorts([half], RANGE), []);
  // A client's SYN_SENT on an ephemeral port is outgoing.
  const out = tcp('127.0.0.1:47101', '127.0.0.1:47052', 'SYN_SENT');
  assert.deepEqual(socketsToPeerPort([half, out], 47052, undefined, undefined, RANGE), [out]);
});

test('a connection accepted on a listening port inside the ephemeral range is incoming when the listener is there', () => {
  const accepted = tcp('127.0.0.1:47050', '127.0.0.1:47100', 'ESTABLISHED');
  assert.equal(socketsToPeerPort([accepted], 47100, undefined, undefined, RANGE).length, 1, 'without the listener it looks outgoing');
  const sockets = [listener('127.0.0.1:47050', 8), accepted];
  assert.deepEqual(socketsToPeerPort(sockets, 47100, undefined, undefined, RANGE), []);
  assert.deepEqual(summarizePeerPorts(sockets, RANGE), []);
  // UDP: a socket connected to a client on a served UDP port (47060 has an unconnected bound socket).
  const uc = udp('127.0.0.1:47060', { peer: { address: '127.0.0.1', port: 47102 }, state: 'ESTABLISHED' });
  assert.deepEqual(socketsToPeerPort([udp('127.0.0.1:47060'), uc], 47102, undefined, undefined, RANGE), []);
});

test('withListeners: the post-read filter keeps every listener with a peer-port filter, and the kernel filters match peer port 0', () => {
  const l = listener('127.0.0.1:47050', 8);
  const u = udp('127.0.0.1:47060');
  const to = tcp('127.0.0.1:40000', '10.0.0.1:5432', 'ESTABLISHED');
  const other = tcp('127.0.0.1:40001', '10.0.0.1:6379', 'ESTABLISHED');
  const keep = portFilterOf({ peerPort: 5432, withListeners: true })!;
  assert.deepEqual([l, u, to, other].filter(keep), [l, u, to]);
  assert.deepEqual([l, u, to, other].filter(portFilterOf({ peerPort: 5432 })!), [to]);
  // --port never asks for them.
  assert.deepEqual([l, u, to, other].filter(portFilterOf({ port: 40001, withListeners: true })!), [other]);
  assert.equal(portFilterOf({}), null);
  assert.equal(listenersOnlyForDirection({ peerPort: 5432, withListeners: true }), true);
  assert.equal(listenersOnlyForDirection({ peerPort: 5432 }), false);

  assert.deepEqual(ssArgs({ protocols: ['tcp', 'udp'], peerPort: 5432, withListeners: true }, false).slice(-7), ['dport', '=', ':5432', 'or', 'dport', '=', ':0']);
  assert.deepEqual(ssArgs({ protocols: ['tcp', 'udp'], peerPort: 5432 }, false).slice(-3), ['dport', '=', ':5432']);

  const bc = portFilterBytecode(undefined, 5432, true)!;
  assert.equal(runPortBytecode(bc, 47050, 0), true, 'a listener (no peer)');
  assert.equal(runPortBytecode(bc, 40000, 5432), true);
  assert.equal(runPortBytecode(bc, 40001, 6379), false);
  const plain = portFilterBytecode(undefined, 5432)!;
  assert.equal(runPortBytecode(plain, 47050, 0), false);
  // With a local port too (either matches).
  const both = portFilterBytecode(8080, 5432, true)!;
  assert.deepEqual([[8080, 1], [1, 5432], [1, 0], [1, 2]].map(([s, d]) => runPortBytecode(both, s, d)), [true, true, true, false]);
});
