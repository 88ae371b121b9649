// Bench section "monitor-render": the full-screen monitor's cost on big hosts.
//  - render time per frame (a key press that moves the selection, to the frame written) at 100,000
//    sockets / 10,000 ports, 120x40: median and p95, wall and CPU; refresh cost (new snapshot: aggregation,
//    rules, sort, render) likewise; bytes written per refresh with nothing changed and with one row changed.
//  - time from start to the first full frame of the bundled bin/sockscope in a pty (script(1)), real source.
//  - CPU of the monitor over 60 s at a 1 s interval with 100,000 and 1,000 sockets (fake source: the
//    collector's own cost is not included; the collectors have their own bench figures).
// Render figures use fake sources; each runs in a worker with NODE_ENV=production (React's production build).
// Run alone: node --import tsx bench/sections/monitor-render.ts [--quick]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface SectionResult {
  name: string;
  rows: Record<string, unknown>[];
  notes: string[];
}

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
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
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
      // The first full frame: data on screen (a table title with rows) and the footer.
      if (/TCP \d+ \(/.test(out) && out.includes('q quit')) {
        const m = /TCP (\d+) \(/.exec(out);
        finish({ ms: Math.round(performance.now() - t0), sockets: m ? Number(m[1]) : undefined });
      }
    });
  });
}

export const section = {
  name: 'monitor-render',
  description: 'Full-screen monitor: frame and refresh cost at 100k sockets, bytes per refresh, first frame, CPU at 1 s',
  async run(opts: { quick?: boolean } = {}): Promise<SectionResult> {
    const rows: Record<string, unknown>[] = [];
    const notes: string[] = [];
    const cpuSeconds = opts.quick ? 10 : 60;
    notes.push(`machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at start (wall times inflate with load; CPU times less so)`);

    const big = await worker({ mode: 'render', ports: 10_000, perPort: 9, frames: opts.quick ? 30 : 100 }, 300_000);
    rows.push({ test: 'render 100k sockets / 10k ports', ...big, target: `frame <= ${TARGETS.frameMs} ms; bytes unchanged ${TARGETS.bytesUnchanged}; one row <= ${TARGETS.bytesOneRow}` });
    const small = await worker({ mode: 'render', ports: 100, perPort: 9, frames: opts.quick ? 30 : 100 }, 120_000);
    rows.push({ test: 'render 1k sockets / 100 ports', ...small });

    const own = await firstFrameBundled({ ownNetns: true });
    rows.push({ test: 'first full frame, bundled bin/sockscope, own network namespace (pty 120x40)', ...own, target: `<= ${TARGETS.firstFrameMs} ms` });
    const host = await firstFrameBundled();
    rows.push({ test: "first full frame, bundled bin/sockscope, this host's sockets (pty 120x40)", ...host });

    for (const [label, ports, target] of [
      ['cpu 100k sockets, 1 s interval', 10_000, TARGETS.cpu100k],
      ['cpu 1k sockets, 1 s interval', 100, TARGETS.cpu1k],
    ] as const) {
      const r = await worker({ mode: 'cpu', ports, perPort: 9, seconds: cpuSeconds }, (cpuSeconds + 60) * 1000);
      rows.push({ test: label, ...r, target: `<= ${target}% of one core` });
    }
    notes.push('frame = key press (selection moves) to the frame written: React + Ink layout/output + FrameWriter line diff; refresh = a new snapshot to the frame written: aggregation of every socket, the rules (capped at 10% of wall time on big hosts), sort, render');
    notes.push('bytes are counted after the FrameWriter (what reaches the terminal), after 12 warm-up refreshes that fill the trend sparklines; one row = one more connection on one visible port (its row and the TCP totals line change)');
    notes.push('cpu = process.cpuUsage of the monitor process over the run, fake source returning a fresh snapshot of the same sockets each second (no collector cost)');
    return { name: 'monitor-render', rows, notes };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const res = await section.run({ quick: process.argv.includes('--quick') });
  for (const r of res.rows) console.log(JSON.stringify(r));
  for (const n of res.notes) console.log(`note: ${n}`);
}
