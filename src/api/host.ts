// Library API for reading this host: snapshot(), analyze(), analyzeStates(); inputs validated with zod.
// Thresholds are the rules' defaults, the caller's `options.config.thresholds` and the input's `thresholds`,
// never a config file or the environment (api/config.ts); the collector is the input's `source`, else
// `options.config.source`, else auto.
import { z } from 'zod';
import { createSource, type SourceChoice } from '../collect/index.js';
import { thresholdConflicts } from '../advise/thresholds.js';
import { ThresholdOverridesSchema } from '../config/schema.js';
import type { OriginInfo } from '../config/resolve.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Endpoint, ProcessRef } from '../model/socket.js';
import { buildAnalyzeReport, buildStatesReport, repeatFlags, scopeCollectOptions, type ReportScope } from '../report/analyze.js';
import { withUdpOnPort } from '../report/udp-on-port.js';
import type { AnalyzeReport, StatesReport } from '../report/schema.js';
import { collectorOf, libraryConfig, type LibraryOptions } from './config.js';
import { collecting, InvalidInputError, parseInput } from './errors.js';

const Port = z.number().int().min(1).max(65535);

/** Known threshold names, each in its kind's range, no warning level above its critical one (as in a config file). */
const Thresholds = ThresholdOverridesSchema;

export const SnapshotInputSchema = z
  .object({
    source: z.enum(['auto', 'netlink', 'ss', 'procfs', 'netstat']).default('auto'),
    protocols: z.array(z.enum(['tcp', 'udp', 'unix'])).min(1).optional(),
    processes: z.enum(['none', 'listeners', 'all']).default('listeners'),
    details: z.boolean().default(false),
    port: Port.optional(),
    peerPort: Port.optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    // As analyze refuses both, and the CLI's --unix with --port (cli/flag-context.ts): the collectors filter by a TCP/UDP
    // port, so the union of both filters was returned, and unix sockets (which have no port) silently none.
    if (v.port !== undefined && v.peerPort !== undefined) ctx.addIssue({ code: 'custom', path: ['peerPort'], message: 'give port or peerPort, not both' });
    const field = v.port !== undefined ? 'port' : v.peerPort !== undefined ? 'peerPort' : undefined;
    if (field === undefined || !v.protocols?.includes('unix')) return;
    const others = [...new Set(v.protocols.filter((p) => p !== 'unix'))];
    const message =
      others.length === 0
        ? `${field} applies to TCP and UDP sockets: a unix socket has no port, so protocols ["unix"] with ${field} lists none (drop "unix", or ${field} to list unix sockets)`
        : `"unix" adds nothing with ${field} (a unix socket has no port): protocols ${JSON.stringify(others)} with ${field} ${v[field]} lists the port's ${others.map((p) => p.toUpperCase()).join(' and ')} sockets without it`;
    ctx.addIssue({ code: 'custom', path: others.length === 0 ? [field] : ['protocols'], message });
  });
export type SnapshotInput = z.input<typeof SnapshotInputSchema>;

export const AnalyzeInputSchema = z
  .object({
    /** The collector; default options.config.source, else auto. */
    source: z.enum(['auto', 'netlink', 'ss', 'procfs', 'netstat']).optional(),
    port: Port.optional(),
    peerPort: Port.optional(),
    /** Rule thresholds over the configured ones (names as in the config's `thresholds`). */
    thresholds: Thresholds.optional(),
  })
  .strict()
  .refine((v) => !(v.port !== undefined && v.peerPort !== undefined), { message: 'give port or peerPort, not both' });
export type AnalyzeInput = z.input<typeof AnalyzeInputSchema>;
/** analyzeStates takes the same input as analyze. */
export const AnalyzeStatesInputSchema = AnalyzeInputSchema;
export type AnalyzeStatesInput = AnalyzeInput;

/**
 * Gives every socket its own endpoints and process list. The collectors share these between sockets and
 * between snapshots: the attribution's cached ProcessRefs, one frozen empty list for every socket without an
 * owner, and the netlink parser's endpoint per port (parse/inet-diag.ts); inside sockscope they are treated as
 * immutable, but a library caller's snapshot is the caller's to edit, and an edit (renaming a process,
 * deleting `fd` before sending it on) changed every later snapshot and report. Copying only these keeps the
 * cost small (README, Library API: measured on 100,000 sockets); everything else in a snapshot is built for
 * that snapshot. The reports copy what they show (report/analyze.ts). Exported for its test only.
 */
export function detachShared(snap: Snapshot): Snapshot {
  for (const s of snap.sockets) {
    s.local = endpointCopy(s.local);
    s.peer = endpointCopy(s.peer);
    const list = s.processes;
    if (list.length === 0) s.processes = [];
    else {
      const copy: ProcessRef[] = new Array(list.length);
      for (let i = 0; i < list.length; i++) copy[i] = { pid: list[i].pid, name: list[i].name, fd: list[i].fd };
      s.processes = copy;
    }
  }
  return snap;
}

// Object literals of one shape, not spreads: a spread copies through the generic property path. On 100,049 real
// loopback sockets (bench/load.ts in a network namespace, netlink, processes 'all', 2-core VM) the copy took
// 31 to 43 ms with spreads, 15 to 21 ms this way (one run of six: 54 ms, a collection's garbage).
function endpointCopy(e: Endpoint): Endpoint {
  return e.scope === undefined ? { address: e.address, port: e.port } : { address: e.address, port: e.port, scope: e.scope };
}

/**
 * Where each configured threshold came from, for a call `sockscope task` makes (config/resolve.ts entryOrigins, keyed
 * 'thresholds.NAME'): keyed by the config object it passes. A refusal then names the file the other level came from
 * and says "task", as the task's other schema failures do; a library caller's is said as options.config.thresholds.
 */
const cliThresholdOrigins = new WeakMap<object, Record<string, OriginInfo>>();

/** Marks `config` as the command line's (sockscope task), with the origin of each threshold (loadCliConfig's entryOrigins). */
export function withThresholdOrigins<C extends object>(config: C, entryOrigins: Record<string, OriginInfo>): C {
  cliThresholdOrigins.set(config, entryOrigins);
  return config;
}

/** The task operation of a library call's name (analyzeStates is the analyze-states task). */
const TASK_OF: Record<string, string> = { analyze: 'analyze', analyzeStates: 'analyze-states' };

/**
 * The input's thresholds over the configured ones. Names and ranges are checked by the schema; a warning
 * level above its critical one only here, on the merged values (options.config may raise or lower the other
 * level: closeWaitCritical 500 there makes closeWaitCount 200 valid): an InvalidInputError at the input's key,
 * before anything is collected.
 */
function thresholdsOf(configured: Record<string, number>, input: Record<string, number> | undefined, what: string, options: LibraryOptions | undefined): Record<string, number> {
  const merged = { ...configured, ...input };
  if (input === undefined) return merged;
  const [c] = thresholdConflicts(merged).filter((x) => Object.hasOwn(input, x.warning) || Object.hasOwn(input, x.critical));
  if (c === undefined) return merged;
  const key = Object.hasOwn(input, c.warning) ? c.warning : c.critical;
  const other = key === c.warning ? `above ${c.critical} ${c.criticalValue}` : `below ${c.warning} ${c.warningValue}`;
  const otherKey = key === c.warning ? c.critical : c.warning;
  // `sockscope task`: the config file (or flag) the other level came from, never the library's options.config.
  const cli = options?.config === undefined ? undefined : cliThresholdOrigins.get(options.config);
  const origin = cli?.[`thresholds.${otherKey}`];
  const configuredFrom = cli === undefined ? 'options.config.thresholds' : `from ${origin?.detail ?? origin?.origin ?? 'the configuration'}`;
  const from = Object.hasOwn(input, otherKey) ? (cli === undefined ? 'the input' : 'the task') : Object.hasOwn(configured, otherKey) ? configuredFrom : 'its default';
  const message = `${key === c.warning ? c.warningValue : c.criticalValue} is ${other} (${from}): a warning level must not be above its critical level`;
  const prefix = cli === undefined ? `invalid ${what} input` : `invalid ${TASK_OF[what] ?? what} task`;
  throw new InvalidInputError(`${prefix}: thresholds.${key}: ${message}`, [{ path: `thresholds.${key}`, message }]);
}

/**
 * The report's scope, with the collector it read with as the commands it suggests carry it (ReportScope.repeat,
 * ` --source ss`), as the CLI does (report-command.ts): the input's own `source` is typed, as a --source flag;
 * options.config's is a config file's (`{config: loadConfig().config}` is what the command line applies, and
 * `sockscope task` passes the config file's so), which a suggested command reads again: not repeated. Without it
 * `sockscope analyze --port P --samples 5 ...` in the notes left out the source read with.
 */
function reportScope(o: { port?: number; peerPort?: number; source?: string }, source: string): ReportScope {
  return { port: o.port, peerPort: o.peerPort, repeat: repeatFlags({ source, sourceTyped: o.source !== undefined }) };
}

async function collect(source: string, opts: Parameters<ReturnType<typeof createSource>['collect']>[0]): Promise<Snapshot> {
  return collecting(() => createSource(source as SourceChoice).collect(opts));
}

/** One snapshot of this host's sockets. */
export async function snapshot(input: SnapshotInput = {}): Promise<Snapshot> {
  const o = parseInput(SnapshotInputSchema, input, 'snapshot');
  return detachShared(await collect(o.source, o));
}

/** The `analyze` report (same document as `sockscope analyze --json`). */
export async function analyze(input: AnalyzeInput = {}, options?: LibraryOptions): Promise<AnalyzeReport> {
  const o = parseInput(AnalyzeInputSchema, input, 'analyze');
  const config = libraryConfig(options, 'analyze');
  const thresholds = thresholdsOf(config.thresholds, o.thresholds, 'analyze', options);
  const scoped = o.port !== undefined || o.peerPort !== undefined;
  const source = collectorOf(o.source, config);
  const snap = await collect(source, { ...scopeCollectOptions(o), protocols: ['tcp', 'udp'], processes: scoped ? 'all' : 'listeners', details: true });
  return buildAnalyzeReport(snap, reportScope(o, source), undefined, thresholds);
}

/** The `analyze-states` report (same document as `sockscope analyze-states --json`). */
export async function analyzeStates(input: AnalyzeInput = {}, options?: LibraryOptions): Promise<StatesReport> {
  const o = parseInput(AnalyzeInputSchema, input, 'analyzeStates');
  const config = libraryConfig(options, 'analyzeStates');
  const thresholds = thresholdsOf(config.thresholds, o.thresholds, 'analyzeStates', options);
  // Exactly what the analyze-states command collects: owners of every socket and details (tcp_info, socket
  // memory) when scoped to a port or peer port.
  const byPort = o.port !== undefined;
  const scoped = byPort || o.peerPort !== undefined;
  const source = collectorOf(o.source, config);
  const snap = await collect(source, { ...scopeCollectOptions(o), protocols: byPort ? ['tcp', 'udp'] : ['tcp'], processes: scoped ? 'all' : 'listeners', ...(scoped ? { details: true } : {}) });
  // As the command: the UDP sockets on the port, which the state counts leave out, in notes (and the line).
  const scope = reportScope(o, source);
  return withUdpOnPort(buildStatesReport(snap, scope, undefined, thresholds), snap, scope);
}
