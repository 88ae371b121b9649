#!/usr/bin/env python3
"""Measures what Linux returns to send(), recv(), getpeername() and shutdown() on a TCP socket with no connection
(never connected, refused, still connecting) and to send() on an unconnected Unix stream socket, on loopback
(test/knowledge/errno-notconn-epipe.test.ts). Prints one JSON object. Every wait is bounded."""
import errno, json, os, signal, socket as S, time
def name(fn):
    try: fn(); return 'ok'
    except OSError as e: return errno.errorcode.get(e.errno, str(e.errno))
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
# SYN_SENT: the listener's accept queue (backlog 0) is full, so its SYN is dropped and connect() waits
l = S.socket(); l.bind(('127.0.0.1', 0)); l.listen(0)
q = S.socket(); q.connect(l.getsockname())
time.sleep(0.1)
w = S.socket(); w.setblocking(False)
m['waiting_connect'] = name(lambda: w.connect(l.getsockname()))
m['waiting_state'] = w.getsockopt(S.IPPROTO_TCP, S.TCP_INFO, 1)[0]  # tcpi_state: 2 is SYN_SENT
m['waiting_send'] = name(lambda: w.send(b'x'))
m['waiting_recv'] = name(lambda: w.recv(1))
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
