// inspect-options printed its `kernel view:` line only with socket memory (netlink skmem), while --json had the
// procfs view (recvQ, kernelViewSource "procfs"): with --source procfs, and for a process in another network
// namespace (its view from /proc/PID/net), the text had no line, though Missing said where the view came from. The
// line now says what is known (recv-q, send-q, timer) and that there is no skmem. procfs prints 0 for a listener's
// backlog (sendQUnknown): the line says send-q unknown, and 2 connections waiting on listen(2) are no longer called
// "accept queue full ... with a backlog of 0". Real sockets on loopback. The second test needs root and unshare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine } from '../helpers/holder-line.js';
import { sockscope } from '../collect/getsockopt-helpers.js';

// A listener with backlog 2 and two connections it has not accepted: its pid, fd and port.
const HOLDER = `
import socket, os, time
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(2)
cs = [socket.create_connection(l.getsockname()) for _ in range(2)]
time.sleep(0.2)
print(os.getpid(), l.fileno(), l.getsockname()[1], flush=True)
time.sleep(60)`;

interface Doc {
  unusual: string[];
  kernelView?: { state: string; recvQ: number; sendQ: number; sendQUnknown?: boolean; skmem?: unknown };
  kernelViewSource?: string;
  missing: string[];
}

test('--source procfs: the kernel view line without skmem, send-q unknown for a listener, no false full queue', { timeout: 60_000 }, async (t) => {
  const [pid, fd] = (await holderLine(t, ['python3', '-c', HOLDER])).split(' ').map(Number);
  const args = ['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', 'TCP_NODELAY', '--source', 'procfs'];
  const j = sockscope([...args, '--json']);
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as Doc;
  assert.equal(doc.kernelViewSource, 'procfs');
  assert.equal(doc.kernelView?.state, 'LISTEN');
  assert.equal(doc.kernelView?.recvQ, 2);
  assert.equal(doc.kernelView?.sendQUnknown, true);
  assert.equal(doc.kernelView?.skmem, undefined);
  assert.ok(!doc.unusual.some((u) => /accept queue full/.test(u)), doc.unusual.join('\n'));

  const text = sockscope(args);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^kernel view: recv-q 2, send-q unknown, no skmem \(socket memory\)  \[procfs\]$/m);
  assert.doesNotMatch(text.stdout, /accept queue full/);
});

test('a listener in another network namespace: the kernel view line from /proc/PID/net', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root (unshare -n)');
  const [pid, fd] = (await holderLine(t, ['unshare', '-n', 'sh', '-c', 'ip link set lo up; exec python3 -c "$0"', HOLDER])).split(' ').map(Number);
  const args = ['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', 'TCP_NODELAY'];
  const j = sockscope([...args, '--json']);
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as Doc;
  assert.equal(doc.kernelView?.recvQ, 2);
  assert.ok(doc.kernelViewSource, j.stdout);
  const text = sockscope(args);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`the kernel view comes from /proc/${pid}/net`));
  const line = text.stdout.split('\n').find((l) => l.startsWith('kernel view: '));
  assert.ok(line, text.stdout);
  assert.match(line, /^kernel view: recv-q 2, send-q (unknown|2), /);
  assert.ok(line.endsWith(`  [${doc.kernelViewSource}]`), line);
});
