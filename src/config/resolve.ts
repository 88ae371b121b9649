// Resolving the effective configuration without zod or YAML: file locations, the environment, merging
// sources by precedence, and the no-file case that every command starts with. load.ts reads and
// validates config files (zod + yaml); loadCliConfig loads it only when some file exists or flags need
// validating, so that a command started without config files does not load either (~30 ms of start-up).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../cli/errors.js';
import { DEFAULT_KEYMAP } from '../ui/keymap.js';
import { BUFFER_SIZE_MAX, BUFFER_SIZE_MIN, CONFIG_KEYS, DEFAULT_CONFIG, type Config, type ConfigFile } from './defaults.js';

export type Origin = 'default' | 'user-file' | 'project-file' | 'env' | 'flag';

export interface OriginInfo {
  origin: Origin;
  /** File path, environment variable or flag name. */
  detail?: string;
}

/** A file sockscope looked for, in precedence order (lowest first). */
export interface ConfigFileRef {
  kind: 'user-file' | 'project-file';
  path: string;
  found: boolean;
}

export interface LoadedConfig {
  config: Config;
  /** Where each top-level key's value came from (file path or env name in `detail`). */
  origins: Record<keyof Config, OriginInfo>;
  /** Where each threshold / keymap override came from, keyed 'thresholds.NAME' / 'keymap.COMMAND'. */
  entryOrigins: Record<string, OriginInfo>;
  /** The files looked for, lowest precedence first. */
  files: ConfigFileRef[];
}

export interface LoadConfigOptions {
  /** Directory for project files (default process.cwd()). */
  cwd?: string;
  /** Environment (default process.env): HOME, XDG_CONFIG_HOME, SOCKET_DEBUG, DEFAULT_BUFFER_SIZE, NO_COLOR. */
  env?: NodeJS.ProcessEnv;
  /** Command-line values (highest precedence), validated like a file. */
  flags?: Partial<Config>;
}

/** The user file: $XDG_CONFIG_HOME/sockscope/config.yaml, else ~/.config/sockscope/config.yaml. */
export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'sockscope', 'config.yaml');
}

/** The project files, lowest precedence first. */
export function projectConfigPaths(cwd: string = process.cwd()): { skill: string; sockscope: string } {
  return {
    skill: resolve(cwd, '.babysitter', 'skills', 'socket-programming.yaml'),
    sockscope: resolve(cwd, 'sockscope.yaml'),
  };
}

/** The files loadConfig looks for, lowest precedence first, and whether each exists. */
export function configFileRefs(opts: LoadConfigOptions = {}): ConfigFileRef[] {
  const project = projectConfigPaths(opts.cwd ?? process.cwd());
  const user = userConfigPath(opts.env ?? process.env);
  return [
    { kind: 'user-file', path: user, found: existsSync(user) },
    { kind: 'project-file', path: project.skill, found: existsSync(project.skill) },
    { kind: 'project-file', path: project.sockscope, found: existsSync(project.sockscope) },
  ];
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/** The environment's settings: SOCKET_DEBUG, DEFAULT_BUFFER_SIZE, NO_COLOR (https://no-color.org: any non-empty value). */
export function parseEnv(env: NodeJS.ProcessEnv): { values: ConfigFile; vars: Partial<Record<keyof Config, string>> } {
  const values: Record<string, unknown> = {};
  const vars: Partial<Record<keyof Config, string>> = {};
  if (env.SOCKET_DEBUG !== undefined) {
    const v = env.SOCKET_DEBUG.trim().toLowerCase();
    if (TRUE.has(v)) values.debug = true;
    else if (FALSE.has(v)) values.debug = false;
    else throw new UsageError(`environment SOCKET_DEBUG: expected true or false, got ${JSON.stringify(env.SOCKET_DEBUG)}`);
    vars.debug = 'SOCKET_DEBUG';
  }
  if (env.DEFAULT_BUFFER_SIZE !== undefined && env.DEFAULT_BUFFER_SIZE.trim() !== '') {
    const text = env.DEFAULT_BUFFER_SIZE.trim();
    if (!/^\d+$/.test(text)) throw new UsageError(`environment DEFAULT_BUFFER_SIZE: expected a whole number of bytes (512-67108864), got ${JSON.stringify(env.DEFAULT_BUFFER_SIZE)}`);
    values.bufferSize = Number(text);
    vars.bufferSize = 'DEFAULT_BUFFER_SIZE';
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') {
    values.color = false;
    vars.color = 'NO_COLOR';
  }
  // The same bounds and wording as the schema's (schema.ts), without loading zod.
  const size = values.bufferSize as number | undefined;
  if (size !== undefined && size < BUFFER_SIZE_MIN) throw new UsageError(`environment DEFAULT_BUFFER_SIZE: Too small: expected number to be >=${BUFFER_SIZE_MIN}, got ${size}`);
  if (size !== undefined && size > BUFFER_SIZE_MAX) throw new UsageError(`environment DEFAULT_BUFFER_SIZE: Too big: expected number to be <=${BUFFER_SIZE_MAX}, got ${size}`);
  return { values: values as ConfigFile, vars };
}

/** One source of settings and where its values come from. */
export interface ConfigSource {
  values: ConfigFile;
  info: (key: keyof Config) => OriginInfo;
}

/** Merges `sources` (lowest precedence first) over the defaults; thresholds and keymap merge entry by entry. */
export function mergeConfig(sources: readonly ConfigSource[], files: ConfigFileRef[]): LoadedConfig {
  const config: Config = { ...DEFAULT_CONFIG, thresholds: {}, keymap: {} };
  const origins = Object.fromEntries(CONFIG_KEYS.map((k) => [k, { origin: 'default' as Origin }])) as LoadedConfig['origins'];
  const entryOrigins: Record<string, OriginInfo> = {};
  for (const { values, info } of sources) {
    for (const key of CONFIG_KEYS) {
      const v = values[key];
      if (v === undefined) continue;
      if (key === 'thresholds' || key === 'keymap') {
        // maps merge entry by entry: a project file can override one threshold of the user file
        const target = config[key] as Record<string, unknown>;
        for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
          target[name] = Array.isArray(value) ? [...value] : value;
          entryOrigins[`${key}.${name}`] = info(key);
        }
      } else (config as unknown as Record<string, unknown>)[key] = v;
      origins[key] = info(key);
    }
  }
  checkKeymapConflicts(config.keymap, entryOrigins);
  return { config, origins, entryOrigins, files };
}

/** The environment as a config source. */
export function envSource(env: NodeJS.ProcessEnv): ConfigSource {
  const fromEnv = parseEnv(env);
  return { values: fromEnv.values, info: (k) => ({ origin: 'env', detail: fromEnv.vars[k] }) };
}

/** Flags that carry a value (undefined ones are left out). */
export function givenFlags(flags: Partial<Config> | undefined): Partial<Config> {
  return Object.fromEntries(Object.entries(flags ?? {}).filter(([, v]) => v !== undefined)) as Partial<Config>;
}

/**
 * The configuration when there is nothing to read or validate (no config file, no flags): the
 * defaults and the environment. undefined when a file exists or flags were given (then load.ts).
 */
export function loadConfigWithoutFiles(opts: LoadConfigOptions = {}): LoadedConfig | undefined {
  if (Object.keys(givenFlags(opts.flags)).length > 0) return undefined;
  const files = configFileRefs(opts);
  if (files.some((f) => f.found)) return undefined;
  return mergeConfig([envSource(opts.env ?? process.env)], files);
}

/**
 * loadConfig for the command line: the same result, but zod and the YAML parser (load.ts) are loaded
 * only when a config file exists or flags need validating.
 */
export async function loadCliConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  return loadConfigWithoutFiles(opts) ?? (await import('./load.js')).loadConfig(opts);
}


/**
 * A rebound key must not shadow another command in a view where both apply (the keymap is searched in
 * order, so the other command would silently stop working). The error names the source of the override.
 */
function checkKeymapConflicts(overrides: Record<string, string[]>, entryOrigins: Record<string, OriginInfo>): void {
  if (!Object.keys(overrides).length) return;
  const bindings = DEFAULT_KEYMAP.map((b) => ({ ...b, keys: overrides[b.command] ?? b.keys }));
  const views = (b: (typeof bindings)[number]): readonly string[] => (b.views === 'all' ? ['ports', 'port', 'socket', 'help'] : b.views);
  for (const a of bindings) {
    if (!overrides[a.command]) continue;
    for (const b of bindings) {
      if (a === b) continue;
      const key = a.keys.find((k) => b.keys.includes(k));
      const view = key && views(a).find((v) => views(b).includes(v));
      if (key && view) {
        const o = entryOrigins[`keymap.${a.command}`];
        const where = o?.detail ? `${o.detail}: ` : '';
        throw new UsageError(`${where}keymap.${a.command}: key '${key}' is also bound to ${b.command} in the ${view} view; rebind ${b.command} too or pick another key`);
      }
    }
  }
}
