// A first collection that fails for a moment (review s19 export: bf450e5 made any first failure end the exporter).
// ss refused its netlink socket once at boot ("Cannot open netlink socket: Resource temporarily unavailable", exit 1)
// and `export --source ss` exited 1, though the next interval would have collected. Now only a failure retrying
// cannot cure (ss not installed, not executable: its code, ENOENT/EACCES) ends it at once; another is said once and
// retried every interval, /metrics answers 503 meanwhile (Prometheus: up 0), one line says when the first snapshot
// arrives, and the exporter gives up only after FIRST_FAILURE_ATTEMPTS failures and FIRST_FAILURE_MS. The ss behind
// the wrappers is the real one (PATH holds only the wrapper's directory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSource } from '../../src/collect/index.js';
import { FirstCollectionError, lastingFailure, startExporter } from '../../src/export/server.js';
import { runCliAsync, startCli } from '../helpers/exporter.js';
import { freeLowPort, freePort, waitFor } from '../helpers/free-port.js';

const BUSY = 'Cannot open netlink socket: Resource temporarily unavailable';

/**
 * A directory for PATH whose `ss` fails as a busy ss does (BUSY, exit 1) while `<dir>/fail` exists, or on its first
 * run only (`once`), and runs the real ss otherwise.
 */
function busySs(t: { after: (fn: () => void) => void }, mode: 'once' | 'while-marked'): { dir: string; cure: () => void } {
  const real = spawnSync('sh', ['-c', 'command -v ss'], { encoding: 'utf8' }).stdout.trim();
  assert.ok(real, 'ss (iproute2) is needed');
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-busy-ss-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fail = `echo '${BUSY}' >&2; exit 1`;
  // mkdir is atomic: of the ss runs a collection starts at once, exactly one fails.
  // (PATH holds only the wrapper's directory: mkdir by its path.)
  const mkdir = spawnSync('sh', ['-c', 'command -v mkdir'], { encoding: 'utf8' }).stdout.trim();
  const cond = mode === 'once' ? `${mkdir} '${dir}/ran' 2>/dev/null` : `[ -e '${dir}/fail' ]`;
  writeFileSync(join(dir, 'ss'), `#!/bin/sh\nif ${cond}; then ${fail}; fi\nexec ${real} "$@"\n`);
  chmodSync(join(dir, 'ss'), 0o755);
  if (mode === 'while-marked') writeFileSync(join(dir, 'fail'), '');
  return { dir, cure: () => rmSync(join(dir, 'fail'), { force: true }) };
}

/** A listener on loopback below the ephemeral range (its own sockscope_sockets series at once). */
async function listener(t: { after: (fn: () => void) => void }): Promise<number> {
  const port = await freeLowPort();
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  t.after(() => s.close());
  return port;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('export --source ss whose first ss run fails busy: retries, says so once, then serves socket metrics', { timeout: 60_000 }, async (t) => {
  const ss = busySs(t, 'once');
  const served = await listener(t);
  const port = await freePort();
  // Before: 'sockscope: no snapshot to serve: the first collection failed: ss: exited with 1: ...', exit 1.
  const { child, stderr } = await startCli(['export', '--listen', `127.0.0.1:${port}`, '--interval', '500ms', '--source', 'ss'], { env: { ...process.env, PATH: ss.dir, NO_COLOR: '1' } });
  t.after(() => child.kill('SIGKILL'));
  assert.ok(existsSync(join(ss.dir, 'ran')), 'the wrapper never failed');
  const body = await waitFor('socket metrics', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    const b = r.status === 200 ? await r.text() : undefined;
    return b?.includes(`port="${served}",state="LISTEN"`) ? b : undefined;
  });
  assert.match(body, new RegExp(`^sockscope_sockets\\{protocol="tcp",port="${served}",state="LISTEN"\\} 1$`, 'm'));
  assert.match(body, /^sockscope_collection_errors_total 1$/m);
  await waitFor('the first-snapshot line', () => (stderr().includes('first snapshot') ? true : undefined));
  assert.deepEqual(
    stderr().trimEnd().split('\n').map((l) => l.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/, 'TIME')),
    [
      `sockscope export: serving http://127.0.0.1:${port}/metrics every 500 ms`,
      `sockscope export: the first collection failed, retrying every 500 ms (/metrics answers 503 until a snapshot exists; gives up after 3 failed collections and 30 s): ss: exited with 1: ${BUSY}`,
      'sockscope export: first snapshot collected after 1 failed collection since TIME',
    ],
  );
  assert.equal(child.exitCode, null, 'the exporter exited');
});

test('export --source ss with ss not executable (EACCES, by its code): one line, exit 1 at once, the port released', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-noexec-ss-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ss'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'ss'), 0o644);
  const port = await freePort();
  const t0 = Date.now();
  const r = await runCliAsync(['export', '--listen', `127.0.0.1:${port}`, '--interval', '500ms', '--source', 'ss'], { env: { ...process.env, PATH: dir, NO_COLOR: '1' }, timeoutMs: 15_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.ok(Date.now() - t0 < 10_000, 'it retried an error that cannot go away');
  assert.deepEqual(r.stderr.trimEnd().split('\n'), ['sockscope: no snapshot to serve: the first collection failed: ss: spawn ss EACCES']);
  assert.ok(await bindable(port), 'the port is still held');
});

test('Prometheus sees a first collection that keeps failing as up 0 (503), then the socket series once it works', { timeout: 120_000 }, async (t) => {
  assert.equal(spawnSync('prometheus', ['--version']).error, undefined, 'prometheus must be installed (Debian package prometheus)');
  const ss = busySs(t, 'while-marked');
  const served = await listener(t);
  const port = await freePort();
  const { child, stderr } = await startCli(['export', '--listen', `127.0.0.1:${port}`, '--interval', '500ms', '--source', 'ss'], { env: { ...process.env, PATH: ss.dir, NO_COLOR: '1' } });
  t.after(() => child.kill('SIGKILL'));
  const direct = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(direct.status, 503);
  assert.match(await direct.text(), new RegExp(`^no snapshot yet: the first collection failed \\(\\d+ in a row\\), retrying every 500 ms: ss: exited with 1: ${BUSY}\\n$`));

  const dir = mkdtempSync(join(tmpdir(), 'sockscope-prom-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: sockscope\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`);
  const promPort = await freePort();
  const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
  t.after(() => prom.kill('SIGTERM'));
  const api = async <T>(path: string): Promise<T | undefined> => {
    const r = await fetch(`http://127.0.0.1:${promPort}${path}`).catch(() => undefined);
    return r?.ok ? (((await r.json()) as { data: T }).data as T) : undefined;
  };
  type Targets = { activeTargets: { health: string; lastError: string }[] };
  const down = await waitFor('the target down', async () => (await api<Targets>('/api/v1/targets'))?.activeTargets.find((x) => x.health === 'down'), 60_000, 300);
  assert.match(down.lastError, /503 Service Unavailable/);
  const query = async (q: string) => (await api<{ result: { value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`))?.result[0]?.value[1];
  assert.equal(await query('up{job="sockscope"}'), '0');

  ss.cure();
  assert.equal(await waitFor('up 1', async () => ((await query('up{job="sockscope"}')) === '1' ? '1' : undefined), 60_000, 300), '1');
  const v = await waitFor('the socket series in Prometheus', () => query(`sockscope_sockets{port="${served}",state="LISTEN"}`), 60_000, 300);
  assert.equal(v, '1');
  // Failures at every 500 ms while Prometheus started: one line about them, and one about the first snapshot.
  const lines = stderr().trimEnd().split('\n');
  assert.equal(lines.filter((l) => l.includes('first collection failed')).length, 1, stderr());
  assert.match(lines.at(-1)!, /^sockscope export: first snapshot collected after \d+ failed collections since /);
  assert.equal(lines.length, 3, stderr());
  assert.equal(child.exitCode, null);
});

test('startExporter: a first collection failing for ever gives up after the attempts and the time, whichever is later', { timeout: 60_000 }, async (t) => {
  const ss = busySs(t, 'while-marked');
  const path = process.env.PATH;
  process.env.PATH = ss.dir;
  t.after(() => (process.env.PATH = path));
  const said: string[] = [];
  const t0 = Date.now();
  const ex = await startExporter({
    source: createSource('ss'),
    host: '127.0.0.1',
    port: 0,
    intervalMs: 100,
    firstFailureAttempts: 3,
    firstFailureMs: 1_500,
    onFirstFailing: (e, g) => said.push(`failing ${g.attempts} ${g.ms} ${e.message}`),
    onRecovered: () => said.push('recovered'),
  });
  t.after(() => ex.close());
  // Until the first collection has finished, /metrics is 200 with the exporter's own counters: 503 once it failed.
  await waitFor('the first failure', () => (said.length > 0 ? true : undefined), 20_000, 20);
  assert.equal((await fetch(`http://127.0.0.1:${ex.address.port}/metrics`)).status, 503);
  const e = await ex.ready.then(
    () => undefined,
    (x: Error) => x,
  );
  const took = Date.now() - t0;
  assert.ok(e instanceof FirstCollectionError, String(e));
  assert.ok(e.failures >= 3 && e.forMs >= 1_500 && took >= 1_500, `${e.failures} failures in ${e.forMs} ms`);
  assert.match(e.message, new RegExp(`^no snapshot to serve: the first \\d+ collections failed \\(for \\d+ s\\): ss: exited with 1: ${BUSY}$`));
  assert.deepEqual(said, [`failing 3 1500 ss: exited with 1: ${BUSY}`]);
  assert.ok(await bindable(ex.address.port), 'the server still listens');

  // With few, slow collections the attempts bound: 3 at 400 ms is 800 ms after the first failure, past 100 ms.
  const slow = await startExporter({ source: createSource('ss'), host: '127.0.0.1', port: 0, intervalMs: 400, firstFailureAttempts: 3, firstFailureMs: 100 });
  t.after(() => slow.close());
  const e2 = await slow.ready.then(
    () => undefined,
    (x: Error) => x,
  );
  assert.ok(e2 instanceof FirstCollectionError && e2.failures === 3 && e2.forMs >= 700, String(e2));
});

test('lastingFailure: by the code of the error or its cause; by the text only without one', () => {
  const cause = (code: string) => Object.assign(new Error(`spawn ss ${code}`), { code });
  const wrapped = (c: Error) => Object.assign(new Error(`ss: ${c.message}`), { cause: c });
  assert.equal(lastingFailure(wrapped(cause('ENOENT'))), 'ENOENT');
  assert.equal(lastingFailure(wrapped(cause('EACCES'))), 'EACCES');
  assert.equal(lastingFailure(wrapped(cause('EAGAIN'))), undefined);
  // NetlinkError: the errno number, positive.
  assert.equal(lastingFailure(wrapped(Object.assign(new Error('socket: EPROTONOSUPPORT'), { errno: 93 }))), 'EPROTONOSUPPORT');
  assert.equal(lastingFailure(wrapped(Object.assign(new Error('recv: ENOBUFS'), { errno: 105 }))), undefined);
  assert.equal(lastingFailure(wrapped(Object.assign(new Error('recv: EINTR'), { errno: 4 }))), undefined);
  // A code wins over the text: an EAGAIN whose text happens to end like a lasting one is retried.
  assert.equal(lastingFailure(Object.assign(new Error('x: Operation not permitted'), { cause: cause('EAGAIN') })), undefined);
  // ss exiting non-zero gives only its stderr line.
  assert.equal(lastingFailure(new Error('ss: exited with 1: Cannot open netlink socket: Operation not permitted')), 'Operation not permitted');
  assert.equal(lastingFailure(new Error('ss: exited with 1: Cannot open netlink socket: Protocol not supported')), 'Protocol not supported');
  assert.equal(lastingFailure(new Error(`ss: exited with 1: ${BUSY}`)), undefined);
  assert.equal(lastingFailure(new Error('ss: timed out after 10000 ms')), undefined);
  // netlink without its native module (koffi's own error, no code) or without koffi (MODULE_NOT_FOUND).
  assert.equal(lastingFailure(new Error('netlink: Cannot find the native Koffi module; did you bundle it correctly?')), 'not available in this build');
  assert.equal(lastingFailure(Object.assign(new Error("netlink: Cannot find module 'koffi'"), { cause: Object.assign(new Error("Cannot find module 'koffi'"), { code: 'MODULE_NOT_FOUND' }) })), 'MODULE_NOT_FOUND');
});
