// inspect-options judges IP_TTL / IPV6_UNICAST_HOPS against the system default (net.ipv4.ip_default_ttl,
// net.ipv6.conf.*.hop_limit), read in the socket's own network namespace: a TTL of 1, 9 or a hop limit of 33 set on
// a socket was "Unusual: nothing; every value read is a default". Real sockets held by python3, read as root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { interpretOption, type OptionContext } from '../../src/knowledge/interpret-options.js';

const HOLDER = `
import socket, os, sys, time
S = socket
IP_TTL, IPV6_UNICAST_HOPS = 2, 16
def l4(ttl):
    s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(4)
    if ttl is not None: s.setsockopt(S.IPPROTO_IP, IP_TTL, ttl)
    return s
def l6(hops):
    s = socket.socket(S.AF_INET6); s.bind(('::1', 0)); s.listen(4)
    if hops is not None: s.setsockopt(S.IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops)
    return s
socks = {'ttl1': l4(1), 'ttl9': l4(9), 'ttl64': l4(64), 'v4plain': l4(None), 'hops33': l6(33), 'hops64': l6(64), 'v6plain': l6(None)}
print(os.getpid(), ' '.join(f'{k}={s.fileno()}' for k, s in socks.items()), flush=True)
time.sleep(60)`;

/** python3 (in a new network namespace with `sysctls` set there, when given); its pid and fds by label. */
async function holder(t: { after: (f: () => void) => void }, netnsSysctls?: string[]): Promise<{ pid: number; fd: Record<string, number> }> {
  const pre = netnsSysctls ? `ip link set lo up; ${netnsSysctls.map((s) => `sysctl -qw ${s}`).join('; ')}; ` : '';
  const argv = netnsSysctls ? ['unshare', '-n', 'sh', '-c', `${pre}exec python3 -c "$0"`, HOLDER] : ['python3', '-c', HOLDER];
  return labelledFds(await holderLine(t, argv));
}

/** Network namespace `ns` (deleted after the test) with the shell commands of `setup` run in it. */
function namedNetns(t: { after: (f: () => void) => void }, ns: string, setup: string[]): void {
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  assert.equal(add.status, 0, add.stderr);
  t.after(() => spawnSync('ip', ['netns', 'del', ns]));
  const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', setup.join('; ')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${setup.join('; ')}: ${r.stderr}`);
}

interface Row {
  name: string;
  value?: number;
  readAs?: string;
  meaning?: string;
  unusual?: string;
}

function ttlRow(pid: number, fd: number): { row: Row; text: string } {
  const r = sockscope(['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', 'IP_TTL', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const row = (JSON.parse(r.stdout).options as Row[]).find((o) => o.name === 'IP_TTL')!;
  const text = sockscope(['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', 'IP_TTL']);
  assert.equal(text.status, 0, text.stderr);
  return { row, text: text.stdout.replace(/\n +/g, ' ') };
}

test('IP_TTL 1 and 9, IPV6_UNICAST_HOPS 33 are unusual against the system default; the default values are not', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root to read another process\'s socket');
  const h = await holder(t);
  const one = ttlRow(h.pid, h.fd.ttl1);
  assert.equal(one.row.value, 1);
  assert.match(one.row.unusual ?? '', /^IP_TTL 1 differs from the system default \(net\.ipv4\.ip_default_ttl=64\)/);
  assert.match(one.row.unusual ?? '', /SYN-ACKs.*never get past the first router/);
  assert.match(one.text, /^Unusual: - IP_TTL 1 differs/m);
  assert.doesNotMatch(one.text, /every value read is a default/);
  const nine = ttlRow(h.pid, h.fd.ttl9);
  assert.match(nine.row.unusual ?? '', /^IP_TTL 9 differs from the system default \(net\.ipv4\.ip_default_ttl=64\)/);
  assert.match(nine.row.unusual ?? '', /cross at most 8 routers/);
  const hops = ttlRow(h.pid, h.fd.hops33);
  assert.equal(hops.row.readAs, 'IPV6_UNICAST_HOPS');
  assert.match(hops.row.unusual ?? '', /^IPV6_UNICAST_HOPS 33 differs from the system default \(net\.ipv6\.conf\.all\.hop_limit=64\)/);
  for (const label of ['ttl64', 'v4plain', 'hops64', 'v6plain']) {
    const d = ttlRow(h.pid, h.fd[label]);
    assert.equal(d.row.value, 64, label);
    assert.equal(d.row.unusual, undefined, `${label}: ${d.row.unusual}`);
    assert.match(d.row.meaning ?? '', /the system default/, label);
    assert.match(d.text, /every value read is a default/, label);
  }
});

test('in another network namespace the TTL is judged against that namespace\'s ip_default_ttl and hop_limit', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root (unshare -n, nsenter)');
  const h = await holder(t, ['net.ipv4.ip_default_ttl=9', 'net.ipv6.conf.all.hop_limit=33', 'net.ipv6.conf.default.hop_limit=33', 'net.ipv6.conf.lo.hop_limit=33']);
  // 9 and 33 are that namespace's defaults; the 64 set there by hand is the unusual one.
  for (const label of ['ttl9', 'v4plain', 'hops33', 'v6plain']) {
    const d = ttlRow(h.pid, h.fd[label]);
    assert.equal(d.row.unusual, undefined, `${label}: ${d.row.unusual}`);
  }
  assert.match(ttlRow(h.pid, h.fd.ttl64).row.unusual ?? '', /^IP_TTL 64 differs from the system default \(net\.ipv4\.ip_default_ttl=9\)/);
  assert.match(ttlRow(h.pid, h.fd.hops64).row.unusual ?? '', /^IPV6_UNICAST_HOPS 64 differs from the system default \(net\.ipv6\.conf\.all\.hop_limit=33\)/);
});

test('IPV6_UNICAST_HOPS -1 means "use the default": not unusual', () => {
  const c: OptionContext = { family: 'inet6', state: 'LISTEN', sysctls: {} as OptionContext['sysctls'], extraSysctls: { 'net.ipv6.conf.all.hop_limit': '64' }, values: {}, readAs: 'IPV6_UNICAST_HOPS' };
  const i = interpretOption('IP_TTL', -1, c);
  assert.equal(i.unusual, undefined);
  assert.match(i.meaning, /default/);
});

// A connected or accepted IPv6 socket that never set its hop limit reads its route's (ip6_dst_hoplimit: the route's
// hoplimit metric, else the outgoing interface's net.ipv6.conf.<dev>.hop_limit), not conf.all's: with lo.hop_limit 20
// a client over ::1 read 20 and was "Unusual ... differs from the system default (net.ipv6.conf.all.hop_limit=33)".
// IPv4's getsockopt(IP_TTL) returns ip_default_ttl whatever the route (its packets carry the route's hoplimit).
const ROUTED = `
import socket, os, time
S = socket
HOPS, TTL = 16, 2
l = S.socket(S.AF_INET6); l.bind(('::1', 0)); l.listen(4)
c = S.socket(S.AF_INET6); c.connect(('::1', l.getsockname()[1])); a, _ = l.accept()
c40 = S.socket(S.AF_INET6); c40.setsockopt(S.IPPROTO_IPV6, HOPS, 40); c40.connect(('::1', l.getsockname()[1])); a40, _ = l.accept()
ldef = S.socket(S.AF_INET6); ldef.bind(('::1', 0)); ldef.listen(4); ldef.setsockopt(S.IPPROTO_IPV6, HOPS, 50)
def u6(dst, hops=None):
    s = S.socket(S.AF_INET6, S.SOCK_DGRAM)
    if hops is not None: s.setsockopt(S.IPPROTO_IPV6, HOPS, hops)
    s.connect((dst, 9)); return s
def u4(dst, ttl=None):
    s = S.socket(S.AF_INET, S.SOCK_DGRAM)
    if ttl is not None: s.setsockopt(S.IPPROTO_IP, TTL, ttl)
    s.connect((dst, 9)); return s
socks = {'listener': l, 'client': c, 'accepted': a, 'client40': c40, 'ldefault50': ldef,
         'metric': u6('fd02::9'), 'metric12': u6('fd02::9', 12), 'dev': u6('fd01::9'), 'metric33': u6('fd02::9', 33),
         'v4metric': u4('10.2.0.9'), 'v4metric9': u4('10.2.0.9', 9)}
print(os.getpid(), ' '.join(f'{k}={s.fileno()}' for k, s in socks.items()),
      ' '.join(f'read_{k}={s.getsockopt(S.IPPROTO_IPV6, HOPS) if s.family == S.AF_INET6 else s.getsockopt(S.IPPROTO_IP, TTL)}' for k, s in socks.items()), flush=True)
time.sleep(60)`;

test('a connected or accepted IPv6 socket is judged against its route\'s hop limit (metric, else the interface\'s), not conf.all', { timeout: 120_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root (ip netns, nsenter)');
  const ns = `sockscope-ttl-${process.pid}`;
  const setup = [
    'ip link set lo up',
    'sysctl -qw net.ipv6.conf.all.hop_limit=33 net.ipv6.conf.default.hop_limit=50 net.ipv6.conf.lo.hop_limit=20',
    'ip link add d0 type veth peer name d1', 'ip link set d0 up', 'ip link set d1 up',
    'sysctl -qw net.ipv6.conf.d0.hop_limit=44',
    'ip -6 addr add fd01::1/64 dev d0 nodad', 'ip -6 route add fd02::/64 dev d0 hoplimit 7',
    'ip addr add 10.1.0.1/24 dev d0', 'ip route add 10.2.0.0/24 dev d0 hoplimit 7',
  ];
  namedNetns(t, ns, setup);
  const { pid, fd: kv } = labelledFds(await holderLine(t, ['ip', 'netns', 'exec', ns, 'python3', '-c', ROUTED]));
  // What the kernel returns (python's own getsockopt): the route's, the interface's, conf.all for the listener.
  assert.deepEqual([kv.read_listener, kv.read_client, kv.read_accepted, kv.read_metric, kv.read_dev, kv.read_v4metric], [33, 20, 20, 7, 44, 64]);
  // sockscope in the host's namespace (the route read there through nsenter) and inside the holder's own.
  for (const where of [{}, { netns: ns }]) {
    const row = (label: string) => {
      const r = sockscope(['inspect-options', '--pid', String(pid), '--socket-fd', String(kv[label]), '--options', 'IP_TTL', '--json'], where);
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      return { ...(j.options as Row[]).find((o) => o.name === 'IP_TTL')!, extra: j.extraSysctls as Record<string, string | null> };
    };
    const tag = where.netns ? 'inside' : 'from the host';
    for (const label of ['listener', 'client', 'accepted', 'metric', 'dev', 'v4metric']) {
      const r = row(label);
      assert.equal(r.unusual, undefined, `${tag} ${label} (${r.value}): ${r.unusual}`);
    }
    assert.match(row('client').meaning ?? '', /the default for its route: net\.ipv6\.conf\.lo\.hop_limit=20/, tag);
    assert.match(row('accepted').meaning ?? '', /net\.ipv6\.conf\.lo\.hop_limit=20/, tag);
    assert.equal(row('client').extra['net.ipv6.conf.lo.hop_limit'], '20', tag);
    assert.equal(row('client').extra['net.ipv6.conf.all.hop_limit'], '33', tag);
    assert.match(row('metric').meaning ?? '', /the default for its route: the hoplimit of the route to the peer \(fd02::9 .*dev d0.*hoplimit 7/, tag);
    assert.match(row('dev').meaning ?? '', /net\.ipv6\.conf\.d0\.hop_limit=44/, tag);
    assert.match(row('v4metric').meaning ?? '', /the system default net\.ipv4\.ip_default_ttl.*hoplimit 7/, tag);
    // Values the socket set itself are still unusual, against the route's default.
    assert.match(row('client40').unusual ?? '', /^IPV6_UNICAST_HOPS 40 differs from the default for its route \(net\.ipv6\.conf\.lo\.hop_limit=20/, tag);
    assert.match(row('metric12').unusual ?? '', /^IPV6_UNICAST_HOPS 12 differs from the default for its route \(the hoplimit of the route to the peer/, tag);
    assert.match(row('v4metric9').unusual ?? '', /^IP_TTL 9 differs from the system default \(net\.ipv4\.ip_default_ttl=64\)/, tag);
    // conf.all's value on a connected socket: what it reads when its cached route was dropped, not a finding.
    assert.equal(row('metric33').unusual, undefined, tag);
    if (!where.netns) {
      // From the host: one nsenter for the namespace's sysctls (every interface's hop_limit with them), one for the
      // route; the device's hop_limit is not read with a third.
      process.env.SOCKET_DEBUG = '1';
      try {
        const r = sockscope(['inspect-options', '--pid', String(pid), '--socket-fd', String(kv.dev), '--options', 'IP_TTL', '--json']);
        const nsenters = r.stderr.split('\n').filter((l) => /\bnsenter --net=/.test(l));
        assert.equal(nsenters.length, 2, nsenters.join('\n'));
        assert.match(JSON.parse(r.stdout).options.find((o: Row) => o.name === 'IP_TTL').meaning, /net\.ipv6\.conf\.d0\.hop_limit=44/);
        // The route keys (SO_BINDTODEVICE, SO_MARK) are read in the same getsockopt pass, and not shown as options.
        const reads = r.stderr.split('\n').filter((l) => /\bffi getsockopt x\d+ fd=/.test(l));
        assert.equal(reads.length, 1, reads.join('\n'));
        assert.deepEqual((JSON.parse(r.stdout).options as Row[]).filter((o) => o.name === 'SO_MARK' || o.name === 'SO_BINDTODEVICE'), []);
      } finally {
        delete process.env.SOCKET_DEBUG;
      }
    }
    // conf.default only seeds new interfaces: a listener set to its value is unusual.
    assert.match(row('ldefault50').unusual ?? '', /^IPV6_UNICAST_HOPS 50 differs from the system default \(net\.ipv6\.conf\.all\.hop_limit=33\)/, tag);
  }
});

// The route 'ip route get' finds must be the socket's: one bound to a device (SO_BINDTODEVICE, or by connecting to a
// link-local peer with its zone) routes out of that device, and an AF_INET6 socket with a v4-mapped peer is an IPv4
// one. With fd00::/64 and fe80::/64 on two devices (hop_limit 11 and 44), a socket bound to the second read 44 and was
// "Unusual ... differs from the default for its route (net.ipv6.conf.e0.hop_limit=11)" (review s15 dr-c).
const BOUND = `
import socket, os, time
S = socket
HOPS = 16
def u6(dst, dev=None, scope=0):
    s = S.socket(S.AF_INET6, S.SOCK_DGRAM)
    if dev: s.setsockopt(S.SOL_SOCKET, 25, dev.encode())
    s.connect((dst, 9, 0, scope)); return s
l = S.socket(S.AF_INET6); l.setsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY, 0); l.bind(('::', 0)); l.listen(4)
c4 = S.create_connection(('127.0.0.1', l.getsockname()[1])); mapped, _ = l.accept()
socks = {'bound': u6('fd00::9', 'e1'), 'unbound': u6('fd00::9'), 'll': u6('fe80::9', scope=S.if_nametoindex('e1')), 'mapped': mapped}
print(os.getpid(), ' '.join(f'{k}={s.fileno()}' for k, s in socks.items()),
      ' '.join(f'read_{k}={s.getsockopt(S.IPPROTO_IPV6, HOPS) if k != "mapped" else s.getsockopt(S.IPPROTO_IP, 2)}' for k, s in socks.items()), flush=True)
time.sleep(60)`;

test('the route of a socket bound to a device, or to a link-local peer, goes out of that device; a v4-mapped peer is IPv4', { timeout: 120_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root (ip netns, nsenter)');
  const ns = `sockscope-ttlb-${process.pid}`;
  const setup = [
    'ip link set lo up', 'sysctl -qw net.ipv6.conf.all.hop_limit=33',
    'ip link add e0 type veth peer name p0', 'ip link add e1 type veth peer name p1',
    'ip link set e0 up', 'ip link set e1 up', 'ip link set p0 up', 'ip link set p1 up',
    'sysctl -qw net.ipv6.conf.e0.hop_limit=11 net.ipv6.conf.e1.hop_limit=44',
    'ip -6 addr add fd00::a1/64 dev e0 nodad', 'ip -6 addr add fd00::a2/64 dev e1 nodad',
    'ip -6 addr add fe80::a1/64 dev e0 nodad', 'ip -6 addr add fe80::a2/64 dev e1 nodad',
  ];
  namedNetns(t, ns, setup);
  const { pid, fd: kv } = labelledFds(await holderLine(t, ['ip', 'netns', 'exec', ns, 'python3', '-c', BOUND]));
  // The kernel: the bound socket and the link-local one go out of e1 (44), the unbound one out of e0 (11).
  assert.deepEqual([kv.read_bound, kv.read_unbound, kv.read_ll, kv.read_mapped], [44, 11, 44, 64]);
  for (const where of [{}, { netns: ns }]) {
    const tag = where.netns ? 'inside' : 'from the host';
    const row = (label: string) => {
      const r = sockscope(['inspect-options', '--pid', String(pid), '--socket-fd', String(kv[label]), '--options', 'IP_TTL', '--json'], where);
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      return { ...(j.options as Row[]).find((o) => o.name === 'IP_TTL')!, extra: j.extraSysctls as Record<string, string | null> };
    };
    for (const label of ['bound', 'unbound', 'll', 'mapped']) {
      const r = row(label);
      assert.equal(r.unusual, undefined, `${tag} ${label} (${r.value}): ${r.unusual}`);
    }
    assert.match(row('bound').meaning ?? '', /the default for its route: net\.ipv6\.conf\.e1\.hop_limit=44/, tag);
    assert.match(row('bound').extra['ip route get <peer>'] ?? '', /dev e1/, tag);
    assert.match(row('unbound').meaning ?? '', /net\.ipv6\.conf\.e0\.hop_limit=11/, tag);
    assert.match(row('ll').meaning ?? '', /net\.ipv6\.conf\.e1\.hop_limit=44/, tag);
    // The v4-mapped peer: judged at the IPv4 level (ip_default_ttl), its route read as IPv4, no interface hop_limit.
    const mapped = row('mapped');
    assert.match(mapped.meaning ?? '', /the system default net\.ipv4\.ip_default_ttl/, tag);
    assert.match(mapped.extra['ip route get <peer>'] ?? '', /^(local )?127\.0\.0\.1 /, tag);
    assert.deepEqual(Object.keys(mapped.extra).filter((k) => /^net\.ipv6\.conf\.(?!all\.)/.test(k)), [], tag);
  }
});

test('a link-local peer without its zone nor a bound device: the route is not guessed, and the hop limit not judged', async () => {
  const { routeHopLimitFacts } = await import('../../src/collect/route-hop-limit.js');
  const facts = await routeHopLimitFacts({ family: 'inet6', state: 'ESTABLISHED', local: '[fe80::a1]:40000', peer: '[fe80::9]:9' }, undefined, {}, async () => null);
  assert.equal(facts.extra['ip route get <peer>'], null);
  assert.match(facts.missing ?? '', /link-local.*zone.*unknown/);
  const c: OptionContext = { family: 'inet6', state: 'ESTABLISHED', peer: '[fe80::9]:9', sysctls: {} as OptionContext['sysctls'], extraSysctls: { 'net.ipv6.conf.all.hop_limit': '64', ...facts.extra }, values: {}, readAs: 'IPV6_UNICAST_HOPS' };
  const i = interpretOption('IP_TTL', 44, c);
  assert.equal(i.unusual, undefined);
  assert.match(i.meaning, /link-local and its zone.*is unknown.*not judged/);
});
