// The owners-not-found note is made for the whole collection; analyze --peer-port P collects the host's listeners
// and local port P too (they tell an accepted connection from one this host made), so a listener elsewhere whose
// owner is out of sight (another PID namespace, a kernel socket) was counted in a report about outgoing
// connections to P: "owners of 1 socket not found" under a report whose every socket had its owner. The report
// counts the note again over its own sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownerNotes } from '../../src/model/owner.js';
import { buildAnalyzeReport, buildStatesReport } from '../../src/report/analyze.js';
import { fakeSnapshot, listener, proc, tcp } from '../helpers/fake-snapshot.js';

test('analyze/analyze-states --peer-port: the owners-not-found note counts the scope\'s sockets, not the listeners collected beside them', () => {
  const unfound = listener('0.0.0.0:2024', 128, 0, [], { uid: 0, inode: 1143 });
  const served = listener('127.0.0.1:8080', 128, 0, [proc(10, 'web')], { uid: 0, inode: 1200 });
  const out = tcp('127.0.0.1:40000', '127.0.0.1:7062', 'ESTABLISHED', { uid: 0, inode: 1300, processes: [proc(11, 'client')] });
  const lost = tcp('127.0.0.1:40001', '127.0.0.1:7062', 'ESTABLISHED', { uid: 0, inode: 1301 });
  const make = (sockets: ReturnType<typeof tcp>[]) => {
    const snap = fakeSnapshot({ sockets }); // attribution of every socket, complete
    snap.notes.push(...ownerNotes(snap), 'auto: chose netlink');
    return snap;
  };
  const found = make([unfound, served, out]);
  assert.match(found.notes[0], /^owners of 1 socket not found/, 'the collection holds one');
  for (const notes of [buildAnalyzeReport(found, { peerPort: 7062 }).notes, buildStatesReport(found, { peerPort: 7062 }).notes]) {
    assert.deepEqual(notes, ['auto: chose netlink'], 'every socket of the scope has its owner');
  }
  // A socket of the scope whose owner was not found is counted, in the note's place.
  const one = make([unfound, served, out, lost]);
  assert.deepEqual(buildAnalyzeReport(one, { peerPort: 7062 }).notes.map((n) => n.slice(0, 30)), ['owners of 1 socket not found (', 'auto: chose netlink']);
  // The whole host: the collection is the report's.
  assert.match(buildAnalyzeReport(one, {}).notes[0], /^owners of 2 sockets not found/);
});
