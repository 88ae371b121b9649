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
