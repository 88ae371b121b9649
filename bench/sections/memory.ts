// Resident memory of a process taking snapshots: after 10, and growth from 10 to 20. The child is
// bundled with esbuild like the CLI (no TypeScript loader in the measured process).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Figure, Section } from '../types.js';

let bundled: string | undefined;

async function bundle(root: string): Promise<string> {
  if (bundled) return bundled;
  const dir = join(root, 'bench', '.cache');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'rss-child.mjs');
  await build({
    entryPoints: [join(root, 'bench', 'rss-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['koffi'],
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  bundled = outfile;
  return outfile;
}

interface ChildResult {
  mode: string;
  sockets: number;
  rssMb: number[];
  heapMb: number[];
}

function runChild(file: string, mode: string, count: number): ChildResult {
  const r = spawnSync(process.execPath, [file, mode, String(count)], { encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`rss child (${mode}) failed: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout) as ChildResult;
}

const section: Section = {
  name: 'memory',
  description: 'RSS after 10 snapshots and growth from 10 to 20; the monitor\'s history over a full 60 s window',
  async run(ctx) {
    const file = await bundle(ctx.root);
    const figures: Figure[] = [];
    for (const mode of ['latest', 'history'] as const) {
      // The monitor's history fills its 60 s window (snapshot times 1 s apart) after 70 snapshots.
      const count = mode === 'latest' ? 20 : 70;
      ctx.log(`RSS over ${count} snapshots (${mode})`);
      const r = runChild(file, mode, count);
      const at10 = r.rssMb[9];
      // V8 lets the heap grow in a sawtooth between major collections, so single samples at 10 and 20
      // land anywhere on a tooth: growth compares the peaks of snapshots 1-10 and 11-20 (a leak raises
      // every tooth; a steady state repeats them).
      const peak10 = Math.max(...r.rssMb.slice(0, 10));
      const peak20 = Math.max(...r.rssMb.slice(10, 20));
      const growth = ((peak20 - peak10) / peak10) * 100;
      const what = mode === 'latest' ? 'keeping the last 2 snapshots' : 'the monitor hook\'s thinned history';
      figures.push({
        section: 'memory',
        id: `rss-10-${mode}`,
        label: `RSS after 10 snapshots, ${what}`,
        size: ctx.size,
        value: at10,
        unit: 'MB',
        target: mode === 'latest' ? { kind: 'mb', max: 200 } : undefined,
        pass: mode === 'latest' ? at10 <= 200 : undefined,
        samples: r.rssMb,
        extra: { heapMb: r.heapMb, sockets: r.sockets, peakMb: Math.max(...r.rssMb) },
      });
      figures.push({
        section: 'memory',
        id: `rss-growth-${mode}`,
        label: `RSS growth, peak of snapshots 11-20 vs 1-10, ${what}`,
        size: ctx.size,
        value: Math.round(growth * 10) / 10,
        unit: '%',
        target: mode === 'latest' ? { kind: 'growth', max: 10 } : undefined,
        pass: mode === 'latest' ? growth <= 10 : undefined,
        extra: { peak1to10Mb: peak10, peak11to20Mb: peak20, rssAt20Mb: r.rssMb[19] },
      });
      if (mode === 'history') {
        figures.push({
          section: 'memory',
          id: 'rss-window-history',
          label: 'RSS peak of snapshots 61-70 (the 60 s window full), the monitor hook\'s thinned history',
          size: ctx.size,
          value: Math.max(...r.rssMb.slice(60, 70)),
          unit: 'MB',
          extra: { rssAt70Mb: r.rssMb[69] },
        });
      }
    }
    return figures;
  },
};

export default section;
