// Timing helpers: medians, a command timed the way a shell runs it (stdout to /dev/null), and
// interleaved baseline/candidate runs so that drift (TIME_WAIT expiring, other load) hits both alike.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { childCpuPrecision, childrenCpuMs } from './child-cpu.js';
import type { Figure, Target } from './types.js';

/**
 * Below this much baseline CPU a CPU ratio is not printed ("-"): a few milliseconds of CPU carry the
 * noise of one page fault storm or one scheduler tick more than the work measured.
 */
export const CPU_FLOOR_MS = 2;

/** A measured command ended by SIGINT/SIGTERM/SIGHUP (the user interrupted the bench). */
export class Interrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

/** a / b, or undefined when either is not a finite number or b is not above `floor` (never Infinity or NaN). */
export function safeRatio(a: number, b: number, floor = 0): number | undefined {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= floor || b <= 0) return undefined;
  return a / b;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall time and CPU time (user + system, every thread) of one measured run, in ms. */
export interface Sample {
  wall: number;
  cpu: number;
}

/**
 * `file args > /dev/null`, spawn to exit: wall ms and the child's CPU ms (getrusage(RUSAGE_CHILDREN)
 * before and after: microseconds, see child-cpu.ts). Throws when it fails, Interrupted when a signal
 * ended it.
 */
export function timeCommand(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Sample {
  const devnull = openSync('/dev/null', 'w');
  try {
    const c0 = childrenCpuMs();
    const t0 = performance.now();
    const r = spawnSync(file, args, { stdio: ['ignore', devnull, 'pipe'], env: env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
    const wall = performance.now() - t0;
    const cpu = childrenCpuMs() - c0;
    if (r.signal === 'SIGINT' || r.signal === 'SIGTERM' || r.signal === 'SIGHUP') throw new Interrupted(r.signal);
    if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 300)}`);
    return { wall, cpu };
  } finally {
    closeSync(devnull);
  }
}

/** `ss -tanH > /dev/null`: the baseline of every time figure. */
export const SS_TANH = { label: 'ss -tanH', run: () => timeCommand('ss', ['-tanH']) };
/** `ss -tanpH > /dev/null`: the baseline of process attribution. */
export const SS_TANPH = { label: 'ss -tanpH', run: () => timeCommand('ss', ['-tanpH']) };

export interface Compared {
  candidate: Sample[];
  baseline: Sample[];
}

/** Runs baseline and candidate alternately `runs` times after `warmup` untimed candidate runs. */
export async function interleave(runs: number, baseline: () => Sample | Promise<Sample>, candidate: () => Promise<Sample>, warmup = 1): Promise<Compared> {
  for (let i = 0; i < warmup; i++) await candidate();
  const out: Compared = { candidate: [], baseline: [] };
  for (let i = 0; i < runs; i++) {
    out.baseline.push(await baseline());
    out.candidate.push(await candidate());
  }
  return out;
}

/** Times one async call in this process: wall ms and CPU ms of the whole process (all threads). */
export async function timeIt(fn: () => Promise<unknown>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** A time figure from interleaved samples, checked against a ratio target. */
export function timeFigure(f: { section: string; id: string; label: string; size: number; baseline: string; target?: number; extra?: Record<string, unknown> }, c: Compared): Figure {
  const value = median(c.candidate.map((x) => x.wall));
  const baselineMs = median(c.baseline.map((x) => x.wall));
  const ratio = safeRatio(value, baselineMs);
  const cpu = median(c.candidate.map((x) => x.cpu));
  const baselineCpu = median(c.baseline.map((x) => x.cpu));
  // No ratio when the baseline's CPU is below the floor (printed "-"): never Infinity or NaN.
  const cpuRatio = safeRatio(cpu, baselineCpu, CPU_FLOOR_MS);
  const target: Target | undefined = f.target !== undefined ? { kind: 'ratio', max: f.target } : undefined;
  return {
    section: f.section,
    id: f.id,
    label: f.label,
    size: f.size,
    value,
    unit: 'ms',
    baseline: f.baseline,
    baselineMs,
    ratio,
    target,
    pass: target ? ratio !== undefined && ratio <= target.max : undefined,
    samples: c.candidate.map((x) => Math.round(x.wall * 10) / 10),
    extra: {
      baselineSamples: c.baseline.map((x) => Math.round(x.wall * 10) / 10),
      // CPU time is far less sensitive than wall time to other work on a shared machine.
      cpuMs: Math.round(cpu * 100) / 100,
      baselineCpuMs: Math.round(baselineCpu * 100) / 100,
      cpuRatio: cpuRatio === undefined ? null : Math.round(cpuRatio * 100) / 100,
      childCpu: childCpuPrecision(),
      ...f.extra,
    },
  };
}
