// The out-of-order receive-buffer scenario of the inspect-options SO_RCVBUF tests (rcvbuf-out-of-order as root,
// rcvbuf-ofo-fallback through the kernel view): a python holder and the namespace setup that drops one segment.

/**
 * Two accepted connections: `ofo` on 7777 gets 1 byte, then a 100-byte segment that SETUP drops, then a bulk write
 * that queues out of order; `set` on 7778 has SO_RCVBUF 100000 and 1 byte received. Prints "PID ofo=FD set=FD".
 */
export const HOLDER = `
import socket as S, os, time
l = S.socket(); l.bind(('127.0.0.1', 7777)); l.listen(8)
c = S.create_connection(('127.0.0.1', 7777)); a, _ = l.accept()
c.setsockopt(S.IPPROTO_TCP, S.TCP_NODELAY, 1)
c.send(b'x'); time.sleep(0.2)
c.send(b'y' * 100); time.sleep(0.05)
c.setblocking(False)
try:
    c.send(b'z' * 200000)
except Exception:
    pass
l2 = S.socket(); l2.bind(('127.0.0.1', 7778)); l2.listen(8)
c2 = S.create_connection(('127.0.0.1', 7778)); a2, _ = l2.accept()
a2.setsockopt(S.SOL_SOCKET, S.SO_RCVBUF, 100000)
c2.send(b'x')
time.sleep(1.0)
print(os.getpid(), f'ofo={a.fileno()}', f'set={a2.fileno()}', flush=True)
time.sleep(60)`;

/** The 100-byte segment (20 + 32 + 100 bytes of IP) to port 7777 and its retransmissions are dropped: what follows it queues out of order. */
export const SETUP = [
  'ip link set lo mtu 1500 up',
  'sysctl -qw net.ipv4.tcp_rmem="4096 65536 6291456"',
  'nft add table inet t',
  "nft 'add chain inet t i { type filter hook input priority 0; }'",
  'nft add rule inet t i tcp dport 7777 ip length 152 drop',
].join(' && ');
