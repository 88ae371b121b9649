// inspect-options on ICMP ping sockets, and the kind of a socket whatever --options asks for (review s23 dB #3, #6).
// A ping socket (SOCK_DGRAM, IPPROTO_ICMP / IPPROTO_ICMPV6) read "socket: IPv4 127.0.0.1:4242" with no kind word,
// SO_REUSEADDR on explained with TIME_WAIT (Linux sets it on every ping socket), and "the collector did not list inode
// N (closed meanwhile?)" (they are in /proc/net/icmp, which the collector does not read); SO_TYPE 2 on a netlink or
// packet socket read "datagrams (UDP or unix datagram)"; and `--options SO_PROTOCOL` on a NETLINK_GENERIC socket read
// "socket: not IP or unix raw" and "protocol 16". Real sockets held by python3 in a network namespace of its own
// (net.ipv4.ping_group_range opened there), read from the test's namespace (root, as the CI runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { formatInspect, runInspect } from '../../src/cli/commands/inspect-options-run.js';

const HOLDER = `
import socket as S, os, time
ping = S.socket(S.AF_INET, S.SOCK_DGRAM, S.IPPROTO_ICMP); ping.bind(('127.0.0.1', 4242))
ping6 = S.socket(S.AF_INET6, S.SOCK_DGRAM, S.IPPROTO_ICMPV6)
nlgen = S.socket(S.AF_NETLINK, S.SOCK_RAW, 16)
nldiag = S.socket(S.AF_NETLINK, S.SOCK_DGRAM, 4)
pktdg = S.socket(S.AF_PACKET, S.SOCK_DGRAM, S.htons(0x0800))
print(os.getpid(), *(f'{k}={v.fileno()}' for k, v in [('ping', ping), ('ping6', ping6), ('nlgen', nlgen), ('nldiag', nldiag), ('pktdg', pktdg)]), flush=True)
time.sleep(60)`;

async function holder(t: { after: (fn: () => void) => void }) {
  assert.equal(process.getuid?.(), 0, 'a network namespace and packet sockets need root (as the CI runs)');
  const setup = 'ip link set lo up && sysctl -qw net.ipv4.ping_group_range="0 2147483647"';
  const h = labelledFds(await holderLine(t, ['unshare', '-n', 'sh', '-c', `${setup} && exec python3 -c "$0"`, HOLDER]));
  return (name: string, options: string) => runInspect({ pid: h.pid, 'socket-fd': h.fd[name]!, options, source: 'netlink' }).then(formatInspect);
}

test('ICMP ping sockets: named as such, SO_REUSEADDR without TIME_WAIT, why the collector does not list them (dB #3)', { timeout: 30_000 }, async (t) => {
  const read = await holder(t);
  const ping = await read('ping', 'SO_TYPE,SO_REUSEADDR,SO_REUSEPORT');
  assert.match(ping, /^socket: ping IPv4 IPPROTO_ICMP 127\.0\.0\.1:4242$/m, ping);
  assert.match(ping, /SO_TYPE +2 \(SOCK_DGRAM\)\n +datagrams: an ICMP ping socket/);
  assert.match(ping, /SO_REUSEADDR +on \(1\)\n +other ping sockets may bind the same ICMP echo identifier \(Linux sets it on every ping socket/);
  assert.match(ping, /SO_REUSEPORT +off \(0\)\n +no effect on a ping socket/);
  assert.doesNotMatch(ping, /TIME_WAIT sockets|closed meanwhile|UDP or unix/);
  assert.match(ping, /no kernel view: the collector does not list ICMP ping sockets \(the kernel lists them in \/proc\/net\/icmp, which it does not read/);

  const ping6 = await read('ping6', 'SO_PROTOCOL');
  assert.match(ping6, /^socket: ping IPv6 IPPROTO_ICMPV6 UNCONN \[::\]:0$/m, ping6);
  assert.match(ping6, /SO_PROTOCOL +58 \(IPPROTO_ICMPV6\)\n +ICMP ping socket/);
  assert.match(ping6, /\/proc\/net\/icmp6, which it does not read/);
});

test('netlink and packet sockets: the same kind and protocol names whatever --options asks for; SO_TYPE 2 there is not UDP (dB #3, #6)', { timeout: 30_000 }, async (t) => {
  const read = await holder(t);
  for (const options of ['SO_PROTOCOL', 'SO_DOMAIN,SO_PROTOCOL', 'SO_RCVBUF']) {
    const gen = await read('nlgen', options);
    assert.match(gen, /^socket: AF_NETLINK raw$/m, `${options}\n${gen}`);
    if (options.includes('SO_PROTOCOL')) {
      assert.match(gen, /^SO_PROTOCOL +16 \(NETLINK_GENERIC\)\n +netlink family NETLINK_GENERIC$/m, gen);
    }
  }
  const diag = await read('nldiag', 'SO_TYPE');
  assert.match(diag, /^socket: AF_NETLINK dgram$/m, diag);
  assert.match(diag, /SO_TYPE +2 \(SOCK_DGRAM\)\n +netlink messages \(SOCK_DGRAM and SOCK_RAW are the same for netlink\)/);
  const packet = await read('pktdg', 'SO_TYPE');
  assert.match(packet, /^socket: AF_PACKET dgram$/m, packet);
  assert.match(packet, /SO_TYPE +2 \(SOCK_DGRAM\)\n +link-layer frames without their link-layer header/);
  assert.doesNotMatch(diag + packet, /UDP or unix/);
});
