// The separate Linux options the reference names under an entry (its linuxRelated) were read as that entry under
// the entry's name (review s19): --options IP_MULTICAST_TTL gave [{"name":"IP_TTL","value":9}] on a socket with
// IP_MULTICAST_TTL 7, --options TCP_FASTOPEN_CONNECT printed "TCP_FASTOPEN 0", exit 0, nothing saying the asked
// option was not read. Each is now read as itself (its own level, optname and layout), or, set only (getsockopt
// fails with ENOPROTOOPT), says it is not readable while the option showing its effect is read along. Real sockets
// held by python3 in a network namespace of the test's own (tcp_fastopen=1 there), read as root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine } from '../helpers/holder-line.js';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { SOCKET_OPTIONS } from '../../src/knowledge/socket-options.js';

const HOLDER = String.raw`
import json, os, socket as S, struct, time
u = S.socket(S.AF_INET, S.SOCK_DGRAM); u.setsockopt(S.IPPROTO_IP, 33, 7); u.setsockopt(S.IPPROTO_IP, S.IP_TTL, 9)
u6 = S.socket(S.AF_INET6, S.SOCK_DGRAM); u6.setsockopt(S.IPPROTO_IP, 33, 5)
t = S.socket(); t.setsockopt(S.IPPROTO_TCP, 30, 1); t.setsockopt(S.SOL_SOCKET, S.SO_RCVTIMEO, struct.pack('ll', 3, 250000))
plain = S.socket()
own = {'mttl': u.getsockopt(S.IPPROTO_IP, 33), 'mttl6': u6.getsockopt(S.IPPROTO_IP, 33), 'ttl': u.getsockopt(S.IPPROTO_IP, S.IP_TTL),
  'foc': t.getsockopt(S.IPPROTO_TCP, 30), 'fastopen': t.getsockopt(S.IPPROTO_TCP, 23), 'rcvtimeo': struct.unpack('qq', t.getsockopt(S.SOL_SOCKET, 66, 16))}
print(json.dumps({'pid': os.getpid(), 'fd': {'udp': u.fileno(), 'udp6': u6.fileno(), 'tcp': t.fileno(), 'plain': plain.fileno()}, 'own': own}), flush=True)
time.sleep(60)`;

interface Row {
  name: string;
  value?: unknown;
  meaning?: string;
  missing?: string;
  readBecause?: string;
}

function rows(pid: number, fd: number, options: string): Row[] {
  const r = sockscope(['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', options, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).options as Row[];
}

function text(pid: number, fd: number, options: string): string {
  const r = sockscope(['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', options]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('IP_MULTICAST_TTL, TCP_FASTOPEN_CONNECT and SO_*TIMEO_NEW are read as themselves; the set-only ones say they cannot be read (real sockets)', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'reading another process\'s socket needs root (as the CI runs)');
  const line = await holderLine(t, ['unshare', '-n', 'sh', '-c', 'ip link set lo up; sysctl -qw net.ipv4.tcp_fastopen=1; exec python3 -c "$0"', HOLDER]);
  const h = JSON.parse(line) as { pid: number; fd: Record<string, number>; own: { mttl: number; mttl6: number; ttl: number; foc: number; fastopen: number; rcvtimeo: [number, number] } };
  assert.deepEqual([h.own.mttl, h.own.ttl, h.own.mttl6, h.own.foc, h.own.fastopen], [7, 9, 5, 1, 0]);

  // IP_MULTICAST_TTL: IPPROTO_IP 33, not IP_TTL (9); on AF_INET6 too (its IPv4 multicast).
  assert.deepEqual(rows(h.pid, h.fd.udp, 'IP_MULTICAST_TTL').map((o) => [o.name, o.value]), [['IP_MULTICAST_TTL', 7]]);
  assert.deepEqual(rows(h.pid, h.fd.udp, 'ip_multicast_ttl,IP_TTL').map((o) => [o.name, o.value]), [['IP_MULTICAST_TTL', 7], ['IP_TTL', 9]]);
  const six = rows(h.pid, h.fd.udp6, 'IP_MULTICAST_TTL');
  assert.deepEqual(six.map((o) => [o.name, o.value]), [['IP_MULTICAST_TTL', 5]]);
  assert.match(six[0].meaning!, /TTL 5.*IPv4 multicast only: its IPv6 multicast takes IPV6_MULTICAST_HOPS/);
  const mt = text(h.pid, h.fd.udp, 'IP_MULTICAST_TTL');
  assert.match(mt, /^IP_MULTICAST_TTL +7\n +multicast datagrams this socket sends carry TTL 7/m);
  assert.doesNotMatch(mt, /^IP_TTL/m);

  // TCP_FASTOPEN_CONNECT: IPPROTO_TCP 30 (1 here), not the listener's TCP_FASTOPEN queue (0).
  const foc = rows(h.pid, h.fd.tcp, 'TCP_FASTOPEN_CONNECT');
  assert.deepEqual(foc.map((o) => [o.name, o.value]), [['TCP_FASTOPEN_CONNECT', true]]);
  assert.match(foc[0].meaning!, /^client Fast Open: connect\(\) returns at once/);
  assert.deepEqual(rows(h.pid, h.fd.plain, 'TCP_FASTOPEN_CONNECT').map((o) => [o.name, o.value]), [['TCP_FASTOPEN_CONNECT', false]]);
  const ft = text(h.pid, h.fd.tcp, 'TCP_FASTOPEN_CONNECT');
  assert.match(ft, /^TCP_FASTOPEN_CONNECT +on \(1\)$/m);
  assert.doesNotMatch(ft, /^TCP_FASTOPEN /m);

  // SO_RCVTIMEO_NEW / SO_SNDTIMEO_NEW: optnames 66 / 67, the value the process itself reads.
  const timeo = rows(h.pid, h.fd.tcp, 'SO_RCVTIMEO_NEW,SO_SNDTIMEO_NEW');
  assert.deepEqual(timeo.map((o) => [o.name, o.value]), [['SO_RCVTIMEO_NEW', { seconds: h.own.rcvtimeo[0], micros: h.own.rcvtimeo[1] }], ['SO_SNDTIMEO_NEW', { seconds: 0, micros: 0 }]]);

  // Set only: a row that says so (text and --json), and the option that shows the effect read along.
  for (const [name, shownBy] of [['SO_RCVBUFFORCE', 'SO_RCVBUF'], ['SO_SNDBUFFORCE', 'SO_SNDBUF'], ['SO_ATTACH_REUSEPORT_CBPF', 'SO_REUSEPORT'], ['SO_ATTACH_REUSEPORT_EBPF', 'SO_REUSEPORT']]) {
    const all = rows(h.pid, h.fd.tcp, name);
    // What shownBy's own verdict depends on is read along too (SO_RCVLOWAT for SO_RCVBUF, TCP_INFO for SO_SNDBUF).
    const r = all.filter((o) => o.name === shownBy || o.name === name);
    for (const o of all) if (!r.includes(o)) assert.equal(o.readBecause, shownBy, `${name}: ${o.name}`);
    assert.deepEqual(r.map((o) => [o.name, o.readBecause]), [[shownBy, name], [name, undefined]]);
    assert.notEqual(r[0].value, undefined);
    assert.equal(r[1].value, undefined);
    assert.match(r[1].missing!, new RegExp(`^not readable: ${name} is set only \\(getsockopt fails with ENOPROTOOPT on every socket\\); .*${shownBy}`));
    assert.match(text(h.pid, h.fd.tcp, name), new RegExp(`^${name} +- \\(not readable: ${name} is set only`, 'm'));
  }
});

test('every separate Linux option of the reference is read under its own name, never as its entry alone (real sockets)', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'reading another process\'s socket needs root (as the CI runs)');
  const line = await holderLine(t, ['unshare', '-n', 'sh', '-c', 'ip link set lo up; sysctl -qw net.ipv4.tcp_fastopen=1; exec python3 -c "$0"', HOLDER]);
  const h = JSON.parse(line) as { pid: number; fd: Record<string, number> };
  const related = SOCKET_OPTIONS.flatMap((o) => (o.linuxRelated ?? []).map((r) => [r.name, o.name] as const));
  assert.ok(related.length >= 9);
  for (const [name, entry] of related) {
    for (const fd of [h.fd.tcp, h.fd.udp]) {
      const r = rows(h.pid, fd, name);
      const own = r.find((o) => o.name === name);
      assert.ok(own, `${name}: a row of its own (got ${r.map((o) => o.name).join(', ')})`);
      // A value read as itself, or why not (not applicable to this socket, not readable); no unexplained row of the entry.
      assert.ok(own.value !== undefined || /^(not applicable|not readable)/.test(own.missing ?? ''), `${name}: ${JSON.stringify(own)}`);
      for (const o of r) if (o.name === entry) assert.equal(o.readBecause, name, `${name}: ${entry} read only as a dependency`);
    }
  }
});
