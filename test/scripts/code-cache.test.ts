// dist/cli-core.cjs's code cache (src/cli/load-core.ts, scripts/code-cache.mjs): the build makes it for the bundle
// it built; a bundle changed since is compiled from its text, also when it kept its length (V8 checks a cache
// against the length only: the stale bytecode would run); a missing cache is said under SOCKET_DEBUG. Needs the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const CORE = join(ROOT, 'dist', 'cli-core.cjs');

/** A copy of the install (bin, dist, package.json) in a temporary directory, node_modules linked. */
function copyInstall(): string {
  const home = mkdtempSync(join(tmpdir(), 'sockscope-code-cache-'));
  for (const f of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, f), join(home, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(home, 'node_modules'));
  return home;
}

function run(home: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const { NODE_OPTIONS: _, ...rest } = process.env;
  return spawnSync(join(home, 'bin', 'sockscope'), args, { encoding: 'utf8', timeout: 30_000, env: { ...rest, SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: '', ...env } });
}

test('the build leaves a code cache made for the bundle it built, and a run uses it', { timeout: 60_000 }, () => {
  const cache = readFileSync(`${CORE}.cache`);
  const digest = createHash('sha256').update(readFileSync(CORE)).digest('hex');
  assert.equal(cache.toString('latin1', 0, 88), `sockscope code cache 2 ${digest}\n`);
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
    const env = { HOME: join(home, 'user'), XDG_CACHE_HOME: '' };
    const r = run(home, ['--version'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), other, 'the changed bundle ran, not the bytecode cached for the old one');
    // The run of --version wrote the user's cache for the changed bundle: analyze uses it and says nothing. Without
    // it, the build's stale cache is said.
    assert.doesNotMatch(run(home, ['analyze', '--port', '1', '--json'], env).stderr, /code cache/);
    const a = run(home, ['analyze', '--port', '1', '--json'], { ...env, HOME: join(home, 'other-user') });
    assert.match(a.stderr, /load dist\/cli-core\.cjs [\d.]+ms code cache stale \(made for another build of the bundle\)/);
    rmSync(`${core}.cache`);
    const m = run(home, ['analyze', '--port', '1', '--json'], { ...env, HOME: join(home, 'third-user') });
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stderr, /code cache missing; this run's is written to \S+ for the next/);
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

test('under V8 flags the build\'s cache is not used: the first run writes the user\'s own, the next ones use it', { timeout: 60_000 }, () => {
  // Review s27 #1: NODE_OPTIONS=--max-old-space-size=4096 (or another Node) made V8 reject the build's cache, and every
  // run compiled the whole bundle: 39 ms slower than the chunked layout for errno. The run's cache goes to the user's
  // cache directory, one file per bundle, Node and flags.
  const home = mkdtempSync(join(tmpdir(), 'sockscope-user-cache-'));
  try {
    const env = { HOME: home, XDG_CACHE_HOME: '', NODE_OPTIONS: '--max-old-space-size=4096' };
    const first = run(ROOT, ['analyze', '--port', '1', '--json'], env);
    assert.equal(first.status, 0, first.stderr);
    const m = /code cache rejected \(made by another Node or under other V8 flags\); this run's is written to (\S+) for the next/.exec(first.stderr);
    assert.ok(m, first.stderr);
    const file = m[1];
    assert.ok(file.startsWith(join(home, '.cache', 'sockscope', 'cli-core-')), file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, '.cache', 'sockscope')).mode & 0o777, 0o700);
    const second = run(ROOT, ['analyze', '--port', '1', '--json'], env);
    assert.equal(second.status, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /code cache/, 'the user cache was used');
    // Writable by others: bytecode runs as whoever loads it, so it is not used (and written anew, 600).
    chmodSync(file, 0o666);
    const open = run(ROOT, ['analyze', '--port', '1', '--json'], env);
    assert.match(open.stderr, /code cache rejected/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    // One cache per Node and flags, at most 8 of a bundle: a ninth set of flags drops the one written first.
    for (let i = 1; i <= 8; i++) run(ROOT, ['errno', '104'], { ...env, NODE_OPTIONS: `--max-old-space-size=${4096 + i}` });
    const kept = readdirSync(join(home, '.cache', 'sockscope'));
    assert.equal(kept.length, 8, kept.join(' '));
    assert.ok(!kept.includes(basename(file)), 'the oldest was dropped');
    // Without flags, or with Node's own (-r, --input-type), the build's cache, as before; with no cache directory the
    // run says none is kept.
    assert.doesNotMatch(run(ROOT, ['analyze', '--port', '1', '--json'], { HOME: home }).stderr, /code cache/);
    assert.match(run(ROOT, ['analyze', '--port', '1', '--json'], { ...env, HOME: 'relative' }).stderr, /none is kept \(no cache directory/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('with --enable-source-maps a stack trace names the sources (the bundle is loaded by require, not vm.Script)', { timeout: 30_000 }, () => {
  // Review s27 #2: Node maps no stack trace of code compiled through vm.Script.
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-source-maps-'));
  try {
    const boom = join(dir, 'boom.cjs');
    writeFileSync(boom, "Date.prototype.toISOString = function () { throw new Error('boom'); };\n");
    const r = spawnSync(process.execPath, ['--enable-source-maps', '-r', boom, join(ROOT, 'bin', 'sockscope'), 'analyze', '--port', '1', '--json'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SOCKET_DEBUG: 'true' } });
    assert.match(r.stderr, /at logOsCall \(\S*src\/collect\/debug\.ts:\d+:\d+\)/, r.stderr);
    // (-r is a flag: this run writes its cache to the user's directory, here a temporary one.)
    const plain = spawnSync(process.execPath, ['-r', boom, join(ROOT, 'bin', 'sockscope'), 'analyze', '--port', '1', '--json'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SOCKET_DEBUG: 'true', HOME: dir, XDG_CACHE_HOME: '' } });
    assert.match(plain.stderr, /at logOsCall \(\S*dist\/cli-core\.cjs:\d+:\d+\)/, plain.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
