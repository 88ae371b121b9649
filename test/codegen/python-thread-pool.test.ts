// Python threads: the pool is 1,024 threads, or --max-connections when that is lower (README, Code
// generation, --idle-timeout: "a fixed pool, FD_SETSIZE sockets or 1,024 threads (--max-connections if
// lower; a higher one is refused")). The pool never grows past 1,024 threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generateServer } from '../../src/codegen/index.js';
import * as h from './harness.js';

/** MAX_THREADS of the generated module, read by importing it (main() does not run on import). */
function maxThreads(maxConnections: number): string {
  const r = generateServer({ language: 'python', ioModel: 'threads', type: 'tcp', port: 0, bindAddress: h.LOOPBACK4, maxConnections });
  const { dir } = h.materialize(r);
  try {
    const py = 'import importlib.util, sys\nspec = importlib.util.spec_from_file_location("gen", sys.argv[1])\nm = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(m)\nprint(m.MAX_THREADS)';
    const run = spawnSync('python3', ['-c', py, join(dir, 'server.py')], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  } finally {
    h.cleanup(dir);
  }
}

test('python threads: MAX_THREADS is 1024, or --max-connections when lower', () => {
  assert.throws(() => maxThreads(5000), /--max-connections 5000 is more than the threads server's pool \(1024 threads/);
  assert.equal(maxThreads(1024), '1024');
  assert.equal(maxThreads(3), '3');
  assert.equal(maxThreads(0), '1024', '--max-connections 0 (no limit) still has the fixed pool');
});

test('python threads --max-connections 1024: 1,024 idle clients fill the pool, the next is refused, then served once they time out', { timeout: 120_000 }, async () => {
  const r = generateServer({ language: 'python', ioModel: 'threads', type: 'tcp', port: 0, bindAddress: h.LOOPBACK4, maxConnections: 1024, backlog: 2048 });
  // Under load the server took 3-4 s to accept 1,024 connections and start their threads, so the first ones idled out
  // (1.5 s) and freed slots before the probe: the idle timeout is 10 s here, and idleLockout probes once the accept
  // queue is empty and the server runs 1,025 threads (main + the pool).
  assert.deepEqual(await h.idleLockout(r, 1024, h.LOOPBACK4, { idleSeconds: 10, threadsWhenFull: 1025 }), []);
});
