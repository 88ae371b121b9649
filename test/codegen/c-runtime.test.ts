// Generated C servers at run time on Linux: each event loop (epoll, poll, select, io_uring, and the
// POSIX side of the portable poll/select files) is built with -Werror and exercised by real clients
// (see c-runtime.ts and harness.ts). kqueue runs in c-kqueue.test.ts (needs libkqueue).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import {
  cRuntimeSuite,
  emfileDoesNotSpin,
  idleTimeoutCloses,
  ioUringFallbackBattery,
  ioUringFallbackReasons,
  ioUringSingleShotAccept,
  maxConnectionsRefuses,
  optionsReachTheKernel,
  oversizeDatagramDetected,
  quickStopIsQuiet,
  sanitizedBattery,
  selectIdleLockout,
  selectRefusesPastFdSetsize,
  shutdownDeadlineWithStuckOutput,
  unprivileged,
} from './c-runtime.js';

for (const ioModel of ['epoll', 'poll', 'select', 'io_uring']) {
  describe(`c ${ioModel} at run time`, () => {
    cRuntimeSuite(`c ${ioModel}`, ioModel);
    test(`c ${ioModel}: out of descriptors (EMFILE) does not spin, serves again after`, { timeout: 30_000 }, () => emfileDoesNotSpin(ioModel));
    test(`c ${ioModel}: --max-connections closes the connection past the limit`, { timeout: 30_000 }, () => maxConnectionsRefuses(ioModel));
    test(`c ${ioModel}: --idle-timeout closes idle connections`, { timeout: 30_000 }, () => idleTimeoutCloses(ioModel));
    test(`c ${ioModel}: SIGINT right after "listening on" (tcp and udp): exit 0, nothing on stderr but "stopped"`, { timeout: 60_000 }, () => quickStopIsQuiet(ioModel));
    test(`c ${ioModel}: SIGTERM with output that cannot drain exits 0 at the flush deadline`, { timeout: 30_000 }, () => shutdownDeadlineWithStuckOutput(ioModel));
    test(`c ${ioModel}: udp datagram longer than the buffer is detected and dropped`, { timeout: 30_000 }, () => oversizeDatagramDetected(ioModel));
    test(`c ${ioModel}: ASan/UBSan build survives tcp echo, http and udp with no error or leak`, { timeout: 120_000 }, async () => {
      await sanitizedBattery(ioModel, 'tcp', 'echo');
      await sanitizedBattery(ioModel, 'tcp', 'http');
      await sanitizedBattery(ioModel, 'udp', 'echo');
    });
    test(`c ${ioModel}: throughput/latency/keepalive options reach the kernel (ss), battery with comments off`, { timeout: 60_000 }, () => optionsReachTheKernel(ioModel));
  });
}

for (const ioModel of ['poll', 'select']) {
  describe(`c ${ioModel} --platform portable (POSIX side) at run time`, () => {
    cRuntimeSuite(`c portable ${ioModel}`, ioModel, { platform: 'portable' });
  });
}

describe('c io_uring without kernel support falls back to epoll (strace fault injection)', () => {
  const strace = h.haveTool('strace', ['-V']);
  const skip = strace ? false : 'strace is missing (apt-get install strace)';
  test('strace is installed in CI', () => assert.ok(strace || process.env.CI !== 'true', 'strace is missing (apt-get install strace)'));
  test('io_uring_setup ENOSYS: one stderr line, then tcp echo battery, http (wrk, pipelined), udp echo and SIGTERM on epoll', { timeout: 120_000, skip }, () => ioUringFallbackBattery());
  test('EPERM and a failed probe fall back; EMFILE exits 1 before saying it listens', { timeout: 60_000, skip }, () => ioUringFallbackReasons());
});

test('c io_uring with one accept request per connection (kernels before 5.19)', { timeout: 60_000 }, () => ioUringSingleShotAccept());

describe('c servers without privilege', () => {
  for (const ioModel of ['epoll', 'io_uring']) {
    test(`c ${ioModel} runs as nobody (setpriv 65534)`, { timeout: 60_000 }, () => unprivileged(ioModel));
  }
});

describe('c select past FD_SETSIZE', () => {
  test('c select refuses connections past FD_SETSIZE cleanly (fd limit raised to 4096)', { timeout: 60_000 }, () => selectRefusesPastFdSetsize('posix'));
  test('c portable select refuses connections past FD_SETSIZE cleanly', { timeout: 60_000 }, () => selectRefusesPastFdSetsize('portable'));
  test('c select: idle clients cannot lock others out by default (idle timeout, a pool of 3)', { timeout: 60_000 }, () => selectIdleLockout('posix'));
  test('c portable select: idle clients cannot lock others out by default (idle timeout, a pool of 3)', { timeout: 60_000 }, () => selectIdleLockout('portable'));
});
