// loadConfig, userConfigPath and projectConfigPaths check their arguments as every other library export does
// (README Library API: every error thrown on purpose is one of the exported classes): an InvalidInputError naming
// the field. They threw raw TypeErrors (null, {env: {HOME: 5}}, {cwd: 5}), took a string as flags' characters
// ("ConfigError: --0: unknown key"), and accepted a misspelled option, 'x' and {env: 'x'} silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError, loadConfig, projectConfigPaths, userConfigPath } from '../../src/index.js';

const refused = (f: () => unknown, path: string, message: RegExp, label: string) =>
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InvalidInputError, `${label}: ${(e as Error)?.constructor?.name} ${(e as Error)?.message}`);
    assert.equal(e.code, 'invalid-input', label);
    assert.deepEqual(e.issues.map((i) => i.path), [path], label);
    assert.match(e.message, message, label);
    return true;
  }, label);

test('loadConfig refuses bad options with InvalidInputError naming the field', () => {
  refused(() => loadConfig(null as never), '', /takes an object/, 'null');
  refused(() => loadConfig('x' as never), '', /takes an object/, "'x'");
  refused(() => loadConfig({ env: { HOME: 5 } } as never), 'env.HOME', /env\.HOME: expected a string/, 'HOME: 5');
  refused(() => loadConfig({ env: 'x' } as never), 'env', /expected an object of environment variables/, "env: 'x'");
  refused(() => loadConfig({ env: null } as never), 'env', /expected an object/, 'env: null');
  refused(() => loadConfig({ cwd: 5 } as never), 'cwd', /cwd: expected a string/, 'cwd: 5');
  refused(() => loadConfig({ cwd: '/a\0b' }), 'cwd', /NUL/, 'cwd with NUL');
  refused(() => loadConfig({ env: {}, flags: 'x' } as never), 'flags', /flags: expected an object/, "flags: 'x'");
  refused(() => loadConfig({ cwdd: '/x' } as never), 'cwdd', /unknown key.*did you mean cwd\?/, 'cwdd');
  // Good ones still load; flags' settings are still validated by the loader (ConfigError naming --KEY).
  assert.equal(loadConfig({ cwd: '/', env: {}, flags: { bufferSize: 4096 } }).config.bufferSize, 4096);
  assert.equal(loadConfig({ cwd: '/', env: { HOME: '/nonexistent', UNSET: undefined } }).config.source, 'auto');
  assert.equal(loadConfig({ cwd: '/', env: process.env }).files.length, 3);
});

test('userConfigPath and projectConfigPaths refuse bad arguments with InvalidInputError naming the field', () => {
  refused(() => userConfigPath(null as never), 'env', /userConfigPath input: env: expected an object/, 'null');
  refused(() => userConfigPath({ HOME: 5 } as never), 'env.HOME', /expected a string/, 'HOME: 5');
  refused(() => userConfigPath('x' as never), 'env', /expected an object/, "'x'");
  refused(() => projectConfigPaths(5 as never), 'cwd', /projectConfigPaths input: cwd: expected a string/, '5');
  refused(() => projectConfigPaths(null as never), 'cwd', /expected a string/, 'null');
  assert.equal(userConfigPath({ HOME: '/h' }), '/h/.config/sockscope/config.yaml');
  assert.equal(userConfigPath(), userConfigPath(process.env));
  assert.equal(projectConfigPaths('/p').sockscope, '/p/sockscope.yaml');
});
