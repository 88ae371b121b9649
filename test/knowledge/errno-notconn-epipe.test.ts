// ENOTCONN and EPIPE on Linux, measured on loopback sockets (notconn-epipe-probe.py next to this file): send() on a
// TCP socket with no connection (never connected, or refused) gives EPIPE and SIGPIPE, not ENOTCONN
// (tcp_sendmsg -> sk_stream_wait_connect returns EPIPE in CLOSE), and EAGAIN while a non-blocking connect() waits;
// recv(), getpeername() and shutdown() give ENOTCONN, and so does send() on an unconnected Unix stream socket. The
// ENOTCONN note said "Sending on a TCP socket before connect() finished, or after the connection failed".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { explainErrno, type ErrnoExplanation } from '../../src/knowledge/errno.js';

const PROBE = fileURLToPath(new URL('./notconn-epipe-probe.py', import.meta.url));
const note = (name: string): ErrnoExplanation => explainErrno(name).matches[0];

test('Linux: send() on an unconnected TCP socket is EPIPE (with SIGPIPE), recv/getpeername/shutdown ENOTCONN; the notes say so', { timeout: 30_000 }, () => {
  const r = spawnSync('python3', [PROBE], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.error, undefined, `python3 is required: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    never_send: 'EPIPE', never_recv: 'ENOTCONN', never_getpeername: 'ENOTCONN', never_shutdown: 'ENOTCONN',
    connect: 'ECONNREFUSED', failed_send: 'EPIPE', failed_recv: 'ENOTCONN', failed_getpeername: 'ENOTCONN',
    waiting_connect: 'EINPROGRESS', waiting_state: 2, waiting_send: 'EAGAIN', waiting_recv: 'EAGAIN',
    unix_stream_send: 'ENOTCONN', never_send_signal: 'SIGPIPE',
  });

  const notconn = note('ENOTCONN');
  // No cause says that sending on a TCP socket without a connection is ENOTCONN on Linux.
  assert.ok(!notconn.causes.some((c) => /^Sending on a TCP socket/.test(c)), notconn.causes.join('\n'));
  assert.ok(!notconn.calls.includes('send'), notconn.calls.join(', '));
  assert.ok(notconn.causes.some((c) => /^recv\(\) on a TCP socket that was never connected, or whose connect\(\) failed/.test(c)));
  assert.ok(notconn.causes.some((c) => /^getpeername\(\) on a socket that was never connected, whose connect\(\) failed/.test(c)));
  assert.ok(notconn.causes.some((c) => /^shutdown\(\) on a socket that was never connected/.test(c)));
  assert.ok(notconn.causes.some((c) => /^send\(\) on a Unix stream socket that is not connected\. On Linux a TCP socket in that state gives EPIPE to send\(\) \(see EPIPE\), and EAGAIN while a non-blocking connect\(\) is still in progress/.test(c)));

  const pipe = note('EPIPE');
  assert.match(pipe.meaning, /on Linux to a TCP socket that has no connection at all/);
  assert.ok(pipe.causes.some((c) => /^Linux: send\(\) or write\(\) on a TCP socket that was never connected, or whose connect\(\) failed .*EPIPE \(with SIGPIPE\).*EAGAIN/.test(c)), pipe.causes.join('\n'));
});
