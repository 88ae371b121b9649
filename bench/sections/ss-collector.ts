// The ss collector (spawn ss, parse its text, aggregate) against `ss -tanH > /dev/null`.
import { SsSource } from '../../src/collect/ss.js';
import { summarizePorts } from '../../src/model/aggregate.js';
import { childrenCpuMs } from '../child-cpu.js';
import { CPU_FLOOR_MS, interleave, median, safeRatio, SS_TANH, timeFigure, timeIt } from '../measure.js';
import type { Section } from '../types.js';

const section: Section = {
  name: 'ss',
  description: 'ss collector: spawn + parse + per-port aggregation',
  async run(ctx) {
    ctx.log('ss collector + summarizePorts vs ss -tanH: as configured, without the split, one plain ss');
    /** Interleaved runs of one collector configuration; its ss processes' CPU is counted apart. */
    const measure = async (src: SsSource) => {
      // The collector's CPU is this process's (parse, aggregation) plus its ss processes' (reaped
      // children: getrusage(RUSAGE_CHILDREN), microseconds): the row's CPU ratio (the table's CPU
      // column, marked "+ss") counts both, as the baseline's counts ss's; this process's alone is kept
      // as cpuOwnMs / cpuOwnRatio.
      const withSs: number[] = [];
      const once = async () => {
        const c0 = childrenCpuMs();
        const s = await timeIt(async () => {
          const snap = await src.collect({ processes: 'none' });
          summarizePorts(snap.sockets);
        });
        withSs.push(s.cpu + childrenCpuMs() - c0);
        return s;
      };
      const compared = await interleave(ctx.runs, SS_TANH.run, once);
      const cpuWithSs = median(withSs.slice(-ctx.runs)); // without the warm-up run
      const baselineCpu = median(compared.baseline.map((x) => x.cpu));
      const ratio = safeRatio(cpuWithSs, baselineCpu, CPU_FLOOR_MS);
      return { compared, cpuWithSs, ratio, extra: { ssProcesses: src.lastProcesses, cpuWithSsMs: Math.round(cpuWithSs * 100) / 100, cpuWithSsRatio: ratio === undefined ? null : Math.round(ratio * 100) / 100 } };
    };
    // What a 100,000-socket host gets (lean + split), what one core gets (lean), and one plain ss
    // (every field of every socket: what small hosts and requests for details get).
    const sources = [new SsSource(), new SsSource('ss', undefined, { split: false }), new SsSource('ss', undefined, { largeTcp: Number.POSITIVE_INFINITY })];
    // Steady state, as in the monitor (a snapshot a second): every source's code paths compiled
    // before any is timed, and each source has seen the host once (its plan comes from that).
    for (let i = 0; i < 2; i++) for (const src of sources) summarizePorts((await src.collect({ processes: 'none' })).sockets);
    const [best, lean, plain] = [await measure(sources[0]), await measure(sources[1]), await measure(sources[2])];
    const fig = (id: string, label: string, m: Awaited<ReturnType<typeof measure>>, target?: number) => {
      const f = timeFigure({ section: 'ss', id, label, size: ctx.size, baseline: SS_TANH.label, target, extra: m.extra }, m.compared);
      // timeFigure's cpuMs/cpuRatio are this process's alone: keep them apart, and make the row's CPU
      // figures those of the whole collector (this process + its ss processes).
      const e = f.extra!;
      Object.assign(e, { cpuOwnMs: e.cpuMs, cpuOwnRatio: e.cpuRatio, cpuMs: m.extra.cpuWithSsMs, cpuRatio: m.extra.cpuWithSsRatio, cpuIncludes: 'this process + its ss processes' });
      return f;
    };
    return [
      fig('ss-collector', 'ss collector: spawn + parse + aggregation', best, 1.3),
      fig('ss-collector-no-split', 'the same without the split (one core)', lean),
      fig('ss-collector-plain', 'the same with one plain ss -tuxanOHe -o', plain),
    ];
  },
};

export default section;
