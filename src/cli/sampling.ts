// --samples N --sample-interval 1s: take several snapshots so rate and trend rules have a history.
import type { Argv } from 'yargs';
import type { CollectOptions, SocketSource } from '../collect/source.js';
import type { Snapshot } from '../model/snapshot.js';
import { parseDuration } from './duration.js';
import { refuseSampleIntervalAlone, refuseSshFlagsWithoutHost } from './flag-context.js';
import { parseIntFlag } from './options.js';

export function withSamplingFlags<T>(y: Argv<T>) {
  // No `default`s: a value yargs filled in could not be told from one typed (refuseSampleIntervalAlone).
  return y
    .option('samples', { type: 'string', defaultDescription: '1', describe: 'Snapshots to take; rate and trend rules (overflows rising, persistent queues) need 3 or more' })
    .option('sample-interval', { type: 'string', nargs: 1, defaultDescription: '1s', describe: 'Time between snapshots with --samples 2 or more' })
    // The report commands' flags that need another (flag-context.ts): here, as every report command adds these flags.
    .check((argv) => {
      refuseSampleIntervalAlone(argv);
      refuseSshFlagsWithoutHost(argv);
      return true;
    });
}

/** Validated --samples / --sample-interval. */
export function samplingOf(argv: { samples?: string; 'sample-interval'?: string }): { samples: number; intervalMs: number } {
  const samples = parseIntFlag('samples', argv.samples ?? '1', 1, 600) as number;
  return { samples, intervalMs: parseDuration('sample-interval', argv['sample-interval'] ?? '1s', { minMs: 100, maxMs: 600_000 }) };
}

/** Takes `samples` snapshots `intervalMs` apart; returns the last and the whole series (oldest first). */
export async function collectSeries(source: SocketSource, opts: CollectOptions, samples: number, intervalMs: number): Promise<{ snapshot: Snapshot; history: Snapshot[] }> {
  const history: Snapshot[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
    history.push(await source.collect(opts));
  }
  return { snapshot: history[history.length - 1], history };
}
