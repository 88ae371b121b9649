// review-udp #3: the exporter's UDP counters carry IPv6 (Udp6 from /proc/net/snmp6) under family="ipv6",
// and per address:port UDP series (queue, fullest buffer, drops) are bounded as sockscope_sockets is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SocketMetrics } from '../../src/export/metrics.js';
import { fakeSnapshot, proc, udp } from '../helpers/fake-snapshot.js';

const skmem = (rmemAlloc: number, rcvbuf: number, drops: number) => ({ rmemAlloc, rcvbuf, wmemAlloc: 0, sndbuf: 212992, drops });

test('UDP kernel counters: one series per family, IPv6 from Udp6', async () => {
  const m = new SocketMetrics();
  m.update(fakeSnapshot({ snmp: { Udp: { InErrors: 10607, RcvbufErrors: 10607, SndbufErrors: 0, InCsumErrors: 0, MemErrors: 0 }, Udp6: { InErrors: 7600, RcvbufErrors: 7592, SndbufErrors: 0, InCsumErrors: 8, MemErrors: 0 } } }), []);
  const text = await m.text();
  assert.ok(text.includes('sockscope_udp_receive_buffer_errors_total{family="ipv4"} 10607'), text);
  assert.ok(text.includes('sockscope_udp_receive_buffer_errors_total{family="ipv6"} 7592'), text);
  assert.ok(text.includes('sockscope_udp_in_errors_total{family="ipv6"} 7600'));
  assert.ok(text.includes('sockscope_udp_checksum_errors_total{family="ipv6"} 8'));
  assert.ok(text.includes('sockscope_udp_memory_errors_total{family="ipv4"} 0'));
  // A host without snmp6 (no IPv6): only the IPv4 series.
  m.update(fakeSnapshot({ snmp: { Udp: { InErrors: 1, RcvbufErrors: 1 } } }), []);
  const v4 = await m.text();
  assert.ok(v4.includes('sockscope_udp_receive_buffer_errors_total{family="ipv4"} 1'));
  assert.ok(!v4.includes('family="ipv6"'), v4);
});

test('per address:port UDP series: summed over an SO_REUSEPORT group, the fullest buffer apart; clients on ephemeral ports left out', async () => {
  const m = new SocketMetrics();
  const member = (fd: number, q: number, rb: number, d: number) => udp('127.0.0.1:5002', { inode: 800 + fd, processes: [proc(7, 'srv', fd)], skmem: skmem(q, rb, d) });
  m.update(
    fakeSnapshot({
      sockets: [
        member(4, 15808, 16384, 371),
        member(5, 0, 212992, 0),
        member(6, 1000, 212992, 2),
        { ...udp('[::1]:5006', { skmem: skmem(7488, 8192, 1200) }), ipVersion: 6 },
        udp('0.0.0.0:514', { recvQ: 4096, drops: 9 }),
        // sendto() clients on ephemeral ports, and a connected socket: no series of their own.
        udp('0.0.0.0:47964', { skmem: skmem(0, 212992, 5) }),
        udp('0.0.0.0:35578', { skmem: skmem(0, 212992, 5) }),
        { ...udp('127.0.0.1:5000', { skmem: skmem(0, 212992, 1) }), peer: { address: '127.0.0.1', port: 53 } },
      ],
    }),
    [],
  );
  const lines = (await m.text()).split('\n').filter((l) => /^sockscope_udp_(receive_queue_bytes|receive_buffer_fill_max|socket_drops_total)\{/.test(l)).sort();
  assert.deepEqual(lines, [
    'sockscope_udp_receive_buffer_fill_max{port="5002",address="127.0.0.1"} 0.96484375',
    'sockscope_udp_receive_buffer_fill_max{port="5006",address="::1"} 0.9140625',
    'sockscope_udp_receive_queue_bytes{port="5002",address="127.0.0.1"} 16808',
    'sockscope_udp_receive_queue_bytes{port="5006",address="::1"} 7488',
    'sockscope_udp_receive_queue_bytes{port="514",address="0.0.0.0"} 4096',
    'sockscope_udp_socket_drops_total{port="5002",address="127.0.0.1"} 373',
    'sockscope_udp_socket_drops_total{port="5006",address="::1"} 1200',
    'sockscope_udp_socket_drops_total{port="514",address="0.0.0.0"} 9',
  ]);
  // The next snapshot without the service: its series are gone, not left at their last value.
  m.update(fakeSnapshot({ sockets: [] }), []);
  assert.ok(!(await m.text()).includes('port="5002"'));
});
