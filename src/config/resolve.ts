// Resolving the effective configuration without zod or YAML: file locations, merging sources by
// precedence, and the case every command usually starts with: no config file, nothing set in the
// environment, no flag. load.ts reads and validates every source (zod + yaml); loadCliConfig loads it
// only when there is something to validate, so that such a start loads neither (~30 ms of start-up).
import { closeSync, constants, lstatSync, openSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../cli/errors.js';
import { decodeUtf8, encodeUtf8Bytes, escapeControl } from '../model/escape.js';
import { briefValue, InvalidInputError } from '../model/input-error.js';
import { DEFAULT_KEYMAP, overriddenKeys } from '../ui/keymap.js';
import { thresholdConflictMessage, thresholdConflicts } from '../advise/thresholds.js';
import { CONFIG_KEYS, DEFAULT_CONFIG, type Config, type ConfigFile } from './defaults.js';
import { DEFAULT_OUTPUT_NAMES, GEN_LANGUAGES, type GenLanguage } from '../codegen/languages.js';

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
  /** The file is there and readable: it is used. */
  found: boolean;
  /**
   * The errno code (EACCES or EPERM) when the file may not be read, or a directory above it
   * cannot be searched (then sockscope cannot even tell whether it exists). Such a file is left out like
   * a missing one, but said: `sockscope config` lists it, other commands warn on stderr (loadCliConfig).
   */
  unreadable?: string;
  /**
   * Why the file was not looked for: the user file when HOME is empty or relative and XDG_CONFIG_HOME does not
   * name an absolute directory (a relative HOME made the user file one in the current directory). `path` then
   * says where it would be.
   */
  notLookedFor?: string;
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

/**
 * The user file: $XDG_CONFIG_HOME/sockscope/config.yaml, else $HOME/.config/sockscope/config.yaml (HOME unset:
 * the passwd entry's home). undefined when neither is an absolute path (`HOME=` or `HOME=relative`): there is
 * no user file then, rather than one relative to the current directory.
 */
export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  checkEnv(env, 'userConfigPath', 'env');
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'sockscope', 'config.yaml');
  const home = env.HOME !== undefined ? env.HOME : homedir();
  return home.startsWith('/') ? join(home, '.config', 'sockscope', 'config.yaml') : undefined;
}

// The arguments of the exported userConfigPath, projectConfigPaths and loadConfig (api/config.ts): an
// InvalidInputError naming the field, as every library function. Written out: this module loads no zod.
function refuse(what: string, path: string, message: string): never {
  throw new InvalidInputError(`invalid ${what} input: ${path}: ${message}`, [{ path, message }]);
}

/** A path given to the library: a string without NUL bytes (no file name holds one). */
export function checkPath(value: unknown, what: string, path: string): void {
  if (typeof value !== 'string') refuse(what, path, `expected a string (a directory path), got ${briefValue(value)}`);
  if (value.includes('\0')) refuse(what, path, 'a path holds no NUL byte');
}

/** An environment such as process.env: an object whose values are strings (or undefined); HOME and XDG_CONFIG_HOME paths without NUL bytes. */
export function checkEnv(env: unknown, what: string, path: string): void {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) refuse(what, path, `expected an object of environment variables (such as process.env), got ${briefValue(env)}`);
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && typeof v !== 'string') refuse(what, `${path}.${k}`, `expected a string (an environment variable's value), got ${briefValue(v)}`);
  }
  for (const k of ['HOME', 'XDG_CONFIG_HOME']) {
    const v = (env as Record<string, string | undefined>)[k];
    if (v?.includes('\0')) refuse(what, `${path}.${k}`, 'a path holds no NUL byte');
  }
}

/**
 * The current directory as text, with decodeUtf8's semantics: a byte that is not UTF-8 is kept as U+DC80..U+DCFF
 * (shown \xNN), where process.cwd() turned it into U+FFFD and named a directory that does not exist. Its bytes come
 * from realpath(".") (getcwd, no /proc needed); a directory removed since it was entered has none (ENOENT): then
 * /proc/self/cwd's link, which ends " (deleted)" (a name that never existed), gives the name it had.
 */
export function currentDirectory(): string {
  try {
    const bytes = realpathSync.native('.', { encoding: 'buffer' });
    if (bytes[0] === 0x2f) return decodeUtf8(bytes);
  } catch {
    /* removed (ENOENT): its former name below */
  }
  try {
    let bytes = readlinkSync('/proc/self/cwd', { encoding: 'buffer' });
    const deleted = Buffer.from(' (deleted)');
    if (bytes.subarray(-deleted.length).equals(deleted) && statSync('/proc/self/cwd').nlink === 0) bytes = bytes.subarray(0, -deleted.length);
    if (bytes[0] === 0x2f) return decodeUtf8(bytes);
  } catch {
    /* no /proc: Node's view */
  }
  return process.cwd();
}

/**
 * Why a file at a relative `path` cannot be written, when the current directory was removed since the process
 * entered it (realpath(".") fails with ENOENT; bin/sockscope makes process.cwd() give its old name): writing would
 * fail (ENOENT) or, through a resolved path, create the directory again. Else undefined.
 */
export function relativeInRemovedDirectory(path: string): string | undefined {
  if (isAbsolute(path)) return undefined;
  try {
    realpathSync.native('.');
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  }
  return `cannot write ${path}: the current directory (${currentDirectory()}) was removed, and a relative path names a file in it; give an absolute path, or cd to an existing directory and run it again`;
}

/** generate-server / generate-tcp-server write --output, else server.c/.py/.mjs, unless they print (--stdout; --json alone): main.ts refuses a relative one there. */
export function refuseGenerateInRemovedDirectory(argv: { _: (string | number)[]; output?: unknown; stdout?: unknown; json?: unknown; language?: unknown }, defaultLanguage: GenLanguage): void {
  if ((argv._[0] !== 'generate-server' && argv._[0] !== 'generate-tcp-server') || argv.stdout || (argv.json && argv.output === undefined)) return;
  const language = (GEN_LANGUAGES as readonly unknown[]).includes(argv.language) ? (argv.language as GenLanguage) : defaultLanguage;
  const why = relativeInRemovedDirectory(typeof argv.output === 'string' ? argv.output : DEFAULT_OUTPUT_NAMES[language]);
  if (why !== undefined) throw new UsageError(why);
}

/** The project files, lowest precedence first. */
export function projectConfigPaths(cwd: string = currentDirectory()): { skill: string; sockscope: string } {
  checkPath(cwd, 'projectConfigPaths', 'cwd');
  return {
    skill: resolve(cwd, '.babysitter', 'skills', 'socket-programming.yaml'),
    sockscope: resolve(cwd, 'sockscope.yaml'),
  };
}

/**
 * The name to give the OS for a config file's path as shown (ConfigFileRef.path): a file in the current
 * directory by its name relative to it, and a byte that was not UTF-8 (U+DC80..U+DCFF) as that byte again.
 */
export function configFsPath(path: string): string | Buffer {
  const cwd = currentDirectory();
  const name = cwd !== '/' && path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
  const bytes = encodeUtf8Bytes(name);
  return bytes.toString('utf8') === name ? name : bytes;
}

/** The files loadConfig looks for, lowest precedence first, and whether each is there and readable. */
export function configFileRefs(opts: LoadConfigOptions = {}): ConfigFileRef[] {
  const project = projectConfigPaths(opts.cwd ?? currentDirectory());
  const env = opts.env ?? process.env;
  const user = userConfigPath(env);
  const userRef: ConfigFileRef =
    user !== undefined
      ? lookFor('user-file', user)
      : { kind: 'user-file', path: '~/.config/sockscope/config.yaml', found: false, notLookedFor: `HOME is not an absolute path (${JSON.stringify(env.HOME ?? '')})` };
  return [userRef, lookFor('project-file', project.skill), lookFor('project-file', project.sockscope)];
}

/**
 * Opens the file as load.ts will read it. existsSync said "not there" for a file in a directory the user
 * may not search (EACCES), and "there" for a file they may not read, which then stopped every command.
 * Only ENOENT and ENOTDIR mean not there; EACCES and EPERM are "unreadable" (left out, said); a failure that
 * says the path is there and cannot be a config file (PATH_FAULTS: a symlink loop, a name too long) is found, so
 * that load.ts's read fails naming the file (exit 2). Any other failure (EMFILE, ENFILE, ENOMEM, EIO, EINTR...)
 * says nothing of the file, which may not exist: lookFailed's runtime error (exit 1), never one naming it as a bad
 * config file. O_NONBLOCK: the look must not wait for a writer on a FIFO. A directory opens: load.ts refuses it as
 * not a YAML file (exit 2). A path that is there but does not open as a regular file (a UNIX socket: ENXIO; a FIFO
 * or directory without read permission) is found too, so that load.ts refuses it by its kind (exit 2) rather than
 * ignoring it as unreadable.
 */
function lookFor(kind: ConfigFileRef['kind'], path: string): ConfigFileRef {
  try {
    closeSync(openSync(configFsPath(path), constants.O_RDONLY | constants.O_NONBLOCK));
    return { kind, path, found: true };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined || code === 'ENOENT' || code === 'ENOTDIR') return { kind, path, found: false };
    if (notRegularStat(path) || PATH_FAULTS.has(code)) return { kind, path, found: true };
    if (code === 'EACCES' || code === 'EPERM') return { kind, path, found: false, unreadable: code };
    throw lookFailed(path, e as NodeJS.ErrnoException);
  }
}

/** open() failures that say the path is there and cannot be read as a file (load.ts names it: exit 2). */
export const PATH_FAULTS: ReadonlySet<string> = new Set(['ELOOP', 'ENAMETOOLONG', 'EISDIR', 'ENXIO', 'ENODEV', 'EOVERFLOW', 'EFBIG', 'ETXTBSY']);

/**
 * A failure that says nothing about a config file (too many open files, no memory, an I/O error, a signal): a
 * runtime error (exit 1; in the library not a ConfigError), not a UsageError naming a file that may not exist.
 */
export function lookFailed(path: string, e: NodeJS.ErrnoException, doing = 'look for'): Error {
  const err = new Error(`could not ${doing} the config file ${escapeControl(path)}: ${e.message.replace(/, \w+ '.*'$/s, '')}`, { cause: e });
  return Object.assign(err, { code: e.code });
}

/** What stat (symlinks followed) says the path is, when it is there and not a regular file; undefined otherwise. */
export function notRegularStat(path: string): Stats | undefined {
  try {
    const st = statSync(configFsPath(path));
    return st.isFile() ? undefined : st;
  } catch {
    return undefined;
  }
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
  const entrySource = new Map<string, number>();
  for (const [index, { values, info }] of sources.entries()) {
    for (const key of CONFIG_KEYS) {
      const v = values[key];
      if (v === undefined) continue;
      if (key === 'thresholds' || key === 'keymap') {
        // maps merge entry by entry: a project file can override one threshold of the user file
        const target = config[key] as Record<string, unknown>;
        for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
          target[name] = Array.isArray(value) ? [...value] : value;
          entryOrigins[`${key}.${name}`] = info(key);
          entrySource.set(`${key}.${name}`, index);
        }
      } else (config as unknown as Record<string, unknown>)[key] = v;
      origins[key] = info(key);
    }
  }
  checkThresholdPairs(config.thresholds, entryOrigins, entrySource);
  checkKeymapConflicts(config.keymap, entryOrigins);
  return { config, origins, entryOrigins, files };
}

/**
 * The warning/critical pairs, checked on the merged thresholds (defaults < user file < project file < flags):
 * a level one source leaves out counts at the value another source gave it, so closeWaitCritical 500 in the
 * user file makes closeWaitCount 200 in sockscope.yaml valid, and closeWaitCritical 5 there contradicts
 * closeWaitCount 8 here. The error is said at the later source's key and names where the other level came
 * from: another file (or flag), nothing when the same one, or its default.
 */
function checkThresholdPairs(thresholds: Record<string, number>, entryOrigins: Record<string, OriginInfo>, entrySource: Map<string, number>): void {
  const [c] = thresholdConflicts(thresholds);
  if (c === undefined) return;
  const at = (n: string) => entrySource.get(`thresholds.${n}`) ?? -1;
  const level = at(c.warning) >= at(c.critical) ? 'warning' : 'critical';
  const [key, otherKey] = level === 'warning' ? [c.warning, c.critical] : [c.critical, c.warning];
  const o = entryOrigins[`thresholds.${key}`];
  const otherOrigin = entryOrigins[`thresholds.${otherKey}`];
  const other =
    at(otherKey) === -1 ? `its default; set ${otherKey} too` : at(otherKey) === at(key) ? undefined : `from ${otherOrigin.detail ?? otherOrigin.origin}`;
  const where = o?.detail ? `${o.detail}: ` : '';
  throw new UsageError(`${where}thresholds.${key}: ${thresholdConflictMessage(c, level, other)}`);
}

/** Flags that carry a value (undefined ones are left out). */
export function givenFlags(flags: Partial<Config> | undefined): Partial<Config> {
  return Object.fromEntries(Object.entries(flags ?? {}).filter(([, v]) => v !== undefined)) as Partial<Config>;
}

/** True when the environment sets a config value: the variables load.ts's parseEnv reads (keep the two in step). */
export function envSetsConfig(env: NodeJS.ProcessEnv): boolean {
  return (env.SOCKET_DEBUG !== undefined && env.SOCKET_DEBUG.trim() !== '') || (env.DEFAULT_BUFFER_SIZE !== undefined && env.DEFAULT_BUFFER_SIZE.trim() !== '') || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');
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
 * only when a config file, the environment or flags set something to validate. A file it cannot read is
 * one warning line on stderr (stdout, --json included, stays the command's own) and the command goes on
 * without it: a config file does not get to stop `sockscope errno 104` because of its permissions.
 */
export async function loadCliConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const loaded = loadConfigWithoutFiles(opts) ?? (await import('./load.js')).loadConfig(opts);
  warnUnreadable(loaded.files);
  return loaded;
}

/**
 * The collector a command reads, and where that choice came from: --source when given on the command line,
 * else the configuration's `source` (a config file; otherwise the default, auto). main.ts's middleware
 * resolves it once for every command (argv.source, argv.sourceFrom); `task` applies it itself. `from` only
 * tells a typed --source from a configured one (sources.ts, task.ts); which file set it is in `origins`,
 * which `sockscope config` shows.
 */
export function effectiveSource(flag: unknown, loaded: Pick<LoadedConfig, 'config' | 'origins'>): { source: Config['source']; from: Origin } {
  if (typeof flag === 'string' && flag !== '') return { source: flag as Config['source'], from: 'flag' };
  return { source: loaded.config.source, from: loaded.origins.source.origin };
}

/** Files already warned about: main.ts's middleware and then the command itself load the configuration. */
const warned = new Set<string>();
let warnings = true;

/**
 * For `sockscope config`, which lists each file's state in its own output: no warning line. Called from
 * its builder, which yargs runs before the middleware that first loads the configuration.
 */
export function quietUnreadableWarnings(): void {
  warnings = false;
}

function warnUnreadable(files: readonly ConfigFileRef[]): void {
  for (const f of files) {
    if (f.unreadable === undefined || !warnings || warned.has(f.path)) continue;
    warned.add(f.path);
    // A directory on the way this user may not search: whether the file exists cannot be known, so it is not said to be there.
    const dir = f.unreadable === 'EACCES' ? unsearchableDirectory(f.path) : undefined;
    const why = dir !== undefined ? `cannot check ${escapeControl(f.path)}: ${escapeControl(dir)} is not searchable by this user (EACCES)` : `ignoring ${escapeControl(f.path)}: not readable (${f.unreadable})`;
    process.stderr.write(`sockscope: ${why}\n`);
  }
}

/**
 * For a file whose open() failed with EACCES: the directory above it that this user may not search (the
 * lstat of the next component fails with EACCES), or undefined when every component is reached and the
 * file itself refuses to be read.
 */
function unsearchableDirectory(path: string): string | undefined {
  const parts = resolve(path).split('/');
  for (let i = 2; i <= parts.length; i++) {
    try {
      lstatSync(encodeUtf8Bytes(parts.slice(0, i).join('/')));
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EACCES' ? parts.slice(0, i - 1).join('/') || '/' : undefined;
    }
  }
  return undefined;
}

/**
 * A rebound key must not shadow another command in a view where both apply (the keymap is searched in
 * order, so the other command would silently stop working). The error names the source of the override.
 */
function checkKeymapConflicts(overrides: Record<string, string[]>, entryOrigins: Record<string, OriginInfo>): void {
  if (!Object.keys(overrides).length) return;
  const where = (command: string): string => {
    const o = entryOrigins[`keymap.${command}`];
    return o?.detail ? `${o.detail}: ` : '';
  };
  // A command's fixed keys (Ctrl-C always quits) cannot be taken by another command, whatever the owner is bound
  // to: said first and naming the command the user bound, since "rebind quit too" could never be followed.
  for (const b of DEFAULT_KEYMAP) {
    for (const fixed of overriddenKeys(b.command, [])) {
      for (const [command, keys] of Object.entries(overrides)) {
        if (command !== b.command && keys.includes(fixed)) throw new UsageError(`${where(command)}keymap.${command}: ${fixed} always ${b.command}s; it cannot be bound to ${command}`);
      }
    }
  }
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
        throw new UsageError(`${where(a.command)}keymap.${a.command}: key '${key}' is also bound to ${b.command} in the ${view} view; rebind ${b.command} too or pick another key`);
      }
    }
  }
}
