// inspect-options on a socket of a process in another network namespace reads that namespace's net sysctls through an
// `nsenter --net=/proc/PID/ns/net` child. It runs through exec.ts's run() as every other child does: SOCKET_DEBUG
// lists it with its duration, output size and exit code. Needs root, unshare and nsenter (util-linux).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { holderLine } from '../helpers/holder-line.js';
import { BIN } from './getsockopt-helpers.js';

test('SOCKET_DEBUG lists the nsenter child that reads another namespace\'s sysctls', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root (unshare -n, nsenter)');
  const holder = `import socket, os, time
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
print(os.getpid(), l.fileno(), flush=True)
time.sleep(60)`;
  const line = await holderLine(t, ['unshare', '-n', 'python3', '-c', holder]);
  const [pid, fd] = line.trim().split(' ').map(Number);
  const r = spawnSync(process.execPath, [BIN, 'inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', 'SO_RCVBUF', '--json'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1', SOCKET_DEBUG: '1', SOCKET_DEBUG_FILE: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).sysctlsFrom, /read there with nsenter --net$/);
  const calls = r.stderr.split('\n').filter((l) => / exec nsenter /.test(l));
  assert.equal(calls.length, 1, r.stderr);
  assert.match(calls[0], new RegExp(`^\\[sockscope [^\\]]+\\] exec nsenter --net=/proc/${pid}/ns/net -- sh -c .* /proc/sys/net/ipv4/tcp_rmem .*\\d+\\.\\dms \\d+B exit=0$`));
});
