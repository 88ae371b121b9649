// analyze-states --port P on a flooded UDP socket (review s14 #1): it collected without socket memory, so
// udp-receive-errors could not see P's drop counters and said "... are not visible to this source: the
// drops are elsewhere on this host" while analyze named that very socket. Scoped, analyze-states now reads
// the details analyze reads; and a source that really has no drop counters (netstat) is told as such,
// with no conclusion about P. Real UDP sockets in a namespace of the test's own (its Udp counters count
// only the test's datagrams); the flood is bounded (at most 15 s of 200 x 1000 B every 50 ms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const NS = `sockscope-udpstates-${process.pid}`;
const PORT = 7600;

// SO_RCVBUF 8192 (rb 16 KiB), read 10 datagrams a second: every burst overflows it.
const SERVER = `
import socket, time, threading
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
s.bind(('127.0.0.1', ${PORT}))
def flood():
    t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); end = time.time() + 15
    while time.time() < end:
        for i in range(200): t.sendto(b'x' * 1000, ('127.0.0.1', ${PORT}))
        time.sleep(0.05)
threading.Thread(target=flood, daemon=True).start()
print('ready', flush=True)
end = time.time() + 16
while time.time() < end:
    s.recv(2048); time.sleep(0.1)
`;

interface Rec {
  id: string;
  message: string;
  evidence: string;
  fix: string;
}

function run(cmd: string, source: string): { recommendation?: string; recommendations: Rec[] } {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'bin/sockscope', cmd, '--port', String(PORT), '--samples', '3', '--sample-interval', '500ms', '--source', source, '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('analyze-states --port on a flooded UDP socket names it as analyze does; without drop counters it concludes nothing', { timeout: 120_000 }, async (t) => {
  createNetns(NS);
  let server: ChildProcess | undefined;
  t.after(() => {
    server?.kill('SIGKILL');
    deleteNetns(NS);
  });
  server = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    server!.stdout!.once('data', () => res());
    server!.once('exit', (c) => rej(new Error(`server exited ${c}`)));
  });

  const states = run('analyze-states', 'netlink');
  const host = states.recommendations.find((r) => r.id === 'udp-receive-errors');
  assert.ok(host, JSON.stringify(states.recommendations.map((r) => r.id)));
  assert.doesNotMatch(host.message, /elsewhere|not visible/, host.message);
  assert.match(host.evidence, new RegExp(`sockets dropping: udp port ${PORT} python3 \\(pid \\d+\\) drops \\d+, queued [\\d.]+ \\w+ of rcvbuf 16 KiB`));
  assert.ok(states.recommendations.some((r) => r.id === 'udp-socket-drops'), 'analyze-states shows udp-socket-drops as analyze does');
  assert.match(states.recommendation!, /^UDP receive errors are rising: RcvbufErrors \+\d+/);
  const analyze = run('analyze', 'netlink');
  assert.deepEqual(
    states.recommendations.filter((r) => r.id.startsWith('udp-')).map((r) => r.id),
    analyze.recommendations.filter((r) => r.id.startsWith('udp-')).map((r) => r.id),
  );

  // netstat shows no drop counter for a UDP socket: the host counters rise, and P's part is not known.
  const blind = run('analyze-states', 'netstat').recommendations.find((r) => r.id === 'udp-receive-errors');
  assert.ok(blind);
  assert.match(blind.message, new RegExp(`; the drop counters of the UDP socket on port ${PORT} are not visible to this source, so whether it drops is not known$`));
  assert.doesNotMatch(`${blind.message} ${blind.evidence} ${blind.fix}`, /elsewhere on this host|Nothing to change on port/);
  assert.match(blind.fix, new RegExp(`^See whether port ${PORT} is the one dropping: ss -uam 'sport = :${PORT}'.* If it is this port: Give the socket a larger receive buffer`));
});
