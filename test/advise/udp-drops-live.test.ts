// review-udp #1-#4 end to end, with real UDP sockets in a network namespace of the test's own (its
// Udp/Udp6 counters count only the test's datagrams): `analyze --port P --samples 4` while a sender in
// the namespace feeds the port (6 rounds of 200 datagrams, 0.5 s apart: bounded in count and time).
//   [::1]:6006      SO_RCVBUF 4096, never read: IPv6 drops, counted only in Udp6 (/proc/net/snmp6)
//   127.0.0.1:6020  a classic-BPF filter that drops everything: InErrors without RcvbufErrors, queue empty
//   127.0.0.1:6007  read, never dropping: analyzed while 6006 drops
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const NS = `sockscope-udpfix-${process.pid}`;

const HOLDER = `
import socket, ctypes, struct, sys, threading, time
a = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
a.bind(('::1', 6006))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.bind(('127.0.0.1', 6020))
ins = (ctypes.c_ubyte * 8).from_buffer_copy(struct.pack('HBBI', 0x06, 0, 0, 0))  # BPF_RET|BPF_K 0: drop all
class fprog(ctypes.Structure): _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]
prog = fprog(1, ctypes.addressof(ins))
libc = ctypes.CDLL(None, use_errno=True)
assert libc.setsockopt(b.fileno(), 1, 26, ctypes.byref(prog), ctypes.sizeof(prog)) == 0  # SO_ATTACH_FILTER
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.bind(('127.0.0.1', 6007))
threading.Thread(target=lambda: [c.recv(65536) for _ in iter(int, 1)], daemon=True).start()
def feed(family, host, port):
    tx = socket.socket(family, socket.SOCK_DGRAM)
    for r in range(6):
        for i in range(200): tx.sendto(b'x' * 500, (host, port))
        time.sleep(0.5)
print('ready', flush=True)
for line in sys.stdin:
    w = line.split()
    if w[0] == 'feed6': threading.Thread(target=feed, args=(socket.AF_INET6, '::1', int(w[1])), daemon=True).start()
    if w[0] == 'feed4': threading.Thread(target=feed, args=(socket.AF_INET, '127.0.0.1', int(w[1])), daemon=True).start()
`;

interface Rec {
  severity: string;
  id: string;
  message: string;
  evidence: string;
  fix: string;
}

function analyze(port: number): Rec[] {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'bin/sockscope', 'analyze', '--port', String(port), '--samples', '4', '--sample-interval', '700ms', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { recommendations: Rec[] }).recommendations;
}

test('UDP drops end to end in a namespace: IPv6 counters, a filter is not a full buffer, --port elsewhere', { timeout: 180_000 }, async (t) => {
  createNetns(NS);
  let holder: ChildProcess | undefined;
  t.after(() => {
    holder?.kill('SIGKILL');
    deleteNetns(NS);
  });
  holder = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('holder not ready in 10 s')), 10_000);
    createInterface({ input: holder!.stdout! }).once('line', () => {
      clearTimeout(timer);
      res();
    });
  });
  const feed = (cmd: string) => holder!.stdin!.write(`${cmd}\n`);

  // #3 #1: an IPv6 socket that drops.
  feed('feed6 6006');
  let recs = analyze(6006);
  const host6 = recs.find((r) => r.id === 'udp-receive-errors');
  assert.ok(host6, `udp-receive-errors fires on Udp6 (got ${recs.map((r) => r.id).join(', ')})`);
  assert.match(host6.message, /^UDP receive errors are rising \(IPv6\): RcvbufErrors \+\d+/);
  const sock6 = recs.find((r) => r.id === 'udp-socket-drops');
  assert.ok(sock6);
  assert.match(sock6.message, /its receive buffer overflows \(socket \[::1\]:6006, inode \d+, fd \d+ of pid \d+\)/);
  assert.match(sock6.fix, /type: 'udp6'/);
  assert.match(sock6.fix, /nstat -az Udp6RcvbufErrors Udp6InErrors/);
  assert.match(sock6.fix, /The application set SO_RCVBUF itself/);
  await new Promise((r) => setTimeout(r, 1500));

  // #2: a socket filter that drops everything.
  feed('feed4 6020');
  recs = analyze(6020);
  const hostF = recs.find((r) => r.id === 'udp-receive-errors');
  assert.ok(hostF, recs.map((r) => r.id).join(', '));
  assert.match(hostF.message, /with RcvbufErrors steady: no receive buffer is full; \+\d+ other InErrors: not a full buffer \(a socket filter/);
  const sockF = recs.find((r) => r.id === 'udp-socket-drops');
  assert.ok(sockF);
  assert.match(sockF.message, /but not for a full buffer: its queue stayed empty/);
  for (const r of [hostF, sockF]) assert.doesNotMatch(r.fix, /Give the socket a larger receive buffer/);
  await new Promise((r) => setTimeout(r, 1500));

  // #4: drops on 6006 while 6007 is analyzed.
  feed('feed6 6006');
  recs = analyze(6007);
  assert.deepEqual(recs.filter((r) => r.severity !== 'info' && r.id.startsWith('udp')).map((r) => r.id), ['udp-receive-errors']);
  const elsewhere = recs.find((r) => r.id === 'udp-receive-errors')!;
  assert.match(elsewhere.message, /the UDP sockets on port 6007 are not dropping \(their drop counters did not rise\): the drops are elsewhere on this host/);
  assert.match(elsewhere.fix, /^Nothing to change on port 6007/);
});
