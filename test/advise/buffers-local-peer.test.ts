// A connection that only received, with no delivery rate on either end: "from a remote peer" only when the
// peer is remote. The review saw it for a loopback client that had sent and closed (its end a FIN_WAIT2
// socket without tcp_info).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionBuffers } from '../../src/advise/buffers.js';
import { tcp } from '../helpers/fake-snapshot.js';

const received = { rttUs: 18, bytesReceived: 51, bytesSent: 0, bytesAcked: 1 };

test('receiving only, no rate: a remote peer, a local peer found without tcp_info, a local peer not listed', () => {
  const remote = connectionBuffers(tcp('10.0.0.1:8080', '203.0.113.9:40000', 'ESTABLISHED', { tcpInfo: received }));
  assert.equal(remote.verdict, 'no delivery rate (this side only receives from a remote peer): give --bandwidth to size it');
  const server = tcp('127.0.0.1:18081', '127.0.0.1:38626', 'CLOSE_WAIT', { tcpInfo: received });
  const closedClient = tcp('127.0.0.1:38626', '127.0.0.1:18081', 'FIN_WAIT2');
  assert.equal(connectionBuffers(server, undefined, closedClient).verdict, 'no delivery rate: this side only receives, and its local peer (127.0.0.1:38626, FIN_WAIT2) has measured none (closed, or not sending): give --bandwidth to size it');
  assert.equal(connectionBuffers(server).verdict, 'no delivery rate: this side only receives, and its local peer is not in the socket list (closed, or in another network namespace): give --bandwidth to size it');
});
