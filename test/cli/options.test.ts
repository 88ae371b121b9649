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

// Other platforms' names: every one the reference prints resolves, and the entry says whose name it is.
const OPTION_LIKE = /\b(?:SO|TCP|IPV6|IP)_[A-Z0-9_]*[A-Z0-9]\b/g;

test('every platform-specific name `options NAME` prints resolves (walks the whole table)', async () => {
  const { formatOption } = await import('../../src/cli/commands/options-run.js');
  const { SOCKET_OPTIONS, matchOption } = await import('../../src/knowledge/socket-options.js');
  const printed = new Set<string>();
  for (const o of SOCKET_OPTIONS) {
    const text = formatOption(o, 100);
    const foreignPart = text.slice(text.indexOf('\nOther platforms:'), text.indexOf('\nSee also') < 0 ? undefined : text.indexOf('\nSee also'));
    const ipv6Line = text.split('\n').find((l) => l.startsWith('  IPv6 ')) ?? '';
    for (const n of [...foreignPart.matchAll(OPTION_LIKE), ...ipv6Line.matchAll(OPTION_LIKE)].map((x) => x[0])) printed.add(n);
  }
  assert.ok(printed.size > 40, `${printed.size} names`);
  for (const n of printed) assert.ok(matchOption(n), `'${n}' is printed by \`sockscope options\` but does not resolve`);
});

test('options OTHER-PLATFORM-NAME: exit 0, the Linux entry, a first line saying whose name it is', () => {
  const cases: [string, RegExp, string][] = [
    ['TCP_MAXRT', /^TCP_MAXRT is the Windows name; the Linux equivalent is TCP_USER_TIMEOUT/, 'TCP_USER_TIMEOUT'],
    ['IP_BOUND_IF', /^IP_BOUND_IF is the macOS name; the Linux equivalent is SO_BINDTODEVICE/, 'SO_BINDTODEVICE'],
    ['ip_unicast_if', /^IP_UNICAST_IF is the Windows name; the Linux equivalent is SO_BINDTODEVICE/, 'SO_BINDTODEVICE'],
    ['TCP_MAXUNACKTIME', /^TCP_MAXUNACKTIME is the FreeBSD name; the Linux equivalent is TCP_USER_TIMEOUT/, 'TCP_USER_TIMEOUT'],
    ['TCP_RXT_CONNDROPTIME', /^TCP_RXT_CONNDROPTIME is the macOS name/, 'TCP_USER_TIMEOUT'],
    ['SO_ACCEPTFILTER', /^SO_ACCEPTFILTER is the FreeBSD name; the Linux equivalent is TCP_DEFER_ACCEPT/, 'TCP_DEFER_ACCEPT'],
    ['IP_BINDANY', /^IP_BINDANY is the FreeBSD name; the Linux equivalent is IP_FREEBIND[^]*IP_TRANSPARENT/, 'IP_FREEBIND'],
    ['TCP_CONGESTION_ALGORITHM', /^TCP_CONGESTION_ALGORITHM is the Windows name/, 'TCP_CONGESTION'],
    ['SO_DONTLINGER', /^SO_DONTLINGER is a Windows name; the Linux equivalent is SO_LINGER/, 'SO_LINGER'],
    ['SO_PROTOTYPE', /^SO_PROTOTYPE is a FreeBSD name; the Linux equivalent is SO_PROTOCOL/, 'SO_PROTOCOL'],
    ['IPV6_TCLASS', /^IPV6_TCLASS is the IPv6-level twin of IP_TOS on Linux \(IPPROTO_IPV6, optname 67\)/, 'IP_TOS'],
  ];
  for (const [name, line, linux] of cases) {
    const r = run('options', name);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, line, name);
    assert.match(r.stdout, new RegExp(`\\n\\n${linux}: `), name);
  }
  const j = JSON.parse(run('options', 'TCP_NOPUSH', '--json').stdout);
  assert.equal(j.name, 'TCP_CORK');
  assert.deepEqual(j.foreignName.uses, [{ option: 'TCP_CORK', platforms: ['freebsd', 'macos'], relation: 'equivalent' }]);
  assert.equal(JSON.parse(run('options', 'TCP_CORK', '--json').stdout).foreignName, undefined);
});

test('"applies to" says IP sockets for options of both families, not "ipv4 sockets" (SO_REUSEPORT, IP_FREEBIND)', () => {
  // Review: SO_REUSEPORT and IP_FREEBIND apply to AF_INET6 sockets too, yet read "applies to ipv4 sockets".
  for (const name of ['SO_REUSEPORT', 'IP_FREEBIND', 'IP_TTL']) {
    const r = run('options', name);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ {2}applies to IP sockets \(IPv4 and IPv6\)/m, name);
  }
  assert.match(run('options', 'TCP_NODELAY').stdout, /^ {2}applies to TCP sockets/m);
  assert.match(run('options', 'SO_SNDBUF').stdout, /^ {2}applies to every socket/m);
  const json = JSON.parse(run('options', 'SO_REUSEPORT', '--json').stdout);
  assert.equal(json.appliesTo, 'ip');
});
