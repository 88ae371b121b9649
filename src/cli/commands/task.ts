// `sockscope task INPUT.json [--output RESULT.json] [--force]`: one JSON task for automation (logic in src/api/task.ts).
// Every outcome is one JSON document: the result on stdout (or atomically in --output), errors always on stdout.
import type { CommandModule } from 'yargs';
import { printJson } from '../options.js';
import { UsageError } from '../errors.js';
import type * as TaskApi from '../../api/task.js';

/** api/task.ts's list (the type keeps the two equal): `--help` without loading every library operation. */
const TASK_OPERATIONS: typeof TaskApi.TASK_OPERATIONS = ['analyze', 'analyze-states', 'generate-server', 'generate', 'inspect-options', 'debug-connections', 'errno', 'options', 'buffers'];

interface Args {
  input: string;
  output?: string;
  force?: boolean;
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
 * --output must name one file: given once, not empty (`--output ''` or a bare `--output`), not a directory
 * path ending in '/'. Bad command-line input (one line on stderr, exit 2), found before the task runs.
 */
function checkOutputFlag(output: unknown): void {
  if (output === undefined) return;
  if (Array.isArray(output)) throw new UsageError(`--output given ${output.length} times; the result goes to one file`);
  const path = String(output);
  if (path.trim() === '') throw new UsageError(`--output needs a file path, got ${JSON.stringify(path)}`);
  if (path.endsWith('/')) throw new UsageError(`--output names the result file, got a directory path ${JSON.stringify(path)} (e.g. ${path}result.json)`);
}

export const taskCommand: CommandModule<object, Args> = {
  command: 'task <input>',
  describe: `Run one JSON task for automation (${TASK_OPERATIONS.join(', ')}); - reads stdin`,
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
      .example('$0 task check.json', '{"operation": "analyze-states", "port": 8080} -> {"ok": true, "operation": ..., "result": ...}')
      .example('$0 task gen.json --output result.json', 'result in result.json; exit 0 ok, 1 runtime failure, 2 bad input') as never,
  handler: async (a) => {
    // The task interface and every operation it runs load here only (dynamic import).
    const [{ checkOutputFree, executeTask, failure, readTaskFile, writeTaskResult }, { loadCliConfig }, { setDebugEnabled }, { ConfigError }, { withCliOrigins }] = await Promise.all([
      import('../../api/task.js'),
      import('../../config/resolve.js'),
      import('../../collect/debug.js'),
      import('../../api/errors.js'),
      import('../../api/config.js'),
    ]);
    // '-' is stdout: no file (a file named - is ./-).
    const output = a.output === '-' ? undefined : a.output;
    let outcome;
    try {
      // Checked before running, so a refused --output never costs a side effect (generated files, probes).
      if (output !== undefined) checkOutputFree(output, a.force ?? false);
      // yargs hands a lone "-" over as "": that is the stdin spelling.
      const input = a.input === '' && tokens().includes('-') ? '-' : a.input;
      // The library applies no config file; the command line does, as every command (thresholds, generator defaults,
      // OS-call logging). Loaded here, not in main.ts's middleware, so that a bad file is a config-error document.
      // The loader's UsageError names the file and the problem; as a ConfigError it is code config-error.
      const { config, origins } = await loadCliConfig().catch((e: unknown) => {
        throw e instanceof UsageError ? new ConfigError(e.message, { cause: e }) : e;
      });
      setDebugEnabled(config.debug);
      // withCliOrigins: the buffers result says where bufferSize came from (a file, DEFAULT_BUFFER_SIZE), as `buffers --json`.
      outcome = await executeTask(readTaskFile(input), { config: withCliOrigins(config, origins) });
    } catch (e) {
      outcome = failure(e);
    }
    if (outcome.exitCode === 0 && output !== undefined) {
      try {
        writeTaskResult(output, outcome.document, a.force ?? false);
      } catch (e) {
        outcome = failure(e, outcome.document.operation);
      }
    }
    if (outcome.exitCode !== 0 || output === undefined) print(outcome.document);
    process.exitCode = outcome.exitCode;
  },
};
