// A config file looked for while the process has no descriptor left (EMFILE): the open's failure says nothing
// about the file, which does not exist here. It was taken as "found", so loadConfig() read it and threw a
// ConfigError (code config-error) naming a user file that was never there. Now a runtime error (not a ConfigError,
// not the CLI's UsageError: exit 1), and once descriptors are free the same call finds no file. A child process
// fills its own descriptor table (RLIMIT_NOFILE lowered with prlimit, so filling is quick).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHILD = `
import { closeSync, openSync } from 'node:fs';
import { loadConfig } from ${JSON.stringify(resolve('src/api/config.ts'))};
import { loadCliConfig } from ${JSON.stringify(resolve('src/config/resolve.ts'))};
import { UsageError } from ${JSON.stringify(resolve('src/cli/errors.ts'))};
await import(${JSON.stringify(resolve('src/config/load.ts'))});
const out = {};
const fds = [];
try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch (e) { out.filled = e.code; }
for (const [name, call] of [['library', () => loadConfig()], ['cli', () => loadCliConfig()]]) {
  try { await call(); out[name] = 'ok'; } catch (e) { out[name] = { name: e.name, code: e.code, usage: e instanceof UsageError, message: e.message }; }
}
for (const fd of fds) closeSync(fd);
out.after = loadConfig().files.map((f) => f.found);
console.log(JSON.stringify(out));
`;

test('EMFILE while looking for config files that do not exist: a runtime error, not a config error naming a file', { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-emfile-'));
  try {
    const home = join(root, 'home');
    const cwd = join(root, 'project');
    mkdirSync(home);
    mkdirSync(cwd);
    const child = join(root, 'child.mts');
    writeFileSync(child, CHILD);
    const r = spawnSync('prlimit', ['--nofile=256', process.execPath, '--import', pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href, child], {
      cwd,
      encoding: 'utf8',
      timeout: 50_000,
      env: { PATH: process.env.PATH ?? '', HOME: home },
    });
    if (r.error) assert.fail(`prlimit (util-linux) is required: ${r.error.message}`);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '');
    assert.equal(out.filled, 'EMFILE');
    const user = join(home, '.config', 'sockscope', 'config.yaml');
    for (const name of ['library', 'cli']) {
      const e = out[name];
      assert.notEqual(e, 'ok', `${name}: the open failed`);
      assert.notEqual(e.name, 'ConfigError', `${name}: ${JSON.stringify(e)}`);
      assert.equal(e.usage, false, `${name}: not a UsageError (exit 2): ${JSON.stringify(e)}`);
      assert.equal(e.code, 'EMFILE');
      assert.equal(e.message, `could not look for the config file ${user}: EMFILE: too many open files`);
    }
    assert.deepEqual(out.after, [false, false, false], 'with descriptors free: no file there');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
