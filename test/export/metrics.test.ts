// The exporter's metrics (SocketMetrics) from a synthetic snapshot: untrusted text in labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SocketMetrics } from '../../src/export/metrics.js';
import { fakeSnapshot, listener } from '../helpers/fake-snapshot.js';

test('a hostname with terminal escape sequences is escaped in the host label (curl /metrics in a terminal)', async () => {
  // Set in a UTS namespace: printf 'ev\033[2Jil"h\\o' > /proc/sys/kernel/hostname; the exporter printed the raw ESC.
  const m = new SocketMetrics();
  // And a listener on a link-local address whose interface name (allowed by the kernel) carries an escape.
  const scoped = listener('127.0.0.1:17002', 8);
  const zoned = { ...scoped, ipVersion: 6 as const, local: { address: 'fe80::1', port: 17002, scope: 'v\u001b[31m0' } };
  m.update({ ...fakeSnapshot({ sockets: [listener('127.0.0.1:17001', 64), zoned] }), hostname: 'ev\u001b[2Jil"h\\o\u009b' }, []);
  const text = await m.text();
  const line = text.split('\n').find((l) => l.startsWith('sockscope_source_info{'))!;
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text), `control character in the exposition: ${JSON.stringify(line)}`);
  // escapeControl's text (as the monitor shows it), then the exposition format's own escaping of \ and ".
  assert.equal(line, 'sockscope_source_info{source="fixture",host="ev\\\\x1b[2Jil\\"h\\\\\\\\o\\\\u009b"} 1');
  assert.ok(text.includes('sockscope_listen_backlog{protocol="tcp",port="17002",address="fe80::1%v\\\\x1b[31m0"} 8'), text);
});

test('listener gauges: backlog 0 fills at its one queued connection, a backlog the source cannot see is full only at somaxconn', async () => {
  const m = new SocketMetrics();
  const procfs = { sendQUnknown: true };
  m.update(
    fakeSnapshot({
      sockets: [listener('127.0.0.1:17010', 0, 1), listener('127.0.0.1:17010', 8, 2), listener('127.0.0.1:17011', 0, 4097, [], procfs), listener('127.0.0.1:17012', 0, 7, [], procfs)],
      sysctls: { 'net.core.somaxconn': '4096' },
    }),
    [],
  );
  const text = await m.text();
  const v = (name: string, port: number) => text.split('\n').find((l) => l.startsWith(`${name}{protocol="tcp",port="${port}",address="127.0.0.1"} `))?.split(' ')[1];
  assert.equal(v('sockscope_listen_accept_queue_fill_max', 17010), '1', 'listen(fd, 0) holding its one connection is full, not infinitely full');
  assert.equal(v('sockscope_listen_full_sockets', 17010), '1');
  assert.equal(v('sockscope_listen_backlog', 17010), '8');
  assert.equal(v('sockscope_listen_full_sockets', 17011), '1', 'a queue past somaxconn is full whatever the backlog');
  assert.equal(v('sockscope_listen_full_sockets', 17012), '0');
  for (const port of [17011, 17012]) {
    assert.equal(v('sockscope_listen_backlog', port), undefined, 'no backlog series when the source cannot see it (procfs, netstat)');
    assert.equal(v('sockscope_listen_accept_queue_fill_max', port), undefined);
  }
});

test('sockscope_recommendation counts the findings of one rule, severity and port (two processes near their fd limit are 2)', async () => {
  // Review: two process-near-fd-limit findings (pids 19919, 19809) in --json showed as one series with value 1.
  const m = new SocketMetrics();
  const rec = (pid: number) => ({ id: 'process-near-fd-limit', severity: 'warning' as const, scope: 'host' as const, pid, message: `pid ${pid}`, evidence: '', fix: '' });
  m.update(fakeSnapshot({ sockets: [listener('0.0.0.0:8080', 511)] }), [rec(19919), rec(19809), { ...rec(1), id: 'close-wait-accumulating', scope: 'port' as const, protocol: 'tcp' as const, port: 8080 }]);
  const text = await m.text();
  assert.ok(text.includes('sockscope_recommendation{id="process-near-fd-limit",severity="warning",port="",peer_port=""} 2'), text);
  assert.ok(text.includes('sockscope_recommendation{id="close-wait-accumulating",severity="warning",port="8080",peer_port=""} 1'), text);
  // A new update replaces the counts rather than adding to them.
  m.update(fakeSnapshot({ sockets: [] }), [rec(19919)]);
  assert.ok((await m.text()).includes('sockscope_recommendation{id="process-near-fd-limit",severity="warning",port="",peer_port=""} 1'));
});

test('UDP sockets on ephemeral ports (clients that send without connect) are summed under port="other"', async () => {
  // Measured (review): five Python sendto() clients made five sockscope_sockets{protocol="udp",port="4xxxx"}
  // series, new ones at every restart, though the help says non-listening ports go to "other".
  const { udp } = await import('../helpers/fake-snapshot.js');
  const m = new SocketMetrics();
  const clients = [47964, 35578, 32922].map((p) => udp(`0.0.0.0:${p}`));
  m.update(fakeSnapshot({ sockets: [udp('0.0.0.0:5353'), ...clients, listener('127.0.0.1:40000', 16)], sysctls: { 'net.ipv4.ip_local_port_range': '32768\t60999' } }), []);
  const text = await m.text();
  const udpLines = text.split('\n').filter((l) => l.startsWith('sockscope_sockets{protocol="udp"'));
  assert.deepEqual(udpLines, ['sockscope_sockets{protocol="udp",port="5353",state="CLOSE"} 1', 'sockscope_sockets{protocol="udp",port="other",state="CLOSE"} 3']);
  // A TCP listener on an ephemeral port is folded into "other" until it has stayed (a port-0 listener of a test
  // or a client library made ~16 new series each); then it is a server's wherever its port lies.
  assert.ok(text.includes('sockscope_sockets{protocol="tcp",port="other",state="LISTEN"} 1'), text);
  assert.ok(!text.includes('port="40000"'), text);
  const aged = new SocketMetrics({ ephemeralListenerMinAgeMs: 0 });
  aged.update(fakeSnapshot({ sockets: [listener('127.0.0.1:40000', 16)], sysctls: { 'net.ipv4.ip_local_port_range': '32768\t60999' } }), []);
  assert.ok((await aged.text()).includes('sockscope_sockets{protocol="tcp",port="40000",state="LISTEN"} 1'));
  // With a narrowed range the same port is a server's.
  const m2 = new SocketMetrics();
  m2.update(fakeSnapshot({ sockets: clients, sysctls: { 'net.ipv4.ip_local_port_range': '50000\t60999' } }), []);
  assert.ok((await m2.text()).includes('sockscope_sockets{protocol="udp",port="35578",state="CLOSE"} 1'));
});

test('accept_queue_fill_max is over the capacity the kernel queues (backlog + 1): 1 is full for every backlog', async () => {
  // Review: with fill = Recv-Q / backlog, listen(4) holding 4 read 1 ("full") while the kernel still took a
  // fifth connection, and listen_full_sockets said 0: an alert on fill >= 1 fired one connection early.
  const m = new SocketMetrics();
  m.update(fakeSnapshot({ sockets: [listener('127.0.0.1:17013', 4, 4), listener('127.0.0.1:17014', 4, 5), listener('127.0.0.1:17015', 0, 1)] }), []);
  const text = await m.text();
  const v = (name: string, port: number) => text.split('\n').find((l) => l.startsWith(`${name}{protocol="tcp",port="${port}",address="127.0.0.1"} `))?.split(' ')[1];
  assert.deepEqual([17013, 17014, 17015].map((p) => [v('sockscope_listen_accept_queue_fill_max', p), v('sockscope_listen_full_sockets', p)]), [
    ['0.8', '0'],
    ['1', '1'],
    ['1', '1'],
  ]);
});
