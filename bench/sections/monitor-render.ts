// Bench section "monitor-render": the full-screen monitor's cost on big hosts.
//  - render time per frame (a key press that moves the selection, to the frame written) at 100,000
//    sockets / 10,000 ports, 120x40: median and p95, wall and CPU; refresh cost (new snapshot: aggregation,
//    rules, sort, render) likewise; bytes written per refresh with nothing changed and with one row changed.
//  - time from start to the first full frame of the bundled bin/sockscope in a pty (script(1)), real source.
//  - CPU of the monitor over 60 s at a 1 s interval with 100,000 and 1,000 sockets (fake source: the
//    collector's own cost is not included; the collectors have their own bench figures), in the steady
//    state: after back-to-back warm-up refreshes (JIT compilation) and 40 s at the interval (see the worker).
// Render figures use fake sources; each runs in a worker that bundles itself as the product is bundled
// (React's production build, Ink with the build's patches: see monitor-worker.ts) and runs the bundle.
// Run alone: node --import tsx bench/sections/monitor-render.ts [--quick]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, Figure, Section } from '../types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Targets from issue 4. */
export const TARGETS = { frameMs: 16, bytesUnchanged: 0, bytesOneRow: 600, firstFrameMs: 500, cpu100k: 25, cpu1k: 2 };

function worker(args: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/sections/monitor-worker.ts', JSON.stringify(args)], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    // SIGTERM: the worker forwards it to the bundle it runs (SIGKILL would leave that one running).
    const t = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`monitor worker exited ${code} without a result: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** Spawns the bundled binary in a pty (script -qfec) and times the first frame (the footer appears). */
export function firstFrameBundled(opts: { ownNetns?: boolean; timeoutMs?: number } = {}): Promise<{ ms: number; sockets?: number } | { error: string }> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // In a fresh network namespace (unshare -n, needs root) the collector sees only what the test opens:
  // the figure is then start-up + first collection + first render, independent of the host's sockets.
  const cmd = opts.ownNetns ? "unshare -n sh -c 'stty cols 120 rows 40; exec bin/sockscope'" : 'stty cols 120 rows 40; exec bin/sockscope';
  if (!existsSync(`${ROOT}dist/cli.js`)) return Promise.resolve({ error: 'dist/cli.js missing: npm run build' });
  if (spawnSync('script', ['--version']).status !== 0) return Promise.resolve({ error: 'script(1) (util-linux) is not installed' });
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, CI: 'false', TERM: 'xterm-256color' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    let done = false;
    const finish = (r: { ms: number; sockets?: number } | { error: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdin.write('q');
      setTimeout(() => child.kill('SIGTERM'), 2000).unref();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ error: `no frame within ${timeoutMs} ms` }), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      // The first full frame: data on screen (a table title with rows) and the footer, read without the
      // escape sequences (the footer's keys are styled apart from their words: "q" then " quit").
      const plain = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      if (/TCP \d+ \(/.test(plain) && plain.includes('q quit')) {
        const m = /TCP (\d+) \(/.exec(plain);
        finish({ ms: Math.round(performance.now() - t0), sockets: m ? Number(m[1]) : undefined });
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Bytes have no unit in bench/types.ts yet ('ms' | 'MB' | '%'): printed as B. */
const BYTES = 'B' as Figure['unit'];
let fakeSourceFiguresDone = false;

/** The fake-source figures (once per bench run: they do not depend on the load) and first frames. */
async function measure(ctx: Pick<BenchContext, 'size' | 'runs' | 'log'> & { quick?: boolean }): Promise<Figure[]> {
  const out: Figure[] = [];
  const fig = (f: Omit<Figure, 'section' | 'size'> & { size?: number }): void => {
    out.push({ section: 'monitor-render', size: f.size ?? ctx.size, ...f });
  };
  const load = loadavg()[0].toFixed(1);
  if (!fakeSourceFiguresDone) {
    fakeSourceFiguresDone = true;
    ctx.log(`render figures with a fake source (load average ${load})`);
    const big = (await worker({ mode: 'render', ports: 10_000, perPort: 9, frames: ctx.quick ? 30 : 100 }, 300_000)) as Record<string, number>;
    const extra = { ...big, loadAverage: Number(load) };
    fig({ id: 'monitor-frame', label: 'monitor frame (key press to frame written), 100k sockets/10k ports, 120x40, median wall; target <= 16 ms', size: 100_000, value: big.frameMedianMs, unit: 'ms', pass: big.frameMedianMs <= TARGETS.frameMs, extra });
    fig({ id: 'monitor-frame-p95', label: 'monitor frame, p95 wall', size: 100_000, value: big.frameP95Ms, unit: 'ms', pass: big.frameP95Ms <= TARGETS.frameMs, extra });
    fig({ id: 'monitor-frame-cpu', label: 'monitor frame, median CPU time', size: 100_000, value: big.frameCpuMedianMs, unit: 'ms', extra });
    fig({ id: 'monitor-refresh', label: 'monitor refresh (new snapshot: aggregate, rules, sort, render), median wall', size: 100_000, value: big.refreshMedianMs, unit: 'ms', extra });
    fig({ id: 'monitor-refresh-cpu', label: 'monitor refresh, median CPU time', size: 100_000, value: big.refreshCpuMedianMs, unit: 'ms', extra });
    fig({ id: 'monitor-bytes-unchanged', label: 'bytes written per refresh, nothing changed, 120x40; target 0', size: 100_000, value: big.bytesUnchanged, unit: BYTES, pass: big.bytesUnchanged === TARGETS.bytesUnchanged });
    fig({ id: 'monitor-bytes-one-row', label: 'bytes written per refresh, one row changed, 120x40; target <= 600', size: 100_000, value: big.bytesOneRowChanged, unit: BYTES, pass: big.bytesOneRowChanged <= TARGETS.bytesOneRow });
    const small = (await worker({ mode: 'render', ports: 100, perPort: 9, frames: ctx.quick ? 30 : 100 }, 120_000)) as Record<string, number>;
    fig({ id: 'monitor-frame-1k', label: 'monitor frame, 1k sockets/100 ports, median wall', size: 1000, value: small.frameMedianMs, unit: 'ms', extra: small });

    const seconds = ctx.quick ? 10 : 60;
    for (const [ports, target, changing] of [
      [10_000, TARGETS.cpu100k, false],
      [10_000, TARGETS.cpu100k, true],
      [100, TARGETS.cpu1k, false],
      [100, TARGETS.cpu1k, true],
    ] as const) {
      const what = changing ? 'one visible row changing on every refresh' : 'steady data';
      ctx.log(`cpu over ${seconds} s with ${ports * 10} sockets, ${what}`);
      // + up to 15 s of warm-up refreshes and 40 s of settling (see cpuBench in the worker).
      const r = (await worker({ mode: 'cpu', ports, perPort: 9, seconds, changing }, (seconds + 120) * 1000)) as Record<string, number>;
      fig({
        id: `monitor-cpu-${ports * 10}${changing ? '-changing' : ''}`,
        label: `monitor CPU over ${seconds} s at 1 s interval after warm-up, ${ports * 10} sockets, ${what} (fake source); target <= ${target}% of a core`,
        size: ports * 10,
        value: r.cpuPercentOfOneCore,
        unit: '%',
        pass: r.cpuPercentOfOneCore <= target,
        extra: { ...r, loadAverage: Number(loadavg()[0].toFixed(1)) },
      });
    }

    const own: number[] = [];
    for (let i = 0; i < Math.max(3, ctx.runs); i++) {
      const r = await firstFrameBundled({ ownNetns: true });
      if ('ms' in r) own.push(r.ms);
      else ctx.log(`first frame (own netns): ${r.error}`);
    }
    if (own.length) fig({ id: 'monitor-first-frame', label: 'start to first full frame, bundled bin/sockscope in a pty, own network namespace; target <= 500 ms', size: 0, value: median(own), unit: 'ms', pass: median(own) <= TARGETS.firstFrameMs, samples: own });
  }
  const host: number[] = [];
  let seen: number | undefined;
  for (let i = 0; i < Math.max(3, ctx.runs); i++) {
    const r = await firstFrameBundled();
    if ('ms' in r) {
      host.push(r.ms);
      seen = r.sockets;
    } else ctx.log(`first frame (host): ${r.error}`);
  }
  if (host.length) fig({ id: 'monitor-first-frame-host', label: `start to first full frame, bundled, with the load's sockets (TCP seen: ${seen ?? '?'})`, value: median(host), unit: 'ms', samples: host });
  return out;
}

/** The section as bench/run.ts plugs it in (bench/sections/index.ts). */
const section: Section = {
  name: 'monitor-render',
  description: 'Full-screen monitor: frame and refresh cost at 100k sockets, bytes per refresh, first frame, CPU at 1 s',
  run: (ctx: BenchContext) => measure(ctx),
};
export default section;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figs = await measure({ size: 0, runs: 3, log: (m) => process.stderr.write(`${m}\n`), quick: process.argv.includes('--quick') });
  for (const f of figs) console.log(`${f.pass === undefined ? '   ' : f.pass ? 'ok ' : 'NO '} ${f.label}: ${f.value} ${f.unit}`);
}
