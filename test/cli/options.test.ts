// `sockscope options` end to end through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000 });

test('options lists every option', () => {
  const r = run('options');
  assert.equal(r.status, 0, r.stderr);
  for (const n of ['SO_REUSEADDR', 'TCP_NODELAY', 'IPV6_V6ONLY', 'IP_TRANSPARENT', 'TCP_INFO']) assert.match(r.stdout, new RegExp(`^${n} `, 'm'));
  assert.match(r.stdout, /40 options/);
});

test('options NAME shows level, number, type, default and platforms', () => {
  const r = run('options', 'so_linger');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^SO_LINGER: /);
  assert.match(r.stdout, /level\s+SOL_SOCKET \(1 on Linux\), optname 13 on Linux/);
  assert.match(r.stdout, /struct linger/);
  assert.match(r.stdout, /macOS\s+SO_LINGER \(0x80, level 0xffff\): l_linger is in clock TICKS/);
  assert.match(run('options', 'TCP_CORK').stdout, /TCP_NOPUSH/);
});

test('options --json', () => {
  const one = JSON.parse(run('options', 'TCP_KEEPIDLE', '--json').stdout);
  assert.equal(one.linux, 4);
  assert.equal(one.level, 'IPPROTO_TCP');
  const all = JSON.parse(run('options', '--json').stdout);
  assert.equal(all.options.length, 40);
});

test('unknown option: exit 2 naming it with a suggestion', () => {
  const r = run('options', 'SO_REUSEADR');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown socket option 'SO_REUSEADR'; did you mean SO_REUSEADDR/);
});

test('an empty NAME is bad input: exit 2 with one line, not a validation dump', () => {
  for (const name of ['', '  ']) {
    const r = run('options', name);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^sockscope: NAME: empty option name; give one such as SO_REUSEADDR, or no NAME for the list\n$/);
  }
});
