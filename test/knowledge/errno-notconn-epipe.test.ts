// ENOTCONN and EPIPE on Linux, measured on loopback sockets (notconn-epipe-probe.py next to this file): send() on a
// TCP socket with no connection (never connected, or whose blocking connect() was refused or timed out) gives EPIPE
// (and SIGPIPE: checked on the never-connected one), not ENOTCONN (tcp_sendmsg -> sk_stream_wait_connect returns EPIPE
// in CLOSE), and EAGAIN while a
// non-blocking connect() waits; recv(), getpeername() and shutdown() give ENOTCONN, and so does send() on an
// unconnected Unix stream socket. A failed non-blocking connect() (the event-loop case) differs: the kernel does not
// disconnect the socket, so the first send() or recv() returns the pending ECONNREFUSED/ETIMEDOUT (unless SO_ERROR
// took it), then send() gives EPIPE and recv() 0, never ENOTCONN. The notes said recv() gives ENOTCONN whenever
// connect() failed, and send() EPIPE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { explainErrno, type ErrnoExplanation } from '../../src/knowledge/errno.js';

const PROBE = fileURLToPath(new URL('./notconn-epipe-probe.py', import.meta.url));
const note = (name: string): ErrnoExplanation => explainErrno(name).matches[0];

test('Linux: send() on an unconnected TCP socket is EPIPE (with SIGPIPE), recv/getpeername/shutdown ENOTCONN, except after a failed non-blocking connect(); the notes say so', { timeout: 40_000 }, () => {
  const r = spawnSync('python3', [PROBE], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.error, undefined, `python3 is required: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    never_send: 'EPIPE', never_recv: 'ENOTCONN', never_getpeername: 'ENOTCONN', never_shutdown: 'ENOTCONN',
    connect: 'ECONNREFUSED', failed_send: 'EPIPE', failed_recv: 'ENOTCONN', failed_getpeername: 'ENOTCONN',
    failed_shutdown: 'ENOTCONN',
    // non-blocking, refused: [first call, second call]; getpeername() and shutdown() leave the pending error
    nb_refused_send: ['ECONNREFUSED', 'EPIPE'], nb_refused_recv: ['ECONNREFUSED', 'eof'],
    nb_refused_getpeername_shutdown_send: ['ENOTCONN', 'ENOTCONN', 'ECONNREFUSED'],
    nb_refused_so_error: 'ECONNREFUSED', nb_refused_after_so_error: ['EPIPE', 'eof'],
    waiting_connect: 'EINPROGRESS', waiting_state: 2, waiting_send: 'EAGAIN', waiting_recv: 'EAGAIN',
    nb_timedout_send: ['ETIMEDOUT', 'EPIPE'], nb_timedout_recv: ['ETIMEDOUT', 'eof'],
    timedout_connect: 'ETIMEDOUT', timedout_send_recv: ['EPIPE', 'ENOTCONN'],
    unix_stream_send: 'ENOTCONN', never_send_signal: 'SIGPIPE',
  });

  const notconn = note('ENOTCONN');
  // No cause says that sending on a TCP socket without a connection is ENOTCONN on Linux.
  assert.ok(!notconn.causes.some((c) => /^Sending on a TCP socket/.test(c)), notconn.causes.join('\n'));
  assert.ok(!notconn.calls.includes('send'), notconn.calls.join(', '));
  // recv() gives ENOTCONN only when a blocking connect() failed; after a non-blocking one, the pending error, then 0.
  assert.ok(!notconn.causes.some((c) => /recv\(\) on a TCP socket that was never connected, or whose connect\(\) failed/.test(c)), notconn.causes.join('\n'));
  assert.ok(notconn.causes.some((c) => /^recv\(\) on a TCP socket that was never connected, or whose blocking connect\(\) failed \(ECONNREFUSED, ETIMEDOUT\)\. After a non-blocking connect\(\) failed, recv\(\) gives no ENOTCONN: the first call returns the pending error \(ECONNREFUSED, ETIMEDOUT\) unless getsockopt\(SO_ERROR\) took it already, and later calls return 0/.test(c)), notconn.causes.join('\n'));
  assert.ok(notconn.causes.some((c) => /^getpeername\(\) on a socket that was never connected, whose connect\(\) failed \(blocking or not/.test(c)));
  assert.ok(notconn.causes.some((c) => /^shutdown\(\) on a socket that was never connected, or whose connect\(\) failed \(blocking or not\)/.test(c)));
  assert.ok(notconn.causes.some((c) => /^send\(\) on a Unix stream socket that is not connected\. On Linux a TCP socket in that state gives EPIPE to send\(\) \(see EPIPE\), and EAGAIN while a non-blocking connect\(\) is still in progress/.test(c)));

  const pipe = note('EPIPE');
  assert.match(pipe.meaning, /on Linux to a TCP socket that has no connection at all/);
  assert.ok(pipe.causes.some((c) => /^Linux: send\(\) or write\(\) on a TCP socket that was never connected, or whose connect\(\) failed: .*EPIPE \(with SIGPIPE\).*After a blocking connect\(\) failed \(ECONNREFUSED, ETIMEDOUT\), the first send\(\) already gets EPIPE\. After a non-blocking connect\(\) failed \(event loops\), the first send\(\) or recv\(\) returns the pending error, ECONNREFUSED or ETIMEDOUT, unless getsockopt\(SO_ERROR\) took it already; only the send\(\) calls after that get EPIPE\..*EAGAIN/.test(c)), pipe.causes.join('\n'));
});
