// A socket another user's process holds out of sight (not run as root) is told apart from one no process
// holds: analyze (text and JSON), sockscope --json, and the owner wording of the CLOSE_WAIT and
// accept-queue recommendations. The review (uid 1001, root's listener) saw "-" and process: null for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { buildAnalyzeReport } from '../../src/report/analyze.js';
import { formatAnalyzeReport } from '../../src/report/print-analyze.js';
import { AnalyzeReportSchema } from '../../src/report/schema.js';
import { buildSnapshotReport, SnapshotReportSchema } from '../../src/report/snapshot-report.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, incoming, listener, outgoing, tcp } from '../helpers/fake-snapshot.js';

const ME = process.getuid?.() ?? 0;
/** Another user's uid, whoever runs the tests. */
const OTHER = ME === 4242 ? 4243 : 4242;

/** What a non-root run reads: attribution incomplete (other users' processes hidden), every socket looked for or only listeners. */
function hiddenSnap(sockets: Snapshot['sockets'], scope: 'all' | 'listeners' = 'all'): Snapshot {
  const s = fakeSnapshot({ sockets });
  return { ...s, attribution: { scope, complete: false, hiddenProcesses: 66, note: '66 processes of other users are hidden: run as root to see them' } };
}

test('analyze: a listener of another user with no visible process reads "hidden uid N" and ownerHidden in JSON; TIME_WAIT stays "-"', () => {
  const snap = hiddenSnap([
    listener('127.0.0.1:18081', 16, 0, [], { uid: OTHER, inode: 11 }),
    tcp('127.0.0.1:18081', '127.0.0.1:40001', 'CLOSE_WAIT', { uid: OTHER, inode: 12, recvQ: 1 }),
    tcp('127.0.0.1:18081', '127.0.0.1:40002', 'TIME_WAIT', { uid: 0, inode: 0 }),
    // Port 18082: its own listener (this user's): not hidden, just not found.
    listener('127.0.0.1:18082', 16, 0, [], { uid: ME, inode: 13 }),
  ]);
  const r = buildAnalyzeReport(snap, { port: 18081 });
  AnalyzeReportSchema.parse(r);
  assert.deepEqual(r.listeners[0], { address: '127.0.0.1', port: 18081, protocol: 'tcp', backlog: 16, acceptQueue: 0, process: null, processes: [], ownerHidden: true, uid: OTHER });
  assert.deepEqual(r.hiddenOwnerUids, [OTHER]);
  assert.match(formatAnalyzeReport(r), new RegExp(`│ 0/16 +│ hidden uid ${OTHER} │`));
  const own = buildAnalyzeReport(snap, { port: 18082 });
  assert.equal(own.listeners[0].ownerHidden, false);
  assert.deepEqual(own.hiddenOwnerUids, []);
  // Not found, not hidden: '?' (09e721c: a listener has a socket file, so '-', no process holds it, is wrong).
  assert.match(formatAnalyzeReport(own), /│ 0\/16 +│ \? +│/);
  // Complete attribution (root): nobody's process is hidden, whatever the uid.
  const root = { ...snap, attribution: { scope: 'all' as const, complete: true, hiddenProcesses: 0 } };
  assert.equal(buildAnalyzeReport(root, { port: 18081 }).listeners[0].ownerHidden, false);
  // Outgoing connections (--peer-port): the Processes line says whose they are.
  const out = hiddenSnap(outgoing(2, '127.0.0.1', '127.0.0.1:5432', 'ESTABLISHED', { uid: OTHER }));
  const pr = buildAnalyzeReport(out, { peerPort: 5432 });
  assert.deepEqual(pr.hiddenOwnerUids, [OTHER]);
  assert.match(formatAnalyzeReport(pr), new RegExp(`^Processes: hidden uid ${OTHER}$`, 'm'));
});

test('sockscope --json: ports, listeners and outgoing say ownerHidden (additive: processes stay [])', () => {
  const snap = hiddenSnap([
    listener('127.0.0.1:18081', 16, 0, [], { uid: OTHER, inode: 11 }),
    tcp('127.0.0.1:8080', '10.0.0.9:50000', 'TIME_WAIT', { uid: 0, inode: 0 }),
    ...outgoing(1, '127.0.0.1', '127.0.0.1:5432', 'ESTABLISHED', { uid: OTHER, inode: 14 }),
  ]);
  const doc = buildSnapshotReport(snap, []);
  SnapshotReportSchema.parse(doc);
  const p = doc.ports.find((x) => x.port === 18081)!;
  assert.deepEqual([p.processes, p.ownerHidden, p.hiddenOwnerUids], [[], true, [OTHER]]);
  assert.deepEqual(p.listeners[0], { address: '127.0.0.1', backlog: 16, acceptQueue: 0, processes: [], ownerHidden: true, uid: OTHER });
  const tw = doc.ports.find((x) => x.port === 8080)!;
  assert.deepEqual([tw.processes, tw.ownerHidden, tw.hiddenOwnerUids], [[], false, []], 'TIME_WAIT only: no process holds it');
  const o = doc.outgoing.find((x) => x.peerPort === 5432)!;
  assert.deepEqual([o.ownerHidden, o.hiddenOwnerUids], [true, [OTHER]]);
});

const cw = (snap: Snapshot) => evaluateRules(makeContext({ snapshot: snap })).find((r) => r.id === 'close-wait-accumulating')!;

test('close-wait-accumulating: a hidden owner names its uid; one merely not attributed in this view points to analyze', () => {
  // The monitor's home view as uid 1001 with root's leaky server: listeners attributed only, root's hidden.
  const hidden = hiddenSnap([listener('0.0.0.0:81', 128, 0, [], { uid: OTHER, inode: 1 }), ...incoming(12, '10.0.0.1:81', 'CLOSE_WAIT', { uid: OTHER, inode: 2 })], 'listeners');
  assert.match(cw(hidden).message, new RegExp(`^12 sockets in CLOSE_WAIT on tcp port 81: the owning process \\(hidden: another user's, uid ${OTHER}; run as root or as uid ${OTHER} to name it\\) does not close`));
  // This user's own server in the home view, its listener's owner not read yet: the connections were not
  // looked for; analyze names them.
  const mine = hiddenSnap([listener('0.0.0.0:82', 128, 0, [], { uid: ME, inode: 5 }), ...incoming(12, '10.0.0.1:82', 'CLOSE_WAIT', { uid: ME, inode: 3 })], 'listeners');
  assert.match(cw(mine).message, /: the owning process \(not attributed in this view: sockscope analyze --port 82 names it\) does not close/);
  assert.doesNotMatch(cw(mine).message, /collect with every socket attributed/);
  const mineOut = hiddenSnap(outgoing(12, '10.0.0.1', '10.9.9.9:5432', 'CLOSE_WAIT', { uid: ME, inode: 4 }), 'listeners');
  assert.match(cw(mineOut).message, /\(not attributed in this view: sockscope analyze --peer-port 5432 names it\)/);
  // Every socket looked for, the process of this user not found: not hidden.
  const gone = { ...mine, attribution: { ...mine.attribution, scope: 'all' as const } };
  assert.match(cw(gone).message, /: an unknown process does not close/);
});

test('accept-queue-full: a hidden listener owner names its uid', () => {
  const snap = hiddenSnap([listener('127.0.0.1:18090', 4, 5, [], { uid: OTHER, inode: 9 })]);
  const r = evaluateRules(makeContext({ snapshot: snap })).find((x) => x.id === 'accept-queue-full')!;
  assert.match(r.message, new RegExp(`; the owning process \\(hidden: another user's, uid ${OTHER}; run as root or as uid ${OTHER} to name it\\) does not accept fast enough`));
});
