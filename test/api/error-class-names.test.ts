// The exported error classes keep their names in the built bundle (review-api defect 7): the collectors' own
// CollectorError / NoSuchSocketError share dist/index.js with the library's, and the bundler renamed the library's to
// CollectorError2 / NoSuchSocketError2, which err.constructor.name and util.inspect(err) showed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';

const DIST = join(new URL('../../', import.meta.url).pathname, 'dist/index.js');

test('dist: CollectorError and NoSuchSocketError are named so, on the class and on a thrown error', async () => {
  assert.ok(existsSync(DIST), `build first (node scripts/build.mjs): no ${DIST}`);
  const L = (await import(pathToFileURL(DIST).href)) as typeof import('../../src/index.js');
  assert.equal(L.CollectorError.name, 'CollectorError');
  assert.equal(L.NoSuchSocketError.name, 'NoSuchSocketError');
  // A pid that no process has (pid_max's ceiling, far above this host's pids): NoSuchSocketError from the real /proc.
  const err = await L.inspectOptions({ pid: 4_194_304, socketFd: 3 }).then(
    () => assert.fail('no error'),
    (e: unknown) => e as Error,
  );
  assert.ok(err instanceof L.NoSuchSocketError && err instanceof L.CollectorError);
  assert.equal(err.constructor.name, 'NoSuchSocketError');
  assert.match(String(err), /^NoSuchSocketError: pid: /);
  assert.match(inspect(err).split('\n')[0], /^NoSuchSocketError: pid: /);
  assert.doesNotMatch(inspect(err), /Error2/);
  // A CollectorError made at the boundary from a collector's (libraryError), as collecting() does.
  const c = new L.CollectorError(Object.assign(new Error('x'), { tool: 'ss' }) as never);
  assert.equal(c.constructor.name, 'CollectorError');
  assert.match(String(c), /^CollectorError: /);
});
