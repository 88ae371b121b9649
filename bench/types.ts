// Shared shapes of the benchmark: a section measures figures against the load that bench/run.ts set up.
import type { Load } from './load.js';

/** A target a figure is checked against (ratio to its baseline, or an absolute bound). */
export interface Target {
  /** 'ratio': ms / baselineMs <= max; 'mb': value <= max; 'growth': value (percent) <= max. */
  kind: 'ratio' | 'mb' | 'growth';
  max: number;
}

/** One measured number. Time figures carry the baseline measured beside them in the same run. */
export interface Figure {
  section: string;
  /** Short stable id, e.g. 'netlink-snapshot'. */
  id: string;
  /** What was measured, for the table. */
  label: string;
  /** Sockets of the load (asked for). */
  size: number;
  /** Median milliseconds (time figures), or the value in `unit`. */
  value: number;
  unit: 'ms' | 'MB' | '%';
  /** Baseline command and its median ms, measured interleaved with the figure. */
  baseline?: string;
  baselineMs?: number;
  ratio?: number;
  target?: Target;
  pass?: boolean;
  /** Every sample, and anything else worth keeping in results.json. */
  samples?: number[];
  extra?: Record<string, unknown>;
}

/** What a section gets: the load, how many runs to take, and a logger (stderr). */
export interface BenchContext {
  size: number;
  load: Load;
  runs: number;
  log(message: string): void;
  /** Absolute path of the repository. */
  root: string;
}

/** A part of the benchmark. Other parts of sockscope add theirs in bench/sections/index.ts. */
export interface Section {
  name: string;
  description: string;
  /** Sizes this section runs at (default: every size asked for). */
  sizes?: number[];
  run(ctx: BenchContext): Promise<Figure[]>;
}
