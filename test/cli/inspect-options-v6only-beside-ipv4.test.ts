// inspect-options on an IPv6-only [::] listener, opened here on loopback: with a 0.0.0.0 listener on the same
// port (the usual two-socket setup) IPV6_V6ONLY is not "Unusual"; alone on its port it is (review-ipv6 #9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { formatInspect, inspectJson, runInspect } from '../../src/cli/commands/inspect-options-run.js';

function listen(host: string, port: number, ipv6Only = false): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host, port, ipv6Only }, () => resolve(s));
  });
}
const fdOf = (s: Server) => (s as unknown as { _handle: { fd: number } })._handle.fd;
const close = (s: Server) => new Promise((r) => s.close(r));

for (const source of ['netlink', 'procfs']) {
  test(`0.0.0.0:P beside an IPv6-only [::]:P: IPV6_V6ONLY is not unusual, the meaning names the IPv4 listener (--source ${source})`, async () => {
    const v4 = await listen('0.0.0.0', 0);
    const port = (v4.address() as { port: number }).port;
    const v6 = await listen('::', port, true);
    try {
      const r = await runInspect({ pid: process.pid, 'socket-fd': fdOf(v6), options: 'IPV6_V6ONLY', source });
      const text = formatInspect(r);
      assert.doesNotMatch(text, /! IPV6_V6ONLY/, text);
      assert.match(text, new RegExp(`IPv4 clients are served by another socket: 0\\.0\\.0\\.0:${port}`));
      assert.deepEqual((inspectJson(r) as { unusual: string[] }).unusual.filter((u) => /V6ONLY/.test(u)), []);
    } finally {
      await close(v6);
      await close(v4);
    }
  });
}

test('an IPv6-only [::] listener alone on its port: IPv4 clients are refused, said as unusual', async () => {
  const v6 = await listen('::', 0, true);
  const port = (v6.address() as { port: number }).port;
  try {
    const r = await runInspect({ pid: process.pid, 'socket-fd': fdOf(v6), options: 'IPV6_V6ONLY', source: 'netlink' });
    assert.match(formatInspect(r), new RegExp(`! IPV6_V6ONLY on a \\[::\\] listener and no IPv4 listener on port ${port}: IPv4 clients are refused`));
  } finally {
    await close(v6);
  }
});

test('an IPv6-only [::] listener beside 127.0.0.1:P only: IPv4 clients of the other addresses are refused, said as unusual (review s23 #1)', async () => {
  const v4 = await listen('127.0.0.1', 0);
  const port = (v4.address() as { port: number }).port;
  const v6 = await listen('::', port, true);
  try {
    const r = await runInspect({ pid: process.pid, 'socket-fd': fdOf(v6), options: 'IPV6_V6ONLY', source: 'netlink' });
    const text = formatInspect(r);
    assert.match(text, new RegExp(`IPv4 clients are served by another socket only on 127\\.0\\.0\\.1:${port}`), text);
    assert.match(text, new RegExp(`! IPV6_V6ONLY on a \\[::\\] listener, and the IPv4 listeners on port ${port} are bound to 127\\.0\\.0\\.1 only \\(no 0\\.0\\.0\\.0:${port}\\): IPv4 clients connecting to any other address`), text);
    assert.equal((inspectJson(r) as { unusual: string[] }).unusual.filter((u) => /V6ONLY/.test(u)).length, 1);
  } finally {
    await close(v6);
    await close(v4);
  }
});
