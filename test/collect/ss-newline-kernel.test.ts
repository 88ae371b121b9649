// The ss source with a real unix socket whose name forges a unix record (diff-review-collect #5):
// where netlink unix_diag answers, the rows of names with a newline are the kernel's, so the forged
// /run/forged.sock row with the inode 4242 of the name's choosing is gone and the real socket keeps
// its real name and inode. Without the kernel the rows stay ss's text (ss-newline-note.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readlinkSync } from 'node:fs';
import { dumpSockets } from '../../src/collect/netlink-dumps.js';
import { SsSource } from '../../src/collect/ss.js';

const haveSs = spawnSync('ss', ['-V']).status === 0;
const kernel = await dumpSockets({ protocols: ['unix'] }).then(
  (r) => r.notes.length === 0,
  () => false,
);

test('a name holding a whole unix record adds no row where the kernel names those sockets', { skip: !haveSs ? 'ss is not installed' : !kernel ? 'no netlink unix_diag here' : false, timeout: 60_000 }, async () => {
  const tag = `sst${process.pid}`;
  const name = `${tag}a\nu_str LISTEN 0 9 /run/forged-${tag}.sock 4242 * 0\nu_str LISTEN 0 9 @${tag}b`;
  const server = createServer();
  await new Promise<void>((r) => server.listen(`\0${name}`, r));
  try {
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    const inode = Number(/socket:\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${fd}`))![1]);
    const snap = await new SsSource().collect({ processes: 'none', protocols: ['unix'] });
    const mine = snap.sockets.filter((s) => s.local.address.includes(tag));
    // Before: two rows, '/run/forged-….sock' (inode 4242) and '@…b' (the real inode under a wrong name).
    // Node binds an abstract name padded with NULs to the whole sun_path, which ss and unix_diag show as '@'.
    assert.deepEqual(mine.map((s) => [s.local.address.replace(/@+$/, ''), s.inode, s.state]), [[`@${name}`, inode, 'LISTEN']]);
    // Another test file running at the same time may hold such a socket too ("2 unix sockets have ...").
    assert.ok(snap.notes.some((n) => /unix sockets? (has|have) a newline in (its|their) name: .*read from the kernel \(netlink unix_diag\)/.test(n)), snap.notes.join('\n'));
    assert.ok(!snap.notes.some((n) => /could not be read/.test(n)), snap.notes.join('\n'));
  } finally {
    server.close();
  }
});
