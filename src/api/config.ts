// Which configuration a library call applies: only what the caller passes. The command line applies the config
// files (~/.config/sockscope/config.yaml, ./sockscope.yaml, .babysitter/skills/socket-programming.yaml) and the
// environment (SOCKET_DEBUG, DEFAULT_BUFFER_SIZE) itself; a library call reads neither, so that a service
// embedding sockscope gets the same thresholds and generated code whatever directory it was started from,
// and a broken file next to it cannot make analyze() throw. `{config: loadConfig().config}` opts in.
import { z } from 'zod';
import { UsageError } from '../cli/errors.js';
import { loadConfig as loadFromFiles, type LoadConfigOptions, type LoadedConfig } from '../config/load.js';
import { ConfigFileSchema, DEFAULT_CONFIG, suggest, type Config } from '../config/schema.js';
import { thresholdConflictMessage, thresholdConflicts } from '../advise/thresholds.js';
import { checkEnv, checkPath, type OriginInfo } from '../config/resolve.js';
import { briefValue } from '../model/input-error.js';
import { ConfigError, InvalidInputError, zodIssues } from './errors.js';

/** The second argument of the library functions whose result depends on configuration. */
export interface LibraryOptions {
  /**
   * Settings to apply over DEFAULT_CONFIG (thresholds, defaultLanguage, defaultIoModel, bufferSize,
   * generateComments...). Default: DEFAULT_CONFIG, whatever files or environment variables exist.
   * `loadConfig().config` is what the CLI applies in the current directory.
   */
  config?: Partial<Config>;
}

// A config file's schema: any subset of the keys, threshold names and keymap commands checked.
const OptionsSchema = z.object({ config: ConfigFileSchema.optional() }).strict();

// Where the command line's settings came from, for the config object `sockscope task` passes (cli/commands/
// task.ts): a report that names a setting's origin (buffers' `defaults`) then gives the file or variable, as
// `sockscope buffers --json` does, not "caller". Keyed by the object itself; not exported by the library.
const cliOrigins = new WeakMap<object, Partial<Record<keyof Config, OriginInfo>>>();

/** Marks `config` as the command line's, with the origin of each setting (loadCliConfig's `origins`). */
export function withCliOrigins<C extends Partial<Config>>(config: C, origins: Partial<Record<keyof Config, OriginInfo>>): C {
  cliOrigins.set(config, origins);
  return config;
}

/** Where a call's setting came from: the command line's origin, `caller` (options.config.KEY) or `default`. */
export function settingOrigin(options: LibraryOptions | undefined, key: keyof Config): { origin: string; detail?: string } {
  const config = options?.config;
  if (config === undefined) return { origin: 'default' };
  const cli = cliOrigins.get(config)?.[key];
  if (cli !== undefined) return cli.detail === undefined ? { origin: cli.origin } : { origin: cli.origin, detail: cli.detail };
  return config[key] === undefined ? { origin: 'default' } : { origin: 'caller', detail: `options.config.${key}` };
}

/** The configuration a call applies: DEFAULT_CONFIG, or the caller's settings over it (validated). */
export function libraryConfig(options: LibraryOptions | undefined, what: string): Config {
  if (options === undefined) return DEFAULT_CONFIG;
  const r = OptionsSchema.safeParse(options);
  if (!r.success) {
    const issues = zodIssues(r.error, ['options']);
    throw new InvalidInputError(`invalid ${what} options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  if (r.data.config === undefined) return DEFAULT_CONFIG;
  checkThresholdPairs(r.data.config.thresholds ?? {}, what);
  return { ...DEFAULT_CONFIG, ...r.data.config } as Config;
}

/**
 * The collector of a call that reads sockets: the input's own `source`, else the configuration's (options.config.source,
 * which `loadConfig().config` takes from a config file, as the command line does), else auto (DEFAULT_CONFIG's).
 */
export function collectorOf(explicit: string | undefined, config: Config): string {
  return explicit ?? config.source;
}

/**
 * No warning level above its critical one in options.config.thresholds, merged over the defaults (the schema
 * checks each value, as a config file's; the pairs are checked on merged values, here as in resolve.ts's
 * mergeConfig): an InvalidInputError at each offending key, the warning level's when the input sets both.
 */
function checkThresholdPairs(thresholds: Record<string, number>, what: string): void {
  const issues = thresholdConflicts(thresholds).map((c) => {
    const level = Object.hasOwn(thresholds, c.warning) ? 'warning' : 'critical';
    const otherKey = level === 'warning' ? c.critical : c.warning;
    const other = Object.hasOwn(thresholds, otherKey) ? undefined : `its default; set ${otherKey} too`;
    return { path: `options.config.thresholds.${c[level]}`, message: thresholdConflictMessage(c, level, other) };
  });
  if (issues.length) throw new InvalidInputError(`invalid ${what} options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

const LOAD_OPTION_KEYS = ['cwd', 'env', 'flags'];

/**
 * loadConfig's argument, as every library function checks its input (InvalidInputError naming the field):
 * `{cwd?, env?, flags?}` and nothing else (a misspelled option was ignored), cwd a path, env an environment,
 * flags an object of settings (which the loader validates like a file's: a ConfigError naming --KEY).
 */
function checkLoadOptions(opts: unknown): void {
  const refuse = (path: string, message: string): never => {
    throw new InvalidInputError(`invalid loadConfig input: ${path ? `${path}: ` : ''}${message}`, [{ path, message }]);
  };
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) refuse('', `takes an object ({cwd?, env?, flags?}), got ${briefValue(opts)}`);
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!LOAD_OPTION_KEYS.includes(k)) refuse(k, `unknown key: loadConfig takes ${LOAD_OPTION_KEYS.join(', ')}${suggest(k, LOAD_OPTION_KEYS)}`);
  if (o.cwd !== undefined) checkPath(o.cwd, 'loadConfig', 'cwd');
  if (o.env !== undefined) checkEnv(o.env, 'loadConfig', 'env');
  if (o.flags !== undefined && (typeof o.flags !== 'object' || o.flags === null || Array.isArray(o.flags))) refuse('flags', `expected an object of settings ({bufferSize: 4096, ...}), got ${briefValue(o.flags)}`);
}

/**
 * The configuration the command line would apply here: the config files and the environment, validated. A bad
 * file or variable is a ConfigError (code config-error) naming it; the loader's own error is the CLI's
 * UsageError, which the library does not export.
 */
export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  checkLoadOptions(opts);
  try {
    return loadFromFiles(opts);
  } catch (e) {
    if (e instanceof UsageError) throw new ConfigError(e.message, { cause: e });
    throw e;
  }
}
