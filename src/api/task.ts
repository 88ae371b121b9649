// `sockscope task`: one operation described in JSON, validated with zod (a discriminated union on `operation`),
// run through the library API, and answered with one JSON document: {ok: true, operation, result} or
// {ok: false, error: {code, message, issues}}. Exit codes: 0 ok, 1 runtime failure, 2 bad input.
import { z } from 'zod';
import { UnitError } from '../advise/units.js';
import { UsageError } from '../cli/errors.js';
import { CollectorError } from '../collect/source.js';
import type { BuffersReport } from '../advise/buffers-report.js';
import type { ProbeResult } from '../collect/connect-probe.js';
import type { ErrnoLookup } from '../knowledge/errno.js';
import type { OptionReport } from '../knowledge/socket-options.js';
import type { AnalyzeReport, StatesReport } from '../report/schema.js';
import { escapeMessage } from '../model/escape.js';
import { briefValue } from '../model/input-error.js';
import { FileExistsError } from '../codegen/index.js';
import { sizeBuffers, SizeBuffersInputSchema } from './buffers.js';
import { libraryConfig, type LibraryOptions } from './config.js';
import { ConfigError, InvalidInputError, OutputUnwritableError, requiredMessages, zodIssues, type InputIssue } from './errors.js';
import { GenerateAutomationInputSchema, GenerateFilesInputSchema, generateServerFiles, type GenerateServerReport } from './generate.js';
import { analyze, AnalyzeInputSchema, analyzeStates } from './host.js';
import { debugConnection, DebugConnectionInputSchema, inspectOptions, InspectOptionsInputSchema, type InspectOptionsReport } from './inspect.js';
import { describeOption, DescribeOptionInputSchema, ErrnoInputSchema, explainErrno } from './knowledge.js';
import { TASK_OPERATIONS, type TaskOperation } from './task-operations.js';

export { TASK_OPERATIONS, type TaskOperation };

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
