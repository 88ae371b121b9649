// time-wait-port-exhaustion reads net.ipv4.tcp_timestamps and net.ipv4.tcp_tw_reuse_delay (ae25f81 follow-up).
// The finding said connect() takes over a TIME_WAIT entry where tcp_tw_reuse covers the destination "if its
// connection used TCP timestamps (net.ipv4.tcp_timestamps, on by default)" and "once an entry is 1 s old",
// because neither sysctl was in a snapshot: with tcp_timestamps 0 it was a warning ("gets one only by taking
// over a TIME_WAIT entry") while connect() failed, and a tcp_tw_reuse_delay of 3000 was judged against 1 s.
// tcp_twsk_unique (net/ipv4/tcp_ipv4.c) takes over an entry only when tw_ts_recent_stamp is set (the
// connection used timestamps, which this host's SYN offers only with tcp_timestamps 1 or 2) and more than
// tcp_tw_reuse_delay ms (6.13+; absent before: a second) have gone since it entered TIME_WAIT.
// Measured (6.18, a namespace, ip_local_port_range 40000 40049, every port in TIME_WAIT to 127.0.0.1:7130,
// tcp_tw_reuse 2): tcp_timestamps 0 during the burst: connect() EADDRNOTAVAIL 1.5 s later; 1: ok 1.2 s later;
// tcp_tw_reuse_delay 3000: EADDRNOTAVAIL 1.5 s later, ok 3.3 s later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { readSysctls } from '../../src/collect/host.js';
import { createSource } from '../../src/collect/index.js';
import { remoteScript } from '../../src/collect/remote.js';
import { parseRemoteBundle } from '../../src/parse/remote-bundle.js';
import { SYSCTL_NAMES, type Snapshot, type SysctlName } from '../../src/model/snapshot.js';
import type { Socket } from '../../src/model/socket.js';
import { fakeSnapshot, outgoingFrom } from '../helpers/fake-snapshot.js';
import { timeWaitNetns } from '../helpers/time-wait-netns.js';

const range = { 'net.ipv4.ip_local_port_range': '40000 40099' } as const; // 100 ports
const left = (ms: number): Partial<Socket> => ({ timer: { name: 'timewait', expiresMs: ms, retrans: 0 } });
const find = (snap: Snapshot) => evaluateRules(makeContext({ snapshot: snap })).find((r) => r.id === 'time-wait-port-exhaustion');
const snap = (sysctls: Partial<Record<SysctlName, string | null>>, sockets: Socket[]) => fakeSnapshot({ sysctls: { ...range, 'net.ipv4.tcp_tw_reuse': '2', ...sysctls }, sockets });
const loop = (n: number, extra: Partial<Socket> = {}) => outgoingFrom(40000, n, '127.0.0.1', '127.0.0.1:7100', 'TIME_WAIT', extra);

test('a snapshot reads net.ipv4.tcp_timestamps and net.ipv4.tcp_tw_reuse_delay (null where the kernel has none)', async () => {
  const names: readonly string[] = SYSCTL_NAMES;
  assert.ok(names.includes('net.ipv4.tcp_timestamps'), 'tcp_timestamps in SYSCTL_NAMES');
  assert.ok(names.includes('net.ipv4.tcp_tw_reuse_delay'), 'tcp_tw_reuse_delay in SYSCTL_NAMES');
  // This host's /proc/sys, as the netlink, ss, procfs and netstat sources read it (readHostInfo).
  const s = (await readSysctls()) as Record<string, string | null>;
  for (const n of ['net.ipv4.tcp_timestamps', 'net.ipv4.tcp_tw_reuse_delay']) {
    const f = `/proc/sys/${n.replace(/\./g, '/')}`;
    assert.equal(s[n], existsSync(f) ? readFileSync(f, 'utf8').trim() : null, n);
  }
  for (const source of ['netlink', 'ss', 'procfs', 'netstat'] as const) {
    const got = (await createSource(source).collect({ protocols: ['tcp'], processes: 'none' })).sysctls as Record<string, string | null>;
    for (const n of ['net.ipv4.tcp_timestamps', 'net.ipv4.tcp_tw_reuse_delay']) assert.equal(got[n], s[n], `${source}: ${n}`);
  }
  // A kernel before 6.13 has no tcp_tw_reuse_delay: null, not an error.
  const root = mkdtempSync(join(tmpdir(), 'sockscope-twdelay-'));
  try {
    mkdirSync(join(root, 'sys/net/ipv4'), { recursive: true });
    writeFileSync(join(root, 'sys/net/ipv4/tcp_timestamps'), '0\n');
    const old = (await readSysctls(root)) as Record<string, string | null>;
    assert.equal(old['net.ipv4.tcp_timestamps'], '0');
    assert.equal(old['net.ipv4.tcp_tw_reuse_delay'], null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  // --host reads them by name over ssh: the script cats both files and the bundle parses them (empty: null).
  const nonce = '0123456789abcdef0123456789abcdef';
  const script = remoteScript({ protocols: ['tcp'] }, nonce);
  assert.match(script, /cat \/proc\/sys\/net\/ipv4\/tcp_timestamps /);
  assert.match(script, /cat \/proc\/sys\/net\/ipv4\/tcp_tw_reuse_delay /);
  const h = (n: string) => `@@sockscope@@ ${nonce} ${n}\n`;
  const b = parseRemoteBundle(`${h('sysctl')}net.ipv4.tcp_timestamps=1\nnet.ipv4.tcp_tw_reuse_delay=\n${h('end')}`, nonce);
  assert.equal((b.sysctls as Record<string, string | null>)['net.ipv4.tcp_timestamps'], '1');
  assert.equal((b.sysctls as Record<string, string | null>)['net.ipv4.tcp_tw_reuse_delay'], null);
});

test('time-wait-port-exhaustion: tcp_timestamps 0 here: no TIME_WAIT entry can be taken over, connect() fails now (critical)', () => {
  const r = find(snap({ 'net.ipv4.tcp_timestamps': '0', 'net.ipv4.tcp_tw_reuse_delay': '1000' }, loop(100, left(50_000))))!;
  assert.ok(r, 'fires');
  assert.equal(r.severity, 'critical');
  assert.match(
    r.message,
    /^Ephemeral ports exhausted: 100 connections from 127\.0\.0\.1 to 127\.0\.0\.1:7100 \(100 in TIME_WAIT\) hold all 100 local ports: connect\(\) to 127\.0\.0\.1:7100 fails now with EADDRNOTAVAIL: net\.ipv4\.tcp_tw_reuse=2 takes over a TIME_WAIT entry only if its connection used TCP timestamps, and net\.ipv4\.tcp_timestamps is 0 here$/,
  );
  assert.match(r.evidence, /net\.ipv4\.tcp_timestamps 0/);
  // The fix names the sysctl that stops the takeover, not "already lets connect() reuse".
  assert.doesNotMatch(r.fix, /already lets/);
  assert.match(r.fix, /sysctl -w net\.ipv4\.tcp_timestamps=1/);
  // Below 100 %: the TIME_WAIT ports count as held (none can be taken over), so 95 % is critical.
  const near = find(snap({ 'net.ipv4.tcp_timestamps': '0' }, loop(95, left(50_000))))!;
  assert.equal(near.severity, 'critical');
  assert.match(near.message, /^Ephemeral port exhaustion risk: 95 connections/);
  // tcp_timestamps 1 or 2 (on without random offsets) both send timestamps: the takeover stays.
  for (const ts of ['1', '2']) assert.equal(find(snap({ 'net.ipv4.tcp_timestamps': ts }, loop(100, left(50_000))))!.severity, 'warning', ts);
});

test('time-wait-port-exhaustion: tcp_timestamps on: the wording says the connections used them (loopback) or that the peer must', () => {
  const r = find(snap({ 'net.ipv4.tcp_timestamps': '1', 'net.ipv4.tcp_tw_reuse_delay': '1000' }, loop(100, left(50_000))))!;
  assert.equal(r.severity, 'warning');
  assert.match(
    r.message,
    /gets one only by taking over a TIME_WAIT entry, as net\.ipv4\.tcp_tw_reuse=2 does for loopback once an entry is 1 s old \(net\.ipv4\.tcp_tw_reuse_delay=1000\) and its connection used TCP timestamps, as loopback ones do here \(net\.ipv4\.tcp_timestamps=1\): 100 of the 100 are at least 1 s old by their timers$/,
  );
  assert.doesNotMatch(r.message, /on by default/);
  assert.match(r.evidence, /; net\.ipv4\.tcp_timestamps 1; net\.ipv4\.tcp_tw_reuse_delay 1000/);
  const remote = find(fakeSnapshot({ sysctls: { ...range, 'net.ipv4.tcp_tw_reuse': '1', 'net.ipv4.tcp_timestamps': '1' }, sockets: outgoingFrom(40000, 100, '10.0.0.1', '10.0.0.50:5432', 'TIME_WAIT', left(50_000)) }))!;
  assert.equal(remote.severity, 'warning');
  assert.match(remote.message, /as net\.ipv4\.tcp_tw_reuse=1 does once an entry is 1 s old if its connection used TCP timestamps \(net\.ipv4\.tcp_timestamps=1 here; the peer must use them too\): 100 of the 100/);
});

test('time-wait-port-exhaustion: the age is judged against tcp_tw_reuse_delay, and said with it', () => {
  // 3000 ms: entries 2 s old (58 s left) are too young, connect() fails now.
  const young = find(snap({ 'net.ipv4.tcp_timestamps': '1', 'net.ipv4.tcp_tw_reuse_delay': '3000' }, loop(100, left(58_000))))!;
  assert.equal(young.severity, 'critical');
  assert.match(young.message, /fails now with EADDRNOTAVAIL: net\.ipv4\.tcp_tw_reuse=2 takes over a TIME_WAIT entry only once it is 3 s old \(net\.ipv4\.tcp_tw_reuse_delay=3000\), and their timers show every one younger$/);
  assert.match(young.evidence, /; TIME_WAIT at least 3 s old by their timers \(60 s less the time left\): 0 of 100/);
  // Some at least 3 s old (57 s left): a warning that counts them.
  const mixed = find(snap({ 'net.ipv4.tcp_timestamps': '1', 'net.ipv4.tcp_tw_reuse_delay': '3000' }, [...loop(60, left(58_000)), ...outgoingFrom(40060, 40, '127.0.0.1', '127.0.0.1:7100', 'TIME_WAIT', left(57_000))]))!;
  assert.equal(mixed.severity, 'warning');
  assert.match(mixed.message, /once an entry is 3 s old \(net\.ipv4\.tcp_tw_reuse_delay=3000\) .*: 40 of the 100 are at least 3 s old by their timers$/);
  assert.match(mixed.fix, /only once an entry is 3 s old \(net\.ipv4\.tcp_tw_reuse_delay=3000\).*more new connections within 3 s than there are free ports still get EADDRNOTAVAIL/);
  // 500 ms: entries 0.7 s old (59.3 s left) can be taken over already.
  const short = find(snap({ 'net.ipv4.tcp_timestamps': '1', 'net.ipv4.tcp_tw_reuse_delay': '500' }, loop(100, left(59_300))))!;
  assert.equal(short.severity, 'warning');
  assert.match(short.message, /once an entry is 500 ms old \(net\.ipv4\.tcp_tw_reuse_delay=500\) .*: 100 of the 100 are at least 500 ms old by their timers$/);
  // Unknown (before 6.13, or not read): the 1 s of older kernels, as before.
  const old = find(snap({ 'net.ipv4.tcp_tw_reuse_delay': null }, loop(100, left(59_300))))!;
  assert.equal(old.severity, 'critical');
  assert.match(old.message, /takes over a TIME_WAIT entry only once it is 1 s old, and their timers show every one younger$/);
  assert.match(old.evidence, /net\.ipv4\.tcp_tw_reuse_delay unknown \(1 s before 6\.13\)/);
});

// The reviewer's case in a namespace of the test's own: 50 ports, every one in TIME_WAIT to 127.0.0.1:7130 made
// with tcp_timestamps 0, tcp_tw_reuse 2, 1.5 s later: critical "fails now", and connect() does fail.
const NS = `sockscope-twts-${process.pid}`;
const root = process.getuid?.() === 0;

test('time-wait-port-exhaustion on real TIME_WAIT entries to loopback made with tcp_timestamps 0, tcp_tw_reuse 2: critical, and connect() fails', { skip: root ? false : 'needs root (network namespace)', timeout: 40_000 }, async (t) => {
  // tcp_tw_reuse 0 for the burst (a slow machine would take over its own older entries... had they timestamps).
  const ns = await timeWaitNetns(t, NS, [7130], ['net.ipv4.tcp_timestamps=0', 'net.ipv4.tcp_tw_reuse=0']);
  ns.fill(7130, { burst: 60, timeWaitOnly: true, what: 'all 50 ports in TIME_WAIT to 127.0.0.1:7130' });
  ns.sysctl('net.ipv4.tcp_tw_reuse=2');
  await new Promise((r) => setTimeout(r, 1_500));
  const r = ns.exhaustion(7130);
  assert.equal(r.severity, 'critical');
  assert.match(r.message, /hold all 50 local ports: connect\(\) to 127\.0\.0\.1:7130 fails now with EADDRNOTAVAIL: net\.ipv4\.tcp_tw_reuse=2 takes over a TIME_WAIT entry only if its connection used TCP timestamps, and net\.ipv4\.tcp_timestamps is 0 here$/);
  assert.match(r.fix, /sysctl -w net\.ipv4\.tcp_timestamps=1/);
  // What the finding says: connect() fails, entries over 1 s old notwithstanding.
  assert.equal(ns.connect(7130, 3), '0 3 Cannot assign requested address');
  // tcp_tw_reuse_delay is read from the namespace (6.13+) and used in the wording where the takeover applies.
  if (existsSync('/proc/sys/net/ipv4/tcp_tw_reuse_delay')) assert.match(r.evidence, /net\.ipv4\.tcp_tw_reuse_delay 1000/);
});
