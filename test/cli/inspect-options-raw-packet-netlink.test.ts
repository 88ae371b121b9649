// inspect-options on sockets the collector does not list (review s23 #7): a raw ICMP socket showed "socket: IPv4
// 0.0.0.0:1" (its protocol number as a port), "SO_PROTOCOL 1 (unknown)", SO_REUSEADDR explained with TIME_WAIT, and
// "the collector did not list inode N (closed meanwhile?)" right after getsockopt read it; a packet and a netlink
// socket read "socket: unknown". Real sockets held by python3 (root, as the CI runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { formatInspect, runInspect } from '../../src/cli/commands/inspect-options-run.js';

const HOLDER = `
import socket as S, os, time
r = S.socket(S.AF_INET, S.SOCK_RAW, S.IPPROTO_ICMP)
p = S.socket(S.AF_PACKET, S.SOCK_RAW, S.htons(3))
n = S.socket(S.AF_NETLINK, S.SOCK_RAW, 0); n.bind((0, 0))
print(os.getpid(), f'raw={r.fileno()}', f'packet={p.fileno()}', f'netlink={n.fileno()}', flush=True)
time.sleep(60)`;

test('raw ICMP, packet and netlink sockets: named kinds, no protocol as a port, IPPROTO names, no TIME_WAIT, why no kernel view', { timeout: 30_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'raw and packet sockets need root (as the CI runs)');
  const h = labelledFds(await holderLine(t, ['python3', '-c', HOLDER]));
  const read = async (fd: number, options = 'SO_DOMAIN,SO_PROTOCOL,SO_REUSEADDR') => formatInspect(await runInspect({ pid: h.pid, 'socket-fd': fd, options, source: 'netlink' }));
  const raw = await read(h.fd.raw);
  assert.match(raw, /^socket: raw IPv4 IPPROTO_ICMP 0\.0\.0\.0$/m, raw);
  assert.match(raw, /^SO_PROTOCOL +1 \(IPPROTO_ICMP\)$/m);
  assert.match(raw, /raw socket: sends and receives whole IPPROTO_ICMP packets \(no ports\)/);
  assert.match(raw, /SO_REUSEADDR +on \(1\)\n +no effect here: a raw, packet or netlink socket has no port to share \(Linux sets it on every raw IP socket\)/);
  assert.doesNotMatch(raw, /TIME_WAIT sockets still hold|TIME_WAIT sockets hold the port|closed meanwhile/);
  assert.match(raw, new RegExp(`no kernel view: the collector does not list raw IP sockets \\(it lists TCP, UDP and unix sockets\\), so inode \\d+ has no skmem`));
  // Without SO_PROTOCOL read, still no port in the line, and the same kind words (review s23 dB #6: the kind is read whatever --options says).
  assert.match(await read(h.fd.raw, 'SO_REUSEADDR'), /^socket: raw IPv4 IPPROTO_ICMP 0\.0\.0\.0$/m);

  const packet = await read(h.fd.packet);
  assert.match(packet, /^socket: AF_PACKET raw$/m, packet);
  assert.match(packet, /packet socket: sends and receives whole link-layer frames/);
  assert.doesNotMatch(packet, /TIME_WAIT sockets still hold|TIME_WAIT sockets hold the port|closed meanwhile|\(unknown\)/);
  assert.match(packet, /the collector does not list packet, netlink or other non-IP, non-unix sockets/);

  const netlink = await read(h.fd.netlink);
  assert.match(netlink, /^socket: AF_NETLINK raw$/m, netlink);
  assert.match(netlink, /^SO_PROTOCOL +0 \(NETLINK_ROUTE\)$/m);
  assert.doesNotMatch(netlink, /TIME_WAIT sockets still hold|TIME_WAIT sockets hold the port|closed meanwhile/);
});
