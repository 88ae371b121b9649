// Resolving the effective configuration without zod or YAML: file locations, merging sources by
// precedence, and the case every command usually starts with: no config file, nothing set in the
// environment, no flag. load.ts reads and validates every source (zod + yaml); loadCliConfig loads it
// only when there is something to validate, so that such a start loads neither (~30 ms of start-up).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../cli/errors.js';
import { DEFAULT_KEYMAP, overriddenKeys } from '../ui/keymap.js';
import { CONFIG_KEYS, DEFAULT_CONFIG, type Config, type ConfigFile } from './defaults.js';

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

/** Flags that carry a value (undefined ones are left out). */
export function givenFlags(flags: Partial<Config> | undefined): Partial<Config> {
  return Object.fromEntries(Object.entries(flags ?? {}).filter(([, v]) => v !== undefined)) as Partial<Config>;
}

/** True when the environment sets a config value: the variables load.ts's parseEnv reads (keep the two in step). */
export function envSetsConfig(env: NodeJS.ProcessEnv): boolean {
  return env.SOCKET_DEBUG !== undefined || (env.DEFAULT_BUFFER_SIZE !== undefined && env.DEFAULT_BUFFER_SIZE.trim() !== '') || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/**
 * The configuration when there is nothing to read or validate: no config file, no setting in the
 * environment, no flag. Then it is the defaults. undefined otherwise (load.ts validates every source
 * with zod).
 */
export function loadConfigWithoutFiles(opts: LoadConfigOptions = {}): LoadedConfig | undefined {
  if (Object.keys(givenFlags(opts.flags)).length > 0 || envSetsConfig(opts.env ?? process.env)) return undefined;
  const files = configFileRefs(opts);
  if (files.some((f) => f.found)) return undefined;
  return mergeConfig([], files);
}

/**
 * loadConfig for the command line: the same result, but zod and the YAML parser (load.ts) are loaded
 * only when a config file, the environment or flags set something to validate.
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
  // An override keeps the command's fixed keys (Ctrl-C always quits): a rebinding onto one of them clashes too.
  const bindings = DEFAULT_KEYMAP.map((b) => ({ ...b, keys: overrides[b.command] ? overriddenKeys(b.command, overrides[b.command]) : b.keys }));
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
