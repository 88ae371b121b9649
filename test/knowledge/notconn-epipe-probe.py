#!/usr/bin/env python3
"""Measures what Linux returns to send(), recv(), getpeername() and shutdown() on a TCP socket with no connection
(never connected; refused or timed out, by a blocking and by a non-blocking connect(); still connecting) and to send()
on an unconnected Unix stream socket, on loopback (test/knowledge/errno-notconn-epipe.test.ts). Prints one JSON
object. Every wait is bounded."""
import errno, json, os, select, signal, socket as S, time
def name(fn):
    try: r = fn()
    except OSError as e: return errno.errorcode.get(e.errno, str(e.errno))
    return 'eof' if r == b'' else 'ok'
def nonblocking_connect(addr, user_timeout_ms=0):
    """A non-blocking connect() to addr, waited for (up to 10 s) until the socket is writable: done or failed."""
    s = S.socket(); s.setblocking(False)
    if user_timeout_ms: s.setsockopt(S.IPPROTO_TCP, S.TCP_USER_TIMEOUT, user_timeout_ms)
    started = name(lambda: s.connect(addr))
    if started != 'EINPROGRESS': raise SystemExit(f'non-blocking connect() to {addr}: {started}, not EINPROGRESS')
    if not select.select([], [s], [], 10)[1]: raise SystemExit(f'non-blocking connect() to {addr}: not done in 10 s')
    return s
send = lambda s: lambda: s.send(b'x', S.MSG_NOSIGNAL)
recv = lambda s: lambda: s.recv(1)
m = {}
fresh = S.socket()
m['never_send'] = name(lambda: fresh.send(b'x'))
m['never_recv'] = name(lambda: fresh.recv(1))
m['never_getpeername'] = name(fresh.getpeername)
m['never_shutdown'] = name(lambda: fresh.shutdown(S.SHUT_RDWR))
# a port nothing listens on: bound, not listening
hole = S.socket(); hole.bind(('127.0.0.1', 0))
failed = S.socket()
m['connect'] = name(lambda: failed.connect(hole.getsockname()))
m['failed_send'] = name(lambda: failed.send(b'x'))
m['failed_recv'] = name(lambda: failed.recv(1))
m['failed_getpeername'] = name(failed.getpeername)
m['failed_shutdown'] = name(lambda: failed.shutdown(S.SHUT_RDWR))
# refused, non-blocking: the error waits on the socket (sk_err) until a call or getsockopt(SO_ERROR) takes it
a = nonblocking_connect(hole.getsockname())
m['nb_refused_send'] = [name(send(a)), name(send(a))]
b = nonblocking_connect(hole.getsockname())
m['nb_refused_recv'] = [name(recv(b)), name(recv(b))]
c = nonblocking_connect(hole.getsockname())
m['nb_refused_getpeername_shutdown_send'] = [name(c.getpeername), name(lambda: c.shutdown(S.SHUT_RDWR)), name(send(c))]
d = nonblocking_connect(hole.getsockname())
m['nb_refused_so_error'] = errno.errorcode.get(d.getsockopt(S.SOL_SOCKET, S.SO_ERROR), 'none')
m['nb_refused_after_so_error'] = [name(send(d)), name(recv(d))]
# SYN_SENT: the listener's accept queue (backlog 0) is full, so its SYN is dropped and connect() waits
l = S.socket(); l.bind(('127.0.0.1', 0)); l.listen(0)
q = S.socket(); q.connect(l.getsockname())
time.sleep(0.1)
w = S.socket(); w.setblocking(False)
m['waiting_connect'] = name(lambda: w.connect(l.getsockname()))
m['waiting_state'] = w.getsockopt(S.IPPROTO_TCP, S.TCP_INFO, 1)[0]  # tcpi_state: 2 is SYN_SENT
m['waiting_send'] = name(lambda: w.send(b'x'))
m['waiting_recv'] = name(lambda: w.recv(1))
# timed out: a SYN to that listener is dropped; TCP_USER_TIMEOUT (300 ms) ends the attempt at the first retransmission
t = nonblocking_connect(l.getsockname(), 300)
m['nb_timedout_send'] = [name(send(t)), name(send(t))]
t = nonblocking_connect(l.getsockname(), 300)
m['nb_timedout_recv'] = [name(recv(t)), name(recv(t))]
# blocking for real: Python's settimeout() would make the socket non-blocking; TCP_SYNCNT 1 bounds the wait to ~3 s
t = S.socket(); t.setsockopt(S.IPPROTO_TCP, S.TCP_USER_TIMEOUT, 300); t.setsockopt(S.IPPROTO_TCP, S.TCP_SYNCNT, 1)
m['timedout_connect'] = name(lambda: t.connect(l.getsockname()))
m['timedout_send_recv'] = [name(send(t)), name(recv(t))]
u = S.socket(S.AF_UNIX, S.SOCK_STREAM)
m['unix_stream_send'] = name(lambda: u.send(b'x'))
# SIGPIPE with the default action: a child sends on a never-connected TCP socket without MSG_NOSIGNAL
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try: S.socket().send(b'x')
    except OSError: pass
    os._exit(0)
_, st = os.waitpid(pid, 0)
m['never_send_signal'] = signal.Signals(os.WTERMSIG(st)).name if os.WIFSIGNALED(st) else 'none'
print(json.dumps(m))
