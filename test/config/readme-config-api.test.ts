// README's word on the library's config functions, held to what they do: userConfigPath's return type changed
// (string -> string | undefined, 90dea04) without a note to library users, and README said loadConfig leaves out
// "a file it cannot read" while a symlink loop throws ConfigError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/api/config.js';
import { ConfigError } from '../../src/api/errors.js';
import { userConfigPath } from '../../src/config/load.js';

const readme = readFileSync('README.md', 'utf8');

test('README: userConfigPath/projectConfigPaths documented, the return type change listed, loadConfig\'s failures as they are', () => {
  assert.equal(userConfigPath({ HOME: '' }), undefined);
  const changes = readme.slice(readme.indexOf('Changes for library users (this release):'));
  const list = changes.slice(0, changes.indexOf('\n\n'));
  assert.match(list, /- `userConfigPath\(\)` returns `string \| undefined`/);
  assert.match(readme, /`userConfigPath\(env\?\)`/);
  assert.match(readme, /`projectConfigPaths\(cwd\?\)`/);
  assert.doesNotMatch(readme, /a file it\s+cannot read is left out/);
  const root = mkdtempSync(join(tmpdir(), 'sockscope-readme-cfg-'));
  try {
    mkdirSync(join(root, 'home'));
    symlinkSync('sockscope.yaml', join(root, 'sockscope.yaml'));
    assert.throws(() => loadConfig({ cwd: root, env: { HOME: join(root, 'home') } }), (e: Error) => e instanceof ConfigError && /ELOOP/.test(e.message));
    assert.match(readme, /any other failure\s+to open a file that is there, such as a symlink loop, throws `ConfigError`/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
