// review-udp #1-#4 end to end, with real UDP sockets in a network namespace of the test's own (its
// Udp/Udp6 counters count only the test's datagrams): `analyze --port P --samples 4` while a sender in
// the namespace feeds the port (200 datagrams every 0.5 s until the test says stop once analyze has
// returned, at most 40 rounds: bounded in count and time). The sender used to stop on its own clock after
// 6 rounds (~2.5 s), so an analyze slow to take its first sample (a loaded CI: ip netns exec, Node start,
// the dump) saw no drops in its later intervals (review-codegen #11): the first analysis here starts 3 s
// after its feed on purpose.
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
stop = threading.Event()
feeders = []
def feed(family, host, port):
    tx = socket.socket(family, socket.SOCK_DGRAM)
    for r in range(40):  # until the test says stop, at most 20 s
        for i in range(200): tx.sendto(b'x' * 500, (host, port))
        if stop.wait(0.5): break
def start(*args):
    stop.clear()
    t = threading.Thread(target=feed, args=args, daemon=True)
    t.start()
    feeders.append(t)
print('ready', flush=True)
for line in sys.stdin:
    w = line.split()
    if w[0] == 'feed6': start(socket.AF_INET6, '::1', int(w[1]))
    if w[0] == 'feed4': start(socket.AF_INET, '127.0.0.1', int(w[1]))
    if w[0] == 'stop':
        stop.set()
        for t in feeders: t.join(5)
        feeders.clear()
        print('stopped', flush=True)
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
  const lines = createInterface({ input: holder.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (what: string) => {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([lines.next(), new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`holder not ${what} in 10 s`)), 10_000)))]);
    clearTimeout(timer);
    assert.ok(!r.done, 'holder ended');
    assert.equal(r.value, what);
  };
  await nextLine('ready');
  const feed = (cmd: string) => holder!.stdin!.write(`${cmd}\n`);
  /** Stops the sender and waits until it has (the next analysis must not see this one's datagrams). */
  const stop = async () => {
    feed('stop');
    await nextLine('stopped');
  };

  // #3 #1: an IPv6 socket that drops; analyze starts later than the old sender's 2.5 s of datagrams.
  feed('feed6 6006');
  await new Promise((r) => setTimeout(r, 3000));
  let recs = analyze(6006);
  await stop();
  const host6 = recs.find((r) => r.id === 'udp-receive-errors');
  assert.ok(host6, `udp-receive-errors fires on Udp6 (got ${recs.map((r) => r.id).join(', ')})`);
  assert.match(host6.message, /^UDP receive errors are rising \(IPv6\): RcvbufErrors \+\d+/);
  const sock6 = recs.find((r) => r.id === 'udp-socket-drops');
  assert.ok(sock6);
  assert.match(sock6.message, /its receive buffer overflows \(socket \[::1\]:6006, inode \d+, fd \d+ of pid \d+\)/);
  assert.match(sock6.fix, /type: 'udp6'/);
  assert.match(sock6.fix, /nstat -az Udp6RcvbufErrors Udp6InErrors/);
  assert.match(sock6.fix, /The application set SO_RCVBUF itself/);

  // #2: a socket filter that drops everything.
  feed('feed4 6020');
  recs = analyze(6020);
  await stop();
  const hostF = recs.find((r) => r.id === 'udp-receive-errors');
  assert.ok(hostF, recs.map((r) => r.id).join(', '));
  assert.match(hostF.message, /with RcvbufErrors steady: no receive buffer is full; \+\d+ other InErrors: not a full buffer \(a socket filter/);
  const sockF = recs.find((r) => r.id === 'udp-socket-drops');
  assert.ok(sockF);
  assert.match(sockF.message, /but not for a full buffer: its queue stayed empty/);
  for (const r of [hostF, sockF]) assert.doesNotMatch(r.fix, /Give the socket a larger receive buffer/);

  // #4: drops on 6006 while 6007 is analyzed.
  feed('feed6 6006');
  recs = analyze(6007);
  await stop();
  assert.deepEqual(recs.filter((r) => r.severity !== 'info' && r.id.startsWith('udp')).map((r) => r.id), ['udp-receive-errors']);
  const elsewhere = recs.find((r) => r.id === 'udp-receive-errors')!;
  assert.match(elsewhere.message, /the UDP sockets on port 6007 are not dropping \(their drop counters did not rise\): the drops are elsewhere on this host/);
  assert.match(elsewhere.fix, /^Nothing to change on port 6007/);
});
