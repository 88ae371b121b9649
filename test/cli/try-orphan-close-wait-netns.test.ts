// try bind on a port held by FIN_WAIT2 orphans (the server closed its connections and exited; their peers, on this
// host, are in CLOSE_WAIT in another process that never closes them) said "an orphan (its program closed it; the
// kernel is still sending its data and FIN)": FIN_WAIT1's words; a FIN_WAIT2 orphan's FIN was sent and acknowledged
// and it waits for the peer's FIN, which the CLOSE_WAIT end's process never sends (review s17 #7). In a namespace of
// this test. Needs root (as CI), iproute2, python3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { netnsWithHolder } from '../helpers/netns.js';
import { closeWaitClients } from '../helpers/orphans.js';

const CLIENT = closeWaitClients(8010);

test('FIN_WAIT2 orphans whose peers are in CLOSE_WAIT here: worded for FIN_WAIT2, and the CLOSE_WAIT holder named', { timeout: 60_000 }, async (t) => {
  const ns = `sockscope-orcw-${process.pid}`;
  const holder = await netnsWithHolder(t, ns, CLIENT);
  const r = sockscope(['try', 'bind', '127.0.0.1:8010', '--json'], { netns: ns });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { call: { errno?: string }; context: { holders: { state: string; peerEnd?: { state: string; processes: { pid: number }[] } }[] }; interpretation: { summary: string; nextSteps: string[] } };
  assert.equal(doc.call.errno, 'EADDRINUSE');
  assert.deepEqual(doc.context.holders.map((h) => [h.state, h.peerEnd?.state, h.peerEnd?.processes[0]?.pid]), [['FIN_WAIT2', 'CLOSE_WAIT', holder.pid], ['FIN_WAIT2', 'CLOSE_WAIT', holder.pid]]);
  const s = doc.interpretation.summary;
  assert.match(s, /held by no process: an orphan \(its program closed it; its FIN was sent and acknowledged, and it waits for the peer's FIN; its peer 127\.0\.0\.1:\d+ is on this host in CLOSE_WAIT, held by pid (\d+) \(python3\), which has not closed it\)/, s);
  assert.doesNotMatch(s, /still sending its data and FIN/);
  assert.ok(doc.interpretation.nextSteps.some((x) => x.startsWith(`pid ${holder.pid} (python3) holds the other end, 127.0.0.1:`) && x.includes('CLOSE_WAIT')), doc.interpretation.nextSteps.join('\n'));
  const text = sockscope(['try', 'bind', '127.0.0.1:8010'], { netns: ns }).stdout;
  assert.match(text, new RegExp(`CLOSE_WAIT, held by pid ${holder.pid} \\(python3\\)`), text);
});
