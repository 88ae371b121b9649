// review-churn #2 end to end: a listener with backlog 1 that never accepts, in a network namespace of the
// test's own (its Tcp and TcpExt counters count only the test's segments), and 16 clients connecting to it,
// one every 0.25 s (bounded in count and time). The queue holds 2; the other SYNs are dropped
// (ListenOverflows) and the clients resend them (TCPSynRetrans): every retransmission is a handshake, none is
// lost data. `analyze --samples 6` with retransMinSegs 1 (a few dozen segments are sent) must say so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const NS = `sockscope-synre-${process.pid}`;
const BIN = resolve('bin/sockscope');

const HOLDER = `
import threading
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(('127.0.0.1', 7113))
srv.listen(1)
clients = []
def connect():
    for i in range(16):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try: c.connect(('127.0.0.1', 7113))
        except BlockingIOError: pass
        clients.append(c)
        time.sleep(0.25)
threading.Thread(target=connect, daemon=True).start()
`;

function counters(): Record<string, number> {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'cat', '/proc/net/snmp', '/proc/net/netstat'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out: Record<string, number> = {};
  const lines = r.stdout.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [head, vals] = [lines[i].split(/\s+/), lines[i + 1].split(/\s+/)];
    head.slice(1).forEach((k, j) => (out[`${head[0].replace(":", "")}${k}`] = Number(vals[j + 1])));
  }
  return out;
}

test('retransmissions-high on real SYN retransmissions from a full accept queue: not packet loss', { timeout: 90_000 }, async (t) => {
  createNetns(NS);
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-synre-'));
  let holder: ChildProcess | undefined;
  t.after(() => {
    holder?.kill('SIGKILL');
    deleteNetns(NS);
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'sockscope.yaml'), 'thresholds:\n  retransMinSegs: 1\n');
  const before = counters();
  holder = await netnsHolder(NS, HOLDER);
  const r = spawnSync('ip', ['netns', 'exec', NS, BIN, 'analyze', '--port', '7113', '--samples', '6', '--sample-interval', '1s', '--json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const after = counters();
  const d = (k: string) => after[k] - before[k];
  // What the kernel counted: retransmissions, all of them SYNs, while the listener overflowed.
  assert.ok(d('TcpRetransSegs') >= 4, `RetransSegs +${d('TcpRetransSegs')}`);
  assert.equal(d('TcpExtTCPSynRetrans'), d('TcpRetransSegs'), 'every retransmission is a SYN or SYN-ACK');
  assert.ok(d('TcpExtListenOverflows') > 0);
  const recs = (JSON.parse(r.stdout) as { recommendations: { id: string; severity: string; message: string; evidence: string; fix: string }[] }).recommendations;
  const re = recs.find((x) => x.id === 'retransmissions-high');
  assert.ok(re, `retransmissions-high fires (got ${recs.map((x) => x.id).join(', ')})`);
  assert.equal(re.severity, 'warning');
  assert.doesNotMatch(re.message, /packet loss or congestion/);
  assert.match(re.message, /^TCP retransmissions are SYN retransmissions from a full accept queue: (\d+) of \1 retransmitted segments .* \(ListenOverflows \+\d+/);
  assert.doesNotMatch(re.fix, /ethtool/);
  for (const m of `${re.message} ${re.evidence}`.matchAll(/(\d+(?:\.\d+)?)%/g)) assert.ok(Number(m[1]) <= 100, `${m[0]} in ${re.evidence}`);
});
