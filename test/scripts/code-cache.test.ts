// dist/cli-core.cjs's code cache (src/cli/load-core.ts, scripts/code-cache.mjs): the build makes it for the bundle
// it built; a bundle changed since is compiled from its text, also when it kept its length (V8 checks a cache
// against the length only: the stale bytecode would run); a missing cache is said under SOCKET_DEBUG. Needs the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const CORE = join(ROOT, 'dist', 'cli-core.cjs');

/** A copy of the install (bin, dist, package.json) in a temporary directory, node_modules linked. */
function copyInstall(): string {
  const home = mkdtempSync(join(tmpdir(), 'sockscope-code-cache-'));
  for (const f of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, f), join(home, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(home, 'node_modules'));
  return home;
}

function run(home: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(join(home, 'bin', 'sockscope'), args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: '' } });
}

test('the build leaves a code cache made for the bundle it built, and a run uses it', { timeout: 60_000 }, () => {
  const cache = readFileSync(`${CORE}.cache`);
  const digest = createHash('sha256').update(readFileSync(CORE)).digest('hex');
  assert.equal(cache.toString('latin1', 0, 88), `sockscope code cache 1 ${digest}\n`);
  assert.ok(cache.length > 100_000, `${cache.length} bytes: the bytecode of a whole analyze run`);
  const r = run(ROOT, ['analyze', '--port', '1', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /code cache/, 'the cache was used: nothing said');
});

test('a bundle changed since its cache was made runs its own code, also at the same length; a missing cache is said', { timeout: 60_000 }, () => {
  const home = copyInstall();
  try {
    const core = join(home, 'dist', 'cli-core.cjs');
    const text = readFileSync(core, 'utf8');
    const version = /var VERSION = true \? "([^"]+)"/.exec(text);
    assert.ok(version, 'the version string is in the bundle');
    const other = version[1].replace(/^\d/, (d) => String((Number(d) + 1) % 10));
    assert.equal(other.length, version[1].length);
    writeFileSync(core, text.replaceAll(`"${version[1]}"`, `"${other}"`));
    assert.equal(readFileSync(core, 'utf8').length, text.length);
    const r = run(home, ['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), other, 'the changed bundle ran, not the bytecode cached for the old one');
    const a = run(home, ['analyze', '--port', '1', '--json']);
    assert.match(a.stderr, /load dist\/cli-core\.cjs [\d.]+ms code cache stale/);
    rmSync(`${core}.cache`);
    const m = run(home, ['analyze', '--port', '1', '--json']);
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stderr, /code cache missing \(`npm run build` makes it\)/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('the bundle is ASCII, as load-core decodes it (latin1), and what held other characters still works', { timeout: 30_000 }, () => {
  const bytes = readFileSync(CORE);
  const at = bytes.findIndex((b) => b > 0x7f);
  assert.equal(at, -1, `a byte over 0x7f at ${at}: scripts/build.mjs escapes them`);
  // A regular expression of src/advise/units.ts held a raw µ (esbuild kept it): now \u00b5, the same character.
  const r = spawnSync(join(ROOT, 'bin', 'sockscope'), ['buffers', '--bandwidth', '1gbit', '--rtt', '10µs', '--json'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"bdpBytes": 1250,/, '10 µs read as 0.01 ms');
});
