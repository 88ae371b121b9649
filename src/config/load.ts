// Loads the effective configuration: defaults < user file < project files < environment < flags.
// Each source is validated with zod on its own; an invalid one is a UsageError (exit 2) naming the
// file (or variable, or flag) and the key. A file that cannot be read is left out, not an error: its
// ConfigFileRef says why (resolve.ts's configFileRefs). The parts without zod or YAML (locations,
// merging, the case with nothing to validate) are in resolve.ts; commands use its loadCliConfig, which
// loads this module only when a config file, the environment or a flag sets something.
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../cli/errors.js';
import { CONFIG_KEYS, ConfigFileSchema, ConfigFlagsSchema, SkillFileSchema, suggest, type Config, type ConfigFile } from './schema.js';
import { configFileRefs, givenFlags, mergeConfig, type ConfigSource, type LoadConfigOptions, type LoadedConfig } from './resolve.js';

export {
  configFileRefs,
  projectConfigPaths,
  userConfigPath,
  type ConfigFileRef,
  type LoadConfigOptions,
  type LoadedConfig,
  type Origin,
  type OriginInfo,
} from './resolve.js';

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
const FALSE = new Set(['0', 'false', 'no', 'off']);

/**
 * The environment's settings: SOCKET_DEBUG, DEFAULT_BUFFER_SIZE, NO_COLOR (https://no-color.org: any
 * non-empty value). An empty variable (SOCKET_DEBUG=, DEFAULT_BUFFER_SIZE= or only blanks) is unset: the
 * files decide. resolve.ts's envSetsConfig must say true whenever this reads a variable.
 */
export function parseEnv(env: NodeJS.ProcessEnv): { values: ConfigFile; vars: Partial<Record<keyof Config, string>> } {
  const values: Record<string, unknown> = {};
  const vars: Partial<Record<keyof Config, string>> = {};
  if (env.SOCKET_DEBUG !== undefined && env.SOCKET_DEBUG.trim() !== '') {
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
  const files = configFileRefs(opts);
  const sources: ConfigSource[] = [];
  const [user, skill, project] = files;
  if (user.found) sources.push({ values: parseConfigFile(user.path), info: () => ({ origin: 'user-file', detail: user.path }) });
  if (skill.found) sources.push({ values: parseSkillFile(skill.path), info: () => ({ origin: 'project-file', detail: skill.path }) });
  if (project.found) sources.push({ values: parseConfigFile(project.path), info: () => ({ origin: 'project-file', detail: project.path }) });
  const fromEnv = parseEnv(opts.env ?? process.env);
  sources.push({ values: fromEnv.values, info: (k) => ({ origin: 'env', detail: fromEnv.vars[k] }) });

  const flags = givenFlags(opts.flags);
  if (Object.keys(flags).length) {
    const r = ConfigFlagsSchema.safeParse(flags);
    if (!r.success) {
      const issue = r.error.issues[0];
      const key = String(issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0]);
      throw new UsageError(describeIssue(`--${kebab(key)}`, r.error, flags, CONFIG_KEYS).replace(new RegExp(`^--${kebab(key)}: ${key}: `), `--${kebab(key)}: `));
    }
    sources.push({ values: r.data as ConfigFile, info: (k: keyof Config) => ({ origin: 'flag', detail: `--${kebab(k)}` }) });
  }
  return mergeConfig(sources, files);
}
