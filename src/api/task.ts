// `sockscope task`: one operation described in JSON, validated with zod (a discriminated union on `operation`),
// run through the library API, and answered with one JSON document: {ok: true, operation, result} or
// {ok: false, error: {code, message, issues}}. Exit codes: 0 ok, 1 runtime failure, 2 bad input.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, rmdirSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { fileKind, readAtMost } from '../config/file-read.js';
import { relativeInRemovedDirectory } from '../config/resolve.js';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { UnitError } from '../advise/units.js';
import { UsageError } from '../cli/errors.js';
import { FileExistsError } from '../codegen/index.js';
import { directoriesAmong, directoriesCreatedFor, existingFiles, specialFileMessage, specialFilesAmong, writeFailureReason, writeFilesAtomic } from '../codegen/write.js';
import { CollectorError } from '../collect/source.js';
import type { BuffersReport } from '../advise/buffers-report.js';
import type { ProbeResult } from '../collect/connect-probe.js';
import type { ErrnoLookup } from '../knowledge/errno.js';
import type { OptionReport } from '../knowledge/socket-options.js';
import type { AnalyzeReport, StatesReport } from '../report/schema.js';
import { escapeMessage, jsonText } from '../model/escape.js';
import { sizeBuffers, SizeBuffersInputSchema } from './buffers.js';
import { libraryConfig, type LibraryOptions } from './config.js';
import { ConfigError, InvalidInputError, OutputUnwritableError, requiredMessages, zodIssues, type InputIssue } from './errors.js';
import { briefText, briefValue, formatPath } from '../model/input-error.js';
import { firstDuplicateKey } from './json-duplicate-keys.js';
import { GenerateAutomationInputSchema, GenerateFilesInputSchema, generateServerFiles, type GenerateServerReport } from './generate.js';
import { analyze, AnalyzeInputSchema, analyzeStates } from './host.js';
import { debugConnection, DebugConnectionInputSchema, inspectOptions, InspectOptionsInputSchema, type InspectOptionsReport } from './inspect.js';
import { describeOption, DescribeOptionInputSchema, ErrnoInputSchema, explainErrno } from './knowledge.js';

/** Every operation a task may name. */
export const TASK_OPERATIONS = ['analyze', 'analyze-states', 'generate-server', 'generate', 'inspect-options', 'debug-connections', 'errno', 'options', 'buffers'] as const;
export type TaskOperation = (typeof TASK_OPERATIONS)[number];

// One variant per operation: the library function's own input schema (strict, with its cross-field rules such as
// "port or peerPort, not both") plus `operation`. safeExtend keeps those refinements.
const op = <L extends TaskOperation>(name: L) => ({ operation: z.literal(name) });

/** The task document: `{operation, ...that operation's input}`. */
export const TaskInputSchema = z.discriminatedUnion('operation', [
  AnalyzeInputSchema.safeExtend(op('analyze')),
  AnalyzeInputSchema.safeExtend(op('analyze-states')),
  GenerateFilesInputSchema.safeExtend(op('generate-server')),
  GenerateAutomationInputSchema,
  InspectOptionsInputSchema.safeExtend(op('inspect-options')),
  DebugConnectionInputSchema.safeExtend(op('debug-connections')),
  ErrnoInputSchema.safeExtend(op('errno')),
  DescribeOptionInputSchema.safeExtend(op('options')),
  SizeBuffersInputSchema.safeExtend(op('buffers')),
]);
export type TaskInput = z.input<typeof TaskInputSchema>;

/** What each operation returns: the document the matching CLI command prints with --json. */
export interface TaskResults {
  analyze: AnalyzeReport;
  'analyze-states': StatesReport;
  'generate-server': GenerateServerReport;
  generate: GenerateServerReport;
  'inspect-options': InspectOptionsReport;
  'debug-connections': ProbeResult;
  errno: ErrnoLookup;
  options: OptionReport;
  buffers: BuffersReport;
}

/** `{ok: true, operation, result}`; discriminated on `operation` (narrowing it types `result`). */
export type TaskSuccess<Op extends TaskOperation = TaskOperation> = Op extends TaskOperation ? { ok: true; operation: Op; result: TaskResults[Op] } : never;

export interface TaskFailure {
  ok: false;
  /** The operation, when the input named a known one. */
  operation?: TaskOperation;
  error: {
    /** unreadable-input, invalid-json, invalid-input, invalid-options, unknown-errno, unknown-option, file-exists, output-exists, config-error (exit 2); collector-error, output-unwritable, runtime-error (exit 1). */
    code: string;
    message: string;
    issues: InputIssue[];
  };
}

export type TaskDocument = TaskSuccess | TaskFailure;

/** Validates a parsed task document; throws InvalidInputError with one issue per problem. */
export function parseTask(raw: unknown): TaskInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError('a task is one JSON object: {"operation": ..., ...}', [{ path: '', message: `expected an object, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}` }]);
  }
  const operation = (raw as { operation?: unknown }).operation;
  if (typeof operation !== 'string' || !(TASK_OPERATIONS as readonly string[]).includes(operation)) {
    const message = `operation must be one of ${TASK_OPERATIONS.join(', ')}; got ${operation === undefined ? 'nothing' : briefValue(operation)}`;
    throw new InvalidInputError(message, [{ path: 'operation', message }]);
  }
  const r = TaskInputSchema.safeParse(raw, { error: requiredMessages });
  if (r.success) return r.data as TaskInput;
  const issues = zodIssues(r.error);
  throw new InvalidInputError(`invalid ${operation} task: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
}

/** The input of one operation: `{operation: 'errno', code, platform?}`... */
export type TaskInputOf<Op extends TaskOperation> = Extract<TaskInput, { operation: Op }>;

/**
 * Validates (at run time too) and runs a task; returns its result (the CLI command's --json document), typed by
 * the operation. Throws InvalidInputError for bad input. For JSON of unknown shape use executeTask().
 * The parameter is the operation's own input type (not the argument's type, as `<T extends TaskInput>(task: T)`
 * made it), so that an unknown field is a compile error too. `options.config`: as for analyze() (api/config.ts).
 */
export async function runTask<Op extends TaskOperation>(task: TaskInputOf<Op> & { operation: Op }, options?: LibraryOptions): Promise<TaskSuccess<Op>>;
export async function runTask(raw: TaskInput, options?: LibraryOptions): Promise<TaskSuccess> {
  const task = parseTask(raw);
  // options.config is checked for every operation, not only those that use configuration: a caller's typo
  // would otherwise pass silently until a task that reads it.
  const config = libraryConfig(options, 'task');
  const { operation, ...input } = task as { operation: TaskOperation } & Record<string, unknown>;
  // inspect-options and debug-connections take no options: the task's "source", else options.config.source
  // (analyze, analyze-states and buffers apply it themselves).
  if ((operation === 'inspect-options' || operation === 'debug-connections') && input.source === undefined && config.source !== 'auto') input.source = config.source;
  const result = await dispatch(operation, input, task, options);
  return { ok: true, operation, result } as TaskSuccess;
}

async function dispatch(operation: TaskOperation, input: Record<string, unknown>, task: TaskInput, options: LibraryOptions | undefined): Promise<unknown> {
  switch (operation) {
    case 'analyze':
      return await analyze(input, options);
    case 'analyze-states':
      return await analyzeStates(input, options);
    case 'generate-server':
      return generateServerFiles(input, options);
    case 'generate':
      return generateServerFiles(task as z.input<typeof GenerateAutomationInputSchema>, options);
    case 'inspect-options':
      return await inspectOptions(input as never);
    case 'debug-connections':
      return await debugConnection(input as never);
    case 'errno':
      return explainErrno(input as never);
    case 'options':
      return describeOption(input as never);
    case 'buffers':
      return await sizeBuffers(input, options);
  }
}

/** Exit code and error code for anything a task can throw. */
export function classifyError(e: unknown): { exitCode: 1 | 2; code: string; message: string; issues: InputIssue[] } {
  const message = (e as Error)?.message ?? String(e);
  if (e instanceof InvalidInputError) return { exitCode: 2, code: e.code, message, issues: e.issues };
  if (e instanceof z.ZodError) return { exitCode: 2, code: 'invalid-input', message: 'invalid input', issues: zodIssues(e) };
  if (e instanceof FileExistsError) return { exitCode: 2, code: 'file-exists', message, issues: [{ path: 'output', message }] };
  if (e instanceof ConfigError) return { exitCode: 2, code: e.code, message, issues: [] };
  if (e instanceof UsageError || e instanceof UnitError) return { exitCode: 2, code: 'invalid-input', message, issues: [{ path: '', message }] };
  if (e instanceof OutputUnwritableError) return { exitCode: 1, code: e.code, message, issues: [] };
  if (e instanceof CollectorError) return { exitCode: 1, code: 'collector-error', message, issues: [] };
  return { exitCode: 1, code: 'runtime-error', message, issues: [] };
}

/**
 * The failure document for an error (and its exit code). Its message and each issue's path and message are
 * escaped text (escapeMessage: C0 and C1 controls, DEL, bidi and invisible characters as \x1b, \u009b, \u202e),
 * as the CLI's stderr shows the same messages and --json's recommendation messages are: they quote the task's
 * own text (an errno code, an unknown field's name, the input file's name) and a shared validator's words,
 * and a program that prints `error.message` must not be driven by them. A backslash stays as it is: a value
 * a message quotes (briefValue's JSON form) is escaped already.
 */
export function failure(e: unknown, operation?: TaskOperation): { exitCode: 1 | 2; document: TaskFailure } {
  const c = classifyError(e);
  const issues = c.issues.map((i) => ({ ...i, path: escapeMessage(i.path), message: escapeMessage(i.message) }));
  return { exitCode: c.exitCode, document: { ok: false, ...(operation ? { operation } : {}), error: { code: c.code, message: escapeMessage(c.message), issues } } };
}

/**
 * Runs a task and never throws: the document to print and the exit code (0, 1 or 2). Reading `operation` is inside
 * the try too: a getter or Proxy that throws there is a failure document (runtime-error), not a rejection.
 */
export async function executeTask(raw: unknown, options?: LibraryOptions): Promise<{ exitCode: 0 | 1 | 2; document: TaskDocument }> {
  let operation: TaskOperation | undefined;
  try {
    const named = typeof raw === 'object' && raw !== null ? (raw as { operation?: unknown }).operation : undefined;
    operation = (TASK_OPERATIONS as readonly unknown[]).includes(named) ? (named as TaskOperation) : undefined;
    return { exitCode: 0, document: await runTask(raw as TaskInputOf<TaskOperation>, options) };
  } catch (e) {
    return failure(e, operation);
  }
}

/**
 * Where UTF-8 decoding fails: the offset of the first byte that does not start a valid sequence (RFC 3629: lead
 * bytes C2..F4 with their continuation bytes, no overlong forms, no surrogates, nothing above U+10FFFF).
 */
function firstNonUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return 0;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The largest task input read (README, sockscope task): a task is a few KiB; /dev/zero or `yes |` must not be read whole. */
export const TASK_INPUT_MAX_BYTES = 16 * 1024 * 1024;

/** A path that is not a regular file or a FIFO: refused before it is read (stdin is read whatever it is: a terminal too). */
function refuseKind(path: string, st: Stats): void {
  if (st.isFile() || st.isFIFO()) return;
  const kind = fileKind(st);
  throw new InvalidInputError(`cannot read ${path}: it is a ${kind}${kind === 'directory' ? '' : ', not a task file (a JSON file, a pipe, or - for stdin)'}`, undefined, 'unreadable-input');
}

/**
 * The bytes of a task input: a regular file, a FIFO or process substitution (opening one waits for its writer, as
 * reading it means), or stdin for '-'; at most TASK_INPUT_MAX_BYTES, refused once one byte more has come.
 */
function readTaskBytes(path: string): Uint8Array {
  const tooBig = () => new InvalidInputError(`cannot read ${path === '-' ? 'stdin' : path}: larger than ${TASK_INPUT_MAX_BYTES / 1024 / 1024} MiB, the limit for a task`, undefined, 'unreadable-input');
  let fd = 0;
  if (path !== '-') {
    refuseKind(path, statSync(path));
    fd = openSync(path, 'r');
  }
  try {
    const st = fstatSync(fd);
    if (path !== '-') refuseKind(path, st); // what was opened, if the path changed meanwhile
    if (st.isFile() && st.size > TASK_INPUT_MAX_BYTES) throw tooBig();
    // A non-blocking stdin (inherited so) with nothing yet is waited for.
    const bytes = readAtMost(fd, TASK_INPUT_MAX_BYTES);
    if (bytes === null) throw tooBig();
    return bytes;
  } finally {
    if (path !== '-') closeSync(fd);
  }
}

/**
 * Reads and parses a task file ('-' is stdin). Throws InvalidInputError (unreadable-input, invalid-json).
 * JSON is UTF-8 (RFC 8259): other bytes are refused with their offset, not decoded to U+FFFD, which would
 * have written a file under a mangled name or sent other bytes than the task's.
 */
export function readTaskFile(path: string): unknown {
  let text: string;
  const where = path === '-' ? 'stdin' : path;
  try {
    const bytes = readTaskBytes(path);
    try {
      text = STRICT_UTF8.decode(bytes);
    } catch {
      const at = firstNonUtf8(bytes);
      const message = `${where} is not UTF-8 text: byte 0x${bytes[at].toString(16).toUpperCase().padStart(2, '0')} at offset ${at}; a task is JSON, which is UTF-8 (convert it, e.g. iconv -f latin1 -t utf-8)`;
      throw new InvalidInputError(message, [{ path: '', message }], 'invalid-json');
    }
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    const err = e as NodeJS.ErrnoException;
    const message = `cannot read ${path === '-' ? 'stdin' : path}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message}`;
    throw new InvalidInputError(message, [{ path: '', message }], 'unreadable-input');
  }
  let value: unknown;
  try {
    text = text.replace(/^\uFEFF/, '');
    value = JSON.parse(text);
  } catch (e) {
    const message = `${path === '-' ? 'stdin' : path} is not valid JSON: ${(e as Error).message}`;
    throw new InvalidInputError(message, [{ path: '', message: (e as Error).message }], 'invalid-json');
  }
  // JSON.parse keeps the last of two equal keys without a word ({"code": "104", "code": "EPERM"} ran EPERM); a config
  // file's duplicate keys are refused too. Only here, on the text: executeTask(value) takes what it is given.
  const dup = firstDuplicateKey(text);
  if (dup !== undefined) {
    // A path 10,000 arrays deep is cut as a quoted value is (briefText): it was echoed whole, twice (60 KB).
    const whole = formatPath(dup.path);
    const at = briefText(whole);
    const depth = at === whole ? '' : `, ${dup.path.length} levels deep`;
    const key = briefValue(dup.key);
    // The failure names the operation the input names (a failure before the task runs does), unless that is the key given twice.
    const op = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { operation?: unknown }).operation : undefined;
    const operation = !(dup.path.length === 1 && dup.key === 'operation') && (TASK_OPERATIONS as readonly unknown[]).includes(op) ? (op as TaskOperation) : undefined;
    throw new DuplicateKeyError(`${where} has the key ${key} twice in one object (at ${at}${depth}); JSON keys must be unique (the last would silently win)`, [{ path: at, message: `the key ${key} is given twice in this object` }], operation);
  }
  return value;
}

/** readTaskFile's refusal of a key given twice: an InvalidInputError that knows the operation the input names (if any). */
export class DuplicateKeyError extends InvalidInputError {
  constructor(
    message: string,
    issues: InputIssue[],
    readonly operation: TaskOperation | undefined,
  ) {
    super(message, issues);
  }
}

/**
 * Refuses, before the task runs, what writeTaskResult would refuse after it: a relative path when the current
 * directory was removed (invalid-input), a directory, a device, a FIFO or a socket (even with `force`:
 * --output names the result file) and, unless `force`, anything already there (a dangling symbolic link too).
 * The same tests as writeFilesAtomic's (codegen/write.ts); a path they cannot examine is for the write to report.
 */
export function checkOutputFree(path: string, force: boolean): void {
  const gone = relativeInRemovedDirectory(path);
  if (gone !== undefined) throw new InvalidInputError(gone, [{ path: '', message: gone }]);
  const target = [{ path }];
  if (directoriesAmong(target).length > 0) {
    const message = `${path} is a directory; --output names the result file (e.g. ${path.replace(/\/+$/, '')}/result.json)`;
    throw new InvalidInputError(message, [{ path: '', message }], 'output-exists');
  }
  // A device, a FIFO or a socket (or a symbolic link to one: /dev/stdout) is never replaced either, and the message
  // does not advise --force (`--output /dev/null --force` run as root replaced the system's /dev/null).
  for (const s of specialFilesAmong(target)) {
    const message = specialFileMessage(s.path, s.kind);
    throw new InvalidInputError(message, [{ path: '', message }], 'output-exists');
  }
  if (!force && existingFiles(target).length > 0) {
    const message = `${path} already exists; pass --force to overwrite it (or choose another --output)`;
    throw new InvalidInputError(message, [{ path: '', message }], 'output-exists');
  }
}

/**
 * Refuses, before the task runs, an --output that cannot be written (TaskOutputError, exit 1): a file is created
 * (O_CREAT|O_EXCL) and removed in the directory the result would go to, or in its nearest existing parent when the
 * writer would create the rest (codegen/write.ts), the reason in the writer's words (writeFailureReason). A generate
 * task's files would otherwise be written first and left behind, and the next run refuse them as existing.
 */
export function checkOutputWritable(path: string): void {
  const fail = (why: string): never => {
    throw new TaskOutputError(`cannot write ${path}: ${why}`);
  };
  let dir = resolve(dirname(path));
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENOENT' && dirname(dir) !== dir) {
        dir = dirname(dir);
        continue;
      }
      return fail(writeFailureReason(e));
    }
    if (!isDir) fail(`${dir} is not a directory`);
    break;
  }
  // Named as the writer names its temporary file (codegen/write.ts writeOne), so a name the writer can use passes:
  // a longer probe name failed with ENAMETOOLONG for result names of about 224-235 characters.
  const probe = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(probe, 'wx', 0o600);
  } catch (e) {
    return fail(writeFailureReason(e));
  }
  closeSync(fd);
  try {
    unlinkSync(probe);
  } catch {
    /* the probe is ours and empty; nothing more to do */
  }
}

/**
 * After a result that could not be written: removes the files the task wrote (a generate task's `written`) and
 * then the directories the writer created for them (innermost first, each only if empty), so that a failed run
 * leaves nothing behind, as a failed write itself does (codegen/write.ts). When the task replaced files (`force`)
 * only those in a directory it created go: the others' old content is gone either way, and the new files are the
 * only copy. Returns the paths removed, a directory with a trailing '/'.
 */
export function removeWrittenFiles(doc: TaskDocument, task: unknown): string[] {
  if (!doc.ok || (doc.operation !== 'generate' && doc.operation !== 'generate-server')) return [];
  const force = (task as { force?: unknown } | null)?.force === true;
  const written = doc.result.written ?? [];
  const made = directoriesCreatedFor(written);
  const removed: string[] = [];
  for (const p of written) {
    if (force && !made.includes(resolve(dirname(p)))) continue;
    try {
      unlinkSync(p);
      removed.push(p);
    } catch {
      /* already gone */
    }
  }
  for (const d of [...made].reverse()) {
    try {
      rmdirSync(d); // only an empty one: anything put there meanwhile stays
      const rel = relative(process.cwd(), d);
      removed.push(`${rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : d}/`);
    } catch {
      /* not empty, or already gone */
    }
  }
  return removed;
}

/** Writes the result document atomically (temp file in the same directory + rename; link() when not forcing). */
export function writeTaskResult(path: string, doc: TaskDocument, force: boolean): void {
  try {
    writeFilesAtomic([{ path, content: `${jsonText(doc)}\n` }], { force });
  } catch (e) {
    if (e instanceof FileExistsError) {
      const message = `${path} appeared while the task ran; not replaced (pass --force to overwrite it)`;
      throw new InvalidInputError(message, [{ path: '', message }], 'output-exists');
    }
    // The writer's errors name the file and say the reason in words ("cannot write P: ...", codegen/write.ts).
    throw new TaskOutputError((e as Error).message, { cause: (e as Error).cause ?? e });
  }
}

/** The result file could not be written (exit 1: the task ran, its answer could not be stored). */
export class TaskOutputError extends OutputUnwritableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TaskOutputError';
  }
}
