// The socket view's option lines and rate units. A dual-stack AF_INET6 listener ([::] without IPV6_V6ONLY) has
// two readings of IP_TTL and IP_TOS, one for IPv6 peers (read as the IPv6 twin) and one for IPv4 peers: the view
// labels them as `inspect-options` does, instead of two lines "IP_TTL 64" and "IP_TTL 33" with nothing to tell
// them apart. Rates are bits per second with the unit written, as `buffers` and ss print them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fmtBitRate } from '../../src/advise/format.js';
import { inspectSocketOptions } from '../../src/collect/getsockopt.js';
import { socketLines } from '../../src/ui/socket-lines.js';
import type { SocketDetails } from '../../src/ui/inspector.js';
import { conn } from './fakes.js';

const texts = (s: Parameters<typeof socketLines>[0], d?: SocketDetails) => socketLines(s, d, { attribution: 'all', source: 'netlink' }).map((l) => l.text);
const listener = () => ({ ...conn(8080, '::', 0, 'LISTEN', { pid: 1, name: 'srv', fd: 3 }, { inode: 77 }), ipVersion: 6 as const, local: { address: '::', port: 8080 } });

test('dual-stack readings of IP_TTL/IP_TOS are labelled as inspect-options labels them', () => {
  const details: SocketDetails = {
    options: {
      readings: [
        { name: 'IP_TTL', value: 64, source: 'getsockopt', readAs: 'IPV6_UNICAST_HOPS', readFor: 'IPv6 peers' },
        { name: 'IP_TTL', value: 33, source: 'getsockopt', readFor: 'IPv4 peers' },
        { name: 'IP_TOS', missing: 'not permitted', readFor: 'IPv4 peers' },
        { name: 'SO_RCVBUF', value: 131072, source: 'ss skmem rb' },
        { name: 'TCP_NODELAY', value: false, source: 'getsockopt' },
      ],
      missing: [],
    },
  };
  const t = texts(listener(), details);
  assert.ok(t.some((l) => /^\s+IP_TTL\s+64  \[read as IPV6_UNICAST_HOPS, for IPv6 peers\]$/.test(l)), t.join('\n'));
  assert.ok(t.some((l) => /^\s+IP_TTL\s+33  \[for IPv4 peers\]$/.test(l)), t.join('\n'));
  // A reading that failed still says which one it was.
  assert.ok(t.some((l) => /^\s+IP_TOS\s+\? not permitted  \[for IPv4 peers\]$/.test(l)), t.join('\n'));
  // The fallback's source as the CLI shows it; a plain getsockopt reading has no label.
  assert.ok(t.some((l) => /^\s+SO_RCVBUF\s+131072  \[ss skmem rb\]$/.test(l)), t.join('\n'));
  assert.ok(t.some((l) => /^\s+TCP_NODELAY\s+off$/.test(l)), t.join('\n'));
});

test('delivery rate in bits per second with its unit, the same text as `buffers`', () => {
  // 2,300,000 bytes/s: the view said "2.2M/s" (MiB/s), which reads as Mbit/s beside ss's "18.4Mbps".
  const s = { ...conn(8080, '127.0.0.1', 50000, 'ESTABLISHED', undefined, { inode: 78 }), tcpInfo: { rttUs: 50_000, deliveryRate: 2_300_000 } };
  const line = texts(s).find((l) => /^\s+delivery rate\b/.test(l)) ?? '';
  assert.match(line, /^\s+delivery rate\s+18\.4 Mbit\/s$/);
  assert.equal(line.trim().replace(/^delivery rate\s+/, ''), fmtBitRate(2_300_000));
  // The BDP stays in bytes (a buffer size): 2,300,000 B/s x 50 ms = 115,000 B.
  assert.ok(texts(s).some((l) => /^\s+BDP \(rate x rtt\)\s+112 KiB$/.test(l)), texts(s).join('\n'));
});

// A python3 [::] listener without IPV6_V6ONLY with IP_TTL 33 and IPV6_UNICAST_HOPS 44, read as the monitor's
// drill-down reads it (inspectSocketOptions with the snapshot's socket, readings handed over as they come).
const HOLDER = String.raw`
import os, socket as S, sys
d = S.socket(S.AF_INET6, S.SOCK_STREAM); d.setsockopt(S.IPPROTO_IPV6, 26, 0)
d.setsockopt(S.IPPROTO_IP, 2, 33); d.setsockopt(S.IPPROTO_IPV6, 16, 44); d.bind(('::', 0)); d.listen(4)
print(os.getpid(), d.fileno(), d.getsockname()[1], os.fstat(d.fileno()).st_ino, flush=True)
sys.stdin.read()
`;

test('a real dual-stack listener: the socket view shows both IP_TTL readings, each labelled', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test borrows another process\'s socket and must run as root (as the CI does)');
  const child = spawn('python3', ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  const [pid, fd, port, ino] = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the python listener did not start in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.split(' ').map(Number));
    });
    child.once('error', reject);
  });
  const sock = { ...listener(), local: { address: '::', port }, inode: ino, processes: [{ pid, name: 'python3', fd }] };
  const r = await inspectSocketOptions({ pid, fd, inode: ino, kernelSocket: sock, options: ['IP_TTL', 'IP_TOS'] });
  assert.equal(r.method, 'pidfd_getfd', r.methodNote);
  const t2 = texts(sock, { options: { readings: r.options, missing: [] } }).filter((l) => /^\s+IP_(TTL|TOS)\b/.test(l));
  assert.equal(t2.length, 4, t2.join('\n'));
  assert.ok(t2.some((l) => /^\s+IP_TTL\s+44  \[read as IPV6_UNICAST_HOPS, for IPv6 peers\]$/.test(l)), t2.join('\n'));
  assert.ok(t2.some((l) => /^\s+IP_TTL\s+33  \[for IPv4 peers\]$/.test(l)), t2.join('\n'));
  assert.ok(t2.some((l) => /^\s+IP_TOS\s+0  \[read as IPV6_TCLASS, for IPv6 peers\]$/.test(l)), t2.join('\n'));
  assert.ok(t2.some((l) => /^\s+IP_TOS\s+0  \[for IPv4 peers\]$/.test(l)), t2.join('\n'));
});

test('window scale: "not negotiated" when tcp_info says scaling is not in use, the scales when it is', () => {
  // A connection without the option in its SYNs has scales 0 / 0 in tcp_info, which read like a chosen scale
  // of 0; the window is capped at 64 KiB either way, but the cause differs (buffers names it).
  const at = (tcpInfo: Record<string, unknown>) => {
    const s = { ...conn(8080, '127.0.0.1', 50001, 'ESTABLISHED', undefined, { inode: 79 }), tcpInfo: { rttUs: 1000, ...tcpInfo } };
    return (texts(s).find((l) => /^\s+window scale snd \/ rcv\b/.test(l)) ?? '').trim();
  };
  assert.match(at({ sndWscale: 0, rcvWscale: 0, windowScaling: false }), /^window scale snd \/ rcv\s+not negotiated \(window at most 64 KiB\)$/);
  assert.match(at({ sndWscale: 7, rcvWscale: 9, windowScaling: true }), /7 \/ 9$/);
  assert.match(at({ sndWscale: 0, rcvWscale: 0 }), /0 \/ 0$/);
});
