// What analyze and analyze-states run: reading every --host (or this host) as a series, building the reports, printing.
// Their flags are in report-flags.ts (loaded at start-up; this module only when one of them runs).
import type { CollectOptions } from '../collect/source.js';
import { loadCliConfig } from '../config/resolve.js';
import type { Snapshot } from '../model/snapshot.js';
import type { ReportScope } from '../report/analyze.js';
import type { ReportArgs } from './report-flags.js';
import { printJson } from './options.js';
import { collectSeries, samplingOf } from './sampling.js';
import { sourcesFor } from './sources.js';

/**
 * The collect options of a report: the command's, with targeted attribution (one-shot: read only the
 * processes that own the sockets asked about, not every fd on the host).
 */
export function reportCollectOptions(collectOptions: (scope: ReportScope) => CollectOptions, scope: ReportScope): CollectOptions {
  return { ...collectOptions(scope), attribution: 'targeted' };
}

/**
 * Collects each source (a series of --samples snapshots), builds one report per source, and prints them:
 * one JSON document (an array for several hosts) or the human text, one section per host.
 */
export async function runReports<R>(
  argv: ReportArgs,
  collectOptions: (scope: ReportScope) => CollectOptions,
  build: (snapshot: Snapshot, scope: ReportScope, history: Snapshot[], thresholds: Record<string, number>) => R,
  format: () => Promise<(report: R) => string>,
): Promise<void> {
  const { config } = await loadCliConfig();
  const scope: ReportScope = { port: argv.port, peerPort: argv['peer-port'] };
  const sources = sourcesFor(argv);
  const sampling = samplingOf(argv);
  const reports = await Promise.all(
    sources.map(async ({ source }) => {
      const { snapshot, history } = await collectSeries(source, reportCollectOptions(collectOptions, scope), sampling.samples, sampling.intervalMs);
      return build(snapshot, scope, history, config.thresholds);
    }),
  );
  if (argv.json) {
    printJson(reports.length === 1 ? reports[0] : reports);
    return;
  }
  // The table printer renders with Ink: loaded only for human output (--json starts without it).
  const print = await format();
  process.stdout.write(reports.map((r, i) => (sources.length > 1 ? `== ${sources[i].label} ==\n` : '') + print(r)).join('\n'));
}
