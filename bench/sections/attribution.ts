// Process attribution (inode -> pid, name, fd): every socket with a warm cache against `ss -tanpH`
// (which walks every /proc/PID/fd on each call); listeners only with a warm cache (what each monitor
// refresh pays); and a cold targeted pass over one port's sockets (what `analyze --port P` pays, a new
// process each time) against `ss -tanpH sport = :P`; and listeners with a cold cache as whole-host
// `analyze` reads them (every process) against `ss -tlnpH`, which reads every /proc/PID/fd too.
import { stopFdReadHelper } from '../../src/collect/fd-read-helper.js';
import { dumpSockets } from '../../src/collect/netlink-dumps.js';
import { ProcessAttributor } from '../../src/collect/processes.js';
import { interleave, median, SS_TANPH, timeCommand, timeFigure, type Sample } from '../measure.js';
import type { Figure, Section } from '../types.js';

const section: Section = {
  name: 'attribution',
  description: 'attribution of all sockets (warm) vs ss -tanpH; listeners only (warm); one port, cold and targeted',
  async run(ctx) {
    const figures: Figure[] = [];
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
    figures.push(f);

    ctx.log('listeners only, warm (the monitor\'s refresh)');
    const listeners = new ProcessAttributor();
    const all = (await dumpSockets({})).sockets;
    await listeners.attribute(all, 'listeners');
    const warm: number[] = [];
    for (let i = 0; i < Math.max(ctx.runs, 5); i++) {
      const { sockets } = await dumpSockets({});
      const t0 = performance.now();
      await listeners.attribute(sockets, 'listeners');
      warm.push(performance.now() - t0);
    }
    figures.push({
      section: 'attribution',
      id: 'attribution-listeners-warm',
      label: 'attribution of listeners, warm (attribute() only, after a full dump)',
      size: ctx.size,
      value: median(warm),
      unit: 'ms',
      samples: warm.map((x) => Math.round(x * 100) / 100),
      extra: { lastStats: listeners.stats() },
    });

    ctx.log('listeners only, cold, as whole-host analyze reads them (a fresh cache, a new process) vs ss -tlnpH');
    let coldStats = {};
    const listenersCold = async (): Promise<Sample> => {
      // As in a new `analyze` process: prepare() as the dump starts (the fd-reading thread starts during the dump), then the pass.
      stopFdReadHelper();
      const a = new ProcessAttributor({ targeted: true });
      a.prepare();
      const { sockets } = await dumpSockets({});
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await a.attribute(sockets, 'listeners');
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      coldStats = a.stats();
      return { wall, cpu: (cpu.user + cpu.system) / 1000 };
    };
    const ssListeners = { label: 'ss -tlnpH', run: () => timeCommand('ss', ['-tlnpH']) };
    const lc = timeFigure(
      { section: 'attribution', id: 'attribution-listeners-cold', label: 'attribution of listeners, cold, targeted as whole-host analyze (attribute() only)', size: ctx.size, baseline: ssListeners.label },
      await interleave(ctx.runs, ssListeners.run, listenersCold),
    );
    lc.extra!.lastStats = coldStats;
    figures.push(lc);

    const port = ctx.load.ports[0];
    ctx.log(`one port (${port}), cold targeted pass vs ss -tanpH sport = :${port}`);
    let stats = {};
    const targetedCold = async (): Promise<Sample> => {
      const { sockets } = await dumpSockets({ protocols: ['tcp', 'udp'], port });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const a = new ProcessAttributor({ targeted: true });
      await a.attribute(sockets, 'all');
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      stats = a.stats();
      return { wall, cpu: (cpu.user + cpu.system) / 1000 };
    };
    const ssPort = { label: `ss -tanpH sport = :P`, run: () => timeCommand('ss', ['-tanpH', 'sport', '=', `:${port}`]) };
    const t = timeFigure(
      { section: 'attribution', id: 'attribution-port-targeted-cold', label: 'attribution of one port\'s sockets, cold, targeted (attribute() only)', size: ctx.size, baseline: ssPort.label, extra: { port } },
      await interleave(ctx.size >= 100_000 ? Math.min(ctx.runs, 3) : ctx.runs, ssPort.run, targetedCold),
    );
    t.extra!.lastStats = stats;
    figures.push(t);
    return figures;
  },
};

export default section;
