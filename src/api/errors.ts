// The library's errors. Every error a library function (the api/ functions src/index.ts exports) throws on
// purpose is one of these exported classes, each with a machine-readable `code` (the task error codes):
// - InvalidInputError (model/input-error.ts; the knowledge tables' and the code generator's own errors extend
//   it): the input makes no sense. zod failures are turned into one here (parseInput), never thrown raw.
// - CollectorError / NoSuchSocketError: the system could not be read, or named no such socket (code
//   collector-error). The collectors throw collect/source.ts's CollectorError, which has no code and is not
//   the library's to export as is: `collecting()` re-throws it as the subclass below at the API boundary.
// - ConfigError: a configuration file or environment variable is invalid (code config-error): thrown by
//   loadConfig(), the one library function that reads them (api/config.ts), and by `sockscope task`, which
//   applies them as every command does.
// - OutputUnwritableError: a file to write could not be written (code output-unwritable).
// In `sockscope task` InvalidInputError and ConfigError are exit 2, CollectorError and OutputUnwritableError exit 1.
import { ZodError, type z } from 'zod';
import { CollectorError as SourceCollectorError } from '../collect/source.js';
import { NoSuchSocketError as SourceNoSuchSocketError } from '../collect/getsockopt-target.js';
import { InvalidInputError, zodIssues } from '../model/input-error.js';

export { InvalidInputError, formatPath, zodIssues, type InputIssue } from '../model/input-error.js';

/**
 * A socket source (netlink, ss, /proc, netstat) or a process's fd table could not be read, or nothing listens on
 * the port to inspect: a runtime failure, not bad input. `tool` names what failed; `cause` is the underlying error.
 */
export class CollectorError extends SourceCollectorError {
  readonly code = 'collector-error' as const;
  constructor(from: SourceCollectorError) {
    super(from.tool, '', from.cause ?? from);
    // The source's message already starts with "tool: ".
    this.message = from.message;
    this.name = from.name === 'NoSuchSocketError' ? 'NoSuchSocketError' : 'CollectorError';
  }
}

/** `{pid, socketFd}` names no socket (no such process, no such fd, or not a socket); `field` says which input. */
export class NoSuchSocketError extends CollectorError {
  readonly field: 'pid' | 'socketFd';
  /** The sentence without the field's name. */
  readonly detail: string;
  constructor(from: SourceNoSuchSocketError) {
    super(from);
    this.field = from.field;
    this.detail = from.detail;
  }
}

// The collectors' classes of the same names (collect/source.ts, getsockopt-target.ts) share the library's one-file
// bundle, where the bundler renames these to CollectorError2 / NoSuchSocketError2: a caller printing
// err.constructor.name or util.inspect(err) saw that. The class names are fixed here, whatever the bundler does.
for (const [cls, name] of [
  [CollectorError, 'CollectorError'],
  [NoSuchSocketError, 'NoSuchSocketError'],
] as const)
  Object.defineProperty(cls, 'name', { value: name, configurable: true });

/** A configuration file or environment variable (SOCKET_DEBUG, DEFAULT_BUFFER_SIZE...) is invalid. */
export class ConfigError extends Error {
  readonly code = 'config-error' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** A file the call was asked to write (generateServerFiles' output, a task's --output) could not be written; the reason in words. */
export class OutputUnwritableError extends Error {
  readonly code = 'output-unwritable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutputUnwritableError';
  }
}

/** The library's class for a collector's error (anything else unchanged). */
export function libraryError(e: unknown): unknown {
  if (e instanceof CollectorError) return e;
  if (e instanceof SourceNoSuchSocketError) return new NoSuchSocketError(e);
  if (e instanceof SourceCollectorError) return new CollectorError(e);
  return e;
}

/** Runs a library function's work; collectors' errors leave as the exported CollectorError / NoSuchSocketError. */
export async function collecting<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw libraryError(e);
  }
}

/**
 * A result as the caller gets it: a deep copy. The knowledge tables' entries, the generator's option objects and
 * the process attribution's cached ProcessRefs would otherwise be handed out themselves, so that a caller
 * editing one result (renaming a process, deleting `fd` before sending it on) changed every later result.
 * For small documents; snapshots copy only their sockets' shared parts instead (api/host.ts, detachShared).
 */
export function detached<T>(value: T): T {
  return structuredClone(value);
}

/** zod error map: a missing field says "required" (a union's default would be a bare "Invalid input"). */
export const requiredMessages: z.core.$ZodErrorMap = (iss) =>
  iss.input === undefined && (iss.code === 'invalid_type' || iss.code === 'invalid_union') ? 'required' : undefined;

/**
 * Runs `schema.parse` and turns a failure into InvalidInputError with one issue per problem ("invalid WHAT input").
 * `argument` names a second argument checked the same way (options): "invalid WHAT options", issue paths under it.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string, argument?: string): z.output<S> {
  const r = schema.safeParse(input, { error: requiredMessages });
  if (r.success) return r.data;
  const issues = zodIssues(r.error, argument === undefined ? [] : [argument]);
  throw new InvalidInputError(`invalid ${what} ${argument ?? 'input'}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
}

export { ZodError };
