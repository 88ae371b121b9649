// The ss source's unix run of names with a newline (diff-review-collect #5): its note says what such a
// name can still do (make up unix rows), and the first line of a name is not counted as an ss line
// that could not be read (no socket is missing for it). iproute2 6.1's output for one abstract socket
// named "a\nu_str LISTEN 0 9 /run/forged.sock 4242 * 0\nu_str LISTEN 0 9 @b".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamRunner } from '../../src/collect/exec.js';
import { SsSource } from '../../src/collect/ss.js';

const NEWLINE_RUN = 'u_str LISTEN 0      1      @a\nu_str LISTEN 0 9 /run/forged.sock 4242 * 0\nu_str LISTEN 0 9 @b 63849702 * 0 <-> peers:\n';

const runner: StreamRunner = async (_file, args, opts) => {
  // Only the unix run of names with a newline (src '*\n*', without '!') has output.
  if (args[0].includes('x') && !args.includes('!')) opts.onStdout(Buffer.from(NEWLINE_RUN));
  return { stderr: '', exitCode: 0 };
};

test('a name with a newline: the note says it can make up unix rows, and its partial line is not "could not be read"', async () => {
  // As on a host without netlink (this source's usual case): the rows are ss's text.
  const snap = await new SsSource('ss', runner, { kernelNewlineNames: async () => undefined }).collect({ processes: 'none', protocols: ['unix'] });
  assert.deepEqual(snap.sockets.map((s) => s.local.address).sort(), ['/run/forged.sock', '@b'], 'what ss printed: one real socket read as two rows');
  // Before: "1 line of ss output could not be read (sockets in them are missing from this snapshot)".
  assert.ok(!snap.notes.some((n) => /could not be read/.test(n)), snap.notes.join('\n'));
  const note = snap.notes.find((n) => /newline in/.test(n)) ?? '';
  // Before: "(they cannot add or hide any other socket)", which the forged row above disproves.
  assert.doesNotMatch(note, /cannot add or hide any other socket/);
  assert.match(note, /can make up unix rows here \(name, inode, owner\)/);
  assert.match(note, /cannot add a TCP or UDP socket, nor add or hide a unix socket whose name has no newline/);
});
