// The socket view's "process" line for a hidden owner on a --host: the ssh user's ss -p did not show it, so what
// names it is logging in there as root (or sudo there), not running this side as root (review s21 remote #4: the
// monitor's socket view still said "run as root or as uid 0" after the rules were fixed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noteRemoteViewer, setCellsFromRemote } from '../../src/model/owner.js';
import { socketLines } from '../../src/ui/socket-lines.js';
import { conn } from './fakes.js';

test('a remote socket of another user: "log in there as root, or use sudo there", never "run as root"', () => {
  setCellsFromRemote(true);
  // The one --host was read by its ssh user, uid 1000, with every owner looked up (ss -p).
  noteRemoteViewer('admin@web1', 1000, 'all');
  try {
    const s = conn(8080, '10.0.0.9', 40000, 'CLOSE_WAIT', undefined, { uid: 0, inode: 4242 });
    const line = socketLines(s, undefined, { attribution: 'all', source: 'remote' })
      .map((l) => l.text)
      .find((t) => /^\s*process\b/.test(t));
    assert.ok(line, 'a process line');
    assert.match(line, /hidden: a process of uid 0 \(another user's: log in there as root, or use sudo there, to name it\)/);
    assert.doesNotMatch(line, /run as root/);
    // One of several hosts (the socket carries its host's label): the same words.
    noteRemoteViewer('web2', 1000, 'all');
    const several = socketLines({ ...s, host: 'web2' }, undefined, { attribution: 'all', source: 'remote' })
      .map((l) => l.text)
      .find((t) => /^\s*process\b/.test(t));
    assert.match(several ?? '', /log in there as root, or use sudo there, to name it/);
  } finally {
    setCellsFromRemote(false);
  }
});
