// What analyze and analyze-states run: reading every --host (or this host) as a series, building the reports, printing.
// Their flags are in report-flags.ts (loaded at start-up; this module only when one of them runs).
import type { CollectOptions } from '../collect/source.js';
import { loadCliConfig } from '../config/resolve.js';
import { escapeMessage } from '../model/escape.js';
import type { Snapshot } from '../model/snapshot.js';
import { repeatFlags, scopeCollectOptions, type ReportScope } from '../report/analyze.js';
import type { ReportArgs } from './report-flags.js';
import { printJson } from './options.js';
import { collectSeries, samplingOf } from './sampling.js';
import { reportFailedHosts, sourcesFor } from './sources.js';
import { exitOnSignals } from '../collect/remote-signals.js';

/**
 * The collect options of a report: the command's, with targeted attribution (one-shot: read only the
 * processes that own the sockets asked about, not every fd on the host), and what the scope collects
 * (scopeCollectOptions: with --peer-port P, this host's listeners and local port P too).
 */
export function reportCollectOptions(collectOptions: (scope: ReportScope) => CollectOptions, scope: ReportScope): CollectOptions {
  return { ...collectOptions(scope), attribution: 'targeted', ...scopeCollectOptions(scope) };
}

/**
 * Collects each source (a series of --samples snapshots), builds one report per source, and prints them:
 * one JSON document (an array for several hosts) or the human text, one section per host.
 * With several hosts, one that fails does not hide the others (as kubectl or k9s with several contexts):
 * every reachable host's report is printed, each failed one is an error entry naming its --host, and the
 * exit code is 1 when any failed.
 */
export async function runReports<R>(
  argv: ReportArgs,
  collectOptions: (scope: ReportScope) => CollectOptions,
  build: (snapshot: Snapshot, scope: ReportScope, history: Snapshot[], thresholds: Record<string, number>) => R,
  format: () => Promise<(report: R) => string>,
): Promise<void> {
  // A signal kills the ssh of every --host still running (it stayed on otherwise) and exits 128+N.
  exitOnSignals();
  const { config } = await loadCliConfig();
  const scope: ReportScope = { port: argv.port, peerPort: argv['peer-port'] };
  const sources = await sourcesFor(argv);
  const sampling = samplingOf(argv);
  const results = await Promise.allSettled(
    sources.map(async ({ label, source }) => {
      const { snapshot, history } = await collectSeries(source, reportCollectOptions(collectOptions, scope), sampling.samples, sampling.intervalMs);
      // A command the report suggests reads where this one did: that --host (and --ssh-config), or the --source given.
      const remote = argv.host !== undefined && argv.host.length > 0;
      const repeat = repeatFlags(remote ? { host: label, sshConfig: argv['ssh-config'] } : { source: argv.source, sourceTyped: argv.sourceFrom === undefined || argv.sourceFrom === 'flag' });
      return build(snapshot, { ...scope, repeat }, history, config.thresholds);
    }),
  );
  if (sources.length === 1) {
    const r = results[0];
    if (r.status === 'rejected') throw r.reason;
    if (argv.json) printJson(r.value);
    else process.stdout.write((await format())(r.value));
    return;
  }
  const outcomes: HostOutcome<R>[] = results.map((r, i) =>
    r.status === 'fulfilled' ? { target: sources[i].label, report: r.value } : { target: sources[i].label, error: messageOf(r.reason) },
  );
  if (argv.json) printJson(outcomes.map((o) => ('report' in o ? { target: o.target, ...o.report } : o)));
  else {
    // The table printer renders with Ink: loaded only when a report is printed as text (--json starts without it).
    const print = outcomes.some((o) => 'report' in o) ? await format() : undefined;
    // ssh's own words (its stderr lines, 5a1b8fd) are text from elsewhere, which the collector already escaped
    // (escapeRemoteText): escapeMessage, as main.ts prints one host's error, shows a kept byte that is not
    // UTF-8 as \x9b and escapes any control character left, but does not double a backslash (escapeControl
    // showed ssh's `\` as `\\`).
    process.stdout.write(outcomes.map((o) => `== ${o.target} ==\n${'report' in o ? print!(o.report) : `error: ${escapeMessage(o.error)}\n`}`).join('\n'));
  }
  reportFailedHosts(outcomes.filter((o) => 'error' in o).map((o) => o.target), outcomes.length);
}

/** One --host's result: its report, or why it could not be read. */
type HostOutcome<R> = { target: string; report: R } | { target: string; error: string };

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
