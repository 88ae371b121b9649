// effectiveSource: the collector a command reads and whether it was typed (--source) or configured. Its
// callers (main.ts's middleware, task.ts) read `source` and `from` only; which file set `source` is in the
// loaded config's origins (`sockscope config`). It used to return a `detail` too, which nothing read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, userConfigPath } from '../../src/config/load.js';
import { effectiveSource } from '../../src/config/resolve.js';

test('effectiveSource: --source when typed, else the config file\'s source, else the default; only source and from', () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-source-'));
  try {
    const home = join(root, 'home');
    const cwd = join(root, 'project');
    mkdirSync(cwd, { recursive: true });
    const load = () => loadConfig({ cwd, env: { HOME: home } });
    assert.deepEqual(effectiveSource(undefined, load()), { source: 'auto', from: 'default' });
    assert.deepEqual(effectiveSource('', load()), { source: 'auto', from: 'default' });
    const user = userConfigPath({ HOME: home })!;
    mkdirSync(join(user, '..'), { recursive: true });
    writeFileSync(user, 'source: ss\n');
    assert.deepEqual(effectiveSource(undefined, load()), { source: 'ss', from: 'user-file' });
    const project = join(cwd, 'sockscope.yaml');
    writeFileSync(project, 'source: procfs\n');
    const loaded = load();
    assert.deepEqual(effectiveSource(undefined, loaded), { source: 'procfs', from: 'project-file' });
    // The file is still named where the configuration is reported.
    assert.deepEqual(loaded.origins.source, { origin: 'project-file', detail: project });
    assert.deepEqual(effectiveSource('netlink', loaded), { source: 'netlink', from: 'flag' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
