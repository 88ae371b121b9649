// The getsockopt helper against a real process (C, compiled here) whose sockets have known options:
// inspectSocketOptions must report exactly what the process itself reads back with getsockopt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectSocketOptions, resolveOptionNames } from '../../src/collect/getsockopt.js';
import { explainPidfdError } from '../../src/collect/getsockopt-borrow.js';
import { UnknownOptionError } from '../../src/knowledge/socket-options.js';
import { asC, startKnownOptions } from './getsockopt-helpers.js';

test('inspectSocketOptions reads what the owning process reads back, for every socket', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test reads another process\'s sockets and must run as root (as the CI does)');
  const p = await startKnownOptions('reno');
  t.after(() => p.stop());
  for (const s of Object.values(p.sockets)) {
    const r = await inspectSocketOptions({ pid: p.pid, fd: s.fd });
    assert.equal(r.method, 'pidfd_getfd', `${s.label}: ${r.methodNote}`);
    const got = Object.fromEntries(r.options.filter((o) => o.value !== undefined).map((o) => [o.name, asC(o.value)]));
    for (const [name, expected] of Object.entries(s.options)) {
      if (expected === -99999) continue; // the C program could not read it either
      const reading = r.options.find((o) => o.name === name)!;
      if (reading.missing?.startsWith('not applicable')) continue; // e.g. SO_LINGER on UDP: readable, meaningless
      assert.deepEqual(got[name], expected, `${s.label} ${name}`);
    }
    assert.equal(r.inode !== undefined && r.inode > 0, true);
    assert.ok(r.fdFlags.info, 'fd flags from /proc/PID/fdinfo');
    assert.equal(r.fdFlags.info!.nonblock, false);
  }
  // The values the issue names, spelled out.
  const l4 = (await inspectSocketOptions({ pid: p.pid, fd: p.sockets['tcp4-listener'].fd })).options;
  const v = (n: string) => l4.find((o) => o.name === n)?.value;
  assert.equal(v('SO_RCVBUF'), 524288); // 262144 doubled by the kernel
  assert.equal(v('TCP_NODELAY'), true);
  assert.equal(v('SO_KEEPALIVE'), true);
  assert.equal(v('TCP_KEEPIDLE'), 30);
  assert.equal(v('SO_REUSEPORT'), true);
  assert.deepEqual(v('SO_LINGER'), { onoff: true, seconds: 5 });
  assert.equal(v('TCP_CONGESTION'), 'reno');
  const l6 = (await inspectSocketOptions({ pid: p.pid, fd: p.sockets['tcp6-listener'].fd, options: ['IPV6_V6ONLY', 'tcp_info'] })).options;
  assert.deepEqual(
    l6.map((o) => o.name),
    ['IPV6_V6ONLY', 'TCP_INFO'],
  );
  assert.equal(l6[0].value, true);
  assert.equal((l6[1].value as { state: string }).state, 'LISTEN');
});

test('options that do not apply to a socket say so instead of failing', { timeout: 30_000 }, async (t) => {
  const p = await startKnownOptions();
  t.after(() => p.stop());
  const r = await inspectSocketOptions({ pid: p.pid, fd: p.sockets.udp4.fd, options: ['TCP_NODELAY', 'SO_BROADCAST', 'IPV6_V6ONLY'] });
  assert.match(r.options[0].missing!, /not applicable: TCP only/);
  assert.equal(r.options[1].value, true);
  assert.match(r.options[2].missing!, /AF_INET6/);
  assert.equal(r.socket.protocol, 'udp');
});

test('unknown option names and missing processes or fds are errors', async () => {
  assert.throws(() => resolveOptionNames(['SO_RCVBUF', 'SO_NOPE']), UnknownOptionError);
  assert.deepEqual(resolveOptionNames(['so_rcvbuf', 'nodelay']).map((o) => o.name), ['SO_RCVBUF', 'TCP_NODELAY']);
  await assert.rejects(inspectSocketOptions({ pid: 2 ** 22 + 1, fd: 0 }), /no process/);
  await assert.rejects(inspectSocketOptions({ pid: process.pid, fd: 987654 }), /has no fd/);
});

test('pidfd failures are explained: permission, old kernel, exited process, closed fd', () => {
  const ctx = { pid: 10, fd: 3, targetUid: 0, ourUid: 1000, ptraceScope: '1', kernel: '5.4.0' };
  assert.match(explainPidfdError('pidfd_getfd', 'EPERM', ctx), /needs root \(CAP_SYS_PTRACE\) or the same user with ptrace allowed; pid 10 runs as uid 0 and sockscope as uid 1000; kernel.yama.ptrace_scope=1/);
  assert.match(explainPidfdError('pidfd_open', 'ENOSYS', ctx), /kernel 5.4.0 is older than Linux 5.6/);
  assert.match(explainPidfdError('pidfd_open', 'ESRCH', ctx), /has exited/);
  assert.match(explainPidfdError('pidfd_getfd', 'EBADF', ctx), /no fd 3 any more/);
});
