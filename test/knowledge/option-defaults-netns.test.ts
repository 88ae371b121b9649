// The reference's defaults against the kernel: an entry whose default names a sysctl as its source
// ("net.ipv4.ip_default_ttl (64)") must read what that sysctl says on a new socket. IP_FREEBIND's said
// "net.ipv4.ip_nonlocal_bind (0)", yet with ip_nonlocal_bind=1 a new socket still reads 0 (the sysctl allows
// non-local binds for every socket without setting the flag). Probed in a network namespace of the test's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SOCKET_OPTIONS, LINUX_LEVELS, findOption } from '../../src/knowledge/socket-options.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

/** A default that names its sysctl as the source: "net.x.y (N)", "TCP: net.ipv4.tcp_wmem[1] (16384)". */
const CLAIM = /^(?:TCP: )?(net\.[\w.]+)(?:\[(\d)\])? \(/;

interface Probe { option: string; sysctl: string; value: string; family: 'inet' | 'inet6'; type: 'stream' | 'dgram'; expect: string }
/** How to move each sysctl a default may name (in the test's namespace) and what a new socket then reads. */
const PROBES: Probe[] = [
  { option: 'SO_SNDBUF', sysctl: 'net.ipv4.tcp_wmem', value: '4096 20480 4194304', family: 'inet', type: 'stream', expect: '20480' },
  { option: 'SO_RCVBUF', sysctl: 'net.ipv4.tcp_rmem', value: '4096 65536 6291456', family: 'inet', type: 'stream', expect: '65536' },
  { option: 'TCP_KEEPIDLE', sysctl: 'net.ipv4.tcp_keepalive_time', value: '1234', family: 'inet', type: 'stream', expect: '1234' },
  { option: 'TCP_KEEPINTVL', sysctl: 'net.ipv4.tcp_keepalive_intvl', value: '33', family: 'inet', type: 'stream', expect: '33' },
  { option: 'TCP_KEEPCNT', sysctl: 'net.ipv4.tcp_keepalive_probes', value: '4', family: 'inet', type: 'stream', expect: '4' },
  { option: 'TCP_CONGESTION', sysctl: 'net.ipv4.tcp_congestion_control', value: 'reno', family: 'inet', type: 'stream', expect: 'reno' },
  { option: 'IP_TTL', sysctl: 'net.ipv4.ip_default_ttl', value: '77', family: 'inet', type: 'dgram', expect: '77' },
  { option: 'IPV6_V6ONLY', sysctl: 'net.ipv6.bindv6only', value: '1', family: 'inet6', type: 'stream', expect: '1' },
  { option: 'IP_FREEBIND', sysctl: 'net.ipv4.ip_nonlocal_bind', value: '1', family: 'inet', type: 'stream', expect: '0' },
  { option: 'IP_FREEBIND', sysctl: 'net.ipv6.ip_nonlocal_bind', value: '1', family: 'inet6', type: 'stream', expect: '0' },
  { option: 'IP_TRANSPARENT', sysctl: 'net.ipv4.ip_nonlocal_bind', value: '1', family: 'inet', type: 'stream', expect: '0' },
];
/** Host-wide sysctls a namespace cannot change: the reading is compared with the host's value. */
const HOST_ONLY: Record<string, { option: string; family: 'inet'; type: 'stream' }> = {
  'net.core.busy_read': { option: 'SO_BUSY_POLL', family: 'inet', type: 'stream' },
};

// Reads each probe's option on a new socket before and after setting its sysctl (then restores it).
const PY = String.raw`
import json, socket, subprocess, sys
out = []
for p in json.loads(sys.argv[1]):
    fam = socket.AF_INET6 if p['family'] == 'inet6' else socket.AF_INET
    typ = socket.SOCK_DGRAM if p['type'] == 'dgram' else socket.SOCK_STREAM
    def read():
        s = socket.socket(fam, typ)
        try:
            if p['string']:
                return s.getsockopt(p['level'], p['optname'], 16).split(b'\0')[0].decode()
            return str(s.getsockopt(p['level'], p['optname']))
        finally:
            s.close()
    r = {'before': read()}
    if p.get('value') is not None:
        old = subprocess.run(['sysctl', '-n', p['sysctl']], capture_output=True, text=True, check=True).stdout.strip()
        subprocess.run(['sysctl', '-qw', p['sysctl'] + '=' + p['value']], check=True)
        r['after'] = read()
        subprocess.run(['sysctl', '-qw', p['sysctl'] + '=' + old], check=True)
    out.append(r)
print(json.dumps(out))
`;

function probe(ns: string, cases: { option: string; sysctl: string; value?: string; family: string; type: string }[]): { before: string; after?: string }[] {
  const spec = cases.map((c) => {
    const o = findOption(c.option)!;
    return { ...c, level: LINUX_LEVELS[o.level], optname: o.linux, string: o.type === 'string' };
  });
  const r = spawnSync('ip', ['netns', 'exec', ns, 'python3', '-c', PY, JSON.stringify(spec)], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('a default that names a sysctl is what a new socket reads as that sysctl changes; IP_FREEBIND/IP_TRANSPARENT read 0 whatever ip_nonlocal_bind says', { timeout: 60_000 }, (t) => {
  const ns = `sso-defaults-${process.pid}`;
  createNetns(ns);
  t.after(() => deleteNetns(ns));

  // Every sysctl a default claims as its source is probed (a new claim needs a probe here).
  const claims = SOCKET_OPTIONS.flatMap((o) => {
    const m = CLAIM.exec(o.default);
    return m ? [{ option: o.name, sysctl: m[1] }] : [];
  });
  for (const c of claims) {
    assert.ok(PROBES.some((p) => p.option === c.option && p.sysctl === c.sysctl) || HOST_ONLY[c.sysctl]?.option === c.option, `no probe for ${c.option}'s default ${c.sysctl}`);
  }

  const readings = probe(ns, PROBES);
  PROBES.forEach((p, i) => {
    const { before, after } = readings[i];
    const o = findOption(p.option)!;
    assert.equal(after, p.expect, `${p.option} on a new ${p.family} ${p.type} socket with ${p.sysctl}=${p.value}: read ${after}`);
    const follows = after !== before;
    const claimed = claims.some((c) => c.option === p.option && c.sysctl === p.sysctl);
    // The default names the sysctl as its source exactly when the reading follows it.
    assert.equal(claimed, follows, `${p.option}: default ${JSON.stringify(o.default)}, but a new socket reads ${before} and, with ${p.sysctl}=${p.value}, ${after}`);
    // One that does not follow it starts with what a new socket reads.
    if (!follows) assert.ok(o.default.startsWith(`${before} `), `${p.option}: default ${JSON.stringify(o.default)} should start with ${before}`);
  });

  // A host-wide sysctl (not settable in a namespace): the reading equals the host's value.
  for (const [sysctl, c] of Object.entries(HOST_ONLY)) {
    if (!claims.some((x) => x.sysctl === sysctl)) continue;
    const host = spawnSync('sysctl', ['-n', sysctl], { encoding: 'utf8' }).stdout.trim();
    const [r] = probe(ns, [{ ...c, sysctl }]);
    assert.equal(r.before, host, `${c.option} reads ${r.before}, ${sysctl} is ${host}`);
  }
});

test('IP_FREEBIND: `sockscope options IP_FREEBIND` gives 0 (off) as the default and the sysctl as a host-wide alternative', () => {
  const r = spawnSync('bin/sockscope', ['options', 'IP_FREEBIND'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}default {4}0 \(off\); no sysctl sets it\. Host-wide alternative: net\.ipv4\.ip_nonlocal_bind=1/m);
  assert.doesNotMatch(r.stdout, /default {4}net\.ipv4\.ip_nonlocal_bind \(0\)/);
  // The details say why a 0 here does not mean a non-local bind fails.
  assert.match(r.stdout.replace(/\s+/g, ' '), /getsockopt\(IP_FREEBIND\) still reads 0/);
});
