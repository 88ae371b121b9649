// CPU time of this process's reaped children in microseconds: getrusage(RUSAGE_CHILDREN) through koffi.
// /proc/self/stat's cutime + cstime are whole clock ticks (10 ms), too coarse for a 3 ms `ss -tanH`;
// the kernel's rusage is computed from each task's nanosecond run time. Falls back to the ticks (and
// says so) where koffi cannot load libc.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type Rusage = { ru_utime: { tv_sec: number; tv_usec: number }; ru_stime: { tv_sec: number; tv_usec: number } };
let getrusage: ((who: number, out: Rusage) => number) | null | undefined;

function load(): ((who: number, out: Rusage) => number) | null {
  if (getrusage !== undefined) return getrusage;
  try {
    const koffi = createRequire(import.meta.url)('koffi');
    const lib = koffi.load('libc.so.6');
    const timeval = koffi.struct('sockscope_bench_timeval', { tv_sec: 'long', tv_usec: 'long' });
    // struct rusage: two timevals, then 14 longs.
    koffi.struct('sockscope_bench_rusage', { ru_utime: timeval, ru_stime: timeval, rest: koffi.array('long', 14) });
    getrusage = lib.func('int getrusage(int who, _Out_ sockscope_bench_rusage *usage)');
  } catch {
    getrusage = null;
  }
  return getrusage ?? null;
}

/** 'rusage' (microseconds) or 'ticks' (10 ms, /proc/self/stat): how childrenCpuMs() measures. */
export function childCpuPrecision(): 'rusage' | 'ticks' {
  return load() ? 'rusage' : 'ticks';
}

/** CPU ms (user + system) of every child this process has reaped so far, and their reaped descendants. */
export function childrenCpuMs(): number {
  const f = load();
  if (f) {
    const ru = {} as Rusage;
    if (f(-1 /* RUSAGE_CHILDREN */, ru) === 0) {
      return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
    }
  }
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
