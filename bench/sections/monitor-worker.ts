// Worker of the monitor-render bench section. Renders the real App through Ink into a FrameWriter on a fake
// 120x40 TTY and prints one JSON result line.
// Usage: node --import tsx bench/sections/monitor-worker.ts '{"mode":"render"|"cpu", ...}'
// Run that way (from source), it bundles itself first with the product's esbuild plugins and options
// (scripts/esbuild-plugins.mjs: React's production build, Ink with its line caches kept across frames, ...)
// into node_modules/.cache/sockscope-bench/ and runs the bundle in a child process, which measures: the
// figures are those of the code that ships, not of tsx's transpile of the sources and Ink as published.
// `"inkLineCache":false` bundles Ink unpatched (to measure the patch).
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RuleContext } from '../../src/advise/types.js';
import type { SocketSource } from '../../src/collect/source.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { Scheduler } from '../../src/ui/hooks/usePolling.js';

interface Args {
  mode: 'render' | 'cpu';
  ports: number;
  perPort: number;
  columns?: number;
  rows?: number;
  frames?: number;
  seconds?: number;
  changing?: boolean;
  /** cpu mode: refreshes run back to back before the 1 s interval is measured (default 300; 0: none). */
  warmRefreshes?: number;
  /** cpu mode: seconds at the 1 s interval between the warm-up and the measurement (default 40). */
  settleSeconds?: number;
  /** Bundle Ink with its line caches kept across frames, as the product (default true). */
  inkLineCache?: boolean;
}
const args: Args = JSON.parse(process.argv[2] ?? '{}');

/** Bundles this file as the product is bundled and runs the bundle with the same arguments; exits with its code. */
async function runBundled(): Promise<never> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const [{ build }, { commonOptions, bundlePlugins }] = await Promise.all([import('esbuild'), import('../../scripts/esbuild-plugins.mjs')]);
  const dir = `${root}node_modules/.cache/sockscope-bench`;
  mkdirSync(dir, { recursive: true });
  // One file per launcher: workers may run side by side. Inside node_modules, so koffi (external) resolves.
  const outfile = `${dir}/monitor-worker-${process.pid}.mjs`;
  const common = commonOptions('bench');
  await build({
    ...common,
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile,
    sourcemap: false,
    plugins: bundlePlugins({ inkLineCache: args.inkLineCache !== false }),
    external: [...common.external, 'esbuild'],
  });
  const child = spawn(process.execPath, [outfile, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  return new Promise<never>(() => {
    child.on('exit', (code, signal) => {
      rmSync(outfile, { force: true });
      process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
// The bundle's module URL ends in .mjs; from source (tsx) it is this .ts file.
if (import.meta.url.endsWith('.ts')) await runBundled();

const [{ render }, { createElement }, { evaluateRules, makeContext }, { App }, { FrameWriter }, { timerScheduler }, { resolveKeymap }, { createTheme }, { benchSnapshot, bigHost, withOneMore }] = await Promise.all([
  import('ink'),
  import('react'),
  import('../../src/advise/engine.js'),
  import('../../src/ui/App.js'),
  import('../../src/ui/frame-writer.js'),
  import('../../src/ui/hooks/usePolling.js'),
  import('../../src/ui/keymap.js'),
  import('../../src/ui/theme.js'),
  import('./monitor-fixtures.js'),
]);
const columns = args.columns ?? 120;
const rows = args.rows ?? 40;

class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = columns;
  rows = rows;
  written = 0;
  onWrite: (() => void) | undefined;
  write(s: string): boolean {
    this.written += Buffer.byteLength(s);
    this.onWrite?.();
    return true;
  }
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  setRawMode() {}
  setEncoding() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read(): string | null {
    const d = this.data;
    this.data = null;
    return d;
  }
  press(d: string) {
    this.data = d;
    this.emit('readable');
  }
}

const advise = (ctx: RuleContext) => evaluateRules(makeContext(ctx));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function mountApp(source: SocketSource, scheduler: Scheduler) {
  const out = new FakeStdout();
  const stdin = new FakeStdin();
  const writer = new FrameWriter(out);
  const stdout = new Proxy(out, {
    get(t, p) {
      if (p === 'write') return (s: string) => writer.write(s);
      const v = Reflect.get(t, p, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
  const inst = render(
    createElement(App, {
      source,
      advise,
      scheduler,
      theme: createTheme(true),
      keymap: resolveKeymap({}, { without: ['wizard'] }).keymap,
      intervalMs: 1000,
      protocols: { tcp: true, udp: true, unix: false },
    }),
    { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false },
  );
  return { out, stdin, writer, inst };
}

/** Resolves at the next write to the terminal (or after `ms` when nothing is written). */
function nextWrite(out: FakeStdout, ms = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      out.onWrite = undefined;
      resolve(false);
    }, ms);
    out.onWrite = () => {
      clearTimeout(t);
      out.onWrite = undefined;
      resolve(true);
    };
  });
}

async function renderBench() {
  const base = bigHost(args.ports, args.perPort);
  let time = Date.UTC(2026, 0, 1, 12, 0, 0);
  let next: () => Snapshot = () => benchSnapshot(base, (time += 1000));
  const source: SocketSource = { name: 'fixture', collect: async () => next() };
  let pending: (() => void) | undefined;
  const scheduler: Scheduler = { schedule: (fn) => ((pending = fn), () => (pending = undefined)) };
  const refresh = async () => {
    const f = pending;
    pending = undefined;
    f?.();
    // Let the collect promise, React and Ink run.
    for (let i = 0; i < 200 && !pending; i++) await sleep(5);
  };

  const t0 = performance.now();
  const app = mountApp(source, scheduler);
  for (let i = 0; i < 400 && app.out.written === 0; i++) await sleep(5);
  for (let i = 0; i < 400 && !pending; i++) await sleep(5);
  const firstFrameMs = performance.now() - t0;

  // Warm up: fill the trend sparklines (TREND_WIDTH samples) so unchanged data renders identically.
  for (let i = 0; i < 12; i++) await refresh();

  // 1. Nothing changed: same sockets, next poll.
  const unchanged: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = app.writer.bytes;
    await refresh();
    unchanged.push(app.writer.bytes - before);
  }

  // 2. One visible row changes (one more connection on the second port), then changes back.
  const changed: number[] = [];
  const plusOne = withOneMore(base, 1001);
  for (let i = 0; i < 6; i++) {
    next = () => benchSnapshot(i % 2 === 0 ? plusOne : base, (time += 1000));
    const before = app.writer.bytes;
    await refresh();
    changed.push(app.writer.bytes - before);
  }
  next = () => benchSnapshot(base, (time += 1000));

  // 3. Frame render: a key press that moves the selection, to the frame written (React + Ink + diff).
  const frameMs: number[] = [];
  const frameCpuMs: number[] = [];
  for (let i = 0; i < (args.frames ?? 60); i++) {
    const w = nextWrite(app.out);
    const s = performance.now();
    const c = process.cpuUsage();
    app.stdin.press(i % 2 === 0 ? 'j' : 'k');
    if (await w) {
      const u = process.cpuUsage(c);
      frameMs.push(performance.now() - s);
      frameCpuMs.push((u.user + u.system) / 1000);
    }
  }

  // 4. Refresh: a new snapshot (aggregation of every socket, rules, sort, render) to the frame written.
  const refreshMs: number[] = [];
  const refreshCpuMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    next = () => benchSnapshot(i % 2 === 0 ? plusOne : base, (time += 1000));
    const w = nextWrite(app.out, 20_000);
    const s = performance.now();
    const c = process.cpuUsage();
    const f = pending;
    pending = undefined;
    f?.();
    if (await w) {
      const u = process.cpuUsage(c);
      refreshMs.push(performance.now() - s);
      refreshCpuMs.push((u.user + u.system) / 1000);
    }
    for (let j = 0; j < 200 && !pending; j++) await sleep(5);
  }
  app.inst.unmount();
  return {
    sockets: base.length,
    ports: args.ports,
    size: `${columns}x${rows}`,
    firstFrameInProcessMs: Math.round(firstFrameMs),
    frameMedianMs: +quantile(frameMs, 0.5).toFixed(2),
    frameP95Ms: +quantile(frameMs, 0.95).toFixed(2),
    frameCpuMedianMs: +quantile(frameCpuMs, 0.5).toFixed(2),
    frameCpuP95Ms: +quantile(frameCpuMs, 0.95).toFixed(2),
    refreshMedianMs: +quantile(refreshMs, 0.5).toFixed(1),
    refreshP95Ms: +quantile(refreshMs, 0.95).toFixed(1),
    refreshCpuMedianMs: +quantile(refreshCpuMs, 0.5).toFixed(1),
    bytesUnchanged: Math.max(...unchanged),
    bytesOneRowChanged: Math.max(...changed),
  };
}

/** At most this long is spent on the back-to-back warm-up refreshes (big hosts: a refresh takes 100+ ms). */
const WARM_MAX_MS = 15_000;

async function cpuBench() {
  const base = bigHost(args.ports, args.perPort);
  // changing: one more / one less connection on a visible port, alternating: the screen changes on every refresh.
  const plusOne = withOneMore(base, 1001);
  let n = 0;
  const source: SocketSource = { name: 'fixture', collect: async () => benchSnapshot(args.changing && n++ % 2 === 1 ? plusOne : base, Date.now()) };
  // Warm-up: V8 optimizes a function only after many calls, and a refresh calls most of its code once.
  // At one refresh a second it was still compiling that code (TurboFan, on V8's background threads,
  // which process.cpuUsage counts) minutes later: --trace-opt showed about 300 ms of compiling in the
  // 20 s after the old 3 s start-up wait (1.5% of a core on its own), then 90, 80, 70, 30 ms in the next
  // 20 s windows. That is start-up, not the steady state this figure is about, so the first refreshes
  // run back to back (same data, same code paths). The burst leaves the heap large and the next major
  // GCs late, which made the first 20 s after it read low (1.3-1.6% where later windows read 1.9-2.1%):
  // the monitor then runs at its 1 s interval for settleSeconds before the measurement starts.
  const warmTarget = args.warmRefreshes ?? 300;
  let warming = warmTarget > 0;
  let warmed = 0;
  const scheduler: Scheduler = {
    schedule: (fn, ms) => {
      if (!warming) return timerScheduler.schedule(fn, ms);
      warmed++;
      return timerScheduler.schedule(fn, 0);
    },
  };
  const w0 = performance.now();
  const app = mountApp(source, scheduler);
  while (warming && warmed < warmTarget && performance.now() - w0 < WARM_MAX_MS) await sleep(20);
  warming = false;
  const warmMs = Math.round(performance.now() - w0);
  await sleep((args.settleSeconds ?? 40) * 1000);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep((args.seconds ?? 60) * 1000);
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  app.inst.unmount();
  return {
    sockets: base.length,
    ports: args.ports,
    changing: !!args.changing,
    warmRefreshes: warmed,
    warmMs,
    settleSeconds: args.settleSeconds ?? 40,
    seconds: Math.round(wall / 1000),
    cpuPercentOfOneCore: +(((c.user + c.system) / 1000 / wall) * 100).toFixed(2),
  };
}

const result = args.mode === 'cpu' ? await cpuBench() : await renderBench();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
