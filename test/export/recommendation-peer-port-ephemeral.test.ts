// sockscope_recommendation's `peer_port` is bounded as its `port` is (review s19 export #1): the clients of a
// short-lived listen(0) server name its ephemeral port as their peer port, so each such server made a
// peer_port series of its own (close-wait-accumulating about the clients' outgoing group: 8 rounds made 8
// series in 40 s, a real Prometheus kept 41 ephemeral peer_port values in 8 minutes), each stale once its
// server was gone. Here a python3 helper on loopback opens one listen(0) server a round, connects 12 clients,
// accepts and closes them (the clients sit in CLOSE_WAIT) and closes everything after 3 s; beside it a server
// on a port below the ephemeral range does the same and stays. The built exporter is scraped by the test and
// by a real Prometheus all along.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../helpers/exporter.js';
import { freeLowPort, freePort, waitFor } from '../helpers/free-port.js';
import { fakeSnapshot, listener, outgoingFrom } from '../helpers/fake-snapshot.js';
import type { Recommendation } from '../../src/advise/types.js';
import { SocketMetrics } from '../../src/export/metrics.js';

const ROUNDS = 6;

function helper(lowPort: number): string {
  return `
import socket, time
def clients(l, port):
    cs = [socket.create_connection(('127.0.0.1', port)) for i in range(12)]
    for i in range(12): l.accept()[0].close()
    return cs
K = socket.socket(); K.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); K.bind(('127.0.0.1', ${lowPort})); K.listen(64)
kept = clients(K, ${lowPort})
print('low', ${lowPort}, flush=True)
for r in range(${ROUNDS}):
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(64); port = l.getsockname()[1]
    cs = clients(l, port)
    print('round', port, flush=True)
    time.sleep(3)
    for c in cs: c.close()
    l.close()
print('done', flush=True)
time.sleep(60)
`;
}

test('close-wait-accumulating towards short-lived listen(0) servers: peer_port="other", no series per ephemeral port', { timeout: 150_000 }, async (t) => {
  assert.equal(spawnSync('prometheus', ['--version']).error, undefined, 'prometheus must be installed (Debian package prometheus)');
  const exporterPort = await freePort();
  const { child: exporter, stderr } = await startCli(['export', '--listen', `127.0.0.1:${exporterPort}`, '--interval', '250ms']);
  t.after(() => exporter.kill('SIGKILL'));

  const dir = mkdtempSync(join(tmpdir(), 'sockscope-prom-peer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: sockscope\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`);
  const promPort = await freePort();
  const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
  t.after(() => prom.kill('SIGKILL'));
  const promApi = async (path: string): Promise<{ data: unknown } | undefined> => {
    const r = await fetch(`http://127.0.0.1:${promPort}${path}`).catch(() => undefined);
    return r?.ok ? ((await r.json()) as { data: unknown }) : undefined;
  };
  // Prometheus scrapes the exporter before the helper starts, so that it sees every round.
  await waitFor('Prometheus scraping the exporter', async () => ((await promApi('/api/v1/query?query=up%3D%3D1'))?.data as { result: unknown[] } | undefined)?.result.length || undefined, 60_000, 500);
  const start = Date.now() / 1000 - 5;

  const lowPort = await freeLowPort();
  const child = spawn('python3', ['-c', helper(lowPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));

  const seen = new Set<string>();
  let doneAt: number | undefined;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && (doneAt === undefined || Date.now() - doneAt < 2_500)) {
    const r = await fetch(`http://127.0.0.1:${exporterPort}/metrics`);
    for (const l of (await r.text()).split('\n')) {
      const m = /^sockscope_recommendation\{id="close-wait-accumulating",[^}]*peer_port="([^"]*)"\}/.exec(l);
      if (m) seen.add(m[1]!);
    }
    if (doneAt === undefined && out.includes('done')) doneAt = Date.now();
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(doneAt !== undefined, `the helper did not finish: ${out}`);
  const rounds = [...out.matchAll(/^round (\d+)$/gm)].map((m) => m[1]!);
  assert.equal(rounds.length, ROUNDS, out);
  // The findings were made and counted, under "other"; the server that stays, below the range, keeps its number.
  assert.ok(seen.has('other'), `no close-wait-accumulating under peer_port="other": ${[...seen].join(', ')}\n${stderr()}`);
  assert.ok(seen.has(String(lowPort)), `no close-wait-accumulating for peer_port="${lowPort}": ${[...seen].join(', ')}`);
  assert.deepEqual(rounds.filter((p) => seen.has(p)), [], `a peer_port series per listen(0) server: ${[...seen].join(', ')}`);

  // What Prometheus keeps: the same bounded set of peer_port values, none of them a round's port.
  const match = encodeURIComponent('sockscope_recommendation{id="close-wait-accumulating"}');
  const values = await waitFor(
    'peer_port values in Prometheus',
    async () => {
      const j = await promApi(`/api/v1/label/peer_port/values?match[]=${match}&start=${start}&end=${Date.now() / 1000}`);
      const v = j?.data as string[] | undefined;
      return v && v.includes('other') && v.includes(String(lowPort)) ? v : undefined;
    },
    30_000,
    500,
  );
  assert.deepEqual(rounds.filter((p) => values.includes(p)), [], `Prometheus has a peer_port series per listen(0) server: ${values.join(', ')}`);
  assert.ok(values.length <= 3, `peer_port values: ${values.join(', ')}`);
});

test('peer_port: by number outside the ephemeral range; inside it only for a listener of this host sockscope_sockets names', async () => {
  const sysctls = { 'net.ipv4.ip_local_port_range': '32768\t60999' };
  const rec = (id: string, peerPort: number): Recommendation => ({ id, severity: 'warning', scope: 'port', protocol: 'tcp', peerPort, message: '', evidence: '', fix: '' });
  // 45000: a listener of this host (the clients' loopback connections to it); 50051: no listener here.
  const sockets = [listener('127.0.0.1:45000', 128), ...outgoingFrom(33000, 2, '127.0.0.1', '127.0.0.1:45000', 'CLOSE_WAIT'), ...outgoingFrom(34000, 2, '10.0.0.1', '10.0.0.9:50051', 'SYN_SENT')];
  // 13 ephemeral destination ports with 2 findings each: they neither get series nor take the 10 slots of the others.
  const recs = [...Array.from({ length: 13 }, (_, i) => [rec('close-wait-accumulating', 40000 + i), rec('send-q-persistent', 40000 + i)]).flat(), rec('close-wait-accumulating', 45000), rec('syn-sent-unanswered', 50051), rec('syn-sent-unanswered', 5432)];
  const lines = async (m: SocketMetrics) => (await m.text()).split('\n').filter((l) => l.startsWith('sockscope_recommendation{')).sort();
  const young = new SocketMetrics();
  young.update(fakeSnapshot({ sockets, sysctls }), recs);
  assert.deepEqual(await lines(young), [
    'sockscope_recommendation{id="close-wait-accumulating",severity="warning",port="",peer_port="other"} 14',
    'sockscope_recommendation{id="send-q-persistent",severity="warning",port="",peer_port="other"} 13',
    'sockscope_recommendation{id="syn-sent-unanswered",severity="warning",port="",peer_port="5432"} 1',
    'sockscope_recommendation{id="syn-sent-unanswered",severity="warning",port="",peer_port="other"} 1',
  ]);
  // Once this host's listener on 45000 has stayed (sockscope_sockets names it), the findings about connections to it name it too.
  const aged = new SocketMetrics({ ephemeralListenerMinAgeMs: 0 });
  aged.update(fakeSnapshot({ sockets, sysctls }), recs);
  const text = (await lines(aged)).join('\n');
  assert.match(text, /id="close-wait-accumulating",severity="warning",port="",peer_port="45000"\} 1/);
  assert.match(text, /id="close-wait-accumulating",severity="warning",port="",peer_port="other"\} 13/);
  assert.match(text, /id="syn-sent-unanswered",severity="warning",port="",peer_port="other"\} 1/);
});
