// The address check `sockscope try` (ADDRESS) and `sockscope export` (--listen) share (src/cli/resolve-address.ts):
// an IPv6 literal's zone must name an interface of this host, a name must resolve; each command keeps its own
// words and exit codes (2 for bad input, 1 for a resolver that does not answer), pinned here through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CollectorError } from '../../src/collect/source.js';
import { UsageError } from '../../src/cli/errors.js';
import { resolveAddress, type AddressWords } from '../../src/cli/resolve-address.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

const words: AddressWords = {
  input: 'ADDRESS',
  notFound: (code) => `not found ${code}`,
  noAnswer: (why) => new CollectorError('resolve', why),
};

function run(args: string[], netns?: string): { status: number | null; stderr: string } {
  const argv = [process.execPath, BIN, ...args];
  const [cmd, ...rest] = netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
  // RES_OPTIONS: a resolver that cannot reach its nameservers gives up at once (EAI_AGAIN).
  const r = spawnSync(cmd, rest, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1', RES_OPTIONS: 'timeout:1 attempts:1' } });
  assert.equal(r.error, undefined);
  return { status: r.status, stderr: r.stderr };
}

test('resolveAddress: a literal as it is (its zone checked against this host\'s interfaces), a name to its addresses', async () => {
  assert.deepEqual(await resolveAddress('127.0.0.1', words), { address: '127.0.0.1' });
  assert.deepEqual(await resolveAddress('fe80::1%lo', words), { address: 'fe80::1%lo' });
  assert.deepEqual(await resolveAddress('fe80::1%1', words), { address: 'fe80::1%1' }, 'lo is interface 1 in every network namespace');
  const named = await resolveAddress('localhost', words);
  assert.ok(named.all && named.all.length >= 1 && named.all[0] === named.address, JSON.stringify(named));
  for (const zone of ['nosuch0', '999']) {
    await assert.rejects(resolveAddress(`fe80::1%${zone}`, words), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, `ADDRESS: the zone '${zone}' after % names no network interface of this host (ip -br link lists them)`);
      return true;
    });
  }
  await assert.rejects(resolveAddress('nosuch-host.invalid', words), (e: Error) => e instanceof UsageError && /^not found (ENOTFOUND|EAI_NONAME|EAI_NODATA)$/.test(e.message));
});

test('try and export: a zone that names no interface and a name that does not exist are bad input (exit 2), each in its own words', () => {
  const cases: [string[], RegExp][] = [
    [['try', 'connect', '[fe80::1%nosuch0]:80'], /^sockscope: ADDRESS: the zone 'nosuch0' after % names no network interface of this host \(ip -br link lists them\)\n$/],
    [['try', 'bind', '[fe80::1%999]:0'], /^sockscope: ADDRESS: the zone '999' after % names no network interface of this host \(ip -br link lists them\)\n$/],
    [['try', 'connect', '[fe80::1%nosuch0]:80', '--v6only'], /^sockscope: ADDRESS: the zone 'nosuch0' after % names no network interface/],
    [['export', '--listen', '[fe80::1%nosuch0]:9'], /^sockscope: --listen: the zone 'nosuch0' after % names no network interface of this host \(ip -br link lists them\)\n$/],
    [['try', 'connect', 'nosuch-host.invalid:80'], /^sockscope: ADDRESS: 'nosuch-host\.invalid' does not resolve \((ENOTFOUND|EAI_NONAME|EAI_NODATA)\)\n$/],
    [['export', '--listen', 'nosuch-host.invalid:9'], /^sockscope: --listen: 'nosuch-host\.invalid' is not an IP address and does not resolve \((ENOTFOUND|EAI_NONAME|EAI_NODATA)\); give the address to bind \(127\.0\.0\.1, ::1, 0\.0\.0\.0\.\.\.\)\n$/],
    [['export', '--listen', '1.2.3:9'], /^sockscope: --listen: '1\.2\.3' is not an IP address: an IPv4 address is four numbers 0-255/],
  ];
  for (const [args, want] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want, args.join(' '));
  }
});

test('try and export: a resolver that does not answer is a runtime failure (exit 1), each in its own words', { timeout: 60_000 }, () => {
  assert.equal(process.getuid?.(), 0, 'creating a network namespace needs root (as in CI)');
  const ns = `sockscope-resolve-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  assert.equal(add.error, undefined, 'ip (iproute2) is required');
  assert.equal(add.status, 0, add.stderr);
  try {
    // A namespace with only lo, down: every nameserver is unreachable, so getaddrinfo says EAI_AGAIN at once.
    const name = 'no-answer.sockscope.test';
    const why = `'${name}' could not be resolved now (EAI_AGAIN): the resolver did not answer (getent ahosts ${name}; cat /etc/resolv.conf)`;
    const t = run(['try', 'connect', `${name}:80`], ns);
    assert.equal(t.status, 1, t.stderr);
    assert.equal(t.stderr, `sockscope: resolve: ${why}\n`);
    const e = run(['export', '--listen', `${name}:9`], ns);
    assert.equal(e.status, 1, e.stderr);
    assert.equal(e.stderr, `sockscope: cannot listen on ${name}: ${why}\n`);
  } finally {
    spawnSync('ip', ['netns', 'delete', ns]);
  }
});
