// inspectOptions() on a TCP listener bound to [::] carries ipv4Listeners (the IPv4 listeners on its port, which
// say whether IPV6_V6ONLY leaves IPv4 clients without one), as inspect-options --json does; the exported
// InspectOptionsReportSchema must keep it: zod strips a key its schema does not know (review-api #1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { inspectOptions } from '../../src/api/inspect.js';
import { InspectOptionsReportSchema } from '../../src/api/result-schemas.js';

function listen(host: string, port: number, ipv6Only = false): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host, port, ipv6Only }, () => resolve(s));
  });
}
const fdOf = (s: Server) => (s as unknown as { _handle: { fd: number } })._handle.fd;
const close = (s: Server) => new Promise((r) => s.close(r));

test('[::] listener beside 0.0.0.0: ipv4Listeners is in the report and survives InspectOptionsReportSchema.parse', async () => {
  const v4 = await listen('0.0.0.0', 0);
  const port = (v4.address() as { port: number }).port;
  const v6 = await listen('::', port, true);
  try {
    const report = await inspectOptions({ pid: process.pid, socketFd: fdOf(v6), options: ['IPV6_V6ONLY'], source: 'netlink' });
    assert.deepEqual(report.ipv4Listeners, [`0.0.0.0:${port}`]);
    const doc = JSON.parse(JSON.stringify(report));
    assert.deepEqual(InspectOptionsReportSchema.parse(doc), doc, 'the schema stripped a field');
  } finally {
    await close(v6);
    await close(v4);
  }
});

test('[::] listener alone: ipv4Listeners is [] and survives the schema', async () => {
  const v6 = await listen('::', 0, true);
  try {
    const report = await inspectOptions({ pid: process.pid, socketFd: fdOf(v6), options: ['IPV6_V6ONLY'], source: 'netlink' });
    assert.deepEqual(report.ipv4Listeners, []);
    const doc = JSON.parse(JSON.stringify(report));
    assert.deepEqual(InspectOptionsReportSchema.parse(doc), doc, 'the schema stripped a field');
  } finally {
    await close(v6);
  }
});
