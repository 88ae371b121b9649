// Library API for reading this host: snapshot(), analyze(), analyzeStates(); inputs validated with zod.
import { z } from 'zod';
import { createSource, type SourceChoice } from '../collect/index.js';
import { loadConfig } from '../config/load.js';
import { DEFAULT_THRESHOLDS, unknownThresholds } from '../advise/thresholds.js';
import type { Snapshot } from '../model/snapshot.js';
import { buildAnalyzeReport, buildStatesReport } from '../report/analyze.js';
import type { AnalyzeReport, StatesReport } from '../report/schema.js';
import { parseInput } from './errors.js';

const Port = z.number().int().min(1).max(65535);

/** Known threshold names, finite values >= 0 (a typo would otherwise be ignored silently). */
const Thresholds = z.record(z.string(), z.number().finite().min(0)).superRefine((t, ctx) => {
  for (const name of unknownThresholds(t)) ctx.addIssue({ code: 'custom', path: [name], message: `unknown threshold; known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')}` });
});

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
  .strict();
export type SnapshotInput = z.input<typeof SnapshotInputSchema>;

export const AnalyzeInputSchema = z
  .object({
    source: z.enum(['auto', 'netlink', 'ss', 'procfs', 'netstat']).default('auto'),
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

/** One snapshot of this host's sockets. */
export async function snapshot(input: SnapshotInput = {}): Promise<Snapshot> {
  const o = parseInput(SnapshotInputSchema, input, 'snapshot');
  return createSource(o.source as SourceChoice).collect(o);
}

/** The `analyze` report (same document as `sockscope analyze --json`). */
export async function analyze(input: AnalyzeInput = {}): Promise<AnalyzeReport> {
  const o = parseInput(AnalyzeInputSchema, input, 'analyze');
  const scoped = o.port !== undefined || o.peerPort !== undefined;
  const snap = await createSource(o.source as SourceChoice).collect({ port: o.port, peerPort: o.peerPort, protocols: ['tcp', 'udp'], processes: scoped ? 'all' : 'listeners', details: true });
  return buildAnalyzeReport(snap, { port: o.port, peerPort: o.peerPort }, undefined, { ...loadConfig().config.thresholds, ...o.thresholds });
}

/** The `analyze-states` report (same document as `sockscope analyze-states --json`). */
export async function analyzeStates(input: AnalyzeInput = {}): Promise<StatesReport> {
  const o = parseInput(AnalyzeInputSchema, input, 'analyzeStates');
  // Exactly what the analyze-states command collects: owners of every socket when scoped to a port or peer port.
  const byPort = o.port !== undefined;
  const scoped = byPort || o.peerPort !== undefined;
  const snap = await createSource(o.source as SourceChoice).collect({ port: o.port, peerPort: o.peerPort, protocols: byPort ? ['tcp', 'udp'] : ['tcp'], processes: scoped ? 'all' : 'listeners' });
  return buildStatesReport(snap, { port: o.port, peerPort: o.peerPort }, undefined, { ...loadConfig().config.thresholds, ...o.thresholds });
}
