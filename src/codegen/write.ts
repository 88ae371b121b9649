// Writes generated files atomically (temporary file in the same directory, then rename) and never
// replaces an existing file unless asked (--force / the wizard's confirm step). What a target is (a file there
// already, a directory, a device...) is output-target.ts's to say.
import { closeSync, constants, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { GeneratedFile } from './render.js';
import { directoriesAmong, existingFiles, lstatOrNull, specialFilesAmong, specialKind, specialPhrase } from './output-target.js';

/** A target file exists and overwriting was not allowed. */
export class FileExistsError extends Error {
  constructor(public readonly paths: string[]) {
    super(`${paths.join(', ')} already exist${paths.length === 1 ? 's' : ''}; pass --force to overwrite`);
    this.name = 'FileExistsError';
  }
}

/** Removes a path if it is there; never throws (cleanup must not hide the error that caused it). */
function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone, or nothing more we can do */
  }
}

/** Writes all of `data` (writeSync may write less than asked, e.g. at a file size limit). */
function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) {
    const n = writeSync(fd, data, off, data.length - off);
    if (n <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    off += n;
  }
}

/**
 * Why a file system call failed, in words, by errno code. Node's own message names the temporary
 * file ("ENOENT: no such file or directory, rename '.srv.c.123.ab12.tmp' -> ''"), which the user never
 * asked for; codes not listed here keep only its description part.
 */
const FAILURES: Record<string, string> = {
  EACCES: 'permission denied on its directory',
  EPERM: 'permission denied on its directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EFBIG: 'file too large (file size limit)',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file or directory (its directory is gone, or takes no new entries)',
  EBUSY: 'it is busy (a mount point?)',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links in the path',
  EIO: 'input/output error',
};

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code && FAILURES[err.code]) return FAILURES[err.code];
  // "CODE: description, syscall 'path' -> 'path'": keep the description.
  const m = /^[A-Z0-9_]+: (.*?)(?:, \w+ '.*)?$/s.exec(err.message ?? '');
  return m ? m[1] : String(err.message ?? e);
}

/**
 * Why writing a file failed, in words: the writer's "cannot write P: ..." and the task's --output probe, which creates
 * a file as the writer does (api/task-output.ts checkOutputWritable), say the same. A name too long is so with the temporary
 * file's name, which is longer than the one asked for.
 */
export function writeFailureReason(e: unknown): string {
  const why = reason(e);
  return (e as NodeJS.ErrnoException).code === 'ENAMETOOLONG' ? `${why} (with the temporary file written beside it first, .NAME.PID.RANDOM.tmp)` : why;
}

/** "cannot write P: <reason>", with the system's error (code, errno, syscall) as its cause. */
function writeError(target: string, e: unknown): Error {
  return new Error(`cannot write ${target}: ${writeFailureReason(e)}`, { cause: e });
}

/** The directories above path that do not exist yet, outermost first (absolute paths). */
function missingParents(path: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(dirname(path)); lstatOrNull(d) === null && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  return missing;
}

/** The directories writeFilesAtomic would create for these files (to tell the user), outermost first. */
export function missingDirectories(files: { path: string }[]): string[] {
  return [...new Set(files.flatMap((f) => missingParents(f.path)))];
}

/**
 * Creates the missing directories above path, one mkdir() each from the nearest existing ancestor
 * down (mkdirSync's recursive mode spins forever under /proc, measured on Node 20); returns the ones
 * it created, outermost first, so that a failed write can remove them again.
 */
function makeParents(path: string): string[] {
  const missing = missingParents(path);
  const made: string[] = [];
  try {
    for (const d of missing) {
      mkdirSync(d);
      made.push(d);
    }
  } catch (e) {
    for (const d of made.reverse()) {
      try {
        rmdirSync(d);
      } catch {
        /* not empty or already gone */
      }
    }
    throw new Error(`cannot create the directory ${dirname(path)} for ${path}: ${reason(e)}`, { cause: e });
  }
  return made;
}

/** The directories each writeFilesAtomic call created, by the array of paths it returned. */
const createdBy = new WeakMap<readonly string[], string[]>();

/**
 * The directories the writeFilesAtomic call that returned `written` created for its files (absolute, outermost
 * first): for a caller that must undo a write that succeeded (a task whose result could not be stored); [] for an
 * array it did not return.
 */
export function directoriesCreatedFor(written: readonly string[]): string[] {
  return createdBy.get(written) ?? [];
}

/**
 * Writes every file via temp + rename. Without `force`, refuses (before writing anything) if any exists
 * (a symbolic link counts, even a dangling one), and the final step uses link() so a file created
 * meanwhile is not replaced either. A directory, a device, a FIFO or a socket (or a symbolic link to one of the
 * last three: specialKind) is refused even with `force`. Missing parent directories
 * are created. On any failure the temporary file is removed, and so are the files this call already
 * created (without `force`, or inside a directory this call created) and the directories it created, so
 * a failed call leaves the file system as it found it; existing files are only ever replaced with
 * `force`, and then only by a complete file (rename).
 */
export function writeFilesAtomic(files: GeneratedFile[], opts: { force?: boolean; mode?: number } = {}): string[] {
  if (files.some((f) => f.path === '')) throw new Error('cannot write a file with an empty name');
  for (const p of directoriesAmong(files)) throw new Error(`cannot write ${p}: it is a directory`);
  for (const s of specialFilesAmong(files)) throw new Error(`cannot write ${s.path}: it is ${specialPhrase(s.kind)}`);
  if (!opts.force) {
    const exist = existingFiles(files);
    if (exist.length) throw new FileExistsError(exist);
  }
  const written: string[] = [];
  const madeDirs: string[] = [];
  try {
    for (const f of files) {
      madeDirs.push(...makeParents(f.path));
      writeOne(f, opts);
      written.push(f.path);
    }
  } catch (e) {
    // Without force every earlier target did not exist before this call; with it, only those in a
    // directory this call made are sure to be new. Undo those, never someone else's file.
    const made = new Set(madeDirs);
    for (const p of written) if (!opts.force || made.has(resolve(dirname(p)))) removeQuietly(p);
    for (const d of madeDirs.reverse()) {
      try {
        rmdirSync(d); // only empty directories go: anything else put there meanwhile stays
      } catch {
        /* not empty or already gone */
      }
    }
    throw e;
  }
  createdBy.set(written, madeDirs);
  return written;
}

function writeOne(f: GeneratedFile, opts: { force?: boolean; mode?: number }): void {
  const dir = dirname(f.path);
  const tmp = join(dir, `.${basename(f.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, opts.mode ?? 0o644);
  } catch (e) {
    throw writeError(f.path, e);
  }
  try {
    try {
      writeAll(fd, Buffer.from(f.content, 'utf8'));
      if (opts.force) {
        // A file replaced keeps its permissions (600, 750...): the rename would give it the new file's
        // 644. Only a regular file's: a symbolic link is replaced by the file, not followed.
        const old = lstatOrNull(f.path);
        if (old?.isFile()) fchmodSync(fd, old.mode & 0o777);
      }
      fsyncSync(fd);
    } catch (e) {
      throw writeError(f.path, e);
    } finally {
      try {
        closeSync(fd);
      } catch {
        /* the write error (if any) says more; a close error after a good fsync loses nothing */
      }
    }
    if (opts.force) {
      // Checked again just before: a device, FIFO or socket put there since the first check is not replaced either.
      const kind = specialKind(f.path);
      if (kind !== undefined) throw new Error(`cannot write ${f.path}: it is ${specialPhrase(kind)}`);
      try {
        renameSync(tmp, f.path);
      } catch (e) {
        throw writeError(f.path, e);
      }
    } else {
      // link() fails with EEXIST instead of replacing: no window where another file is clobbered.
      try {
        linkSync(tmp, f.path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError([f.path]);
        // Filesystems without hard links: rename after a last check.
        if (lstatOrNull(f.path) !== null) throw new FileExistsError([f.path]);
        try {
          renameSync(tmp, f.path);
        } catch (e2) {
          throw writeError(f.path, e2);
        }
      }
    }
  } finally {
    // Gone after a rename; still there after link() (the target is the other name) or any failure.
    removeQuietly(tmp);
  }
}
