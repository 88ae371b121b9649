// A process that closes fds and reuses their numbers (every busy server does) must never get a report that
// mixes two sockets: the header (inode, addresses, kernel view), the fd flags and the getsockopt values all
// describe one socket, or the report says that the fd changed hands and shows only that socket's kernel view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { inspectSocketOptions } from '../../src/collect/getsockopt.js';
import { compileFixture } from './getsockopt-helpers.js';

interface Swapper {
  pid: number;
  fd: number;
  tcp: { inode: number; port: number };
  udp: { inode: number; port: number };
}

test('fd 50 swapped between a TCP listener and a UDP socket every 200 us: no report mixes the two', { timeout: 120_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test borrows another process\'s sockets and must run as root (as the CI does)');
  const { exe, cleanup } = compileFixture('fd-swapper.c');
  const child = spawn(exe, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
    cleanup();
  });
  const p = await new Promise<Swapper>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fd-swapper did not start in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`fd-swapper exited with ${code}`)));
  });
  const byInode = new Map([
    [p.tcp.inode, { type: 1, kind: 'stream', port: p.tcp.port, protocol: 'tcp' }],
    [p.udp.inode, { type: 2, kind: 'dgram', port: p.udp.port, protocol: 'udp' }],
  ]);
  let read = 0;
  let refused = 0;
  for (let i = 0; i < 30; i++) {
    const r = await inspectSocketOptions({ pid: p.pid, fd: p.fd, options: ['SO_TYPE', 'SO_ACCEPTCONN'] });
    const want = byInode.get(r.inode!);
    assert.ok(want, `run ${i}: inode ${r.inode} is neither socket`);
    const what = `run ${i} (inode ${r.inode}, ${want.protocol}, ${r.method}: ${r.methodNote ?? ''})`;
    // The header: the kernel's view of that inode.
    assert.equal(r.kernelView?.inode, r.inode, what);
    assert.equal(r.kernelView?.protocol, want.protocol, what);
    assert.equal(r.socket.local, `127.0.0.1:${want.port}`, what);
    // The fd flags: read from an fdinfo whose ino is that socket, or left out.
    if (r.fdFlags.info?.ino !== undefined) assert.equal(r.fdFlags.info.ino, r.inode, what);
    if (r.method === 'pidfd_getfd') {
      read++;
      assert.equal(r.options[0].value, want.type, `${what}: SO_TYPE of the other socket`);
      assert.equal(r.socket.type, want.kind, what);
      assert.equal(r.options[1].value ?? false, want.protocol === 'tcp', `${what}: SO_ACCEPTCONN of the other socket`);
    } else {
      refused++;
      assert.match(r.methodNote!, /fd 50 of pid \d+ (now holds|held) another socket .*only the kernel's view of inode \d+ is shown/, what);
      assert.notEqual(r.options[0].source, 'getsockopt', `${what}: no getsockopt value in a refused read`);
      if (r.options[0].value !== undefined) assert.equal(r.options[0].value, want.type, `${what}: the kernel's view of the same socket`);
    }
  }
  // Both outcomes are answers; a test where nothing was ever read would prove nothing about the reads.
  assert.ok(read > 0, `no run read the socket with getsockopt (${refused} refused)`);
});
