// What analyze and analyze-states share: their flags, reading every --host (or this host) as a series, and printing.
import type { Argv } from 'yargs';
import type { CollectOptions } from '../collect/source.js';
import { loadConfig } from '../config/load.js';
import type { Snapshot } from '../model/snapshot.js';
import type { ReportScope } from '../report/analyze.js';
import { sourcesFor, withHostFlags } from './host-option.js';
import { printJson, withJsonFlag, withPortFlags } from './options.js';
import { collectSeries, samplingOf, withSamplingFlags } from './sampling.js';

export interface ReportArgs {
  port?: number;
  'peer-port'?: number;
  json: boolean;
  source: string;
  host?: string[];
  'ssh-config'?: string;
  samples?: string;
  'sample-interval'?: string;
}

/** --port/--peer-port, --json, --host/--ssh-config, --samples/--sample-interval. */
export function withReportFlags<T>(y: Argv<T>) {
  return withSamplingFlags(withHostFlags(withJsonFlag(withPortFlags(y))));
}

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
  const { config } = loadConfig();
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
