// `npm run bench`: creates TCP socket load on loopback (1,000 / 10,000 / 100,000 sockets), runs every
// section of bench/sections against it, removes the load, prints a table and writes bench/results.json
// (exactly this run: nothing is merged from earlier ones).
// Flags: --sizes 1000,10000   --only netlink,cli   --runs 5   --out FILE   --no-netns
// As root it runs itself in a network namespace of its own (unshare --net, loopback up): the load, the
// baselines, the collectors and the CLI all see only that namespace's sockets, and the namespace (with
// the load's TIME_WAIT sockets, which no process owns) ends with the run, however it ends.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllLoad, planLoad, startLoad, type Load } from './load.js';
import { Interrupted } from './measure.js';
import { SECTIONS } from './sections/index.js';
import type { Figure } from './types.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DEFAULT_SIZES = [1000, 10_000, 100_000];

interface Args {
  sizes: number[];
  only: string[] | null;
  runs: number | null;
  out: string;
  netns: boolean;
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: npm run bench -- [--sizes 1000,10000,100000] [--only ${SECTIONS.map((s) => s.name).join(',')}] [--runs N] [--out FILE] [--no-netns]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: DEFAULT_SIZES, only: null, runs: null, out: join(ROOT, 'bench', 'results.json'), netns: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    switch (flag) {
      case '--sizes':
        a.sizes = value()
          .split(',')
          .map((x) => Number(x.replace(/k$/i, '000')));
        if (a.sizes.some((n) => !Number.isInteger(n) || n < 10 || n > 500_000)) usage('--sizes must be integers between 10 and 500000');
        break;
      case '--only':
        a.only = value().split(',');
        for (const n of a.only) if (!SECTIONS.some((s) => s.name === n)) usage(`--only: unknown section "${n}"`);
        break;
      case '--runs':
        a.runs = Number(value());
        if (!Number.isInteger(a.runs) || a.runs < 1 || a.runs > 50) usage('--runs must be 1-50');
        break;
      case '--out':
        a.out = value();
        break;
      case '--no-netns':
        a.netns = false;
        break;
      case '--help':
      case '-h':
        usage('help');
      default:
        usage(`unknown flag ${flag}`);
    }
  }
  return a;
}

function machine(): Record<string, unknown> {
  const ssVersion = (() => {
    try {
      return execFileSync('ss', ['-V'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  let virt = 'unknown';
  try {
    virt = execFileSync('systemd-detect-virt', { encoding: 'utf8' }).trim();
  } catch {
    // not installed, or "none" (exit 1)
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1073741824),
    kernel: release(),
    node: process.version,
    ss: ssVersion,
    virtualization: virt,
    loadAverageAtStart: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
}

function fmt(n: number | undefined | null, digits = 1): string {
  return typeof n !== 'number' || !Number.isFinite(n) ? '' : n.toFixed(digits);
}

/** The CPU column: "-" where the baseline's CPU is below the floor (measure.ts), "+ss" where the row counts the collector's ss processes. */
function cpuCell(f: Figure): string {
  if (!f.extra || !('cpuRatio' in f.extra)) return '';
  const r = f.extra.cpuRatio;
  if (typeof r !== 'number' || !Number.isFinite(r)) return '-';
  return `${r.toFixed(2)}x${f.extra.cpuIncludes ? ' (+ss)' : ''}`;
}

/** LISTEN 5, ESTAB 8500, ...: a line of socket counts by state. */
function countsLine(c: Record<string, number>): string {
  return Object.entries(c)
    .filter(([k]) => k !== 'total')
    .map(([k, v]) => `${k} ${v}`)
    .concat(`total ${c.total}`)
    .join(', ');
}

function table(figures: Figure[]): string {
  const rows = [['size', 'figure', 'value', 'baseline', 'baseline ms', 'ratio', 'target', 'ok', 'cpu ratio']];
  for (const f of figures) {
    const target = f.target ? (f.target.kind === 'ratio' ? `<= ${f.target.max}x` : f.target.kind === 'mb' ? `<= ${f.target.max} MB` : `<= ${f.target.max} %`) : '';
    rows.push([
      f.size.toLocaleString('en-US'),
      f.label,
      `${fmt(f.value)} ${f.unit}`,
      f.baseline ?? '',
      fmt(f.baselineMs),
      f.ratio !== undefined && Number.isFinite(f.ratio) ? `${fmt(f.ratio, 2)}x` : f.baseline ? '-' : '',
      target,
      f.pass === undefined ? '' : f.pass ? 'yes' : 'NO',
      cpuCell(f),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => r.map((cell, c) => (c >= 2 && c !== 3 && i > 0 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ')).join('\n');
}

/** Counts the TCP sockets the kernel holds now, by state (ss -tanH, summarized). */
function tcpCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  const text = execFileSync('ss', ['-tanH'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  let total = 0;
  for (const line of text.split('\n')) {
    const st = line.slice(0, line.indexOf(' '));
    if (!st) continue;
    out[st] = (out[st] ?? 0) + 1;
    total++;
  }
  out.total = total;
  return out;
}

/** The commit measured: HEAD, and whether the working tree differs from it. */
function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const IN_NETNS = process.env.SOCKSCOPE_BENCH_NETNS === '1';

/** The load of the size being measured (for the interrupt handler). */
let current: Load | undefined;
/** Set once a signal (or a command ended by one) starts the shutdown. */
let shuttingDown = false;

/** Removes the load and exits: for SIGINT/SIGTERM/SIGHUP and for measured commands ended by them. */
async function shutdown(code: number, why: string): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    log(`${why}: removing the load`);
    const hard = setTimeout(() => {
      killAllLoad();
      process.exit(code);
    }, 8000);
    try {
      await current?.stop();
    } catch {
      // the exit handler's killAllLoad still runs
    }
    clearTimeout(hard);
    process.exit(code);
  }
  return new Promise<never>(() => {});
}

/**
 * When the load's TIME_WAIT sockets could not be removed (no netns, ss -K refused), waits until they
 * have expired (TIME_WAIT lasts 60 s on Linux) so that they do not spill into the next size.
 */
async function drainTimeWait(load: Load): Promise<number> {
  const t0 = Date.now();
  let left = load.countTimeWait();
  if (left > 0) log(`${left} TIME_WAIT sockets of the load could not be removed: waiting for them to expire (up to 60 s)`);
  while (left > 0 && Date.now() - t0 < 65_000) {
    await sleep(2000);
    left = load.countTimeWait();
  }
  return left;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) usage('dist/cli.js is missing: run `npm run build` first (npm run bench does)');
  const sections = SECTIONS.filter((s) => !args.only || args.only.includes(s.name));
  const started = Date.now();
  const figures: Figure[] = [];
  const loads: Record<string, unknown>[] = [];
  const info = machine();
  const partial = `${args.out}.partial`;
  const header = {
    date: new Date().toISOString(),
    commit: commit(),
    command: `node --import tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    namespace: IN_NETNS ? 'a network namespace of its own (unshare --net), removed with the run' : 'the host\'s (--no-netns or not root): TIME_WAIT sockets ss -K cannot remove expire within 60 s',
  };
  log(`machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, kernel ${info.kernel}, node ${info.node}, ${info.ss}; commit ${header.commit}; ${IN_NETNS ? 'in a network namespace of its own' : 'in the host network namespace'}`);

  for (const size of args.sizes) {
    const todo = sections.filter((s) => !s.sizes || s.sizes.includes(size));
    if (todo.length === 0) continue;
    const plan = planLoad(size);
    log(`size ${size}: ${plan.pairs} established pairs, ${plan.closeWait} CLOSE_WAIT pairs, ${plan.timeWait} TIME_WAIT, ${plan.children} load processes on ${plan.serverHosts[0]}..${plan.serverHosts[plan.serverHosts.length - 1]} (fd limit ${plan.fdLimit})`);
    let load: Load | undefined;
    try {
      load = current = await startLoad(size);
      const before = tcpCounts();
      log(`load ready in ${(load.setupMs / 1000).toFixed(1)} s: ${countsLine(before)}`);
      const runs = args.runs ?? (size >= 100_000 ? 5 : 7);
      const sectionLog: Record<string, unknown>[] = [];
      for (const s of todo) {
        // TIME_WAIT lasts 60 s and a size's sections take longer: the share is removed and made anew
        // before each section (outside its timing), so every section runs on the same composition.
        const refresh = await load.refreshTimeWait();
        const atStart = tcpCounts();
        log(`${s.name} starts on ${countsLine(atStart)} (TIME_WAIT share: ${refresh.removed} removed, ${refresh.left} left, ${refresh.made} made, ${refresh.ms} ms)`);
        const t0 = performance.now();
        try {
          const got = await s.run({ size, load, runs, log: (m) => log(`${size} ${s.name}: ${m}`), root: ROOT });
          for (const f of got) f.extra = { ...f.extra, tcpAtSectionStart: atStart };
          figures.push(...got);
          for (const f of got) log(`  ${f.label}: ${fmt(f.value)} ${f.unit}${f.ratio !== undefined ? ` (${fmt(f.ratio, 2)}x ${f.baseline} ${fmt(f.baselineMs)} ms)` : ''}`);
        } catch (e) {
          // Ctrl-C reaches the whole process group: a measured command or collector dies of it before
          // this process's own handler runs. Let the handler take over (no stack trace).
          if (e instanceof Interrupted) await shutdown(130, `interrupted (${e.signal})`);
          await sleep(100);
          if (shuttingDown) await shutdown(130, 'interrupted');
          log(`section ${s.name} failed at size ${size}: ${(e as Error).stack ?? e}`);
          figures.push({ section: s.name, id: `${s.name}-error`, label: `${s.name} failed: ${(e as Error).message}`, size, value: Number.NaN, unit: 'ms', pass: false, extra: { tcpAtSectionStart: atStart } });
        }
        const seconds = Math.round((performance.now() - t0) / 100) / 10;
        log(`${s.name} took ${seconds.toFixed(1)} s`);
        sectionLog.push({ section: s.name, tcpAtStart: atStart, timeWaitRefresh: refresh, seconds });
        writeFileSync(partial, JSON.stringify({ ...header, figures }, null, 2));
      }
      const after = tcpCounts();
      loads.push({ size, plan: load.plan, setupMs: Math.round(load.setupMs), tcpBefore: before, sections: sectionLog, tcpAfter: after });
    } finally {
      if (!shuttingDown) await load?.stop();
    }
    const left = load ? await drainTimeWait(load) : 0;
    current = undefined;
    const afterStop = tcpCounts();
    log(`load removed: ${countsLine(afterStop)}${left ? ` (${left} of its TIME_WAIT sockets still there after 65 s)` : ''}`);
    if (loads.length) loads[loads.length - 1].tcpAfterStop = afterStop;
  }

  const result = {
    ...header,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: info,
    note: 'One run of the command above: every figure is from it. Each time figure is the median of interleaved runs; baseline = the ss command run alternately with it on the same sockets, stdout to /dev/null. CPU: user + system of every thread; for commands, the child\'s getrusage (microseconds). extra.tcpAtSectionStart: the TCP sockets by state when the figure\'s section started.',
    loads,
    figures,
  };
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  rmSync(partial, { force: true });
  process.stdout.write(`${table(figures)}\n\n`);
  for (const l of loads) for (const s of l.sections as { section: string; tcpAtStart: Record<string, number> }[]) process.stdout.write(`${(l.size as number).toLocaleString('en-US')} ${s.section} ran on: ${countsLine(s.tcpAtStart)}\n`);
  process.stdout.write(`\nwrote ${args.out} (${result.durationSeconds} s)\n`);
  const failed = figures.filter((f) => f.pass === false);
  if (failed.length) process.stdout.write(`${failed.length} figure(s) missed their target: ${failed.map((f) => `${f.id}@${f.size}`).join(', ')}\n`);
}

/**
 * As root (and without --no-netns), runs this script again in a network namespace of its own and
 * waits for it: the namespace, and every socket in it, ends when its last process does. Signals are
 * left to the child (Ctrl-C reaches it too; a signal sent to this process alone is passed on); the
 * exit code is the child's.
 */
function runInNetns(): boolean {
  if (IN_NETNS || process.argv.includes('--no-netns') || process.getuid?.() !== 0) return false;
  const probe = spawnSync('unshare', ['--net', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    log(`no network namespace (unshare --net / ip: ${(probe.error?.message ?? probe.stderr).trim()}): the load shares the host's`);
    return false;
  }
  const child = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, SOCKSCOPE_BENCH_NETNS: '1' },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1)));
  return true;
}

if (!runInNetns()) {
  // The load must never outlive the benchmark, whatever happens.
  process.on('exit', killAllLoad);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => void shutdown(128 + constants.signals[sig], `interrupted (${sig})`));
  }
  main().catch(async (e) => {
    if (e instanceof Interrupted) await shutdown(130, `interrupted (${e.signal})`);
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    killAllLoad();
    process.exit(1);
  });
}
