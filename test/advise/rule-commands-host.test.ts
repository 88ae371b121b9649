// The sockscope commands inside rule texts ignored --host: after `sockscope analyze --port 9999 --host web1`,
// udp-receive-errors said `sockscope analyze --port 9999 --samples 5 --source netlink` (refused under --host, the
// local machine without it) and `sockscope analyze --samples 5 (without --port) names it`; close-wait-accumulating's
// unattributed owner said `sockscope analyze --port N names it` (printed by `sockscope --host web1` too). A rule now
// puts the context's repeat flags (the report's ReportScope.repeat, the monitor's host: report/analyze.ts
// repeatFlags) in every command it suggests, and on a remote snapshot never --source netlink (this machine's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { repeatFlags } from '../../src/report/analyze.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeHistory, fakeSnapshot, incoming, listener, outgoing, proc, tcp, udp } from '../helpers/fake-snapshot.js';

const remote = (s: Snapshot): Snapshot => ({ ...s, source: 'remote' });
const HOST = repeatFlags({ host: 'admin@web 1', sshConfig: '/tmp/my cfg' });

function udpFix(port: number, blindSocketOnPort: boolean, repeat: string | undefined, isRemote: boolean): string {
  const h = fakeHistory(4, (i) => ({
    snmp: { Udp: { InErrors: i * 300, RcvbufErrors: i * 300 } },
    sockets: [
      udp('0.0.0.0:514', { processes: [proc(88, 'rsyslogd')], skmem: { rmemAlloc: 212992, rcvbuf: 212992, wmemAlloc: 0, sndbuf: 212992, drops: i * 300 } }),
      ...(blindSocketOnPort ? [udp(`0.0.0.0:${port}`, { processes: [proc(90, 'app')] })] : []),
    ],
  })).map((s) => (isRemote ? remote(s) : s));
  const r = evaluateRules(makeContext({ snapshot: h[3], history: h, port, repeat })).find((x) => x.id === 'udp-receive-errors');
  assert.ok(r, 'udp-receive-errors fired');
  return r!.fix;
}

test('udp-receive-errors under --port on a remote snapshot names that host, never --source netlink', () => {
  assert.equal(HOST, " --host 'admin@web 1' --ssh-config '/tmp/my cfg'");
  // No UDP socket on the port: the drops are elsewhere.
  const elsewhere = udpFix(9999, false, HOST, true);
  assert.match(elsewhere, /Find the socket that drops: sockscope analyze --host 'admin@web 1' --ssh-config '\/tmp\/my cfg' --samples 5 \(without --port\) names it, or on the host: ss -uam \(skmem d = drops\) and sockscope --host 'admin@web 1' --ssh-config '\/tmp\/my cfg' --udp;/);
  // A socket on the port whose drops the source does not show: see whether it is this port.
  const blind = udpFix(9999, true, HOST, true);
  assert.ok(blind.includes("sockscope analyze --port 9999 --host 'admin@web 1' --ssh-config '/tmp/my cfg' --samples 5 (its drop counters); without --port, sockscope analyze --host 'admin@web 1' --ssh-config '/tmp/my cfg' --samples 5 names the sockets that drop"), blind);
  assert.doesNotMatch(blind, /--source netlink/);
  assert.doesNotMatch(elsewhere, /sockscope analyze --samples|sockscope --udp/);
});

test('udp-receive-errors on this machine keeps --source netlink for the drop counters; a typed --source repeats elsewhere', () => {
  const blind = udpFix(9999, true, undefined, false);
  assert.ok(blind.includes('sockscope analyze --port 9999 --samples 5 --source netlink (its drop counters); without --port, sockscope analyze --samples 5 names the sockets'), blind);
  const typed = udpFix(9999, false, repeatFlags({ source: 'ss' }), false);
  assert.match(typed, /sockscope analyze --source ss --samples 5 \(without --port\) names it, or ss -uam \(skmem d = drops\) and sockscope --source ss --udp;/);
});

test('close-wait-accumulating: an owner not attributed in this view is named by a command on the same host', () => {
  const sockets = [listener('0.0.0.0:8083', 128, 0, [proc(100, 'server')], { inode: 1 }), ...incoming(15, '10.0.0.1:8083', 'CLOSE_WAIT', { inode: 7 })];
  const snap = remote({ ...fakeSnapshot({ sockets }), attribution: { scope: 'listeners', complete: true, hiddenProcesses: 0 } });
  const r = evaluateRules(makeContext({ snapshot: snap, repeat: repeatFlags({ host: 'web1' }) })).find((x) => x.id === 'close-wait-accumulating');
  assert.ok(r);
  assert.match(r!.message, /\(not attributed in this view: sockscope analyze --port 8083 --host web1 names it; probably server \(pid 100\)/);
  // Locally, without flags, as before.
  const local = evaluateRules(makeContext({ snapshot: { ...snap, source: 'netlink' } })).find((x) => x.id === 'close-wait-accumulating');
  assert.match(local!.message, /\(not attributed in this view: sockscope analyze --port 8083 names it;/);
});

// The other rules' texts (syn-sent, retrans, accept-queue, buffers, and the shell commands of every rule): on a remote
// snapshot a suggested `sockscope analyze` carries the flags that read that host, a shell command (ss, nstat, sysctl,
// nft, strace, or a sockscope command without --host) is said to run on the host ("on the host: CMD", "Confirm on the
// host: CMD"), and debug-connections, which has no --host, is not offered as if it probed from there. Locally the
// texts are as they were.
const WEB1 = repeatFlags({ host: 'web1' });
const fire = (h: Snapshot[], id: string, o: { port?: number; peerPort?: number; repeat?: string } = {}) => {
  const r = evaluateRules(makeContext({ snapshot: h[h.length - 1], history: h, ...o })).find((x) => x.id === id);
  assert.ok(r, `${id} fired`);
  return r!;
};
const both = (h: Snapshot[], id: string, o: { port?: number; peerPort?: number } = {}) => ({ there: fire(h.map(remote), id, { ...o, repeat: WEB1 }), here: fire(h, id, o) });
const text = (r: { message: string; evidence: string; fix: string }) => `${r.message}\n${r.evidence}\n${r.fix}`;
const stuckTo = (peer: string, n = 4) => outgoing(n, '127.0.0.1', peer, 'SYN_SENT', { sendQ: 1, timer: { name: 'on', expiresMs: 900, retrans: 3 }, processes: [proc(700, 'python3')] });

test('syn-sent-unanswered on a remote snapshot: sockscope analyze reads that host, ss and nft run on it, debug-connections is not said to probe from it', () => {
  // --peer-port 9999, the destination on the host, its listeners not collected.
  const host = both([fakeSnapshot({ sockets: stuckTo('127.0.0.1:9999') })], 'syn-sent-unanswered', { peerPort: 9999 });
  assert.match(host.there.message, /a listener whose accept queue is full \(sockscope analyze --port 9999 --host web1\) or a local firewall rule/);
  assert.match(host.there.fix, /^Check whether anything listens on 127\.0\.0\.1:9999: on the host: ss -ltn 'sport = :9999'\. If a listener does, accept faster and raise its backlog \(sockscope analyze --port 9999 --host web1: its accept-queue finding\); .*drops the SYNs: on the host: nft list ruleset, iptables -S \(look for tcp port 9999\)\. Confirm on the host: ss -tno state syn-sent '\( dport = :9999 \)'$/);
  assert.match(host.here.message, /a listener whose accept queue is full \(sockscope analyze --port 9999\) or a local firewall rule/);
  assert.match(host.here.fix, /^Check whether anything listens on 127\.0\.0\.1:9999: ss -ltn 'sport = :9999'\. If a listener does, accept faster and raise its backlog \(sockscope analyze --port 9999: its accept-queue finding\); .*drops the SYNs: nft list ruleset, iptables -S \(look for tcp port 9999\)\. Confirm: ss -tno state syn-sent '\( dport = :9999 \)'$/);
  // A full local listener.
  const queue = both([fakeSnapshot({ sockets: [listener('127.0.0.1:9999', 4, 5), ...stuckTo('127.0.0.1:9999')] })], 'syn-sent-unanswered');
  assert.equal(queue.there.fix, "Accept faster on the local listener and raise its backlog (sockscope analyze --port 9999 --host web1: its accept-queue finding). Confirm on the host: ss -ltn 'sport = :9999' and ss -tno state syn-sent '( dport = :9999 )'");
  assert.equal(queue.here.fix, "Accept faster on the local listener and raise its backlog (sockscope analyze --port 9999: its accept-queue finding). Confirm: ss -ltn 'sport = :9999' and ss -tno state syn-sent '( dport = :9999 )'");
  // A destination elsewhere: debug-connections probes from where it runs.
  const away = both([fakeSnapshot({ sockets: stuckTo('192.0.2.9:5432') })], 'syn-sent-unanswered');
  assert.match(away.there.fix, /^Find where the SYNs go: on the host: sockscope debug-connections --address 192\.0\.2\.9:5432 \(probes the route, the neighbour and the port, from where it runs: it has no --host\); check the backend is up, its firewall and yours \(on the host: nft list ruleset\), and the path \(on the host: tracepath 192\.0\.2\.9\)\. .*Confirm on the host: ss -tno state syn-sent/);
  assert.match(away.here.fix, /^Find where the SYNs go: sockscope debug-connections --address 192\.0\.2\.9:5432 \(probes the route, the neighbour and the port\); check the backend is up, its firewall and yours \(nft list ruleset\), and the path \(tracepath 192\.0\.2\.9\)\. .*Confirm: ss -tno state syn-sent/);
});

test('retransmissions-high under --port on a remote snapshot: "sockscope analyze without --port" reads that host; ss, ping, nstat run on it', () => {
  const h = fakeHistory(4, (i) => ({
    sockets: [listener('0.0.0.0:9000', 128), ...incoming(129, '10.77.19.1:9000', 'SYN_RECV', {}, '10.77.19.2')],
    snmp: { Tcp: { RetransSegs: 100 + i * 729, OutSegs: 5000 + i * 400 } },
    netstat: { TcpExt: { TCPSynRetrans: 50 + i * 729, ListenOverflows: 3, ListenDrops: 3 } },
  }), 1000);
  const { there, here } = both(h, 'retransmissions-high', { port: 9000 });
  assert.match(there.message, /\(sockscope analyze --host web1 without --port looks at every socket\)$/);
  assert.match(there.fix, /^See both sides: sockscope analyze --host web1 without --port, or on the host: ss -tn state syn-sent and ss -tn state syn-recv while TCPSynRetrans rises\. For SYN_RECV \(seen here\), find the half-open connections: on the host: ss -tn state syn-recv /);
  assert.match(there.fix, /find the connections waiting for an answer: on the host: ss -tn state syn-sent \(see syn-sent-unanswered\), then check .* \(on the host: ping, tracepath, sockscope debug-connections --address HOST:PORT\)\. Confirm on the host: nstat -az TcpExtTCPSynRetrans TcpRetransSegs/);
  assert.match(here.message, /\(sockscope analyze without --port looks at every socket\)$/);
  assert.match(here.fix, /^See both sides: sockscope analyze without --port, or ss -tn state syn-sent and .*\(ping, tracepath, sockscope debug-connections --address HOST:PORT\)\. Confirm: nstat -az/);
  // Packet loss: ip, tc, tracepath and the BBR sysctl on the host.
  const loss = both(fakeHistory(4, (i) => ({ snmp: { Tcp: { RetransSegs: i * 2000, OutSegs: i * 10_000 } } })), 'retransmissions-high');
  assert.match(loss.there.fix, /^Find where packets are lost: interface errors and drops \(on the host: ip -s link, ethtool -S IFACE\), qdisc drops \(on the host: tc -s qdisc\), MTU black holes \(on the host: tracepath HOST\); .*Confirm on the host: nstat -az TcpRetransSegs/);
  assert.match(loss.here.fix, /^Find where packets are lost: interface errors and drops \(ip -s link, ethtool -S IFACE\), qdisc drops \(tc -s qdisc\), MTU black holes \(tracepath HOST\); .*Confirm: nstat -az TcpRetransSegs/);
});

test('listen-overflows-rising under --port and accept-queue-full on a remote snapshot: the listeners of other ports are named on that host', () => {
  const h = fakeHistory(4, (i) => ({ sockets: [listener('0.0.0.0:8080', 128, 0)], netstat: { TcpExt: { ListenOverflows: i * 50, ListenDrops: i * 50 } } }));
  const { there, here } = both(h, 'listen-overflows-rising', { port: 8080 });
  assert.match(there.evidence, /listeners on other ports were not collected \(--port 8080\): sockscope analyze --host web1 without --port, or on the host: ss -ltn, names the fullest/);
  assert.match(there.fix, /^Find the listener whose Recv-Q reaches its Send-Q \(on the host: ss -ltn\), .*Confirm on the host: nstat -az TcpExtListenOverflows TcpExtListenDrops/);
  assert.match(here.evidence, /listeners on other ports were not collected \(--port 8080\): sockscope analyze without --port, or ss -ltn, names the fullest/);
  assert.match(here.fix, /^Find the listener whose Recv-Q reaches its Send-Q \(ss -ltn\), .*Confirm: nstat -az TcpExtListenOverflows TcpExtListenDrops/);
  const full = both(fakeHistory(3, () => ({ sockets: [listener('0.0.0.0:8080', 4096, 4097, [proc(5, 'srv')])] })), 'accept-queue-full');
  assert.match(full.there.fix, /the backlog is capped by net\.core\.somaxconn \(now 4096\): on the host: sysctl -w net\.core\.somaxconn=16384 .*Confirm on the host: ss -ltn 'sport = :8080'/);
  assert.match(full.here.fix, /the backlog is capped by net\.core\.somaxconn \(now 4096\): sysctl -w net\.core\.somaxconn=16384 .*Confirm: ss -ltn 'sport = :8080'/);
});

test('buffer-below-bdp on a remote snapshot: sockscope buffers (no --host: it reads the caps where it runs) and ss run on the host', () => {
  const ti = { rttUs: 80_000, deliveryRate: 12_500_000, busyUs: 10_000_000, sndbufLimitedUs: 6_000_000, rwndLimitedUs: 0 };
  const skmem = { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 262144 };
  const { there, here } = both([fakeSnapshot({ sockets: [listener('0.0.0.0:5201', 128), tcp('10.0.0.1:5201', '198.51.100.4:50000', 'ESTABLISHED', { tcpInfo: ti, skmem })] })], 'buffer-below-bdp');
  assert.match(there.fix, /^Send buffer: on the host: .*Size for the link, not the measured rate: on the host: sockscope buffers --bandwidth <link speed> --rtt 80ms\. Confirm on the host: ss -tmi '\( sport = :5201 \)'/);
  assert.match(here.fix, /Size for the link, not the measured rate: sockscope buffers --bandwidth <link speed> --rtt 80ms\. Confirm: ss -tmi '\( sport = :5201 \)'/);
  assert.doesNotMatch(here.fix, /on the host/);
});

test('every rule on a remote snapshot: no bare "Confirm:", every sockscope analyze reads that host; locally never "on the host"', () => {
  const scenarios: { h: Snapshot[]; o?: { port?: number; peerPort?: number } }[] = [
    { h: [fakeSnapshot({ sockets: [...stuckTo('127.0.0.1:9999'), ...stuckTo('192.0.2.9:80')] })], o: { peerPort: 9999 } },
    { h: [fakeSnapshot({ sockets: [listener('127.0.0.1:9999', 4, 5), ...stuckTo('127.0.0.1:9999')] })] },
    { h: fakeHistory(4, (i) => ({ sockets: [listener('0.0.0.0:8080', 128, 0)], netstat: { TcpExt: { ListenOverflows: i * 50, ListenDrops: i * 50, TCPSynRetrans: i * 900 } }, snmp: { Tcp: { RetransSegs: i * 1000, OutSegs: i * 2000 } } })), o: { port: 8080 } },
    { h: fakeHistory(4, () => ({ sockets: [listener('0.0.0.0:7000', 128, 0, [proc(9, 'srv')]), ...incoming(300, '10.0.0.1:7000', 'SYN_RECV'), ...incoming(600, '10.0.0.1:7000', 'FIN_WAIT2', { inode: 0 }), ...incoming(200, '10.0.0.1:7000', 'CLOSE_WAIT', { inode: 7 })], sockstat: { TCP: { inuse: 10, orphan: 60000, tw: 200000 } }, sysctls: { 'net.ipv4.tcp_max_orphans': '65536', 'net.ipv4.tcp_max_tw_buckets': '200000', 'net.netfilter.nf_conntrack_count': '65000', 'net.netfilter.nf_conntrack_max': '65536' } })) },
  ];
  let seen = 0;
  for (const { h, o } of scenarios) {
    const there = evaluateRules(makeContext({ snapshot: h.map(remote)[h.length - 1], history: h.map(remote), ...o, repeat: WEB1 }));
    const here = evaluateRules(makeContext({ snapshot: h[h.length - 1], history: h, ...o }));
    assert.equal(there.length, here.length);
    for (const r of there) {
      seen++;
      assert.doesNotMatch(text(r), /Confirm: /, `${r.id}: ${text(r)}`);
      for (const m of text(r).matchAll(/sockscope analyze(.{0,24})/g)) assert.match(m[1], /^( --port \d+)? --host web1/, `${r.id}: ${text(r)}`);
      assert.match(text(r), /on the host: /, `${r.id}: ${text(r)}`);
    }
    for (const r of here) assert.doesNotMatch(text(r), /on the host|--host/, `${r.id}: ${text(r)}`);
  }
  assert.ok(seen >= 11, `${seen} findings`);
});
