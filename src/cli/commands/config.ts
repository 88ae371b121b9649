// `sockscope config`: the effective configuration and where each value came from.
import type { CommandModule } from 'yargs';
import { loadCliConfig, quietUnreadableWarnings, type ConfigFileRef, type LoadedConfig, type OriginInfo } from '../../config/resolve.js';
import { CONFIG_KEYS, type Config } from '../../config/defaults.js';
import { DEFAULT_THRESHOLDS, THRESHOLD_DOCS } from '../../advise/thresholds.js';
import { DEFAULT_KEYMAP, overriddenKeys } from '../../ui/keymap.js';
import { escapeControl } from '../../model/escape.js';
import { flagTyped, printJson, withJsonFlag } from '../options.js';
import { environmentRows } from './config-env.js';
import { COMMAND_HEADS } from './heads.js';

interface Args {
  json: boolean;
  source?: string;
  color?: boolean;
}

/** The `sockscope config` document (also its --json output). */
export interface ConfigReport {
  config: Config;
  origins: LoadedConfig['origins'];
  files: LoadedConfig['files'];
  thresholds: { name: string; value: number; default: number; origin: OriginInfo; description: string }[];
  keymap: { command: string; keys: string[]; default: string[]; origin: OriginInfo; description: string }[];
}

/** Builds the report from a loaded configuration (pure). */
export function buildConfigReport(loaded: LoadedConfig): ConfigReport {
  const { config, origins, entryOrigins, files } = loaded;
  return {
    config,
    origins,
    files,
    thresholds: Object.entries(DEFAULT_THRESHOLDS).map(([name, def]) => ({
      name,
      value: config.thresholds[name] ?? def,
      default: def,
      origin: entryOrigins[`thresholds.${name}`] ?? { origin: 'default' },
      description: THRESHOLD_DOCS[name] ?? '',
    })),
    keymap: DEFAULT_KEYMAP.map((b) => ({
      command: b.command,
      // As the monitor binds them: a rebound command keeps its fixed keys (quit: [Q] quits on Q and Ctrl-C).
      keys: config.keymap[b.command] ? overriddenKeys(b.command, config.keymap[b.command]) : [...b.keys],
      default: [...b.keys],
      origin: entryOrigins[`keymap.${b.command}`] ?? { origin: 'default' },
      description: b.description,
    })),
  };
}

const ORIGIN_TEXT: Record<OriginInfo['origin'], string> = {
  default: 'default',
  'user-file': 'user file',
  'project-file': 'project file',
  env: 'environment',
  flag: 'flag',
};

function from(o: OriginInfo): string {
  return o.detail ? `${ORIGIN_TEXT[o.origin]} ${escapeControl(o.detail)}` : ORIGIN_TEXT[o.origin];
}

function table(rows: string[][], indent = ''): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ').trimEnd()).join('\n');
}

/** A file's line in the Files list: the state other commands warn about on stderr is shown here instead. */
function fileState(f: ConfigFileRef): string {
  if (f.found) return 'used';
  if (f.notLookedFor !== undefined) return `not looked for: ${escapeControl(f.notLookedFor)}`;
  return f.unreadable === undefined ? 'not found' : `not readable (${escapeControl(f.unreadable)})`;
}

/** Plain-text printer; `env`: the environment whose variables the Environment list shows. */
export function formatConfigReport(r: ConfigReport, env: NodeJS.ProcessEnv = {}): string {
  const out: string[] = [];
  out.push('Effective configuration (precedence, lowest first: defaults, user file, project files, environment, flags)');
  out.push('');
  const rows = [['KEY', 'VALUE', 'FROM']];
  for (const k of CONFIG_KEYS) {
    if (k === 'thresholds' || k === 'keymap') continue;
    rows.push([k, escapeControl(JSON.stringify(r.config[k])), from(r.origins[k])]);
  }
  out.push(table(rows));
  const changedT = r.thresholds.filter((t) => t.origin.origin !== 'default').length;
  out.push('');
  out.push(`thresholds (${r.thresholds.length}, ${changedT} overridden; descriptions in --json):`);
  out.push(table([['NAME', 'VALUE', 'FROM'], ...r.thresholds.map((t) => [t.name, String(t.value) + (t.origin.origin !== 'default' ? ` (default ${t.default})` : ''), from(t.origin)])], '  '));
  const changedK = r.keymap.filter((k) => k.origin.origin !== 'default').length;
  out.push('');
  out.push(`keymap (${r.keymap.length} commands, ${changedK} rebound):`);
  out.push(table([['COMMAND', 'KEYS', 'FROM'], ...r.keymap.map((k) => [k.command, escapeControl(k.keys.join(' ')), from(k.origin)])], '  '));
  out.push('');
  out.push('Files:');
  out.push(table(r.files.map((f) => [ORIGIN_TEXT[f.kind], escapeControl(f.path), fileState(f)]), '  '));
  out.push('');
  out.push('Environment (every variable sockscope reads):');
  out.push(table([['VARIABLE', 'VALUE', 'READ FOR'], ...environmentRows(env)], '  '));
  return `${out.join('\n')}\n`;
}

/** Flags given explicitly on the command line (yargs fills defaults, which must not count as "flag"). */
function explicitFlags(argv: Args, raw: string[]): Partial<Config> {
  const flags: Partial<Config> = {};
  if (flagTyped(raw, 'source')) flags.source = argv.source as Config['source'];
  if (flagTyped(raw, 'color')) flags.color = argv.color;
  return flags;
}

export const configCommand: CommandModule<object, Args> = {
  ...COMMAND_HEADS.config,
  builder: (y) => {
    // The Files list says which file is not readable; the warning line other commands print would repeat it.
    quietUnreadableWarnings();
    return withJsonFlag(y)
      // Descriptions as shell comments above the examples: one beside would split the example at 80 columns.
      .example('# values with their source (default, file, environment, flag)\n$0 config', '')
      .example('# as JSON, with bufferSize from the environment\nDEFAULT_BUFFER_SIZE=16384 $0 config --json', '') as never;
  },
  handler: async (argv) => {
    const loaded = await loadCliConfig({ flags: explicitFlags(argv, process.argv.slice(2)) });
    const report = buildConfigReport(loaded);
    if (argv.json) printJson(report);
    else process.stdout.write(formatConfigReport(report, process.env));
  },
};
