// kqueue variants on Linux need libkqueue (kqueue/kevent over epoll): compile every combination
// with -Werror under gcc and clang against it, then run the standard runtime battery.
// BLOCKED outside the project: libkqueue is packaged neither by Debian 12 nor 13 (checked against the
// bookworm, bookworm-backports and trixie indexes) nor on npm, the only registries this workplace reaches.
// No install step can fix that, so a missing libkqueue is reported as a TODO naming the blocker (visible
// in every run's summary as "# todo 1"), not as a silent skip and not as a failure that would stop every
// submission. When libkqueue is present (pkg-config or /usr/include/kqueue) the full test runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServer, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { cleanup } from './harness.js';
import { LIBKQUEUE_MISSING, STRICT_FLAGS, cRuntimeSuite, findLibkqueue, idleTimeoutCloses, maxConnectionsRefuses, pool, runAsync } from './c-runtime.js';

const lib = findLibkqueue();

const INPUTS: GeneratorInput[] = [
  { type: 'tcp', handler: 'echo', tcpNodelay: true },
  { type: 'tcp', handler: 'http' },
  { type: 'udp', handler: 'echo' },
  { type: 'tcp', handler: 'echo', comments: false, ipv6: true, reusePort: true, profile: 'latency', keepalive: { idle: 30, interval: 5, count: 3 }, maxConnections: 100, idleTimeoutMs: 5000 },
  { type: 'tcp', handler: 'http', profile: 'throughput', dualStack: true },
  { type: 'udp', handler: 'echo', comments: false, ipv6: true, dualStack: true, rcvbuf: 1 << 20, reusePort: true },
];

if (!lib) {
  test('c kqueue compiles and runs against libkqueue', { todo: `BLOCKED: ${LIBKQUEUE_MISSING}` }, () => {});
} else {
  test(`c kqueue compiles with -Werror against libkqueue (gcc, clang; ${INPUTS.length} option sets)`, { timeout: 120_000 }, async () => {
    assert.ok(lib, LIBKQUEUE_MISSING);
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-kq-'));
    try {
      const jobs: (() => Promise<string | null>)[] = [];
      INPUTS.forEach((input, k) => {
        const src = `kqueue-${k}.c`;
        writeFileSync(join(dir, src), generateServer({ ...input, language: 'c', ioModel: 'kqueue' }, { config: DEFAULT_CONFIG }).files[0].content);
        for (const cc of ['gcc', 'clang']) {
          jobs.push(async () => {
            const r = await runAsync(cc, [...STRICT_FLAGS, ...lib.cflags, '-o', `${src}.${cc}`, src, ...lib.libs], dir);
            return r.code === 0 ? null : `${cc} ${src} (${JSON.stringify(input)}):\n${r.output}`;
          });
        }
      });
      const failures = (await pool(jobs, 2)).filter((x): x is string => x !== null);
      assert.deepEqual(failures, [], failures.join('\n\n'));
    } finally {
      cleanup(dir);
    }
  });

  if (lib) {
    describe('c kqueue at run time (libkqueue)', () => {
      cRuntimeSuite('c kqueue', 'kqueue');
      test('c kqueue: --max-connections closes the connection past the limit', { timeout: 30_000 }, () => maxConnectionsRefuses('kqueue'));
      test('c kqueue: --idle-timeout closes idle connections', { timeout: 30_000 }, () => idleTimeoutCloses('kqueue'));
    });
  }
}
