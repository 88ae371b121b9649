// The flags analyze and analyze-states share (report-command.ts runs them).
import type { Argv } from 'yargs';
import { withHostFlags } from './host-option.js';
import { withJsonFlag, withPortFlags } from './options.js';
import { withSamplingFlags } from './sampling.js';

export interface ReportArgs {
  port?: number;
  'peer-port'?: number;
  json: boolean;
  source: string;
  /** Where main.ts's middleware took source from (sources.ts). */
  sourceFrom?: string;
  host?: string[];
  'ssh-config'?: string;
  samples?: string;
  'sample-interval'?: string;
}

/** --port/--peer-port, --json, --host/--ssh-config, --samples/--sample-interval. */
export function withReportFlags<T>(y: Argv<T>) {
  return withSamplingFlags(withHostFlags(withJsonFlag(withPortFlags(y))));
}
