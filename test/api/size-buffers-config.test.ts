// sizeBuffers() and the buffers task apply only their arguments (review-api #4): before, buffersReport ran
// loadCliConfig(), so a ./sockscope.yaml that cannot be read made pure bandwidth/rtt arithmetic throw
// ConfigError, DEFAULT_BUFFER_SIZE changed the library's result, and options.config was ignored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sizeBuffers } from '../../src/api/buffers.js';
import { runTask } from '../../src/api/task.js';
import { InvalidInputError } from '../../src/api/errors.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'sockscope-size-buffers-'));
const cwd = process.cwd();
before(() => {
  // A sockscope.yaml that is a directory (the loader refuses it), a broken user config, a bad variable.
  mkdirSync(join(dir, 'sockscope.yaml'));
  mkdirSync(join(dir, 'home/.config/sockscope'), { recursive: true });
  writeFileSync(join(dir, 'home/.config/sockscope/config.yaml'), 'bufferSize: [\n');
  process.chdir(dir);
  process.env.HOME = join(dir, 'home');
  process.env.XDG_CONFIG_HOME = join(dir, 'home/.config');
  process.env.DEFAULT_BUFFER_SIZE = 'not-a-size';
});
after(() => {
  process.chdir(cwd);
  delete process.env.DEFAULT_BUFFER_SIZE;
  rmSync(dir, { recursive: true, force: true });
});

const link = { bandwidth: '1gbit', rtt: '10ms' };

test('sizeBuffers ignores the config files and DEFAULT_BUFFER_SIZE: the defaults, origin default', async () => {
  const r = await sizeBuffers(link);
  assert.deepEqual(r.defaults, { bufferSize: DEFAULT_CONFIG.bufferSize, origin: 'default', detail: null });
  assert.equal(r.link?.bdpBytes, 1_250_000);
});

test('sizeBuffers applies options.config.bufferSize (origin caller) and refuses a bad one at its path', async () => {
  const r = await sizeBuffers(link, { config: { bufferSize: 32768 } });
  assert.deepEqual(r.defaults, { bufferSize: 32768, origin: 'caller', detail: 'options.config.bufferSize' });
  await assert.rejects(
    () => sizeBuffers(link, { config: { bufferSize: -1 } as never }),
    (e: unknown) => e instanceof InvalidInputError && e.issues.some((i) => i.path === 'options.config.bufferSize'),
  );
});

test('runTask passes its options to the buffers operation', async () => {
  const t = await runTask({ operation: 'buffers', ...link }, { config: { bufferSize: 32768 } });
  assert.equal(t.result.defaults.bufferSize, 32768);
  assert.equal(t.result.defaults.origin, 'caller');
  const d = await runTask({ operation: 'buffers', ...link });
  assert.deepEqual(d.result.defaults, { bufferSize: DEFAULT_CONFIG.bufferSize, origin: 'default', detail: null });
});
