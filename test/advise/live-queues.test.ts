// Real loopback sockets judged through the real collector, as `analyze --port P [--samples N]` does: a
// receiver that never reads (its Recv-Q stops near tcp_rmem[1], far below 1 MiB; the sender gets zero-window
// probes) gives recv-q-persistent and send-q-persistent; listen(4) with 4 clients waiting is near full, with
// 5 (the kernel's maximum, backlog + 1) full.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createSource } from '../../src/collect/index.js';
import { collectSeries } from '../../src/cli/sampling.js';
import { recommendationsFor } from '../../src/report/analyze.js';
import type { CollectOptions } from '../../src/collect/source.js';
import type { Socket } from '../../src/model/socket.js';

// Exits when the test closes its stdin, or after 60 s.
const CHILD = String.raw`
import socket, select, sys, json, time
def listener(backlog):
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(backlog); return l
keep = []
# A receiver that never reads: the sender writes 600,000 bytes without blocking until EAGAIN.
rl = listener(8); keep.append(rl)
snd = socket.create_connection(rl.getsockname()); rcv, _ = rl.accept(); keep += [snd, rcv]
snd.setblocking(False); sent = 0
while sent < 600000:
    try: sent += snd.send(b'x' * (600000 - sent))
    except BlockingIOError: break
# listen(4), never accepting, with 4 and with 5 clients; each client's handshake must complete.
def knock(backlog, n):
    l = listener(backlog); keep.append(l); done = 0
    for i in range(n):
        c = socket.socket(); c.setblocking(False); keep.append(c)
        try: c.connect(l.getsockname())
        except BlockingIOError: pass
        _, w, _ = select.select([], [c], [], 3)
        if w and c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0: done += 1
    return l.getsockname()[1], done
p4, c4 = knock(4, 4)
p5, c5 = knock(4, 5)
print(json.dumps({'pid': __import__('os').getpid(), 'recvPort': rl.getsockname()[1], 'sent': sent, 'four': [p4, c4], 'five': [p5, c5]}), flush=True)
select.select([sys.stdin], [], [], 60)
`;

interface Held {
  pid: number;
  recvPort: number;
  sent: number;
  four: [number, number];
  five: [number, number];
}

async function openChild(): Promise<{ held: Held; proc: ChildProcess }> {
  const proc = spawn('python3', ['-c', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await Promise.race([
    new Promise<string>((res) => createInterface({ input: proc.stdout! }).once('line', res)),
    new Promise<string>((_, rej) => setTimeout(() => rej(new Error('python3 child did not report in 15 s')), 15_000)),
  ]);
  return { held: JSON.parse(line) as Held, proc };
}

function closeChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  const gone = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.stdin!.end();
  const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
  return gone.finally(() => clearTimeout(t));
}

const source = createSource('auto');
// What analyze asks for (src/cli/commands/analyze.ts).
const analyzeOptions = (scope: { port?: number; peerPort?: number }): CollectOptions => ({ ...scope, protocols: ['tcp', 'udp'], processes: 'all', details: true });

test('a receiver that never reads: recv-q-persistent on its port and send-q-persistent on the sender, over 4 samples', async (t) => {
  const { held, proc } = await openChild();
  t.after(() => closeChild(proc));
  // Where the sender stops depends on this host's tcp_rmem default and tcp_wmem (not on timing): with the
  // stock 131072 / 16384 4194304 it is about 600 KB.
  assert.ok(held.sent > 131072 && held.sent < 1024 * 1024, `the sender stopped at ${held.sent} bytes; below 1 MiB with the stock net.ipv4.tcp_rmem default 131072 (this host's tcp_rmem/tcp_wmem decide it, not timing)`);

  const inbound = await collectSeries(source, analyzeOptions({ port: held.recvPort }), 4, 300);
  const rcv = inbound.snapshot.sockets.find((s) => s.local.port === held.recvPort && s.state === 'ESTABLISHED')!;
  assert.ok(rcv.recvQ > 0 && rcv.recvQ < 1024 * 1024, `Recv-Q ${rcv.recvQ}`);
  const recs = recommendationsFor(inbound.snapshot, { port: held.recvPort }, inbound.history);
  const r = recs.find((x) => x.id === 'recv-q-persistent');
  assert.ok(r, JSON.stringify(recs.map((x) => `${x.id}: ${x.message}`)));
  assert.equal(r.pid, held.pid);
  assert.match(r.message, new RegExp(`^1 established connection on tcp port ${held.recvPort} keeps data unread in Recv-Q: python3 \\(pid ${held.pid}\\) is not reading$`));
  assert.match(r.evidence, /Recv-Q [\d.]+ KiB, [\d.]+ KiB in use of rcvbuf [\d.]+ KiB \((9\d|100)%\) \(no progress\)/);
  // The strace command names the process the message names (it printed a literal PID).
  assert.match(r.fix, new RegExp(`strace -f -p ${held.pid} -e trace=read,recvfrom,epoll_wait`));

  const outbound = await collectSeries(source, analyzeOptions({ peerPort: held.recvPort }), 4, 300);
  const out = recommendationsFor(outbound.snapshot, { peerPort: held.recvPort }, outbound.history);
  const s = out.find((x) => x.id === 'send-q-persistent');
  assert.ok(s, JSON.stringify(out.map((x) => `${x.id}: ${x.message}`)));
  assert.equal(s.peerPort, held.recvPort);
  // tcp_info shows the shut window (snd_wnd 0): the peer, not a local drop.
  assert.match(s.evidence, /\(zero-window probes: timer persist, snd_wnd 0\)/);
  assert.match(s.message, /the peer is not reading/);
});

test('listen(4): 4 waiting is near full, the kernel takes a 5th and then it is full (accept-queue-full)', async (t) => {
  const { held, proc } = await openChild();
  t.after(() => closeChild(proc));
  const [p4, done4] = held.four;
  const [p5, done5] = held.five;
  assert.equal(done4, 4);
  assert.equal(done5, 5, 'listen(4) completes a 5th handshake: the queue holds backlog + 1');

  const at4 = await source.collect(analyzeOptions({ port: p4 }));
  const l4 = at4.sockets.find((s) => s.local.port === p4 && s.state === 'LISTEN')!;
  assert.deepEqual([l4.recvQ, l4.sendQ], [4, 4]);
  const r4 = recommendationsFor(at4, { port: p4 });
  assert.ok(!r4.some((x) => x.id === 'accept-queue-full'), JSON.stringify(r4.map((x) => x.id)));
  assert.ok(r4.some((x) => x.id === 'accept-queue-near-full'));

  const at5 = await source.collect(analyzeOptions({ port: p5 }));
  const l5 = at5.sockets.find((s) => s.local.port === p5 && s.state === 'LISTEN')!;
  assert.deepEqual([l5.recvQ, l5.sendQ], [5, 4]);
  const full = recommendationsFor(at5, { port: p5 }).find((x) => x.id === 'accept-queue-full');
  assert.ok(full);
  assert.equal(full.pid, held.pid);
  assert.match(full.message, new RegExp(`^Accept queue full on tcp 127\\.0\\.0\\.1:${p5}: 5 connections wait for accept\\(\\) with backlog 4`));
});

// A reader that keeps up, on a small fixed buffer: SO_RCVBUF 32768 before listen() (rb 65536), a sender
// writing 1 MiB chunks and a reader calling recv(1 MiB) in a loop. One 32 KiB loopback segment in transit
// is already half the buffer (measured: Recv-Q 32768, r 33600 of rb 65536 in every sample), so a 50%
// ratio on Recv-Q called this reader 'not reading fast enough'.
const FAST = String.raw`
import socket, threading, select, sys, json, os, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768); l.bind(('127.0.0.1', 0)); l.listen(1)
port = l.getsockname()[1]; end = time.time() + 30; got = [0]
def send():
    c = socket.create_connection(('127.0.0.1', port)); buf = b'x' * (1 << 20)
    while time.time() < end: c.sendall(buf)
threading.Thread(target=send, daemon=True).start()
a, _ = l.accept()
def read():
    while time.time() < end:
        n = len(a.recv(1 << 20))
        if not n: break
        got[0] += n
threading.Thread(target=read, daemon=True).start()
time.sleep(0.3)
print(json.dumps({'pid': os.getpid(), 'port': port}), flush=True)
select.select([sys.stdin], [], [], 30)
print(json.dumps({'read': got[0]}), flush=True)
`;

test('a fast reader with SO_RCVBUF 32768: no recv-q-persistent over 4 samples (one segment in flight is half its buffer)', async (t) => {
  const proc = spawn('python3', ['-c', FAST], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const next = () => Promise.race([
    lines.next().then((r) => JSON.parse(String(r.value)) as Record<string, number>),
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error('python3 child did not report in 15 s')), 15_000)),
  ]);
  t.after(() => closeChild(proc));
  const { pid, port } = await next();

  // Whether the reader has a segment in flight at a sample is timing: series are taken (at most 6) until
  // one has it in every sample, the state the 50% ratio called full.
  const inFlight = (c: Socket | undefined) => c?.skmem != null && c.recvQ > 0 && Math.max(c.recvQ, c.skmem.rmemAlloc) >= 0.5 * c.skmem.rcvbuf;
  let series: Awaited<ReturnType<typeof collectSeries>> | undefined;
  let seen = '';
  for (let i = 0; i < 6 && !series; i++) {
    const s = await collectSeries(source, analyzeOptions({ port }), 4, 300);
    const conns = s.history.map((x) => x.sockets.find((c) => c.local.port === port && c.state === 'ESTABLISHED'));
    seen = JSON.stringify(conns.map((c) => [c?.recvQ, c?.skmem?.rmemAlloc, c?.skmem?.rcvbuf]));
    const received = conns.map((c) => c?.tcpInfo?.bytesReceived ?? 0);
    assert.ok(received[3]! - received[0]! > 10 * 1024 * 1024, `data flows: bytes_received ${received.join(', ')}`);
    assert.ok(conns.every((c) => c?.skmem != null && c.skmem.rcvbuf <= 131072), `the buffer stays small: ${seen}`);
    if (conns.every(inFlight)) series = s;
  }
  if (!series) {
    t.skip(`no series of 4 samples had a segment queued in each (last [Recv-Q, r, rb]: ${seen})`);
    return;
  }
  const recs = recommendationsFor(series.snapshot, { port }, series.history);
  assert.ok(!recs.some((x) => x.id === 'recv-q-persistent'), JSON.stringify(recs.map((x) => `${x.id}: ${x.message} | ${x.evidence}`)));
  proc.stdin!.end();
  assert.ok((await next()).read > 10 * 1024 * 1024, `pid ${pid} read its data`);
});
