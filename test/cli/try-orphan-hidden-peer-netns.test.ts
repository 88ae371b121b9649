// try bind on a port held by FIN_WAIT2 orphans whose peers are on this host in CLOSE_WAIT in a root process, run as a
// user who cannot see that process: --json had each holder's peerEnd {local, state: 'CLOSE_WAIT', processes: []}, and
// the summary, the next steps and the text said nothing of it (95be81e named only a peer whose process was listed;
// review s17 diff #2). The peer is said, held by a process of uid 0 out of this user's sight, with its uid in peerEnd
// and a next step to name it. In a namespace of this test. Needs root (as CI), iproute2, python3, setpriv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { netnsWithHolder } from '../helpers/netns.js';
import { closeWaitClients } from '../helpers/orphans.js';

const CLIENT = closeWaitClients(8012);

test('FIN_WAIT2 orphans whose CLOSE_WAIT peers are held by a process hidden from this user: the peer is said, with its uid', { timeout: 60_000 }, async (t) => {
  const ns = `sockscope-orhp-${process.pid}`;
  await netnsWithHolder(t, ns, CLIENT);
  const r = sockscope(['try', 'bind', '127.0.0.1:8012', '--json'], { netns: ns, uid: 65534 });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { call: { errno?: string }; context: { holders: { state: string; peer?: string; peerEnd?: { local: string; state: string; processes: unknown[]; uid?: number } }[] }; interpretation: { summary: string; nextSteps: string[] } };
  assert.equal(doc.call.errno, 'EADDRINUSE');
  assert.deepEqual(
    doc.context.holders.map((h) => [h.state, h.peerEnd?.local === h.peer, h.peerEnd?.state, h.peerEnd?.processes, h.peerEnd?.uid]),
    [
      ['FIN_WAIT2', true, 'CLOSE_WAIT', [], 0],
      ['FIN_WAIT2', true, 'CLOSE_WAIT', [], 0],
    ],
  );
  const s = doc.interpretation.summary;
  assert.match(s, /an orphan \(its program closed it; its FIN was sent and acknowledged, and it waits for the peer's FIN; its peer 127\.0\.0\.1:\d+ is on this host in CLOSE_WAIT, held by a process of uid 0 \(not visible to this user\), which has not closed it\)/, s);
  const step = doc.interpretation.nextSteps.find((x) => x.includes('CLOSE_WAIT'));
  assert.ok(step, doc.interpretation.nextSteps.join('\n'));
  const q = /holds the other end, 127\.0\.0\.1:(\d+), in CLOSE_WAIT/.exec(step)?.[1];
  assert.ok(q, step);
  assert.match(step, /^a process of uid 0 \(not visible to this user\) holds the other end/, step);
  assert.ok(step.includes('as root') && step.includes(`sockscope analyze --port ${q}`), step);
  const text = sockscope(['try', 'bind', '127.0.0.1:8012'], { netns: ns, uid: 65534 }).stdout;
  assert.match(text, /is on this host in CLOSE_WAIT, held by a process of uid 0 \(not visible to this user\)/, text);
  assert.ok(text.includes(`sockscope analyze --port ${q}`), text);
});
