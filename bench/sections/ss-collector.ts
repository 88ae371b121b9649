// The ss collector (spawn ss, parse its text, aggregate) against `ss -tanH > /dev/null`.
import { readFileSync } from 'node:fs';
import { SsSource } from '../../src/collect/ss.js';
import { summarizePorts } from '../../src/model/aggregate.js';
import { interleave, median, SS_TANH, timeFigure, timeIt } from '../measure.js';
import type { Section } from '../types.js';

/** CPU ms of this process's reaped children (the collector's ss processes): /proc/self/stat cutime + cstime. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

const section: Section = {
  name: 'ss',
  description: 'ss collector: spawn + parse + per-port aggregation',
  async run(ctx) {
    const src = new SsSource();
    ctx.log('ss collector + summarizePorts vs ss -tanH');
    // The figure's CPU is this process's (parse, aggregation); the collector's own ss processes are
    // counted apart, so that the CPU a split (two ss in parallel, src/collect/ss.ts) costs shows.
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
    const timed = withSs.slice(-ctx.runs); // without the warm-up run
    const cpuWithSs = median(timed);
    const baselineCpu = median(compared.baseline.map((x) => x.cpu));
    return [
      timeFigure(
        {
          section: 'ss',
          id: 'ss-collector',
          label: 'ss collector: spawn + parse + aggregation',
          size: ctx.size,
          baseline: SS_TANH.label,
          target: 1.3,
          extra: { ssProcesses: src.lastProcesses, cpuWithSsMs: Math.round(cpuWithSs), cpuWithSsRatio: Math.round((cpuWithSs / baselineCpu) * 100) / 100 },
        },
        compared,
      ),
    ];
  },
};

export default section;
