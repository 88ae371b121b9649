// recv-q-persistent measured a reader's progress with tcp_info bytes_received, what arrives from the peer:
// that stops while a slow reader keeps the window shut, so a reader at 1 KiB every 200 ms was called
// "python3 (pid N) is not reading ... (no progress)" (review s14 #2). Progress is now what the application
// read between the samples (bytes_received - Recv-Q). Real loopback pairs: one receiver reads 1 KiB every
// 200 ms while its peer sends 10 MiB into it, the other never reads; `analyze --port P --samples 3`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const PAIRS = String.raw`
import socket, threading, time, json, os, sys
def pair(read):
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1); port = l.getsockname()[1]
    def send():
        c = socket.create_connection(('127.0.0.1', port)); c.settimeout(40)
        try: c.sendall(b'x' * (10 << 20))
        except Exception: pass
    threading.Thread(target=send, daemon=True).start()
    a, _ = l.accept()
    def reader():
        end = time.time() + 40
        while time.time() < end:
            a.recv(1024); time.sleep(0.2)
    if read: threading.Thread(target=reader, daemon=True).start()
    return port, a
slow, keep1 = pair(True)
stuck, keep2 = pair(False)
time.sleep(1)
print(json.dumps({'pid': os.getpid(), 'slow': slow, 'stuck': stuck}), flush=True)
sys.stdin.read()
`;

interface Rec {
  id: string;
  message: string;
  evidence: string;
}

function analyze(port: number): Rec[] {
  const r = spawnSync('bin/sockscope', ['analyze', '--port', String(port), '--samples', '3', '--sample-interval', '500ms', '--source', 'netlink', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { recommendations: Rec[] }).recommendations;
}

test('recv-q-persistent: a reader at 1 KiB per 200 ms reads too slowly (with its rate), one that never reads is not reading', { timeout: 120_000 }, async (t) => {
  let child: ChildProcess | undefined = spawn('python3', ['-c', PAIRS], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child?.kill('SIGKILL'));
  const line = await Promise.race([
    createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next(),
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error('python3 child did not report in 15 s')), 15_000)),
  ]);
  const { pid, slow, stuck } = JSON.parse(String(line.value)) as { pid: number; slow: number; stuck: number };

  const s = analyze(slow).find((r) => r.id === 'recv-q-persistent');
  assert.ok(s, 'the slow reader keeps its Recv-Q full');
  assert.doesNotMatch(s.message, /not reading/, s.message);
  assert.match(s.message, new RegExp(`^1 established connection on tcp port ${slow} keeps data unread in Recv-Q: python3 \\(pid ${pid}\\) reads too slowly \\(([\\d.]+) (B|KiB)/s\\)$`));
  const rate = /reads too slowly \(([\d.]+) (B|KiB)\/s\)/.exec(s.message)!;
  const bps = Number(rate[1]) * (rate[2] === 'KiB' ? 1024 : 1);
  // 1 KiB every 200 ms is 5 KiB/s; the samples are 500 ms apart, so 2 to 3 reads fall in each.
  assert.ok(bps >= 2048 && bps <= 8192, `rate ${rate[0]}`);
  assert.match(s.evidence, /\(read [\d.]+ KiB in [\d.]+ s: [\d.]+ KiB\/s\)/);
  assert.doesNotMatch(s.evidence, /no progress/);

  const n = analyze(stuck).find((r) => r.id === 'recv-q-persistent');
  assert.ok(n, 'the reader that never reads keeps its Recv-Q full');
  assert.match(n.message, new RegExp(`: python3 \\(pid ${pid}\\) is not reading$`));
  assert.match(n.evidence, /\(no progress\)/);
});
