// Which socket `inspect-options --pid N --socket-fd FD` reads when N or FD is not what it seems: a thread id
// given as the pid, a process or fd that does not exist, an fd that is not a socket, a socket never bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { inspectSocketOptions } from '../../src/collect/getsockopt.js';
import { explainPidfdError } from '../../src/collect/getsockopt-borrow.js';
import { NoSuchSocketError } from '../../src/collect/getsockopt-target.js';
import { compileFixture, sockscope } from '../collect/getsockopt-helpers.js';

/** Starts a program that prints one JSON line when ready and waits until stdin closes. */
async function startHolder<T>(t: { after: (fn: () => void) => void }, file: string, args: string[], cleanup = () => {}): Promise<T> {
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
    cleanup();
  });
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start in 10 s`)), 10_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

test('a thread id as --pid: read through its process (pidfd_open takes no thread id), and the report says so', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test borrows another process\'s sockets and must run as root (as the CI does)');
  const { exe, cleanup } = compileFixture('thread-holder.c');
  const h = await startHolder<{ pid: number; tid: number; fd: number; port: number }>(t, exe, [], cleanup);
  assert.notEqual(h.tid, h.pid);
  const r = await inspectSocketOptions({ pid: h.tid, fd: h.fd, options: ['TCP_NODELAY'] });
  assert.equal(r.method, 'pidfd_getfd', r.methodNote);
  assert.equal(r.pid, h.tid);
  assert.equal(r.threadOf, h.pid);
  assert.equal(r.options[0].value, true);
  assert.equal(r.socket.local, `127.0.0.1:${h.port}`);
  const txt = sockscope(['inspect-options', '--pid', String(h.tid), '--socket-fd', String(h.fd), '--options', 'TCP_NODELAY']);
  assert.equal(txt.status, 0, txt.stderr);
  assert.match(txt.stdout, new RegExp(`^pid ${h.tid} \\(a thread of process ${h.pid}: thread-holder, uid 0\\) fd ${h.fd}, inode ${r.inode}$`, 'm'));
  assert.match(txt.stdout, new RegExp(`^read with: pidfd_getfd \\+ getsockopt \\(a duplicate of the fd borrowed through process ${h.pid}, whose fds its threads share, read only, closed at once\\)$`, 'm'));
  assert.match(txt.stdout, /^TCP_NODELAY +on \(1\)$/m);
  assert.doesNotMatch(txt.stdout, /ENOENT|fallback/);
  // Where pidfd_open itself meets a thread id (ENOENT since Linux 6.9, EINVAL before), the sentence says what to do.
  const ctx = { pid: h.tid, fd: 3, targetUid: 0, ourUid: 0, ptraceScope: null, kernel: '6.18' };
  assert.match(explainPidfdError('pidfd_open', 'ENOENT', ctx), new RegExp(`pid ${h.tid} is not a process \\(a thread id\\? the Tgid line of /proc/${h.tid}/status names its process\\)`));
  assert.match(explainPidfdError('pidfd_open', 'EINVAL', ctx), /is not a process/);
});

test('no such process, no such fd, an fd that is not a socket: exit 1, one line that starts with the flag, nothing on stdout', { timeout: 60_000 }, async (t) => {
  const { exe, cleanup } = compileFixture('thread-holder.c');
  const h = await startHolder<{ pid: number; fd: number; pipeFd: number }>(t, exe, [], cleanup);
  const cases: [string[], RegExp][] = [
    [['--pid', String(2 ** 22), '--socket-fd', '3'], new RegExp(`^sockscope: --pid: no process with pid ${2 ** 22} \\(it may have exited\\)\\n$`)],
    [['--pid', String(h.pid), '--socket-fd', '987'], new RegExp(`^sockscope: --socket-fd: pid ${h.pid} has no fd 987 \\(ls -l /proc/${h.pid}/fd lists its fds\\)\\n$`)],
    [['--pid', String(h.pid), '--socket-fd', String(h.pipeFd)], new RegExp(`^sockscope: --socket-fd: fd ${h.pipeFd} of pid ${h.pid} is not a socket \\(it is pipe:\\[\\d+\\]\\)\\n$`)],
  ];
  for (const [args, message] of cases) {
    for (const json of [[], ['--json']]) {
      const r = sockscope(['inspect-options', ...args, ...json]);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      // As every command on an error: stdout is the command's own output only (the task interface is the one that answers errors in JSON).
      assert.equal(r.stdout, '', args.join(' '));
    }
  }
  // The library and the task interface name the field: pid, socketFd.
  await assert.rejects(inspectSocketOptions({ pid: h.pid, fd: h.pipeFd }), (e: unknown) => e instanceof NoSuchSocketError && e.field === 'socketFd' && /^socketFd: fd \d+ of pid \d+ is not a socket/.test(e.message));
  await assert.rejects(inspectSocketOptions({ pid: 2 ** 22, fd: 0 }), (e: unknown) => e instanceof NoSuchSocketError && e.field === 'pid');
});

test('a socket never bound or connected is open, not "closed meanwhile": the kernel lists no socket without an address', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test borrows another process\'s sockets and must run as root (as the CI does)');
  const h = await startHolder<{ pid: number; tcp: number; udp: number }>(t, 'python3', [
    '-c',
    'import json, os, socket, sys\nt = socket.socket(); u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\nprint(json.dumps({"pid": os.getpid(), "tcp": t.fileno(), "udp": u.fileno()}), flush=True)\nsys.stdin.read()',
  ]);
  for (const [fd, local] of [[h.tcp, '0.0.0.0:0'], [h.udp, '[::]:0']] as const) {
    const r = await inspectSocketOptions({ pid: h.pid, fd, options: ['SO_TYPE'] });
    assert.equal(r.method, 'pidfd_getfd', r.methodNote);
    assert.equal(r.socket.local, local);
    assert.equal(r.socket.state, 'CLOSE');
    assert.ok(r.missing.some((m) => m === `the collector did not list inode ${r.inode}: the socket is open but was never bound or connected (${local}), and the kernel lists only sockets with an address (no skmem, timers or queues to show)`), r.missing.join('\n'));
    assert.ok(!r.missing.some((m) => /closed meanwhile/.test(m)), r.missing.join('\n'));
  }
});
