// Process attribution of every socket (inode -> pid, name, fd) with a warm cache, against `ss -tanpH`
// (which walks every /proc/PID/fd on each call).
import { dumpSockets } from '../../src/collect/netlink.js';
import { ProcessAttributor } from '../../src/collect/processes.js';
import { interleave, median, SS_TANPH, timeFigure, type Sample } from '../measure.js';
import type { Figure, Section } from '../types.js';

const section: Section = {
  name: 'attribution',
  description: 'netlink dump + attribution of all sockets, second poll onwards (cache warm)',
  async run(ctx) {
    const attributor = new ProcessAttributor();
    const attributeOnly: number[] = [];
    let attributed = 0;
    const poll = async (): Promise<Sample> => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const { sockets } = await dumpSockets({ protocols: ['tcp'] });
      const t1 = performance.now();
      await attributor.attribute(sockets, 'all');
      const t2 = performance.now();
      attributeOnly.push(t2 - t1);
      attributed = sockets.filter((s) => s.processes.length > 0).length;
      const c = process.cpuUsage(c0);
      return { wall: t2 - t0, cpu: (c.user + c.system) / 1000 };
    };
    ctx.log('cold attribution (first poll)');
    const cold = (await poll()).wall;
    attributeOnly.length = 0;
    ctx.log('warm attribution vs ss -tanpH');
    // ss -tanpH takes seconds at 100,000 sockets: three interleaved runs are enough there.
    const c = await interleave(ctx.size >= 100_000 ? Math.min(ctx.runs, 3) : ctx.runs, SS_TANPH.run, poll, 0);
    const f: Figure = timeFigure(
      { section: 'attribution', id: 'attribution-warm', label: 'netlink dump + attribution of all sockets (warm)', size: ctx.size, baseline: SS_TANPH.label, target: 0.5 },
      c,
    );
    f.extra!.coldFirstPollMs = Math.round(cold);
    f.extra!.attributeOnlyMedianMs = Math.round(median(attributeOnly) * 10) / 10;
    f.extra!.socketsWithOwner = attributed;
    f.extra!.lastStats = attributor.stats();
    return [f];
  },
};

export default section;
