// One test of "accept queue full" (acceptQueueIsFull in src/advise/rules/accept-queue.ts) for the
// accept-queue-full rule and the exporter's sockscope_listen_full_sockets: the two said it apart before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { acceptQueueIsFull } from '../../src/advise/rules/accept-queue.js';
import { SocketMetrics } from '../../src/export/metrics.js';
import { fakeSnapshot, listener } from '../helpers/fake-snapshot.js';

test('acceptQueueIsFull: past the backlog (sk_acceptq_is_full); without it only past somaxconn; never empty', () => {
  // Linux queues backlog + 1 (ack_backlog > max_ack_backlog is full): measured, listen(4) took a 5th
  // connection (ss Recv-Q 5 Send-Q 4) with no ListenOverflows.
  assert.equal(acceptQueueIsFull(4, 4, 4096), false, 'at the backlog there is room for one more');
  assert.equal(acceptQueueIsFull(5, 4, 4096), true);
  assert.equal(acceptQueueIsFull(128, 128, 4096), false);
  assert.equal(acceptQueueIsFull(129, 128, 4096), true);
  assert.equal(acceptQueueIsFull(127, 128, 64), false, 'a known backlog is the limit, whatever somaxconn');
  assert.equal(acceptQueueIsFull(1, 0, 4096), true, 'listen(fd, 0) queues one connection, then it is full');
  assert.equal(acceptQueueIsFull(0, 0, 4096), false);
  assert.equal(acceptQueueIsFull(0, null, 0), false);
  assert.equal(acceptQueueIsFull(7, null, 4096), false, 'backlog unknown (procfs, netstat): maybe full, not surely');
  assert.equal(acceptQueueIsFull(4096, null, 4096), false, 'a backlog of somaxconn still has room for one more');
  assert.equal(acceptQueueIsFull(4097, null, 4096), true);
  assert.equal(acceptQueueIsFull(5000, null, null), false, 'neither backlog nor somaxconn known');
});

test('the accept-queue-full rule and sockscope_listen_full_sockets agree on every listener', async () => {
  let port = 17100;
  let full = 0;
  let cases = 0;
  for (const somaxconn of ['4096', '128', null]) {
    const sockets = [];
    for (const backlog of [0, 1, 8, 128, 4096]) {
      for (const queue of [0, 1, 2, 7, 8, 9, 128, 129, 4096, 4097, 5000]) {
        for (const sendQUnknown of [false, true]) sockets.push(listener(`127.0.0.1:${port++}`, sendQUnknown ? 0 : backlog, queue, [], sendQUnknown ? { sendQUnknown } : {}));
      }
    }
    const snap = fakeSnapshot({ sockets, sysctls: { 'net.core.somaxconn': somaxconn } });
    const fired = new Set(evaluateRules(makeContext({ snapshot: snap })).filter((r) => r.id === 'accept-queue-full').map((r) => r.port));
    const m = new SocketMetrics();
    m.update(snap, []);
    const text = await m.text();
    for (const s of sockets) {
      const line = text.split('\n').find((l) => l.startsWith(`sockscope_listen_full_sockets{protocol="tcp",port="${s.local.port}",`));
      assert.ok(line, `a series for port ${s.local.port}`);
      const exported = line.endsWith(' 1');
      const what = `backlog ${s.sendQUnknown ? 'unknown' : s.sendQ}, queue ${s.recvQ}, somaxconn ${somaxconn}`;
      assert.equal(fired.has(s.local.port), exported, what);
      assert.equal(exported, acceptQueueIsFull(s.recvQ, s.sendQUnknown ? null : s.sendQ, somaxconn === null ? null : Number(somaxconn)), what);
      cases++;
      if (exported) full++;
    }
  }
  assert.ok(full > 20 && full < cases - 20, `${full} of ${cases} full`);
});
