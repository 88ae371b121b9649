#!/usr/bin/env python3
"""Measures what Linux returns in the situations the errno notes describe (test/knowledge/errno-linux-behaviour.test.ts).

Usage: ip netns exec NS python3 linux-errno-probes.py NS PROBE   (prints one JSON object)
Runs only inside the named network namespace (checked): the probes set per-namespace sysctls
(tcp_tw_reuse, tcp_abort_on_overflow), add a qdisc to lo and forge ICMP errors on lo.
Every wait is bounded (socket timeouts, poll timeouts of at most a few seconds).
"""
import errno
import json
import os
import select
import socket
import struct
import sys
import time


def in_netns(name):
    try:
        a, b = os.stat('/run/netns/' + name), os.stat('/proc/self/ns/net')
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


if len(sys.argv) != 3 or not in_netns(sys.argv[1]):
    sys.exit('linux-errno-probes.py: run me as ip netns exec NS python3 linux-errno-probes.py NS PROBE')

LO = '127.0.0.1'


def sysctl(name, value):
    with open('/proc/sys/' + name.replace('.', '/'), 'w') as f:
        f.write(str(value))


def err_name(e):
    if not isinstance(e, OSError) or e.errno is None:
        return type(e).__name__
    # 95 is both EOPNOTSUPP and ENOTSUP on Linux; errno.errorcode names it ENOTSUP
    return 'EOPNOTSUPP' if e.errno == errno.EOPNOTSUPP else errno.errorcode.get(e.errno, str(e.errno))


def attempt(fn):
    """'ok' / the result, or the errno name the call failed with."""
    try:
        r = fn()
        return 'ok' if r is None else r
    except OSError as e:
        return err_name(e)


def listener(backlog=16, reuse=True, port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((LO, port))
    s.listen(backlog)
    return s


def pair():
    """A connected TCP pair of blocking sockets (client, accepted)."""
    lst = listener()
    c = socket.create_connection(lst.getsockname(), timeout=3)
    a, _ = lst.accept()
    lst.close()
    tv = struct.pack('ll', 3, 0)  # blocking, but no call waits more than 3 s (SO_RCVTIMEO/SO_SNDTIMEO)
    for s in (c, a):
        s.settimeout(None)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)
    return c, a


def snmp(proto, field):
    with open('/proc/net/snmp') as f:
        rows = [l.split() for l in f if l.startswith(proto + ':')]
    return int(rows[1][rows[0].index(field)])


def nonblocking_connect(s, addr, wait_s):
    """Starts a connect and waits up to wait_s for it: 'ok', 'pending' or the errno name."""
    s.setblocking(False)
    r = s.connect_ex(addr)
    if r not in (0, errno.EINPROGRESS):
        return errno.errorcode[r]
    p = select.poll()
    p.register(s, select.POLLOUT)
    if not p.poll(int(wait_s * 1000)):
        return 'pending'
    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    return 'ok' if e == 0 else errno.errorcode[e]


def bound_client(local=(LO, 0)):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(local)
    return s


# ---- EADDRINUSE / EADDRNOTAVAIL: connect() from a fixed local port whose 4-tuple is taken or in TIME_WAIT
def probe_fixed_port_connect():
    out = {}
    sysctl('net.ipv4.tcp_tw_reuse', 0)  # not used on this path (twp is NULL in __inet_check_established)
    for ts in (0, 1):
        sysctl('net.ipv4.tcp_timestamps', ts)
        lst = listener()
        c = bound_client()
        local = c.getsockname()
        c.connect(lst.getsockname())
        a, _ = lst.accept()
        # the same 4-tuple while the first connection is ESTABLISHED
        dup = bound_client(local)
        out[f'ts_{ts}_established'] = attempt(lambda: dup.connect(lst.getsockname()))
        dup.close()
        c.close()  # the client closes first: its side of the 4-tuple goes to TIME_WAIT
        a.recv(1)
        a.close()
        time.sleep(0.1)
        again = bound_client(local)
        out[f'ts_{ts}_time_wait'] = attempt(lambda: again.connect(lst.getsockname()))
        again.close()
        lst.close()
    sysctl('net.ipv4.tcp_timestamps', 1)
    # two sockets bound to one port with SO_REUSEADDR (bind() allows it), the first listens: the second's listen() fails
    first = bound_client()
    second = bound_client(first.getsockname())
    first.listen(1)
    out['listen_second'] = attempt(lambda: second.listen(1))
    first.close()
    second.close()
    return out


# ---- ECONNABORTED: a connection reset while it waits in the accept queue
def probe_reset_in_accept_queue():
    lst = listener()
    c = socket.create_connection(lst.getsockname(), timeout=3)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.close()  # RST while the connection sits in the accept queue
    time.sleep(0.2)
    lst.settimeout(2)
    out = {}
    try:
        a, _ = lst.accept()
        out['accept'] = 'ok'
        a.settimeout(2)
        out['recv'] = attempt(lambda: len(a.recv(10)))
        a.close()
    except OSError as e:
        out['accept'] = err_name(e)
    # Linux does report ECONNABORTED for a connection the kernel destroys locally (ss -K: SOCK_DESTROY, tcp_abort()).
    c2, a2 = pair()
    port = c2.getsockname()[1]
    import subprocess
    k = subprocess.run(['ss', '-K', 'sport', '=', str(port)], capture_output=True, timeout=10)
    out['ss_K_status'] = k.returncode
    out['recv_after_ss_K'] = attempt(lambda: len(c2.recv(10)))
    c2.close()
    a2.close()
    lst.close()
    return out


# ---- EINVAL vs EOPNOTSUPP: listen()/accept() on UDP, accept() on a TCP socket that does not listen
def probe_udp_listen_accept():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((LO, 0))
    t = socket.socket()
    t.bind((LO, 0))
    out = {'udp_listen': attempt(lambda: u.listen(1)), 'udp_accept': attempt(lambda: u.accept() and None),
           'tcp_accept_not_listening': attempt(lambda: t.accept() and None)}
    c, a = pair()
    out['tcp_listen_connected'] = attempt(lambda: c.listen(1))
    for s in (u, t, c, a):
        s.close()
    return out


# ---- EISCONN
def probe_isconn():
    out = {}
    c, a = pair()
    other = listener()
    lst = listener()
    blocking = socket.socket()
    blocking.connect(lst.getsockname())
    out['tcp_connect_again'] = attempt(lambda: blocking.connect(lst.getsockname()))
    out['tcp_sendto_fastopen'] = attempt(lambda: blocking.sendto(b'x', socket.MSG_FASTOPEN, lst.getsockname()) and None)
    # after a non-blocking connect() completed, the first connect() again reports 0 (it marks the socket
    # connected: __inet_stream_connect, SS_CONNECTING); only the one after that is EISCONN
    nb = socket.socket()
    out['nonblocking_connect'] = nonblocking_connect(nb, lst.getsockname(), 2)
    out['nonblocking_connect_again'] = attempt(lambda: nb.connect(lst.getsockname()))
    out['nonblocking_connect_third'] = attempt(lambda: nb.connect(lst.getsockname()))
    for z in (lst, blocking, nb):
        z.close()
    # sendto() with some other address on a connected TCP socket: the address is ignored, the data goes to the peer
    out['tcp_sendto_other_address'] = attempt(lambda: c.sendto(b'hi', other.getsockname()))
    out['tcp_peer_got'] = a.recv(10).decode()
    # a connected UDP socket: sendto() with an address sends to that address, not to the connected peer
    u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u1.bind((LO, 0))
    u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u2.bind((LO, 0))
    u2.settimeout(2)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(u1.getsockname())
    out['udp_sendto_other_address'] = attempt(lambda: s.sendto(b'there', u2.getsockname()) and None)
    out['udp_other_got'] = attempt(lambda: u2.recv(10).decode())
    # a connected Unix stream socket refuses an address: EISCONN (unix_stream_sendmsg)
    x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    out['unix_stream_sendto'] = attempt(lambda: x.sendto(b'z', '/tmp/nowhere') and None)
    for z in (c, a, other, u1, u2, s, x, y):
        z.close()
    return out


# ---- ICMP errors on a TCP connect: which errno each ICMP destination-unreachable code gives
def _csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def probe_icmp_codes():
    out = {}
    # A listener whose accept queue is full (backlog 0, one connection queued, never accepted) drops further SYNs:
    # the client waits in SYN_SENT, and an ICMP error that quotes its SYN decides how connect() fails.
    full = listener(backlog=0)
    keep = socket.create_connection(full.getsockname(), timeout=3)
    time.sleep(0.1)
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    cap.bind(('lo', 0x0800))
    cap.settimeout(3)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    for code, name in ((3, 'port_unreachable'), (10, 'host_prohibited'), (13, 'admin_prohibited')):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(full.getsockname())
        me = c.getsockname()
        syn = None
        deadline = time.time() + 3
        while time.time() < deadline:
            pkt = cap.recv(2000)
            ihl = (pkt[0] & 15) * 4
            if pkt[9] == 6 and struct.unpack('!H', pkt[ihl:ihl + 2])[0] == me[1]:
                syn = pkt[:ihl + 8]
                break
        if syn is None:
            out[name] = 'no SYN captured'
            continue
        body = struct.pack('!BBHI', 3, code, 0, 0) + syn
        raw.sendto(struct.pack('!BBHI', 3, code, _csum(body), 0) + syn, (LO, 0))
        p = select.poll()
        p.register(c, select.POLLOUT)
        p.poll(2000)
        e = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        out[name] = errno.errorcode.get(e, 'pending') if e else 'pending'
        c.close()
    for s in (cap, raw, keep, full):
        s.close()
    return out


# ---- A full accept queue: SYNs dropped (no RST); tcp_abort_on_overflow=1 resets a connection whose handshake
# completes while the queue is full
def probe_accept_queue_full():
    out = {}
    full = listener(backlog=0)
    keep = socket.create_connection(full.getsockname(), timeout=3)
    time.sleep(0.1)
    extra = socket.socket()
    out['connect_while_full'] = nonblocking_connect(extra, full.getsockname(), 1.5)
    for s in (extra, keep, full):
        s.close()
    for abort in (0, 1):
        sysctl('net.ipv4.tcp_abort_on_overflow', abort)
        # TCP_DEFER_ACCEPT keeps each handshake out of the accept queue until the client's first data, so the
        # last client's handshake is answered while the queue still has room and completes when it is full.
        lst = listener(backlog=1)
        lst.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 5)
        a = socket.create_connection(lst.getsockname(), timeout=3)
        b = socket.create_connection(lst.getsockname(), timeout=3)
        a.send(b'a')
        time.sleep(0.1)
        c = socket.create_connection(lst.getsockname(), timeout=3)
        b.send(b'b')  # the queue (backlog 1: room for 2) is now full
        time.sleep(0.1)
        c.send(b'c')
        c.settimeout(1.5)
        try:
            n = c.recv(10)
            got = f'recv {len(n)}'
        except socket.timeout:
            got = 'no answer (timed out)'
        except OSError as e:
            got = err_name(e)
        out[f'abort_on_overflow_{abort}'] = got
        for s in (a, b, c, lst):
            s.close()
    sysctl('net.ipv4.tcp_abort_on_overflow', 0)
    return out


# ---- ECONNRESET vs EPIPE after the peer closed
def probe_reset_or_pipe():
    out = {}
    # the peer closed cleanly (FIN), nothing unread on its side
    c, a = pair()
    a.close()
    time.sleep(0.1)
    out['fin_first_send'] = attempt(lambda: c.send(b'x') and None)
    time.sleep(0.1)  # the peer's kernel answers with RST
    out['fin_recv_after_rst'] = attempt(lambda: len(c.recv(10)))
    out['fin_second_send'] = attempt(lambda: c.send(b'y') and None)
    c.close()
    c, a = pair()
    a.close()
    time.sleep(0.1)
    c.send(b'x')
    time.sleep(0.1)
    out['fin_second_send_before_any_recv'] = attempt(lambda: c.send(b'y') and None)
    out['fin_recv_after_epipe'] = attempt(lambda: len(c.recv(10)))
    c.close()
    # the peer closed with unread data: RST while ESTABLISHED
    c, a = pair()
    c.send(b'unread')
    time.sleep(0.1)
    a.close()
    time.sleep(0.1)
    out['rst_recv'] = attempt(lambda: len(c.recv(10)))
    out['rst_recv_again'] = attempt(lambda: len(c.recv(10)))
    out['rst_send_after'] = attempt(lambda: c.send(b'z') and None)
    c.close()
    c, a = pair()
    c.send(b'unread')
    time.sleep(0.1)
    a.close()
    time.sleep(0.1)
    out['rst_send_first'] = attempt(lambda: c.send(b'z') and None)
    c.close()
    return out


# ---- ENOBUFS from a full qdisc on UDP: only with IP_RECVERR; otherwise silent and counted in SndbufErrors
def probe_udp_enobufs():
    import subprocess
    subprocess.run(['tc', 'qdisc', 'replace', 'dev', 'lo', 'root', 'tbf', 'rate', '1mbit', 'burst', '2000', 'limit', '3000'], check=True, timeout=10)
    out = {}
    try:
        sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sink.bind((LO, 0))
        for recverr in (0, 1):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            if recverr:
                s.setsockopt(socket.IPPROTO_IP, 11, 1)  # IP_RECVERR (linux/in.h), not in Python's socket module
            before = snmp('Udp', 'SndbufErrors')
            errs = {}
            for _ in range(200):
                try:
                    s.sendto(b'.' * 1000, sink.getsockname())
                except OSError as e:
                    errs[err_name(e)] = errs.get(err_name(e), 0) + 1
            out[f'recverr_{recverr}'] = {'errors': errs, 'SndbufErrors': snmp('Udp', 'SndbufErrors') - before}
            s.close()
            time.sleep(0.5)
        # a qdisc with room but a slow rate and a small socket send buffer: the queued datagrams fill the buffer
        subprocess.run(['tc', 'qdisc', 'replace', 'dev', 'lo', 'root', 'tbf', 'rate', '100kbit', 'burst', '2000', 'limit', '1000000'], check=True, timeout=10)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        s.setblocking(False)
        errs = {}
        for _ in range(100):
            try:
                s.sendto(b'.' * 1000, sink.getsockname())
            except OSError as e:
                errs[err_name(e)] = errs.get(err_name(e), 0) + 1
        out['nonblocking_full_sndbuf'] = errs
        s.close()
        sink.close()
    finally:
        subprocess.run(['tc', 'qdisc', 'del', 'dev', 'lo', 'root'], timeout=10)
    return out


PROBES = {k[len('probe_'):]: v for k, v in globals().items() if k.startswith('probe_')}

if __name__ == '__main__':
    print(json.dumps(PROBES[sys.argv[2]]()))
