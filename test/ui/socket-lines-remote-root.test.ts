// The socket view's process line on a --host read as root there (review s23 #3, 0fa0e65c): its ss -p read every
// process, yet a held socket without an owner said "another user's process without root". Its own file: the
// remote readers noted (noteRemoteViewer) are process-wide, and another test's non-root host would count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noteHostComplete, noteRemoteViewer, setCellsFromRemote } from '../../src/model/owner.js';
import { socketLines } from '../../src/ui/socket-lines.js';
import { conn } from './fakes.js';

test('a remote host read as root: "not found, with every process read as root there"', () => {
  setCellsFromRemote(true);
  noteRemoteViewer('root@web1', 0, 'all');
  try {
    const held = conn(8080, '10.0.0.9', 40001, 'ESTABLISHED', undefined, { inode: 4243 });
    const line = (x: Parameters<typeof socketLines>[0]) =>
      socketLines(x, undefined, { attribution: 'all', source: 'remote' })
        .map((l) => l.text)
        .find((t) => /^\s*process\b/.test(t)) ?? '';
    assert.match(line(held), /not found, with every process read as root there/);
    assert.doesNotMatch(line(held), /without root/);
    // Its uid known (0) and root there: not hidden, the same words.
    assert.match(line({ ...held, uid: 0 }), /not found, with every process read as root there/);
    // One of several hosts: that host's own reading decides (web3 complete, web4 not).
    noteHostComplete('web3', true);
    noteHostComplete('web4', false);
    assert.match(line({ ...held, host: 'web3' }), /not found, with every process read as root there/);
    assert.match(line({ ...held, host: 'web4' }), /another user's process without root/);
  } finally {
    setCellsFromRemote(false);
  }
});
