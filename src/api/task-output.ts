// The result file of `sockscope task --output FILE`: refused before the task runs when it could not be written or
// would replace something it must not (checkOutputFree, checkOutputWritable), written atomically after
// (writeTaskResult), and a failed write's generated files removed (removeWrittenFiles).
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { relativeInRemovedDirectory } from '../config/resolve.js';
import { FileExistsError } from '../codegen/index.js';
import { directoriesAmong, existingFiles, specialFileMessage, specialFilesAmong } from '../codegen/output-target.js';
import { directoriesCreatedFor, writeFailureReason, writeFilesAtomic } from '../codegen/write.js';
import { jsonText } from '../model/escape.js';
import { InvalidInputError, OutputUnwritableError } from './errors.js';
import type { TaskDocument } from './task.js';

/**
 * Refuses, before the task runs, what writeTaskResult would refuse after it: a relative path when the current
 * directory was removed (invalid-input), a directory, a device, a FIFO or a socket (even with `force`:
 * --output names the result file) and, unless `force`, anything already there (a dangling symbolic link too).
 * The same tests as writeFilesAtomic's (codegen/output-target.ts); a path they cannot examine is for the write to report.
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
