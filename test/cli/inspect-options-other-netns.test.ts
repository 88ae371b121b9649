// inspect-options on a socket of a process in another network namespace (unshare -n, as containers are):
// tcp_rmem/tcp_wmem/somaxconn/congestion control are per namespace, so the meaning must use the process's
// namespace's values, not sockscope's; and its sockets are in that namespace's tables, not "closed
// meanwhile?". The review: a listener with SO_RCVBUF 65536 in a namespace with tcp_rmem "4096 65536 1048576"
// was judged against the host's tcp_rmem ("the default net.ipv4.tcp_rmem[1] ... cannot tell"), and an
// ESTABLISHED socket there lost its peer and state. Also the --json keys README lists (threadOf, methodNote,
// located: always present, null where they do not apply). Needs root, unshare and nsenter (util-linux).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine } from '../helpers/holder-line.js';
import { sockscope } from '../collect/getsockopt-helpers.js';

const HOLDER = `
import socket, os, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
l.bind(('127.0.0.1', 0)); l.listen(4)
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
print(os.getpid(), l.fileno(), c.fileno(), l.getsockname()[1], c.getsockname()[1], flush=True)
time.sleep(60)`;

/** python3 in a new network namespace (tcp_rmem set there), as `prefix` runs it; its pid, fds and ports. */
async function holder(prefix: string[], t: { after: (f: () => void) => void }): Promise<{ pid: number; listenFd: number; connFd: number; port: number; clientPort: number }> {
  const script = `ip link set lo up 2>/dev/null || true; sysctl -qw net.ipv4.tcp_rmem="4096 65536 1048576"; exec python3 -c "$0"`;
  const line = await holderLine(t, [...prefix, 'sh', '-c', script, HOLDER]);
  const [pid, listenFd, connFd, port, clientPort] = line.trim().split(' ').map(Number);
  return { pid, listenFd, connFd, port, clientPort };
}

test('inspect-options in another network namespace: that namespace\'s sysctls, its sockets named, not "closed meanwhile"', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root (unshare -n, nsenter)');
  const h = await holder(['unshare', '-n'], t);
  const r = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.listenFd), '--options', 'SO_RCVBUF', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.sysctls['net.ipv4.tcp_rmem'], '4096 65536 1048576', 'the process\'s namespace\'s tcp_rmem');
  // Named by both sysctl lists, read once: not "1 1" or "cubic cubic".
  assert.match(String(doc.extraSysctls['net.ipv4.tcp_moderate_rcvbuf']), /^[01]$/);
  assert.match(String(doc.extraSysctls['net.ipv4.tcp_congestion_control']), /^\S+$/);
  assert.match(doc.netns, /^net:\[\d+\]$/);
  assert.match(doc.sysctlsFrom, new RegExp(`^pid ${h.pid}'s network namespace \\(net:\\[\\d+\\], /proc/${h.pid}/ns/net; sockscope runs in net:\\[\\d+\\]\\), read there with nsenter --net$`));
  const rcv = doc.options.find((o: { name: string }) => o.name === 'SO_RCVBUF');
  assert.equal(rcv.value, 131072);
  // 131072 is not that namespace's tcp_rmem default (65536): set by the application, or that namespace's default when
  // the socket was created (review s19 diffE), not today's default.
  assert.doesNotMatch(rcv.meaning, /the default net\.ipv4\.tcp_rmem\[1\]/);
  assert.match(rcv.meaning, /setsockopt asked for exactly 64 KiB, which fixes it \(autotuning off\).*, or net\.ipv4\.tcp_rmem\[1\] was 128 KiB when the socket was created/);
  // README's keys, present with null where they do not apply.
  for (const k of ['threadOf', 'methodNote', 'located']) assert.ok(k in doc && doc[k] === null, `${k}: ${JSON.stringify(doc[k])}`);
  const text = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.listenFd), '--options', 'SO_RCVBUF']);
  assert.match(text.stdout, new RegExp(`^sysctls from: pid ${h.pid}'s network namespace`, 'm'));

  // The ESTABLISHED client socket: state and peer from that namespace's tables (/proc/PID/net).
  const est = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.connFd), '--options', 'TCP_NODELAY']);
  assert.equal(est.status, 0, est.stderr);
  assert.match(est.stdout, new RegExp(`^socket: TCP IPv4 ESTABLISHED 127\\.0\\.0\\.1:${h.clientPort} -> 127\\.0\\.0\\.1:${h.port}$`, 'm'));
  assert.doesNotMatch(est.stdout, /closed meanwhile/);
  assert.match(est.stdout, new RegExp(`pid ${h.pid} is in another network namespace \\(net:\\[\\d+\\], /proc/${h.pid}/ns/net\\) than sockscope: the kernel view comes from /proc/${h.pid}/net`));
});

test('another network namespace, unprivileged: its sysctls unknown and said so, none of sockscope\'s used', { timeout: 60_000 }, async (t) => {
  const UID = 61238;
  // An unprivileged user's own namespaces (unshare -rn: a user namespace owning the network namespace).
  const h = await holder(['setpriv', `--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', 'unshare', '-rn'], t);
  const r = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.listenFd), '--options', 'SO_RCVBUF', '--json'], { uid: UID });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.sysctls['net.ipv4.tcp_rmem'], null, 'not sockscope\'s namespace\'s value');
  assert.match(doc.sysctlsFrom, /^unknown: pid \d+'s network namespace/);
  assert.ok(
    doc.missing.some((m: string) => new RegExp(`^pid ${h.pid} is in another network namespace \\(net:\\[\\d+\\], /proc/${h.pid}/ns/net\\) than sockscope \\(net:\\[\\d+\\]\\), and its net sysctls .* could not be read there \\(nsenter --net: .*entering a namespace needs root \\(CAP_SYS_ADMIN\\)\\), so nothing is judged against them`).test(m)),
    doc.missing.join('\n'),
  );
  const rcv = doc.options.find((o: { name: string }) => o.name === 'SO_RCVBUF');
  assert.doesNotMatch(rcv.meaning ?? '', /autotuning can grow up to 32 MiB|tcp_rmem\[1\]/);
});
