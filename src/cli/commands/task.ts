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
      .option('output', { type: 'string', alias: 'o', describe: 'Write the result document here (atomically) instead of stdout; errors still go to stdout' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing --output file' })
      .check((a) => {
        checkOutputFlag(a.output);
        return true;
      })
      .example('$0 task check.json', '{"operation": "analyze-states", "port": 8080} -> {"ok": true, "operation": ..., "result": ...}')
      .example('$0 task gen.json --output result.json', 'result in result.json; exit 0 ok, 1 runtime failure, 2 bad input') as never,
  handler: async (a) => {
    // The task interface and every operation it runs load here only (dynamic import).
    const { checkOutputFree, executeTask, failure, readTaskFile, writeTaskResult } = await import('../../api/task.js');
    const output = a.output;
    let outcome;
    try {
      // Checked before running, so a refused --output never costs a side effect (generated files, probes).
      if (output !== undefined) checkOutputFree(output, a.force ?? false);
      // yargs hands a lone "-" over as "": that is the stdin spelling.
      const input = a.input === '' && process.argv.slice(2).includes('-') ? '-' : a.input;
      outcome = await executeTask(readTaskFile(input));
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
