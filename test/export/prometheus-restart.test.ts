// A real Prometheus scraping every 200 ms across one exporter restart: the host counters see no reset and
// increase() is what the kernel counted meanwhile. The restarted exporter served them as 0 until its first
// collection, so Prometheus read a reset and increase(sockscope_tcp_listen_overflows_total[30s]) was 2803,
// increase(sockscope_tcp_out_segments_total[30s]) 3.5 million: each restart fired the alerts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../helpers/free-port.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

function kernel(file: string, section: string, key: string): number {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith(`${section}:`));
  return Number(lines[1].split(/\s+/)[lines[0].split(/\s+/).indexOf(key)]);
}
const overflows = () => kernel('/proc/net/netstat', 'TcpExt', 'ListenOverflows');
const outSegs = () => kernel('/proc/net/snmp', 'Tcp', 'OutSegs');

async function promQuery(promPort: number, q: string): Promise<number | undefined> {
  const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
  if (!r.ok) return undefined;
  const j = (await r.json()) as { data: { result: { value: [number, string] }[] } };
  const v = j.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

test('increase() of the host counters over an exporter restart is what the kernel counted, with no reset', { timeout: 90_000 }, async (t) => {
  assert.equal(spawnSync('prometheus', ['--version']).error, undefined, 'prometheus must be installed (Debian package prometheus)');
  const ss = spawnSync('sh', ['-c', 'command -v ss'], { encoding: 'utf8' }).stdout.trim();
  assert.ok(ss, 'ss (iproute2) is needed');
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-prom-restart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The real ss, 1 s late: every collection takes a second or more, so the restarted exporter is scraped
  // several times before its first collection has finished (as on a busy host).
  writeFileSync(join(dir, 'ss'), `#!/bin/sh\nsleep 1\nexec ${ss} "$@"\n`);
  chmodSync(join(dir, 'ss'), 0o755);
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };

  const exporterPort = await freePort();
  const children: ChildProcess[] = [];
  t.after(() => children.forEach((c) => c.kill('SIGKILL')));
  const startExporter = () => {
    const c = spawn(process.execPath, [BIN, 'export', '--source', 'ss', '--listen', `127.0.0.1:${exporterPort}`, '--interval', '1s'], { stdio: 'ignore', env });
    children.push(c);
    return c;
  };

  const o0 = overflows();
  const s0 = outSegs();
  const a = startExporter();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 200ms\n  scrape_timeout: 200ms\nscrape_configs:\n  - job_name: sockscope\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`,
  );
  const promPort = await freePort();
  const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
  children.push(prom);

  // Prometheus has the first exporter's counters.
  await waitFor('the first exporter scraped', async () => ((await promQuery(promPort, 'sockscope_tcp_out_segments_total').catch(() => undefined)) ?? undefined), 40_000, 200);
  await new Promise((r) => setTimeout(r, 1500));
  a.kill('SIGTERM');
  await new Promise((r) => a.once('exit', r));
  startExporter();
  // The restart seen (sockscope_collections_total starts again), then some scrapes of the new exporter's values.
  await waitFor('the restart scraped', async () => ((await promQuery(promPort, 'resets(sockscope_collections_total[1m]) >= 1')) !== undefined ? true : undefined), 30_000, 200);
  await waitFor('the new exporter collected', async () => ((await promQuery(promPort, 'sockscope_collections_total >= 2')) !== undefined ? true : undefined), 30_000, 200);
  await new Promise((r) => setTimeout(r, 1000));

  const resets = await promQuery(promPort, 'resets(sockscope_tcp_out_segments_total[1m]) + resets(sockscope_tcp_listen_overflows_total[1m])');
  const incOverflows = await promQuery(promPort, 'increase(sockscope_tcp_listen_overflows_total[30s])');
  const incOut = await promQuery(promPort, 'increase(sockscope_tcp_out_segments_total[30s])');
  const dOverflows = overflows() - o0;
  const dOut = outSegs() - s0;
  assert.equal(resets, 0, 'Prometheus saw the host counters reset at the restart');
  // increase() extrapolates a little past the first and last samples: up to half again.
  assert.ok(incOverflows !== undefined && incOverflows <= dOverflows * 1.5 + 3, `increase(listen overflows) ${incOverflows}, the kernel counted ${dOverflows}`);
  assert.ok(incOut !== undefined && incOut <= dOut * 1.5 + 1000, `increase(segments sent) ${incOut}, the kernel counted ${dOut} (of ${outSegs()})`);
});
