# Two SO_REUSEPORT listeners on one 127.0.0.1 port (backlogs 2 and 64), and clients until the first one's
# accept queue is full (backlog + 1: the kernel drops the next handshake hashed to it). Node 20 cannot set
# SO_REUSEPORT. Prints one JSON line with each listener's queue and backlog as the kernel reports them
# (tcp_info of a LISTEN socket: tcpi_unacked = accept queue, tcpi_sacked = backlog), then holds everything
# until stdin closes.
import json, select, socket, struct, sys

def queue_of(l):
    info = l.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 32)
    unacked, sacked = struct.unpack_from('II', info, 24)
    return unacked, sacked

def low_port():
    # Below the ephemeral range: the exporter folds a listener on an ephemeral port into port="other" until
    # it has listened for 2 minutes (EPHEMERAL_LISTENER_MIN_AGE_MS), so a port-0 listener would not get its series.
    import random
    for _ in range(200):
        p = random.randrange(20000, 32000)
        probe = socket.socket()
        try:
            probe.bind(('127.0.0.1', p))
            return p
        except OSError:
            continue
        finally:
            probe.close()
    raise SystemExit('no free port in 20000-32000')

listeners = []
for backlog in (2, 64):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    l.bind(('127.0.0.1', listeners[0].getsockname()[1] if listeners else low_port()))
    l.listen(backlog)
    listeners.append(l)
port = listeners[0].getsockname()[1]
clients = []
# Connections are spread by a hash of the 4-tuple: about half land on the small listener. Bounded: 60 clients.
for _ in range(60):
    if queue_of(listeners[0])[0] >= 3:
        break
    c = socket.socket()
    c.setblocking(False)
    c.connect_ex(('127.0.0.1', port))
    select.select([], [c], [], 2.0)
    clients.append(c)
(qa, ba), (qb, bb) = queue_of(listeners[0]), queue_of(listeners[1])
print(json.dumps({'port': port, 'listeners': [{'queue': qa, 'backlog': ba}, {'queue': qb, 'backlog': bb}]}), flush=True)
sys.stdin.read()
