// `npm run bench`: creates TCP socket load on loopback (1,000 / 10,000 / 100,000 sockets), runs every
// section of bench/sections against it, removes the load, prints a table and writes bench/results.json.
// Flags: --sizes 1000,10000   --only netlink,cli   --runs 5   --out FILE
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllLoad, planLoad, startLoad, type Load } from './load.js';
import { SECTIONS } from './sections/index.js';
import type { Figure } from './types.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DEFAULT_SIZES = [1000, 10_000, 100_000];

interface Args {
  sizes: number[];
  only: string[] | null;
  runs: number | null;
  out: string;
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: npm run bench -- [--sizes 1000,10000,100000] [--only ${SECTIONS.map((s) => s.name).join(',')}] [--runs N] [--out FILE]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: DEFAULT_SIZES, only: null, runs: null, out: join(ROOT, 'bench', 'results.json') };
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

function fmt(n: number | undefined, digits = 1): string {
  return n === undefined || Number.isNaN(n) ? '' : n.toFixed(digits);
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
      f.ratio !== undefined ? `${fmt(f.ratio, 2)}x` : '',
      target,
      f.pass === undefined ? '' : f.pass ? 'yes' : 'NO',
      typeof f.extra?.cpuRatio === 'number' ? `${fmt(f.extra.cpuRatio as number, 2)}x` : '',
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) usage('dist/cli.js is missing: run `npm run build` first (npm run bench does)');
  const sections = SECTIONS.filter((s) => !args.only || args.only.includes(s.name));
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const started = Date.now();
  const figures: Figure[] = [];
  const loads: Record<string, unknown>[] = [];
  const info = machine();
  log(`machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, kernel ${info.kernel}, node ${info.node}, ${info.ss}`);

  for (const size of args.sizes) {
    const todo = sections.filter((s) => !s.sizes || s.sizes.includes(size));
    if (todo.length === 0) continue;
    const plan = planLoad(size);
    log(`size ${size}: ${plan.pairs} established pairs, ${plan.closeWait} CLOSE_WAIT pairs, ${plan.timeWait} TIME_WAIT, ${plan.children} load processes on ${plan.serverHosts[0]}..${plan.serverHosts[plan.serverHosts.length - 1]} (fd limit ${plan.fdLimit})`);
    let load: Load | undefined;
    try {
      load = await startLoad(size);
      const before = tcpCounts();
      log(`load ready in ${(load.setupMs / 1000).toFixed(1)} s: ${JSON.stringify(before)}`);
      const runs = args.runs ?? (size >= 100_000 ? 5 : 7);
      for (const s of todo) {
        const t0 = performance.now();
        try {
          const got = await s.run({ size, load, runs, log: (m) => log(`${size} ${s.name}: ${m}`), root: ROOT });
          figures.push(...got);
          for (const f of got) log(`  ${f.label}: ${fmt(f.value)} ${f.unit}${f.ratio !== undefined ? ` (${fmt(f.ratio, 2)}x ${f.baseline} ${fmt(f.baselineMs)} ms)` : ''}`);
        } catch (e) {
          log(`section ${s.name} failed at size ${size}: ${(e as Error).stack ?? e}`);
          figures.push({ section: s.name, id: `${s.name}-error`, label: `${s.name} failed: ${(e as Error).message}`, size, value: Number.NaN, unit: 'ms', pass: false });
        }
        log(`${s.name} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        writeFileSync(join(ROOT, 'bench', 'results.partial.json'), JSON.stringify({ figures }, null, 2));
      }
      const after = tcpCounts();
      loads.push({ size, plan: load.plan, setupMs: Math.round(load.setupMs), tcpBefore: before, tcpAfter: after });
    } finally {
      await load?.stop();
    }
    // Let the resets settle before the next size.
    await new Promise((r) => setTimeout(r, 1000));
  }

  const result = {
    date: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: info,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    note: 'Each time figure is the median of interleaved runs; baseline = the ss command run alternately with it on the same sockets, stdout to /dev/null.',
    loads,
    figures,
  };
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${table(figures)}\n\nwrote ${args.out} (${result.durationSeconds} s)\n`);
  const failed = figures.filter((f) => f.pass === false);
  if (failed.length) process.stdout.write(`${failed.length} figure(s) missed their target: ${failed.map((f) => `${f.id}@${f.size}`).join(', ')}\n`);
}

// The load must never outlive the benchmark, whatever happens.
process.on('exit', killAllLoad);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    killAllLoad();
    process.exit(130);
  });
}
main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  killAllLoad();
  process.exit(1);
});
