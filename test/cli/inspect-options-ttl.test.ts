// inspect-options judges IP_TTL / IPV6_UNICAST_HOPS against the system default (net.ipv4.ip_default_ttl,
// net.ipv6.conf.*.hop_limit), read in the socket's own network namespace: a TTL of 1, 9 or a hop limit of 33 set on
// a socket was "Unusual: nothing; every value read is a default". Real sockets held by python3, read as root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
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
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const line = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('holder not ready')), 10_000);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('\n')) (clearTimeout(timer), res(out));
    });
  });
  const [pid, ...pairs] = line.trim().split(' ');
  return { pid: Number(pid), fd: Object.fromEntries(pairs.map((p) => [p.split('=')[0], Number(p.split('=')[1])])) };
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
