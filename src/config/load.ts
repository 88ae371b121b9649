// Loads the effective configuration: defaults < user file < project files < environment < flags.
// Each source is validated with zod on its own; an invalid one is a UsageError (exit 2) naming the
// file (or variable, or flag) and the key.
import { readFileSync, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../cli/errors.js';
import {
  DEFAULT_CONFIG,
  CONFIG_KEYS,
  ConfigFileSchema,
  ConfigFlagsSchema,
  SkillFileSchema,
  suggest,
  type Config,
  type ConfigFile,
} from './schema.js';
import { DEFAULT_KEYMAP } from '../ui/keymap.js';

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

/** "a.b.c" for a zod issue path. */
function keyPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Turns the first zod issue into one line: "WHERE: KEY: problem". */
function describeIssue(where: string, err: z.ZodError, input: unknown, known: readonly string[], prefix = ''): string {
  const issue = err.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const at = keyPath([...issue.path, key]);
    return `${where}: ${prefix}${at}: unknown key${suggest(String(key), issue.path.length ? [] : known)}`;
  }
  let got: unknown = input;
  for (const p of issue.path) got = got && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  const shown = got === undefined || issue.code === 'custom' ? '' : `, got ${JSON.stringify(got)}`;
  return `${where}: ${prefix}${keyPath(issue.path) || '(top level)'}: ${issue.message.replace(/^Invalid input: /, '')}${shown}`;
}

/** Reads a YAML file into a plain object (empty file: {}); syntax errors and non-mappings are UsageErrors. */
function readYaml(path: string): Record<string, unknown> {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${path}: is a directory, expected a YAML file`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const pos = e.linePos?.[0];
      const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new UsageError(`${path}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${msg}`);
    }
    throw new UsageError(`${path}: invalid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${path}: expected a mapping of settings (key: value) at the top level`);
  return doc as Record<string, unknown>;
}

/** Validates the user file or sockscope.yaml. */
export function parseConfigFile(path: string): ConfigFile {
  const raw = readYaml(path);
  const r = ConfigFileSchema.safeParse(raw);
  if (!r.success) throw new UsageError(describeIssue(path, r.error, raw, CONFIG_KEYS));
  return r.data;
}

/** Validates .babysitter/skills/socket-programming.yaml and returns its `socket-programming` block. */
export function parseSkillFile(path: string): ConfigFile {
  const raw = readYaml(path);
  const r = SkillFileSchema.safeParse(raw);
  if (!r.success) {
    const block = (raw as Record<string, unknown>)['socket-programming'];
    const known = ['defaultLanguage', 'defaultIoModel', 'bufferSize', 'generateComments'];
    throw new UsageError(describeIssue(path, r.error, raw, known).replace(/unknown key$/, `unknown key (the socket-programming block takes ${known.join(', ')})`) + (block === undefined ? '' : ''));
  }
  return (r.data['socket-programming'] ?? {}) as ConfigFile;
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
  const r = ConfigFileSchema.safeParse(values);
  if (!r.success) {
    const key = r.error.issues[0].path[0] as keyof Config;
    throw new UsageError(describeIssue(`environment ${vars[key] ?? ''}`.trim(), r.error, values, CONFIG_KEYS).replace(/: bufferSize: /, ': '));
  }
  return { values: r.data, vars };
}

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The effective configuration for the current directory and environment. */
export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const config: Config = { ...DEFAULT_CONFIG, thresholds: {}, keymap: {} };
  const origins = Object.fromEntries(CONFIG_KEYS.map((k) => [k, { origin: 'default' as Origin }])) as LoadedConfig['origins'];
  const entryOrigins: Record<string, OriginInfo> = {};
  const files: ConfigFileRef[] = [];

  const apply = (values: ConfigFile, info: (key: keyof Config) => OriginInfo) => {
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
      } else (config as Record<string, unknown>)[key] = v;
      origins[key] = info(key);
    }
  };

  const user = userConfigPath(env);
  const userFound = existsSync(user);
  files.push({ kind: 'user-file', path: user, found: userFound });
  if (userFound) apply(parseConfigFile(user), () => ({ origin: 'user-file', detail: user }));

  const project = projectConfigPaths(cwd);
  const skillFound = existsSync(project.skill);
  files.push({ kind: 'project-file', path: project.skill, found: skillFound });
  if (skillFound) apply(parseSkillFile(project.skill), () => ({ origin: 'project-file', detail: project.skill }));
  const ssFound = existsSync(project.sockscope);
  files.push({ kind: 'project-file', path: project.sockscope, found: ssFound });
  if (ssFound) apply(parseConfigFile(project.sockscope), () => ({ origin: 'project-file', detail: project.sockscope }));

  const fromEnv = parseEnv(env);
  apply(fromEnv.values, (k) => ({ origin: 'env', detail: fromEnv.vars[k] }));

  const flags = Object.fromEntries(Object.entries(opts.flags ?? {}).filter(([, v]) => v !== undefined));
  if (Object.keys(flags).length) {
    const r = ConfigFlagsSchema.safeParse(flags);
    if (!r.success) {
      const issue = r.error.issues[0];
      const key = String(issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0]);
      throw new UsageError(describeIssue(`--${kebab(key)}`, r.error, flags, CONFIG_KEYS).replace(new RegExp(`^--${kebab(key)}: ${key}: `), `--${kebab(key)}: `));
    }
    apply(r.data, (k) => ({ origin: 'flag', detail: `--${kebab(k)}` }));
  }
  checkKeymapConflicts(config.keymap, entryOrigins);
  return { config, origins, entryOrigins, files };
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
