// inspect-options on a socket whose owner is not visible (another user's process, read without privilege): --json
// gave `process: {}` although README documents process: {name, uid} and the kernel view had the owner's uid, and the
// text said only "owning process not visible, inode N". process.uid is now the kernel's (the name stays unknown) and
// the text says "hidden uid 0", as try's holder lines do. A root listener on loopback read as nobody (setpriv); needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine } from '../helpers/holder-line.js';
import { sockscope } from '../collect/getsockopt-helpers.js';

const HOLDER = `
import socket, os, time
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(4)
print(os.getpid(), l.getsockname()[1], flush=True)
time.sleep(60)`;

test("an owner out of sight: process.uid from the kernel view, and the text says hidden uid 0 (real sockets)", { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root (a root listener, read as nobody with setpriv)');
  const [, port] = (await holderLine(t, ['python3', '-c', HOLDER])).split(' ').map(Number);
  const args = ['inspect-options', '--port', String(port), '--options', 'SO_TYPE'];
  const j = sockscope([...args, '--json'], { uid: 65534 });
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as { pid: number | null; method: string; process: { name?: string; uid?: number }; kernelView?: { uid?: number }; inode: number };
  assert.equal(doc.pid, null);
  assert.equal(doc.method, 'fallback');
  assert.equal(doc.kernelView?.uid, 0);
  assert.deepEqual(doc.process, { uid: 0 });

  const text = sockscope(args, { uid: 65534 });
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout.split('\n')[0], `owning process not visible (hidden uid 0), inode ${doc.inode}`);
});
