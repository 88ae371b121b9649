// Loads the effective configuration: defaults < user file < project files < environment < flags.
// Each source is validated with zod on its own; an invalid one is a UsageError (exit 2) naming the
// file (or variable, or flag) and the key. A file that cannot be read is left out, not an error: its
// ConfigFileRef says why (resolve.ts's configFileRefs). The parts without zod or YAML (locations,
// merging, the case with nothing to validate) are in resolve.ts; commands use its loadCliConfig, which
// loads this module only when a config file, the environment or a flag sets something.
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { fileKind, readAtMost, utf8Text } from './file-read.js';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../cli/errors.js';
import { shownNumber, THRESHOLD_KINDS, THRESHOLD_RANGES } from '../advise/thresholds.js';
import { BUFFER_SIZE_MAX, BUFFER_SIZE_MIN, INTERVAL_MS_MAX, INTERVAL_MS_MIN } from './defaults.js';
import { CONFIG_KEYS, ConfigFileSchema, ConfigFlagsSchema, SKILL_KEYS, SkillFileSchema, suggest, type Config, type ConfigFile } from './schema.js';
import { configFileRefs, configFsPath, givenFlags, lookFailed, mergeConfig, notRegularStat, PATH_FAULTS, type ConfigSource, type LoadConfigOptions, type LoadedConfig } from './resolve.js';

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

/**
 * The documented range of a numeric setting at `path` (a file's, or the skill file's under socket-programming),
 * said when a number is out of it: zod's own words name JavaScript's limits ("expected int to be
 * <=9007199254740991") or print Infinity as null.
 */
function numberRange(path: readonly PropertyKey[]): string | undefined {
  const p = path[0] === 'socket-programming' ? path.slice(1) : path;
  if (p.length === 1 && p[0] === 'bufferSize') return `a whole number of bytes (${BUFFER_SIZE_MIN}-${BUFFER_SIZE_MAX})`;
  if (p.length === 1 && p[0] === 'intervalMs') return `a whole number of milliseconds (${INTERVAL_MS_MIN}-${INTERVAL_MS_MAX})`;
  if (p.length === 2 && p[0] === 'thresholds' && Object.hasOwn(THRESHOLD_KINDS, String(p[1]))) return THRESHOLD_RANGES[THRESHOLD_KINDS[String(p[1])]].text;
  return undefined;
}

/**
 * Turns the first zod issue into one line: "WHERE: KEY: problem". `written` gives a value's text as the file
 * has it (`.inf`, `1e400`), shown instead of the parsed number.
 */
function describeIssue(where: string, err: z.ZodError, input: unknown, known: readonly string[], prefix = '', written?: Written): string {
  const issue = err.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const at = keyPath([...issue.path, key]);
    return `${where}: ${prefix}${at}: unknown key${suggest(String(key), issue.path.length ? [] : known)}`;
  }
  let got: unknown = input;
  for (const p of issue.path) got = got && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  const at = `${where}: ${prefix}${keyPath(issue.path) || '(top level)'}`;
  // Only where zod's words mislead: a number it cannot show (Infinity, NaN as null) or beyond JavaScript's integers.
  const unsafe = typeof got === 'number' && (!Number.isFinite(got) || Math.abs(got) > Number.MAX_SAFE_INTEGER);
  const range = unsafe ? numberRange(issue.path) : undefined;
  if (range !== undefined) return `${at}: expected ${range}, got ${written?.(issue.path) ?? shownNumber(got as number)}`;
  const read = issue.code === 'invalid_type' ? keymapEntryRead(issue.path, got, written) : undefined;
  if (read !== undefined) return `${at}: expected a key name, got ${JSON.stringify(got)}: ${read}`;
  const shown = got === undefined || issue.code === 'custom' ? '' : `, got ${JSON.stringify(got)}`;
  return `${at}: ${issue.message.replace(/^Invalid input: /, '')}${shown}`;
}

/**
 * Why a keymap entry is not a string, when YAML's reading of an unquoted key made it something else: `[?]` is a
 * mapping (`?` starts a key in a flow sequence), `[~]` null, `[1]` a number, `[true]` a boolean.
 */
function keymapEntryRead(path: readonly PropertyKey[], got: unknown, written?: Written): string | undefined {
  if (path.length !== 3 || path[0] !== 'keymap' || typeof path[2] !== 'number') return undefined;
  const as = got === null ? 'null (~, null or nothing)' : typeof got === 'object' && !Array.isArray(got) ? 'a mapping (an unquoted ? or ": " makes one)' : typeof got === 'number' || typeof got === 'boolean' ? `a ${typeof got}` : undefined;
  if (as === undefined) return undefined;
  const text = got === null || typeof got === 'object' ? undefined : written?.(path);
  const example = JSON.stringify(text ?? (got === null ? '~' : '?'));
  return `YAML reads the unquoted entry as ${as}; quote the key, e.g. [${example}]`;
}

/** The text of the value at a key path as the file has it, when it is a scalar there. */
type Written = (path: readonly PropertyKey[]) => string | undefined;

/**
 * The largest config file read (README, configuration section). A settings file is a few KiB; the limit keeps a
 * mistaken file (a log, a dump) from costing seconds in the YAML parser: 64 KiB of short keys (~8,000) parse in
 * ~0.2 s, most of it the parser's start.
 */
export const CONFIG_FILE_MAX_BYTES = 64 * 1024;

/** "PATH: is a FIFO, expected a YAML file" for a path that is not a regular file. */
function notRegular(path: string, st: Stats): UsageError {
  return new UsageError(`${path}: is a ${fileKind(st)}, expected a YAML file`);
}

/**
 * The file's text. Opened without blocking (O_NONBLOCK: a FIFO would wait for a writer) and checked on the open
 * descriptor (symlinks followed): anything but a regular file is refused, as is a file above CONFIG_FILE_MAX_BYTES
 * (/dev/zero or a huge file would otherwise be read whole).
 */
function readConfigText(path: string): string {
  let fd: number | undefined;
  try {
    try {
      fd = openSync(configFsPath(path), constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      // A UNIX socket does not open (ENXIO), nor a FIFO or directory this user may not read: said by its kind.
      const st = notRegularStat(path);
      if (st) throw notRegular(path, st);
      throw e;
    }
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(path, st);
    const tooBig = () => new UsageError(`${path}: larger than ${CONFIG_FILE_MAX_BYTES / 1024} KiB, the limit for a config file`);
    if (st.size > CONFIG_FILE_MAX_BYTES) throw tooBig();
    // Read to the end, at most one byte past the limit (a file that grew, or a size the kernel does not report).
    const bytes = readAtMost(fd, CONFIG_FILE_MAX_BYTES);
    if (bytes === null) throw tooBig();
    return configText(path, bytes);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // Too many open files, no memory, an I/O error: not the file's fault, a runtime error (exit 1), as in lookFor.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && !PATH_FAULTS.has(code) && !['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM'].includes(code)) throw lookFailed(path, e as NodeJS.ErrnoException, 'read');
    // Node's message ends with the call and the path as it was given to the OS (relative, bytes): the path is said first.
    throw new UsageError(`${path}: cannot read: ${(e as Error).message.replace(/, \w+ '.*'$/s, '')}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A config file's bytes as text: UTF-8 (YAML 1.2's encodings are UTF-8/16/32, but the parser reads a string), a UTF-8
 * byte order mark allowed. Anything else is refused naming the file and where, not decoded with U+FFFD for the bytes
 * (a key bound to U+FFFD instead of the one written; a UTF-16 file read as one odd scalar).
 */
function configText(path: string, bytes: Buffer): string {
  const r = utf8Text(bytes);
  if (r.ok) return r.text;
  const convert = (from: string) => `a config file is UTF-8 (convert it, e.g. iconv -f ${from} -t utf-8)`;
  // The encoding to convert from is file-read.ts's (utf8Text), as for a task input: utf-16 with a byte order mark.
  if (r.bom !== undefined) return refuse(`${path}: not UTF-8: ${r.bom} text (it starts with the byte order mark ${r.bomBytes}); ${convert(r.from)}`);
  const hex = `0x${r.byte.toString(16).toUpperCase().padStart(2, '0')}`;
  const where = `${path}:${r.line}:${r.col}`;
  // ASCII in UTF-16 without a byte order mark: a NUL in every character, among the first ones (utf8Text's utf16).
  if (r.utf16?.sure) return refuse(`${where}: not UTF-8: ${r.utf16.name} text without a byte order mark (NUL bytes among its first characters, the first at offset ${r.offset}); ${convert(r.from)}`);
  if (r.utf16 !== undefined) return refuse(`${where}: not UTF-8 text: a NUL byte at offset ${r.offset} (${r.utf16.name} without a byte order mark?); ${convert(r.from)}`);
  return refuse(`${where}: not UTF-8: byte ${hex} at offset ${r.offset}; ${convert(r.from)}`);
}

function refuse(message: string): never {
  throw new UsageError(message);
}

/** "PATH:LINE:COL: invalid YAML: MESSAGE" for a parser error. */
function yamlError(path: string, e: YAMLError): UsageError {
  const pos = e.linePos?.[0];
  // The parser's words for a second document name its JavaScript API (parseAllDocuments()): said for a user instead.
  const msg = e.code === 'MULTIPLE_DOCS' ? 'a config file holds one YAML document; a second one starts here' : e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return new UsageError(`${path}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${msg}`);
}

/**
 * Reads a YAML file into a plain object (empty file: {}); syntax errors and non-mappings are UsageErrors.
 * `own(key)` says whether a top-level key is sockscope's (left out: the whole file is): an unresolved tag (`!vault x`,
 * on a value or a key) under one is an error naming the key; under another skill's key (the skill file) it is that
 * skill's business and is not printed. A tag on the document is an error naming the line when the file is
 * sockscope's or its top level holds one of sockscope's keys.
 * Duplicate keys are found here, in one pass (the parser's uniqueKeys compares each key with all the others).
 */
function readYaml(path: string, own?: (key: string) => boolean): { data: Record<string, unknown>; written: Written } {
  const text = readConfigText(path);
  const lineCounter = new LineCounter();
  // logLevel 'error': the parser's warnings are collected in doc.warnings, not printed on stderr.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, logLevel: 'error', lineCounter });
  if (doc.errors.length) throw yamlError(path, doc.errors[0]);
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${path}:${line}:${col}`;
  };
  // A key given twice is an error only where sockscope reads: under another skill's key (the skill file) it is that
  // skill's business, as a tag there is. Said with the key's path and the line of its first use.
  let duplicate: string | undefined;
  const ours = own ?? allOwn;
  visit(doc, {
    Map(_key, map, path) {
      const keys = entryKeys(path, map);
      if (keys.length > 0 && !ours(keys[0])) return visit.SKIP;
      const seen = new Map<unknown, number>();
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        const start = (pair.key as { range?: [number] } | null)?.range?.[0] ?? 0;
        const first = seen.get(k);
        if (first === undefined) {
          seen.set(k, start);
          continue;
        }
        const name = keyText(pair.key);
        if (keys.length === 0 && !ours(name)) continue;
        duplicate = `${at(start)}: ${[...keys, name].join('.')}: key given twice (first on line ${lineCounter.linePos(first).line}); YAML map keys must be unique`;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (duplicate !== undefined) throw new UsageError(duplicate);
  // A warning (an unresolved tag) under one of sockscope's keys: the path of the innermost key holding it. A tag
  // is on the node after it (a value, a key: `!vault bufferSize: 1`, or the document: `--- !foo`, path []).
  const tagged = taggedNodes(doc);
  for (const w of doc.warnings) {
    const tag = w.code === 'TAG_RESOLVE_FAILED' ? tagged.find((t) => t.start >= w.pos[1]) : undefined;
    const where = tag?.keys ?? keyPathAt(doc.contents, w.pos[0]);
    if (where.length === 0 ? tag === undefined || !ownsDocument(doc.contents, own) : !(own ?? allOwn)(where[0])) continue;
    const what = w.code === 'TAG_RESOLVE_FAILED' ? `${w.message.split(' at line')[0].replace(/^Unresolved tag/, 'unresolved tag')} (sockscope's settings take plain YAML values)` : w.message.split(' at line')[0];
    throw new UsageError(`${at(w.pos[0])}: ${where.join('.') || '(top level)'}: ${what}`);
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    throw new UsageError(`${path}: invalid YAML: ${(e as Error).message}`);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`${path}: expected a mapping of settings (key: value) at the top level`);
  const written: Written = (keys) => {
    const node = doc.getIn(keys as unknown[], true);
    return isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]).trim() : undefined;
  };
  return { data: data as Record<string, unknown>, written };
}

const allOwn = () => true;

/** A map key as a key path names it: a scalar's value, else its YAML text. */
function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** The key path (outermost first; a sequence's entries by index) of `node`, whose ancestors `visit` gives as `path`. */
function entryKeys(path: readonly unknown[], node: unknown): string[] {
  const chain = [...path, node];
  const keys: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const p = chain[i];
    if (isPair(p)) keys.push(keyText(p.key));
    else if (isSeq(p)) keys.push(String(p.items.indexOf(chain[i + 1] as never)));
  }
  return keys;
}

/** A tag on the document (its top-level node) is sockscope's when the file is, or when that node holds one of its keys. */
function ownsDocument(contents: unknown, own: ((key: string) => boolean) | undefined): boolean {
  if (own === undefined) return true;
  return isMap(contents) && contents.items.some((pair) => own(String(isScalar(pair.key) ? pair.key.value : pair.key)));
}

/**
 * Every node with a tag, in the order of the text: where it starts and the keys (outermost first) of the map
 * entries holding it; a key's own tag counts as its entry's. A tag is followed by its node, with only blanks,
 * an anchor or a comment between: the first tagged node starting after a tag's text is the one it is on.
 */
function taggedNodes(doc: Document): { start: number; keys: string[] }[] {
  const found: { start: number; keys: string[] }[] = [];
  visit(doc, {
    Node(_key, node, path) {
      if (node.tag === undefined || node.range === undefined || node.range === null) return;
      const keys = path.filter(isPair).map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key));
      found.push({ start: node.range[0], keys });
    },
  });
  return found.sort((a, b) => a.start - b.start);
}

/** The keys (outermost first) of the map entries whose text holds `offset`. */
function keyPathAt(node: unknown, offset: number): string[] {
  if (!isMap(node)) return [];
  for (const pair of node.items) {
    const start = (pair.key as { range?: [number, number, number] } | null)?.range?.[0];
    const value = pair.value as { range?: [number, number, number] } | null;
    const end = value?.range?.[1] ?? (pair.key as { range?: [number, number, number] } | null)?.range?.[1];
    if (start === undefined || end === undefined || offset < start || offset > end) continue;
    return [String(isScalar(pair.key) ? pair.key.value : pair.key), ...keyPathAt(pair.value, offset)];
  }
  return [];
}

/** Validates the user file or sockscope.yaml. */
export function parseConfigFile(path: string): ConfigFile {
  const { data: raw, written } = readYaml(path);
  const r = ConfigFileSchema.safeParse(raw);
  if (!r.success) throw new UsageError(describeIssue(path, r.error, raw, CONFIG_KEYS, '', written));
  return r.data;
}

/** Validates .babysitter/skills/socket-programming.yaml and returns its `socket-programming` block. */
export function parseSkillFile(path: string): ConfigFile {
  const { data: raw, written } = readYaml(path, (key) => key === 'socket-programming');
  const r = SkillFileSchema.safeParse(raw);
  if (!r.success) {
    throw new UsageError(describeIssue(path, r.error, raw, SKILL_KEYS, '', written).replace(/unknown key$/, `unknown key (the socket-programming block takes ${SKILL_KEYS.join(', ')})`));
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
    // Beyond JavaScript's integers zod would name that limit and show 1e+23 for the digits: said here, as typed.
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
      throw new UsageError(`environment DEFAULT_BUFFER_SIZE: expected a whole number of bytes (${BUFFER_SIZE_MIN}-${BUFFER_SIZE_MAX}), got ${JSON.stringify(env.DEFAULT_BUFFER_SIZE)}`);
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
