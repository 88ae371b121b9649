// buffers --port P on a connection sending 10 MiB to a reader at 1 KiB/s showed "rate 3.57 Gbit/s" (the
// tcpi_delivery_rate of its first burst) with the note "its measured rate is what the limit allows, not
// what the link can do" (review s14 #4): the window has been shut for seconds and the sample is old. A
// sender with data waiting that has sent nothing for a second (tcpi_last_data_sent) now has its rate called
// an old sample with the average over its busy time, no "what the limit allows" note, and no size derived.
// A real loopback pair: python3 sends 10 MiB into a socket it reads 1 KiB from every second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const SLOW = String.raw`
import socket, threading, time, sys
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1); port = l.getsockname()[1]
def send():
    c, _ = l.accept(); c.settimeout(40)
    try: c.sendall(b'x' * (10 << 20))
    except Exception: pass
threading.Thread(target=send, daemon=True).start()
r = socket.create_connection(('127.0.0.1', port))
print(port, flush=True)
end = time.time() + 40
while time.time() < end:
    r.recv(1024); time.sleep(1)
`;

test('buffers: a window shut for seconds makes the delivery rate an old sample, not what the limit allows', { timeout: 60_000 }, async (t) => {
  let child: ChildProcess | undefined = spawn('python3', ['-c', SLOW], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child?.kill('SIGKILL'));
  const port = Number((await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value);
  await new Promise((r) => setTimeout(r, 2500));
  const r = spawnSync('bin/sockscope', ['buffers', '--port', String(port), '--source', 'netlink', '--json'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as { connections: { deliveryRate: number | null; verdict: string; recommendedRcvbuf: number | null }[]; notes: string[] };
  assert.equal(rep.connections.length, 1);
  const c = rep.connections[0];
  assert.ok(c.deliveryRate != null && c.deliveryRate > 0);
  assert.match(c.verdict, /^the delivery rate [\d.]+ [kMG]?bit\/s is an old sample, not the current rate: the sender has sent no data for [\d.]+ s while [\d.]+ MiB wait \(zero window: persist timer\); on average [\d.]+ [kM]?bit\/s over its busy time \(bytes_acked \/ busy time\); the receiver reads too slowly/);
  assert.equal(c.recommendedRcvbuf, null);
  assert.ok(!rep.notes.some((n) => /what the limit allows/.test(n)), rep.notes.join('\n'));
  assert.ok(rep.notes.some((n) => /^1 connection has an old delivery rate sample/.test(n)), rep.notes.join('\n'));
  assert.ok(!rep.notes.some((n) => /shows what the connection does now/.test(n)));
});
