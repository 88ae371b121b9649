// The netlink collector: snapshot + per-port aggregation against `ss -tanH`, the raw dump, and how
// long the event loop can stall while a big dump is parsed.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NetlinkSource } from '../../src/collect/netlink.js';
import { dumpSockets } from '../../src/collect/netlink-dumps.js';
import { summarizePorts } from '../../src/model/aggregate.js';
import { interleave, SS_TANH, timeCommand, timeFigure, timeIt } from '../measure.js';
import type { Figure, Section } from '../types.js';

/** Longest gap between 1 ms timer ticks while `fn` runs: what a UI would feel as a freeze. */
async function maxEventLoopStall(fn: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  try {
    await fn();
    const now = performance.now();
    worst = Math.max(worst, now - last);
  } finally {
    clearInterval(timer);
  }
  return worst;
}

/** Compiles bench/native/dump-floor.c (the kernel's own dump cost, no parsing); throws without a C compiler. */
function buildFloor(root: string): string {
  const dir = join(root, 'bench', '.cache');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'dump-floor');
  const r = spawnSync('cc', ['-O2', '-std=c11', '-D_DEFAULT_SOURCE', '-Wall', '-Wextra', '-Werror', '-o', out, join(root, 'bench', 'native', 'dump-floor.c')], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`cc failed to build bench/native/dump-floor.c: ${r.error?.message ?? r.stderr}`);
  return out;
}

const section: Section = {
  name: 'netlink',
  description: 'netlink snapshot (dump + host counters + listener attribution) with per-port aggregation',
  async run(ctx) {
    const figures: Figure[] = [];
    const src = new NetlinkSource();
    let sockets = 0;
    const snapshot = async () =>
      timeIt(async () => {
        const snap = await src.collect({});
        summarizePorts(snap.sockets);
        sockets = snap.sockets.length;
      });
    ctx.log('netlink snapshot + summarizePorts vs ss -tanH');
    figures.push(
      timeFigure(
        { section: 'netlink', id: 'netlink-snapshot', label: 'netlink snapshot + per-port aggregation', size: ctx.size, baseline: SS_TANH.label, target: 0.5 },
        // Two untimed polls first: the first attributes cold (every /proc/PID/fd) and aggregates every
        // socket, the second settles the attributor's index and is the first to reuse unchanged sockets
        // and roll the aggregation on; the figure is about the monitor's steady state (the next row
        // is the same with nothing carried over).
        await interleave(ctx.runs, SS_TANH.run, snapshot, 2),
      ),
    );
    figures[figures.length - 1].extra!.sockets = sockets;

    // The same with nothing carried over from the previous poll: a new collector each time, so every
    // socket is a new object and aggregated afresh (what a host whose every socket changed between two
    // polls costs; the row above is the steady state, where SocketReuse and the rolling aggregation
    // take over what did not change). The bench's load is static between polls, so these two rows are
    // the best and the worst case. What this row keeps: the process-wide attribution cache
    // (sharedAttributor() in src/collect/processes.ts, which every NetlinkSource uses), so listener
    // owners are found warm, as in a monitor whose sockets all changed.
    ctx.log('netlink snapshot + summarizePorts, nothing carried over (a new NetlinkSource each time)');
    const cold = async () =>
      timeIt(async () => {
        const snap = await new NetlinkSource().collect({});
        summarizePorts(snap.sockets);
      });
    figures.push(
      timeFigure(
        { section: 'netlink', id: 'netlink-snapshot-fresh', label: 'netlink snapshot + aggregation, nothing carried over from the last poll (attribution cache kept)', size: ctx.size, baseline: SS_TANH.label },
        await interleave(ctx.runs, SS_TANH.run, cold, 2),
      ),
    );

    ctx.log('netlink snapshot without process attribution');
    const noProc = async () =>
      timeIt(async () => {
        const snap = await src.collect({ processes: 'none' });
        summarizePorts(snap.sockets);
      });
    figures.push(
      timeFigure(
        { section: 'netlink', id: 'netlink-snapshot-noproc', label: 'netlink snapshot + aggregation, processes none', size: ctx.size, baseline: SS_TANH.label },
        await interleave(ctx.runs, SS_TANH.run, noProc),
      ),
    );

    ctx.log('netlink TCP dump only (both families in one dump, the default; and one dump per family)');
    let chunks = 0;
    let maxParse = 0;
    const dump = async () =>
      timeIt(async () => {
        const r = await dumpSockets({ protocols: ['tcp'] });
        chunks = r.stats.reduce((a, s) => a + s.chunks, 0);
        maxParse = Math.max(...r.stats.map((s) => s.maxParseMs));
      });
    figures.push(
      timeFigure(
        { section: 'netlink', id: 'netlink-dump-tcp', label: 'netlink TCP dump + parse (both families in one dump)', size: ctx.size, baseline: SS_TANH.label },
        await interleave(ctx.runs, SS_TANH.run, dump),
      ),
    );
    figures[figures.length - 1].extra!.chunks = chunks;
    figures[figures.length - 1].extra!.maxParseMsPerChunk = Math.round(maxParse * 100) / 100;
    // What the collector asked for before: SOCK_DIAG_BY_FAMILY per family (as ss does), in two lanes.
    const perFamily = async () => timeIt(() => dumpSockets({ protocols: ['tcp'], tcpBothFamilies: false }));
    figures.push(
      timeFigure(
        { section: 'netlink', id: 'netlink-dump-tcp-per-family', label: 'netlink TCP dump + parse, one dump per family (two lanes)', size: ctx.size, baseline: SS_TANH.label },
        await interleave(ctx.runs, SS_TANH.run, perFamily),
      ),
    );

    // The floor: the same kernel dumps from C with nothing done to the bytes. No collector that dumps
    // every socket can be faster than this; the netlink-snapshot target sits against ss -tanH, so
    // this figure says how much of that ratio the kernel itself takes on this machine.
    ctx.log('kernel dump floor (C, no parsing: the TCP dump of both families; and one dump per family as ss asks)');
    const floor = buildFloor(ctx.root);
    figures.push(
      timeFigure(
        { section: 'netlink', id: 'netlink-kernel-floor', label: 'kernel dump floor: C program, TCP dump of both families, no parsing', size: ctx.size, baseline: SS_TANH.label },
        await interleave(ctx.runs, SS_TANH.run, async () => timeCommand(floor, [])),
      ),
    );
    figures.push(
      timeFigure(
        { section: 'netlink', id: 'netlink-kernel-floor-per-family', label: 'kernel dump floor, one dump per family (what ss asks for)', size: ctx.size, baseline: SS_TANH.label },
        await interleave(ctx.runs, SS_TANH.run, async () => timeCommand(floor, ['per-family'])),
      ),
    );

    ctx.log('event-loop stall during a snapshot');
    const stalls: number[] = [];
    for (let i = 0; i < ctx.runs; i++) stalls.push(await maxEventLoopStall(() => src.collect({ processes: 'none' })));
    stalls.sort((a, b) => a - b);
    figures.push({
      section: 'netlink',
      id: 'netlink-event-loop-stall',
      label: 'longest event-loop stall during a snapshot',
      size: ctx.size,
      value: stalls[stalls.length >> 1],
      unit: 'ms',
      samples: stalls.map((x) => Math.round(x * 10) / 10),
    });
    return figures;
  },
};

export default section;
