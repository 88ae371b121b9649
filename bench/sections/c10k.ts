// Bench section "c10k": generated servers under load on loopback.
//  1. C10K: each event-loop variant holds 10,000 concurrent connections (clients spread over
//     127.0.0.2-5 in 4 worker processes, fd limits raised) and echoes closed-loop round trips on all
//     of them: requests/s, p50/p99 latency, server RSS.
//  2. HTTP: the C epoll http variant (and the Node / asyncio http variants) against nginx serving
//     `return 200` with wrk on the same machine, as a ratio of requests/s.
// Run alone: node --import tsx bench/sections/c10k.ts [--quick] [--only LABEL]
// Pluggable into bench/run.ts as `section` (name, description, run(opts) -> {rows, notes}).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateServer, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import * as h from '../../test/codegen/harness.js';
import type { Figure, Section } from '../types.js';

/** One server to load. `input` goes to generateServer (port/bind are set by the bench). */
export interface C10kVariant {
  label: string;
  input: GeneratorInput;
}

/**
 * Event-loop variants held at 10,000 connections. The C engineer's templates are included here;
 * append more (e.g. kqueue where libkqueue exists). select is left out: FD_SETSIZE is 1024.
 */
export const C10K_VARIANTS: C10kVariant[] = [
  { label: 'node event-loop', input: { language: 'node' } },
  { label: 'python asyncio', input: { language: 'python', ioModel: 'asyncio' } },
  { label: 'python selectors', input: { language: 'python', ioModel: 'selectors' } },
  { label: 'c epoll', input: { language: 'c', ioModel: 'epoll' } },
  { label: 'c poll', input: { language: 'c', ioModel: 'poll' } },
  { label: 'c io_uring', input: { language: 'c', ioModel: 'io_uring' } },
];

/** HTTP variants compared with nginx `return 200`. */
export const HTTP_VARIANTS: C10kVariant[] = [
  { label: 'c epoll http', input: { language: 'c', ioModel: 'epoll', handler: 'http' } },
  { label: 'node http', input: { language: 'node', handler: 'http' } },
  { label: 'python asyncio http', input: { language: 'python', ioModel: 'asyncio', handler: 'http' } },
];

export interface C10kRow {
  variant: string;
  connections: number;
  established: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverRssMb: number;
  errors: number;
  /** Time from the first connect until the server had accepted every connection. */
  acceptMs?: number;
  note?: string;
}

export interface HttpRow {
  variant: string;
  requestsPerSec: number;
  p99Ms: number;
  nginxRequestsPerSec: number;
  ratio: number;
  note?: string;
}

const SOURCES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const ULIMIT = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)";';
const CLIENT = fileURLToPath(new URL('./c10k-client.ts', import.meta.url));

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : 0;
  } catch {
    return 0;
  }
}

function hardFdLimit(): number {
  const r = spawnSync('sh', ['-c', `${ULIMIT} ulimit -n`], { encoding: 'utf8' });
  return Number(r.stdout.trim()) || 0;
}

function percentile(buckets: Map<number, number>, bucketUs: number, q: number): number {
  const total = [...buckets.values()].reduce((a, b) => a + b, 0);
  if (!total) return 0;
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const k of keys) {
    seen += buckets.get(k)!;
    if (seen >= q * total) return ((k + 1) * bucketUs) / 1000;
  }
  return ((keys[keys.length - 1] + 1) * bucketUs) / 1000;
}

interface Worker {
  proc: ChildProcess;
  next: () => Promise<Record<string, unknown>>;
}

function startWorker(args: object): Worker {
  const proc = spawn('sh', ['-c', `${ULIMIT} exec "${process.execPath}" --import tsx "${CLIENT}" '${JSON.stringify(args)}'`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const queue: Record<string, unknown>[] = [];
  const waiters: ((v: Record<string, unknown>) => void)[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>;
    const w = waiters.shift();
    if (w) w(msg);
    else queue.push(msg);
  });
  return {
    proc,
    next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r))),
  };
}

/** Loads one variant with `connections` connections for `durationMs`. */
export async function runC10k(v: C10kVariant, connections = 10_000, durationMs = 5000): Promise<C10kRow> {
  const row: C10kRow = { variant: v.label, connections, established: 0, requestsPerSec: 0, p50Ms: 0, p99Ms: 0, serverRssMb: 0, errors: 0 };
  let result;
  try {
    result = generateServer({ ...v.input, port: 0, bindAddress: '127.0.0.1', backlog: 4096 }, { config: DEFAULT_CONFIG });
  } catch (e) {
    return { ...row, note: `not generated: ${(e as Error).message}` };
  }
  const { dir } = h.materialize(result);
  let srv: h.RunningServer | null = null;
  const workers: Worker[] = [];
  try {
    h.build(result, dir);
    srv = await h.startServer(result, dir, h.LOOPBACK4, 15_000, { shellPrefix: ULIMIT });
    const per = Math.ceil(connections / SOURCES.length);
    const acceptStart = Date.now();
    for (const src of SOURCES) {
      workers.push(startWorker({ host: '127.0.0.1', port: srv.port, localAddress: src, count: per, payload: 64, connectConcurrency: 64 }));
    }
    const ready = await h.within(120_000, Promise.all(workers.map((w) => w.next())), 'connecting');
    row.established = ready.reduce((n, r) => n + Number(r.established), 0);
    row.errors = ready.reduce((n, r) => n + Number(r.errors), 0);
    // Established for the client means "in the accept queue": wait until the server accepted them all.
    const acceptDeadline = Date.now() + 60_000;
    while (h.socketFdCount(srv.pid) < row.established && Date.now() < acceptDeadline) await h.sleep(100);
    row.acceptMs = Date.now() - acceptStart;
    for (const w of workers) w.proc.stdin!.write(`${JSON.stringify({ type: 'go', durationMs })}\n`);
    const results = await h.within(durationMs + 60_000, Promise.all(workers.map((w) => w.next())), 'load');
    row.serverRssMb = rssMb(srv.pid);
    const buckets = new Map<number, number>();
    let trips = 0;
    let mismatches = 0;
    let alive = 0;
    for (const r of results) {
      trips += Number(r.roundTrips);
      mismatches += Number(r.mismatches);
      alive += Number(r.alive);
      row.errors += Number(r.errors) - 0;
      for (const [b, n] of r.buckets as [number, number][]) buckets.set(b, (buckets.get(b) ?? 0) + n);
    }
    const bucketUs = Number(results[0].bucketUs);
    // Requests/s: median over the whole seconds after the first (robust to bursts of other load).
    const seconds = Math.min(...results.map((r) => (r.perSecond as number[]).length));
    const totals = Array.from({ length: seconds }, (_, k) => results.reduce((n, r) => n + (r.perSecond as number[])[k], 0)).slice(1);
    totals.sort((a, b) => a - b);
    row.requestsPerSec = totals.length ? totals[Math.floor(totals.length / 2)] : Math.round(trips / (durationMs / 1000));
    row.p50Ms = percentile(buckets, bucketUs, 0.5);
    row.p99Ms = percentile(buckets, bucketUs, 0.99);
    const notes: string[] = [];
    if (mismatches) notes.push(`${mismatches} echo mismatches`);
    if (alive < row.established) notes.push(`${row.established - alive} connections dropped`);
    if (row.established < connections) notes.push(`only ${row.established} of ${connections} established`);
    if (notes.length) row.note = notes.join('; ');
    return row;
  } catch (e) {
    return { ...row, note: `failed: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    for (const w of workers) {
      try {
        w.proc.stdin!.write(`${JSON.stringify({ type: 'close' })}\n`);
      } catch {
        /* gone */
      }
    }
    await h.sleep(300);
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    if (srv) await srv.kill();
    h.cleanup(dir);
    await h.sleep(2000); // let the kernel tear down 10,000 connections before the next run
  }
}

function wrk(port: number, durationS: number): { rps: number; p99Ms: number; output: string } {
  const r = spawnSync('wrk', ['-t1', '-c100', `-d${durationS}s`, '--latency', `http://127.0.0.1:${port}/`], { encoding: 'utf8', timeout: (durationS + 30) * 1000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const m = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99Ms = m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : 0;
  return { rps, p99Ms, output: out };
}

/** nginx (1 worker) answering `return 200 "ok\n"` on a free port; returns its rps/p99 with wrk. */
export async function runNginx(durationS: number): Promise<{ rps: number; p99Ms: number; note?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-nginx-'));
  const port = await h.freePort();
  const conf = [
    'worker_processes 1;',
    'daemon off;',
    'master_process off;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
    '  keepalive_requests 100000000;',
    `  server { listen 127.0.0.1:${port} backlog=4096; location / { return 200 "ok\\n"; } }`,
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  try {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await h.canBind(port, '127.0.0.1'))) await h.sleep(50);
    if (proc.exitCode !== null) return { rps: 0, p99Ms: 0, note: `nginx failed: ${err.trim()}` };
    await h.sleep(300);
    const w = wrk(port, durationS);
    return { rps: w.rps, p99Ms: w.p99Ms };
  } finally {
    proc.kill('SIGKILL');
    h.cleanup(dir);
  }
}

/** Each http variant vs nginx, same wrk settings (-t1 -c100); nginx runs before and after each variant. */
export async function runHttpVsNginx(variants = HTTP_VARIANTS, durationS = 5): Promise<HttpRow[]> {
  const rows: HttpRow[] = [];
  let before = await runNginx(durationS);
  for (const v of variants) {
    const row: HttpRow = { variant: v.label, requestsPerSec: 0, p99Ms: 0, nginxRequestsPerSec: 0, ratio: 0 };
    try {
      const result = generateServer({ ...v.input, port: 0, bindAddress: '127.0.0.1', backlog: 4096 }, { config: DEFAULT_CONFIG });
      const { dir } = h.materialize(result);
      try {
        h.build(result, dir);
        const srv = await h.startServer(result, dir, h.LOOPBACK4, 15_000, { shellPrefix: ULIMIT });
        try {
          await h.sleep(500);
          const w = wrk(srv.port, durationS);
          row.requestsPerSec = Math.round(w.rps);
          row.p99Ms = w.p99Ms;
        } finally {
          await srv.kill();
        }
      } finally {
        h.cleanup(dir);
      }
    } catch (e) {
      row.note = `failed: ${(e as Error).message.split('\n')[0]}`;
    }
    await h.sleep(500);
    const after = await runNginx(durationS);
    const nginxRps = (before.rps + after.rps) / 2;
    row.nginxRequestsPerSec = Math.round(nginxRps);
    row.ratio = nginxRps ? Math.round((row.requestsPerSec / nginxRps) * 100) / 100 : 0;
    if (before.note || after.note) row.note = [row.note, before.note ?? after.note].filter(Boolean).join('; ');
    rows.push(row);
    before = after;
  }
  return rows;
}

export interface SectionResult {
  name: string;
  rows: Record<string, unknown>[];
  notes: string[];
}

/** The section as bench/run.ts plugs it in. */
export const section = {
  name: 'c10k',
  description: 'Generated servers: 10,000 concurrent echo connections; http variants vs nginx (wrk)',
  async run(opts: { quick?: boolean; only?: string; skipHttp?: boolean } = {}): Promise<SectionResult> {
    const notes: string[] = [];
    const limit = hardFdLimit();
    const connections = opts.quick ? 2000 : 10_000;
    const duration = opts.quick ? 3000 : 6000;
    if (limit < connections / SOURCES.length + 200 || limit < connections + 100) {
      notes.push(`fd limit ${limit} is below what ${connections} connections need; raise it (ulimit -Hn) or run as root`);
    }
    notes.push(`machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, Node ${process.version}; clients: ${SOURCES.length} worker processes from ${SOURCES.join(', ')}, 64-byte closed-loop echo on every connection for ${duration / 1000} s; req/s = median of the per-second totals after the first second, latency percentiles from the same window`);
    const rows: Record<string, unknown>[] = [];
    for (const v of C10K_VARIANTS) {
      if (opts.only && !v.label.includes(opts.only)) continue;
      const r = await runC10k(v, connections, duration);
      rows.push({ test: 'c10k', ...r });
      process.stderr.write(`c10k ${v.label}: ${JSON.stringify(r)}\n`);
    }
    const httpVariants = opts.skipHttp ? [] : HTTP_VARIANTS.filter((v) => !opts.only || v.label.includes(opts.only));
    if (httpVariants.length) {
      for (const r of await runHttpVsNginx(httpVariants, opts.quick ? 2 : 5)) {
        rows.push({ test: 'http-vs-nginx', ...r });
        process.stderr.write(`http ${r.variant}: ${JSON.stringify(r)}\n`);
      }
      notes.push('http: wrk -t1 -c100 --latency against each server and nginx (1 worker, `return 200 "ok\\n"`, keepalive_requests unlimited) measured before and after each server; ratio = server rps / mean nginx rps');
    }
    return { name: 'c10k', rows, notes };
  },
};

/** Rows -> the bench's Figures: p99 latency (ms) and RSS (MB) per C10K variant; time per 1,000 http requests vs nginx. */
export function toFigures(res: SectionResult): Figure[] {
  const figs: Figure[] = [];
  for (const r of res.rows) {
    if (r.test === 'c10k') {
      const row = r as unknown as C10kRow;
      const slug = row.variant.replace(/[^a-z0-9]+/gi, '-');
      const extra = { ...row };
      figs.push({ section: 'c10k', id: `c10k-${slug}-p99`, label: `C10K ${row.variant}: p99 round trip (${row.requestsPerSec} req/s)`, size: row.connections, value: row.p99Ms, unit: 'ms', extra });
      figs.push({ section: 'c10k', id: `c10k-${slug}-rss`, label: `C10K ${row.variant}: server RSS`, size: row.connections, value: row.serverRssMb, unit: 'MB', extra });
    } else {
      const row = r as unknown as HttpRow;
      const slug = row.variant.replace(/[^a-z0-9]+/gi, '-');
      const ms = row.requestsPerSec ? 1e6 / row.requestsPerSec : 0;
      const base = row.nginxRequestsPerSec ? 1e6 / row.nginxRequestsPerSec : undefined;
      figs.push({
        section: 'c10k',
        id: `http-${slug}-vs-nginx`,
        label: `${row.variant}: ms per 1,000 requests vs nginx return 200 (wrk -c100; rps ratio ${row.ratio})`,
        size: 100,
        value: Math.round(ms * 100) / 100,
        unit: 'ms',
        baseline: 'nginx return 200',
        baselineMs: base === undefined ? undefined : Math.round(base * 100) / 100,
        ratio: base ? Math.round((ms / base) * 100) / 100 : undefined,
        extra: { ...row },
      });
    }
  }
  return figs;
}

/** bench/run.ts entry: runs once (at the smallest load size), independent of the socket load. */
const benchSection: Section = {
  name: 'c10k',
  description: section.description,
  sizes: [1000],
  async run(ctx) {
    ctx.log('c10k: generated servers at 10,000 connections, http variants vs nginx');
    const res = await section.run({ quick: process.env.BENCH_QUICK === '1' });
    for (const n of res.notes) ctx.log(`c10k: ${n}`);
    return toFigures(res);
  },
};
export default benchSection;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const oi = process.argv.indexOf('--only');
  const only = oi > 0 ? process.argv[oi + 1] : undefined;
  const res = await section.run({ quick, only, skipHttp: process.argv.includes('--no-http') });
  console.table(res.rows);
  for (const n of res.notes) console.log(`note: ${n}`);
}
