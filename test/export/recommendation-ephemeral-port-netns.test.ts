// sockscope_recommendation's `port` is bounded as the other series' port labels are (review s17 export #1): a
// listener on an ephemeral port seen for less than 2 minutes and a UDP socket on an ephemeral port are counted
// under port="other" in sockscope_sockets, but their findings took the port's number, so accept-queue-full on
// listen(0) listeners made 10 series in 40 s and udp-socket-drops on client UDP sockets bound to port 0 made 7.
// Here, in a namespace of the test's own, a python3 helper opens one listen(0) listener a round with backlog 0
// and 3 clients (its accept queue full) and one UDP socket bound to port 0 with a 4 KiB buffer it floods; the
// built exporter runs beside them and is scraped all along.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { startCli } from '../helpers/exporter.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import { fakeSnapshot, listener, udp } from '../helpers/fake-snapshot.js';
import type { Recommendation } from '../../src/advise/types.js';
import { SocketMetrics } from '../../src/export/metrics.js';

const ROUNDS = 6;
const HELPER = `
import socket, time
S = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
held = []
for r in range(${ROUNDS}):
    L = socket.socket(); L.bind(('127.0.0.1', 0)); L.listen(0); p = L.getsockname()[1]
    cs = []
    for i in range(3):
        c = socket.socket(); c.setblocking(False)
        try: c.connect(('127.0.0.1', p))
        except BlockingIOError: pass
        cs.append(c)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); u.bind(('127.0.0.1', 0)); up = u.getsockname()[1]
    print('tcp', p, 'udp', up, flush=True)
    t0 = time.time()
    while time.time() - t0 < 3:
        for i in range(100): S.sendto(b'q' * 200, ('127.0.0.1', up))
        time.sleep(0.25)
    for c in cs: c.close()
    L.close(); u.close()
print('done', flush=True)
time.sleep(60)
`;

test('accept-queue-full and udp-socket-drops on ephemeral ports: counted under port="other", no series per port', { timeout: 120_000 }, async (t) => {
  const ns = `sscep-${process.pid}`;
  t.after(() => deleteNetns(ns));
  createNetns(ns);
  const { child: exporter } = await startCli(['export', '--listen', '127.0.0.1:9464', '--interval', '200ms'], { file: 'ip', pre: ['netns', 'exec', ns, process.execPath] });
  t.after(() => exporter.kill('SIGKILL'));

  const helper = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', HELPER], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => helper.kill('SIGKILL'));
  let out = '';
  helper.stdout!.on('data', (d) => (out += d));

  const recLines = new Set<string>();
  const recPorts = new Set<string>();
  const sockPorts = new Set<string>();
  const deadline = Date.now() + 60_000;
  // Scrape until the helper is done (and a little after, while the last findings are still live).
  let doneAt: number | undefined;
  while (Date.now() < deadline && (doneAt === undefined || Date.now() - doneAt < 1_000)) {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:9464/metrics'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `curl: ${r.stderr}`);
    for (const l of r.stdout.split('\n')) {
      if (l.startsWith('sockscope_recommendation{')) {
        recLines.add(l.replace(/ [\d.e+-]+$/, ''));
        recPorts.add(/,port="([^"]*)"/.exec(l)![1]!);
      } else if (l.startsWith('sockscope_sockets{')) sockPorts.add(/port="([^"]*)"/.exec(l)![1]!);
    }
    if (doneAt === undefined && out.includes('done')) doneAt = Date.now();
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(doneAt !== undefined, `the helper did not finish: ${out}`);
  const rounds = [...out.matchAll(/^tcp (\d+) udp (\d+)$/gm)];
  assert.equal(rounds.length, ROUNDS, out);
  const helperPorts = new Set(rounds.flatMap((m) => [m[1]!, m[2]!]));
  const all = [...recLines].join('\n');
  // The findings were made, and exported under port="other".
  assert.match(all, /^sockscope_recommendation\{id="accept-queue-full",severity="critical",port="other",peer_port=""\}$/m, all);
  assert.match(all, /^sockscope_recommendation\{id="udp-socket-drops",severity="warning",port="other",peer_port=""\}$/m, all);
  // No port of the helper's as a label value anywhere; the recommendation's ports are those sockscope_sockets has.
  const leaked = [...recPorts].filter((p) => helperPorts.has(p));
  assert.deepEqual(leaked, [], `recommendation series per ephemeral port:\n${all}`);
  assert.deepEqual([...sockPorts].filter((p) => helperPorts.has(p)), []);
  for (const p of recPorts) assert.ok(p === '' || p === 'other' || sockPorts.has(p), `port="${p}" in sockscope_recommendation but not in sockscope_sockets:\n${all}`);
});

test('the recommendation port: by number outside the ephemeral range; inside it, "other" for young listeners, UDP and ports without a listener', async () => {
  const sysctls = { 'net.ipv4.ip_local_port_range': '32768\t60999' };
  const rec = (id: string, protocol: 'tcp' | 'udp', port: number): Recommendation => ({ id, severity: 'warning', scope: 'port', protocol, port, message: '', evidence: '', fix: '' });
  // 5514: a UDP service socket connected to its client (socat UDP-LISTEN), no unconnected one: "other" in sockscope_sockets.
  const sockets = [listener('127.0.0.1:40001', 0), listener('127.0.0.1:40002', 0), listener('0.0.0.0:8080', 511), udp('127.0.0.1:45000'), udp('0.0.0.0:5353'), udp('10.0.0.1:5514', { state: 'ESTABLISHED', peer: { address: '10.0.0.9', port: 40000 } })];
  const recs = [
    rec('accept-queue-full', 'tcp', 40001),
    rec('accept-queue-full', 'tcp', 40002),
    rec('accept-queue-full', 'tcp', 8080),
    rec('udp-socket-drops', 'udp', 45000),
    rec('udp-socket-drops', 'udp', 5353),
    // A server port whose listener has gone (its CLOSE_WAIT left): outside the range, named.
    rec('close-wait-accumulating', 'tcp', 9000),
    rec('udp-socket-drops', 'udp', 8080),
    rec('udp-socket-drops', 'udp', 5514),
    // A port in the range with no listener: a client's, "other".
    rec('close-wait-accumulating', 'tcp', 45001),
  ];
  const lines = async (m: SocketMetrics) => (await m.text()).split('\n').filter((l) => l.startsWith('sockscope_recommendation{')).sort();
  const young = new SocketMetrics();
  young.update(fakeSnapshot({ sockets, sysctls }), recs);
  assert.deepEqual(await lines(young), [
    'sockscope_recommendation{id="accept-queue-full",severity="warning",port="8080",peer_port=""} 1',
    'sockscope_recommendation{id="accept-queue-full",severity="warning",port="other",peer_port=""} 2',
    'sockscope_recommendation{id="close-wait-accumulating",severity="warning",port="9000",peer_port=""} 1',
    'sockscope_recommendation{id="close-wait-accumulating",severity="warning",port="other",peer_port=""} 1',
    'sockscope_recommendation{id="udp-socket-drops",severity="warning",port="5353",peer_port=""} 1',
    'sockscope_recommendation{id="udp-socket-drops",severity="warning",port="5514",peer_port=""} 1',
    'sockscope_recommendation{id="udp-socket-drops",severity="warning",port="8080",peer_port=""} 1',
    'sockscope_recommendation{id="udp-socket-drops",severity="warning",port="other",peer_port=""} 1',
  ]);
  // Once the listeners have stayed, their ports are named here as in sockscope_sockets; ephemeral UDP never is.
  const aged = new SocketMetrics({ ephemeralListenerMinAgeMs: 0 });
  aged.update(fakeSnapshot({ sockets, sysctls }), recs);
  const text = (await lines(aged)).join('\n');
  assert.match(text, /id="accept-queue-full",severity="warning",port="40001",peer_port=""\} 1/);
  assert.match(text, /id="accept-queue-full",severity="warning",port="40002",peer_port=""\} 1/);
  assert.match(text, /id="udp-socket-drops",severity="warning",port="other",peer_port=""\} 1/);
  assert.match(text, /id="close-wait-accumulating",severity="warning",port="other",peer_port=""\} 1/);
});
