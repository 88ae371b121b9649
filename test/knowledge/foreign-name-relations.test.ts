// What the reference says another platform's name is. `options SO_EXCLUSIVEADDRUSE` said "the Linux equivalent is
// SO_REUSEADDR" (relation "variant"), yet it does the opposite: it forbids the shared binding Windows' SO_REUSEADDR
// allows, and Linux binds exclusively by default. The Linux half of what the note now says is checked with real
// sockets on loopback; every other name the note calls an equivalent is one reviewed as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { FOREIGN_OPTION_NAMES, matchOption, foreignNameNote, optionReport } from '../../src/knowledge/socket-options.js';

test('SO_EXCLUSIVEADDRUSE: not called an equivalent (or variant) of SO_REUSEADDR; the note says it does the opposite', () => {
  const r = optionReport('SO_EXCLUSIVEADDRUSE');
  assert.equal(r.name, 'SO_REUSEADDR');
  assert.deepEqual(r.foreignName?.uses, [{ option: 'SO_REUSEADDR', platforms: ['windows'], relation: 'related' }]);
  const note = r.foreignName!.note;
  assert.doesNotMatch(note, /equivalent is SO_REUSEADDR|nearest Linux option/);
  assert.match(note, /^SO_EXCLUSIVEADDRUSE is a Windows option that does the opposite of SO_REUSEADDR: it forbids the shared binding/);
  assert.match(note, /Linux has no equivalent and needs none: binding is exclusive there by default/);

  const cli = spawnSync('bin/sockscope', ['options', 'SO_EXCLUSIVEADDRUSE'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /^SO_EXCLUSIVEADDRUSE is a Windows option that does the opposite of SO_REUSEADDR/);
  assert.doesNotMatch(cli.stdout, /the Linux equivalent is SO_REUSEADDR/);
  const json = spawnSync('bin/sockscope', ['options', 'SO_EXCLUSIVEADDRUSE', '--json'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(json.status, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).foreignName.uses[0].relation, 'related');
});

test('what the note says of Linux holds on loopback: a second bind needs the holder to allow it', () => {
  // (a) A TCP listener with SO_REUSEADDR: a second socket with SO_REUSEADDR still cannot bind its address or the
  // wildcard. (b) UDP: the second socket's SO_REUSEADDR alone is refused; both with it share. (c) SO_REUSEPORT on both.
  const py = String.raw`
import socket
def try_bind(s, addr):
    try:
        s.bind(addr); return 'ok'
    except OSError as e:
        return e.strerror
def sock(t, reuseaddr=False, reuseport=False):
    s = socket.socket(socket.AF_INET, t)
    if reuseaddr: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return s
keep = []
a = sock(socket.SOCK_STREAM, reuseaddr=True); a.bind(('127.0.0.1', 0)); a.listen(); p = a.getsockname()[1]; keep.append(a)
print('tcp-listener-same', try_bind(sock(socket.SOCK_STREAM, reuseaddr=True), ('127.0.0.1', p)))
print('tcp-listener-wildcard', try_bind(sock(socket.SOCK_STREAM, reuseaddr=True), ('0.0.0.0', p)))
u = sock(socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0)); p = u.getsockname()[1]; keep.append(u)
print('udp-holder-without', try_bind(sock(socket.SOCK_DGRAM, reuseaddr=True), ('127.0.0.1', p)))
u = sock(socket.SOCK_DGRAM, reuseaddr=True); u.bind(('127.0.0.1', 0)); p = u.getsockname()[1]; keep.append(u)
print('udp-both', try_bind(sock(socket.SOCK_DGRAM, reuseaddr=True), ('127.0.0.1', p)))
t = sock(socket.SOCK_STREAM, reuseport=True); t.bind(('127.0.0.1', 0)); t.listen(); p = t.getsockname()[1]; keep.append(t)
print('tcp-reuseport-both', try_bind(sock(socket.SOCK_STREAM, reuseport=True), ('127.0.0.1', p)))
`;
  const r = spawnSync('python3', ['-c', py], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  const got = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
  assert.deepEqual(got, {
    'tcp-listener-same': 'Address already in use',
    'tcp-listener-wildcard': 'Address already in use',
    'udp-holder-without': 'Address already in use',
    'udp-both': 'ok',
    'tcp-reuseport-both': 'ok',
  });
});

test('every name the note calls "the Linux equivalent" of an entry is one reviewed as an equivalent', () => {
  // Reviewed: the same option there under another name, or its counterpart with the differences the entry's note gives.
  const reviewed = new Set([
    'SO_PROTOTYPE', 'SO_REUSEPORT_LB', 'SO_LINGER_SEC', 'SO_DONTLINGER', 'IP_BOUND_IF', 'IPV6_BOUND_IF', 'IP_UNICAST_IF', 'SO_USER_COOKIE',
    'TCP_NOPUSH', 'TCP_KEEPALIVE', 'TCP_MAXUNACKTIME', 'TCP_RXT_CONNDROPTIME', 'TCP_MAXRT', 'TCP_MAXRTMS', 'TCP_CONGESTION_ALGORITHM',
    'SO_ACCEPTFILTER', 'TCP_CONNECTION_INFO', 'IP_BINDANY',
  ]);
  const saysEquivalent = FOREIGN_OPTION_NAMES.filter((n) => /the Linux equivalent is/.test(foreignNameNote(matchOption(n)!) ?? ''));
  assert.deepEqual(saysEquivalent.filter((n) => !reviewed.has(n)), []);
  assert.ok(!saysEquivalent.includes('SO_EXCLUSIVEADDRUSE'));
});
