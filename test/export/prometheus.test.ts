// The exporter scraped by a real Prometheus server started on loopback; PromQL returns the CLOSE_WAIT count we created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLowPort, freePort, waitFor } from '../helpers/free-port.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

/** A child process holding `n` server-side sockets in CLOSE_WAIT on a fresh port (the server never closes). */
async function closeWaitServer(n: number): Promise<{ port: number; pid: number; child: ChildProcess }> {
  // Below the ephemeral range, so that the exporter gives the port its own series at once.
  const listenPort = await freeLowPort();
  const script = `
    const net = require('net');
    const keep = [];
    const srv = net.createServer({ allowHalfOpen: true }, (c) => { keep.push(c); c.on('error', () => {}); });
    srv.listen(${listenPort}, '127.0.0.1', () => {
      const port = srv.address().port;
      let done = 0;
      for (let i = 0; i < ${n}; i++) {
        const c = net.connect(port, '127.0.0.1', () => { c.end(); });
        c.on('error', () => {});
        c.on('close', () => {});
        c.on('end', () => { if (++done === ${n}) process.stdout.write(JSON.stringify({ port }) + '\\n'); });
        c.resume();
      }
      setTimeout(() => process.stdout.write(JSON.stringify({ port }) + '\\n'), 1500);
    });
    setTimeout(() => process.exit(0), 120000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(JSON.parse(String(d).split('\n')[0]).port));
    child.once('exit', (c) => reject(new Error(`close-wait server exited ${c}`)));
  });
  return { port, pid: child.pid!, child };
}

test('Prometheus scrapes the exporter and PromQL returns the CLOSE_WAIT count', { timeout: 120_000 }, async (t) => {
  const prom = spawnSync('prometheus', ['--version']);
  assert.equal(prom.error, undefined, 'prometheus must be installed (Debian package prometheus; .ci/install-deps installs it)');

  const cw = await closeWaitServer(5);
  t.after(() => cw.child.kill('SIGKILL'));

  const exporterPort = await freePort();
  const exporter = spawn(BIN, ['export', '--listen', `127.0.0.1:${exporterPort}`, '--interval', '500ms'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let exporterErr = '';
  exporter.stderr!.on('data', (d) => (exporterErr += d));
  t.after(() => exporter.kill('SIGTERM'));

  const dir = mkdtempSync(join(tmpdir(), 'sockscope-prom-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: sockscope\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`,
  );
  const promPort = await freePort();
  const server = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  t.after(() => server.kill('SIGTERM'));

  // The exporter answers directly, with the metric for our port.
  const direct = await waitFor('exporter /metrics', async () => {
    const r = await fetch(`http://127.0.0.1:${exporterPort}/metrics`).catch(() => undefined);
    const body = r?.ok ? await r.text() : undefined;
    return body && body.includes(`port="${cw.port}"`) ? body : undefined;
  });
  assert.match(direct, new RegExp(`sockscope_sockets\\{protocol="tcp",port="${cw.port}",state="CLOSE_WAIT"\\} 5`), exporterErr);
  assert.match(direct, new RegExp(`sockscope_listen_backlog\\{protocol="tcp",port="${cw.port}",address="127.0.0.1"\\} 511`));
  assert.match(direct, /# TYPE sockscope_tcp_listen_overflows_total counter/);

  const query = `sockscope_sockets{port="${cw.port}",state="CLOSE_WAIT"}`;
  const value = await waitFor(
    'PromQL result from Prometheus',
    async () => {
      const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(query)}`);
      if (!r.ok) return undefined;
      const j = (await r.json()) as { data: { result: { value: [number, string] }[] } };
      return j.data.result[0]?.value[1];
    },
    60_000,
    500,
  );
  assert.equal(value, '5');
});

test('export: bad --listen and --interval are exit-2 errors naming the flag', () => {
  const a = spawnSync(BIN, ['export', '--listen', 'nonsense:99999']);
  assert.equal(a.status, 2);
  assert.match(String(a.stderr), /--listen/);
  const b = spawnSync(BIN, ['export', '--interval', '5 parsecs']);
  assert.equal(b.status, 2);
  assert.match(String(b.stderr), /--interval/);
});
