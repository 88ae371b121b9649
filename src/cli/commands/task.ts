// `sockscope task INPUT.json [--output RESULT.json] [--force]`: one JSON task for automation (logic in src/api/task.ts, task-input.ts, task-output.ts).
// Every outcome is one JSON document: the result on stdout (or atomically in --output), errors always on stdout.
import type { CommandModule } from 'yargs';
import { fstatSync, statSync } from 'node:fs';
import { printJson, type NamesMissingPositionals } from '../options.js';
import { UsageError, briefWord } from '../errors.js';
import { briefValue } from '../../model/input-error.js';
import { escapeMessage } from '../../model/escape.js';
import { TASK_OPERATIONS, type TaskOperation } from '../../api/task-operations.js';
import { COMMAND_HEADS } from './heads.js';

interface Args {
  input: string;
  output?: string;
  force?: boolean;
  /** The global --source, when typed (main.ts gives it no default and leaves task's config to the handler). */
  source?: string;
}

/**
 * Whether stdin is the file `path` names (`task - -o job.json --force < job.json`): fd 0 a regular file with the
 * device and inode of `path`, as sameTarget catches /dev/stdin by stat. A pipe or a terminal is no file to replace.
 */
function stdinIsFile(path: string): boolean {
  try {
    const x = fstatSync(0);
    if (!x.isFile()) return false;
    const y = statSync(path);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** The operations that read sockets: their input has a `source` field (the others read none). */
const COLLECTING: readonly string[] = ['analyze', 'analyze-states', 'inspect-options', 'debug-connections', 'buffers'];

/**
 * The collector of a task that reads sockets: the document's own "source" field, else --source, else the config
 * file's `source` (effectiveSource), else the library's default (auto). A document's "source" and a --source that
 * differ contradict each other: refused (exit 2, invalid-input) rather than one silently ignored. Operations that
 * read no sockets (errno, options, generate...) take --source as the commands of the same name do: it changes nothing.
 * Returns the document to run (a copy when a source was added).
 */
function withTaskSource(doc: unknown, flag: string | undefined, chosen: { source: string; from: string; detail?: string }, refuse: (message: string) => Error): unknown {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return doc;
  const task = doc as Record<string, unknown>;
  if (!COLLECTING.includes(task.operation as string)) return doc;
  if (task.source !== undefined) {
    if (flag !== undefined && typeof task.source === 'string' && task.source !== flag) {
      throw refuse(`the task says "source": ${briefValue(task.source)} and the command line says --source ${flag}: give one of them (or the same value in both)`);
    }
    return doc;
  }
  // --source goes into the document, as typed there; a config file's reaches the task through options.config (the
  // config passed to executeTask), as the commands read it: a note's suggested command does not repeat it.
  if (chosen.from !== 'flag') return doc;
  return { ...task, source: chosen.source };
}

/** The operation a parsed task document names, when it is a known one (a failure before the task runs names it too). */
function namedOperation(doc: unknown): TaskOperation | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const op = (doc as { operation?: unknown }).operation;
  return (TASK_OPERATIONS as readonly unknown[]).includes(op) ? (op as TaskOperation) : undefined;
}

/**
 * Where a generate task writes its server (the document's `output`, or `config.output` for `generate`), with the
 * field's name; undefined for other operations and for no path (one that is not a string is the schema's to refuse).
 */
function taskWrites(doc: unknown): { path: string; field: string } | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const task = doc as { operation?: unknown; output?: unknown; config?: unknown };
  const [value, field] =
    task.operation === 'generate-server' ? [task.output, 'output'] : task.operation === 'generate' && typeof task.config === 'object' && task.config !== null ? [(task.config as { output?: unknown }).output, 'config.output'] : [undefined, ''];
  // The schema trims it (api/generate.ts WriteFields.output).
  return typeof value === 'string' && value.trim() !== '' ? { path: value.trim(), field } : undefined;
}

function print(doc: unknown): void {
  printJson(doc);
}

/** The command line's own words after `task`. */
const tokens = (): string[] => process.argv.slice(2);

/**
 * `--output -` and `-o -` both mean stdout (as `-` for the input means stdin), the same as no --output. yargs
 * reads `-o -` as the value '-' but `--output -` as an empty --output and a positional '-': a stray argument
 * after the input ("Unknown argument: -"), or, before it, the input itself (then the task file is the stray
 * one). Put it back before validation, when the words really were `--output -`.
 */
function outputDash(a: { _: (string | number)[]; input?: unknown; output?: unknown; o?: unknown }): void {
  const words = tokens();
  if (a.output !== '' || !words.some((w, k) => (w === '--output' || w === '-o') && words[k + 1] === '-')) return;
  a.output = a.o = '-';
  const i = a._.indexOf('-', 1);
  if (i >= 1) a._.splice(i, 1);
  else if (a.input === '' && a._.length > 1) a.input = String(a._.pop());
}

/**
 * --output must name one file: not empty (`--output ''` or a bare `--output`), not a directory
 * path ending in '/'. Bad command-line input (one line on stderr, exit 2), found before the task runs.
 */
function checkOutputFlag(output: unknown): void {
  if (output === undefined) return;
  // Given twice: refused before the handler, as every single-valued flag (main.ts, given-once.ts).
  const path = String(output);
  // An abusive path is quoted cut (briefWord) before JSON.stringify doubles its backslashes: the message's own net in main.ts could not find it.
  const quoted = briefWord(path, JSON.stringify);
  if (path.trim() === '') throw new UsageError(`--output needs a file path, got ${quoted}`);
  if (path.endsWith('/')) throw new UsageError(`--output names the result file, got a directory path ${quoted}${briefWord(path) === path ? ` (e.g. ${path}result.json)` : ''}`);
}

export const taskCommand: CommandModule<object, Args> & NamesMissingPositionals = {
  ...COMMAND_HEADS.task,
  builder: (y) =>
    y
      .positional('input', { type: 'string', describe: 'Task file: {"operation": ..., ...} (- for stdin)', demandOption: true })
      .option('output', { type: 'string', alias: 'o', describe: 'Write the result document here (atomically) instead of stdout (- is stdout); errors still go to stdout' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing --output file' })
      .middleware(outputDash as never, true)
      .check((a) => {
        checkOutputFlag(a.output);
        return true;
      })
      // At most 40 characters each: at 80 columns yargs splits a longer example that has a description beside it.
      .example('$0 task check.json', '{"operation": "analyze-states", "port": 8080} -> {"ok": true, "operation": ..., "result": ...}')
      .example('$0 task gen.json -o result.json', 'result in result.json; exit 0 ok, 1 runtime failure, 2 bad input')
      .example('$0 task job.json --source procfs', 'the collector of a task without its own "source" (one that differs from it: exit 2)') as never,
  missingPositionals: (words) =>
    words.length === 0 ? 'task needs an INPUT: a task file (one JSON object, {"operation": ..., ...}) or - for stdin, e.g. sockscope task check.json' : undefined,
  handler: async (a) => {
    // The task interface and every operation it runs load here only (dynamic import).
    const [{ executeTask, failure }, { DuplicateKeyError, readTaskFile }, { checkOutputFree, checkOutputWritable, removeWrittenFiles, writeTaskResult }, { effectiveSource, loadCliConfig }, { setDebugEnabled }, { ConfigError, InvalidInputError }, { withCliOrigins }, { sameTarget }, { cameFromNonUtf8Word }, { nonUtf8OutputMessage }, { withThresholdOrigins }] = await Promise.all([
      import('../../api/task.js'),
      import('../../api/task-input.js'),
      import('../../api/task-output.js'),
      import('../../config/resolve.js'),
      import('../../collect/debug.js'),
      import('../../api/errors.js'),
      import('../../api/config.js'),
      import('../../codegen/output-target.js'),
      import('../../collect/argv-bytes.js'),
      import('./generate-shared.js'),
      import('../../api/host.js'),
    ]);
    // '-' is stdout: no file (a file named - is ./-).
    const output = a.output === '-' ? undefined : a.output;
    let outcome;
    // The operation the input names, once it is read: every failure from then on names it, as executeTask's own do
    // (TaskFailure.operation), the --output and config checks' too.
    let operation: Parameters<typeof failure>[1];
    let task: unknown;
    try {
      // yargs hands a lone "-" over as "": that is the stdin spelling.
      const input = a.input === '' && tokens().includes('-') ? '-' : a.input;
      // A name that was not UTF-8 on the command line reached us with U+FFFD (collect/argv-bytes.ts): another name.
      if (cameFromNonUtf8Word(input)) {
        const m = `cannot read ${input}: the name is not valid UTF-8 (Node decodes command-line words as UTF-8, with U+FFFD for such bytes, so another name would be read); rename it or give the task on stdin (sockscope task - < FILE)`;
        throw new InvalidInputError(m, [{ path: '', message: m }], 'unreadable-input');
      }
      // Read first, so that a refused --output or a bad config file names the task's operation; reading runs nothing.
      const raw = readTaskFile(input);
      operation = namedOperation(raw);
      // Checked before running, so a refused --output never costs a side effect (generated files, probes).
      // And that it can be written: a generate task's files would otherwise be left behind by a failed run.
      if (output !== undefined) {
        if (cameFromNonUtf8Word(output)) {
          const m = nonUtf8OutputMessage(output);
          throw new InvalidInputError(m, [{ path: '', message: m }]);
        }
        // The result replacing the task's own file (`task job.json -o job.json --force`): the job would be lost. Refused
        // before, whatever the spelling (./job.json, a symbolic link, sub/../job.json, a hard link), even with --force;
        // for stdin (`task - -o job.json < job.json`) by the file fd 0 reads.
        if (input === '-' ? stdinIsFile(output) : sameTarget(input, output)) {
          const m = `--output (${output}) names the task file itself (${input === '-' ? 'stdin' : input}): the result would replace the task; choose another --output`;
          throw new InvalidInputError(m, [{ path: '', message: m }]);
        }
        // A generate task writing its server where the result goes: the result would replace the server (--force) or
        // be refused after the task ran ("appeared while the task ran"). Refused before, whatever the spelling.
        const writes = taskWrites(raw);
        if (writes !== undefined && sameTarget(writes.path, output)) {
          const m = `the task's ${writes.field} (${writes.path}) and --output (${output}) name the same file: the result would replace the server; choose another --output`;
          throw new InvalidInputError(m, [{ path: writes.field, message: m }]);
        }
        checkOutputFree(output, a.force ?? false);
        checkOutputWritable(output);
      }
      // The library applies no config file; the command line does, as every command (thresholds, generator defaults,
      // OS-call logging). Loaded here, not in main.ts's middleware, so that a bad file is a config-error document.
      // The loader's UsageError names the file and the problem; as a ConfigError it is code config-error.
      const loaded = await loadCliConfig().catch((e: unknown) => {
        throw e instanceof UsageError ? new ConfigError(e.message, { cause: e }) : e;
      });
      const { config, origins, entryOrigins } = loaded;
      setDebugEnabled(config.debug);
      // The collector: the document's "source", else --source, else the config file's (withTaskSource).
      // Only a task of a known operation is refused there: its failure names it (`operation`).
      const refuse = (m: string) => new InvalidInputError(m, [{ path: 'source', message: m }]);
      const doc = withTaskSource(raw, a.source, effectiveSource(a.source, loaded), refuse);
      task = doc;
      // withCliOrigins: the buffers result says where bufferSize came from (a file, DEFAULT_BUFFER_SIZE), as `buffers --json`;
      // withThresholdOrigins: a task threshold that contradicts the config file's names that file, not options.config.
      outcome = await executeTask(doc, { config: withThresholdOrigins(withCliOrigins(config, origins), entryOrigins) });
    } catch (e) {
      // A key given twice is refused while reading: the error knows the operation the input names.
      outcome = failure(e, operation ?? (e instanceof DuplicateKeyError ? e.operation : undefined));
    }
    if (outcome.exitCode === 0 && output !== undefined) {
      try {
        writeTaskResult(output, outcome.document, a.force ?? false);
      } catch (e) {
        // The result is lost: so are the files the task wrote (a failed run leaves nothing behind).
        const removed = removeWrittenFiles(outcome.document, task);
        outcome = failure(e, outcome.document.operation);
        if (removed.length) outcome.document.error.message += `; removed the files the task wrote (${removed.map(escapeMessage).join(', ')})`; // escaped as failure() escapes the rest
      }
    }
    if (outcome.exitCode !== 0 || output === undefined) print(outcome.document);
    process.exitCode = outcome.exitCode;
  },
};
