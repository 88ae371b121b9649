// `sockscope config` listed SOCKET_DEBUG, DEFAULT_BUFFER_SIZE and NO_COLOR by name only and left out SOCKET_DEBUG_FILE
// and SOCKSCOPE_SSH_TIMEOUT, which README documents. It now lists every environment variable sockscope reads, each
// with its value here (or unset) and what it is read for; a value the command reading it refuses says so, and a
// value is escaped. Every variable src/ reads from the environment is listed (the completion scripts' own
// SOCKSCOPE_COMPLETION_* aside, zsh's ZSH_NAME listed since; RES_OPTIONS is glibc's, which sockscope only adds to).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const run = (env: Record<string, string | undefined>) => {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '' };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete full[k];
    else full[k] = v;
  }
  return spawnSync('bin/sockscope', ['config'], { encoding: 'utf8', timeout: 20_000, env: full });
};

/** The Environment table's rows: VARIABLE -> [VALUE, READ FOR]. */
function environment(stdout: string): Map<string, [string, string]> {
  const at = stdout.split('\n').indexOf('Environment (every variable sockscope reads):');
  assert.ok(at >= 0, stdout);
  const lines = stdout.split('\n').slice(at + 1).filter((l) => l.startsWith('  '));
  const header = lines[0];
  assert.match(header, /^ {2}VARIABLE +VALUE +READ FOR$/);
  const valueAt = header.indexOf('VALUE');
  const forAt = header.indexOf('READ FOR');
  return new Map(lines.slice(1).map((l) => [l.slice(2, valueAt).trim(), [l.slice(valueAt, forAt).trim(), l.slice(forAt).trim()]]));
}

test('sockscope config lists each environment variable with its value and what it is for', { timeout: 60_000 }, () => {
  const r = run({ SOCKET_DEBUG_FILE: '/tmp/debug.log', SOCKSCOPE_SSH_TIMEOUT: '45s', DEFAULT_BUFFER_SIZE: '16384', SOCKET_DEBUG: undefined, XDG_CONFIG_HOME: undefined });
  assert.equal(r.status, 0, r.stderr);
  const env = environment(r.stdout);
  assert.deepEqual(env.get('SOCKET_DEBUG_FILE'), ['"/tmp/debug.log"', 'where SOCKET_DEBUG logs go (unset: stderr; the monitor then logs nothing)']);
  assert.deepEqual(env.get('SOCKSCOPE_SSH_TIMEOUT'), ['"45s"', '--host: give up on a host that sends nothing this long (unset: 20s; --ssh-timeout wins)']);
  assert.deepEqual(env.get('DEFAULT_BUFFER_SIZE'), ['"16384"', 'bufferSize above (bytes)']);
  assert.equal(env.get('SOCKET_DEBUG')?.[0], 'unset');
  assert.equal(env.get('NO_COLOR')?.[0], '""');
  assert.equal(env.get('XDG_CONFIG_HOME')?.[0], 'unset');
  // The config table above still says where bufferSize came from.
  assert.match(r.stdout, /^bufferSize +16384 +environment DEFAULT_BUFFER_SIZE$/m);
});

test('a SOCKSCOPE_SSH_TIMEOUT --host would refuse says why; a value with control characters is escaped', { timeout: 60_000 }, () => {
  const r = run({ SOCKSCOPE_SSH_TIMEOUT: '30', SOCKET_DEBUG_FILE: '/tmp/x\x1b[2J\u202e' });
  assert.equal(r.status, 0, r.stderr);
  const env = environment(r.stdout);
  assert.equal(env.get('SOCKSCOPE_SSH_TIMEOUT')?.[0], '"30" (refused by --host unless --ssh-timeout is given: SOCKSCOPE_SSH_TIMEOUT 30 has no unit: give one, 30s (also m, h))');
  assert.equal(env.get('SOCKET_DEBUG_FILE')?.[0], '"/tmp/x\\x1b[2J\\u202e"');
  assert.doesNotMatch(r.stdout, /\x1b/);
});

test('every environment variable src/ reads is in the list', () => {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g)) names.add(m[1]);
    }
  };
  walk('src');
  const own = new Set(['SOCKSCOPE_COMPLETION_SHELL', 'SOCKSCOPE_COMPLETION_AFTER', 'RES_OPTIONS']);
  const r = run({});
  assert.equal(r.status, 0, r.stderr);
  const listed = environment(r.stdout);
  const missing = [...names].filter((n) => !own.has(n) && !listed.has(n));
  assert.deepEqual(missing, [], `read in src/ but not listed by sockscope config: ${missing.join(', ')}`);
  assert.ok(names.has('SOCKET_DEBUG_FILE') && names.has('SOCKSCOPE_SSH_TIMEOUT'), [...names].join(', '));
});
