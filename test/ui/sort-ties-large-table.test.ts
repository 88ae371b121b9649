// Diff review s26 of 6b0d6d17: ids that tie compared by compareIds (digit runs as numbers) at every size made the
// peer groups' sorts 2-3.5x slower at 100,000 groups, every refresh. Above NUMERIC_ID_TIES_MAX_ROWS rows the ids tie
// as plain text (as before 6b0d6d17); the home order (peer groups: by sockets) still breaks ties first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PEER_GROUP_SORTS, type PeerGroupRow } from '../../src/ui/tables/peers.js';
import { NUMERIC_ID_TIES_MAX_ROWS, sortRows } from '../../src/ui/tables/sorting.js';

const group = (address: string, total: number): PeerGroupRow =>
  ({ id: `peer ${address}`, address, protocol: 'tcp', states: { ESTABLISHED: total, CLOSE_WAIT: 0 }, total, recvQ: 0, sendQ: 0 }) as unknown as PeerGroupRow;

/** count groups: 10.0.x.y, every other one with 2 sockets; none with CLOSE_WAIT. */
function groups(count: number): PeerGroupRow[] {
  return Array.from({ length: count }, (_, i) => group(`10.0.${i >> 8}.${i & 255}`, 1 + (i % 2)));
}

const byCloseWait = { index: PEER_GROUP_SORTS.findIndex((d) => d.id === 'closewait'), reversed: false };
const ids = (rows: PeerGroupRow[]) => sortRows(rows, PEER_GROUP_SORTS, byCloseWait, (r) => r.id).map((r) => r.id);

test('a small table: tied peer groups by sockets, then by address as numbers (10.0.0.9 before 10.0.0.10)', () => {
  const out = ids(groups(NUMERIC_ID_TIES_MAX_ROWS).reverse());
  assert.deepEqual(out.slice(0, 3), ['peer 10.0.0.1', 'peer 10.0.0.3', 'peer 10.0.0.5']);
  assert.ok(out.indexOf('peer 10.0.0.9') < out.indexOf('peer 10.0.0.11'));
});

test('above NUMERIC_ID_TIES_MAX_ROWS rows: still by sockets first, then the addresses as text (10.0.0.11 before 10.0.0.9)', () => {
  const out = ids(groups(NUMERIC_ID_TIES_MAX_ROWS + 1).reverse());
  assert.equal(out.length, NUMERIC_ID_TIES_MAX_ROWS + 1);
  assert.deepEqual(out.slice(0, 3), ['peer 10.0.0.1', 'peer 10.0.0.101', 'peer 10.0.0.103']);
  assert.ok(out.indexOf('peer 10.0.0.11') < out.indexOf('peer 10.0.0.9'));
  // Every 2-socket group before every 1-socket group (the home order, sockets ↓).
  const firstOne = out.findIndex((id) => Number(id.split('.').pop()) % 2 === 0);
  assert.ok(out.slice(firstOne).every((id) => Number(id.split('.').pop()) % 2 === 0));
});
