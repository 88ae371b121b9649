// Writes generated files atomically (temporary file in the same directory, then rename) and never
// replaces an existing file unless asked (--force / the wizard's confirm step).
import { closeSync, constants, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { GeneratedFile } from './render.js';

/** A target file exists and overwriting was not allowed. */
export class FileExistsError extends Error {
  constructor(public readonly paths: string[]) {
    super(`${paths.join(', ')} already exist${paths.length === 1 ? 's' : ''}; pass --force to overwrite`);
    this.name = 'FileExistsError';
  }
}

/** Which of these files already exist. */
export function existingFiles(files: { path: string }[]): string[] {
  return files.map((f) => f.path).filter((p) => existsSync(p));
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

/** Why a write failed, in words, by errno code (others keep Node's message). */
const WRITE_FAILURES: Record<string, string> = {
  EACCES: 'permission denied on its directory',
  EPERM: 'permission denied on its directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EFBIG: 'file too large (file size limit)',
};

function writeError(target: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  return new Error(`cannot write ${target}: ${(err.code && WRITE_FAILURES[err.code]) ?? err.message}`);
}

/**
 * Writes every file via temp + rename. Without `force`, refuses (before writing anything) if any exists,
 * and the final step uses link() so a file created meanwhile is not replaced either.
 * On any failure the temporary file is removed, and (without `force`) so are the files this call already
 * created, so a failed call leaves the directory as it found it; existing files are only ever replaced
 * with `force`, and then only by a complete file (rename).
 */
export function writeFilesAtomic(files: GeneratedFile[], opts: { force?: boolean; mode?: number } = {}): string[] {
  if (!opts.force) {
    const exist = existingFiles(files);
    if (exist.length) throw new FileExistsError(exist);
  }
  const written: string[] = [];
  try {
    for (const f of files) {
      writeOne(f, opts);
      written.push(f.path);
    }
  } catch (e) {
    // Without force every earlier target did not exist before this call: undo those, not someone else's file.
    if (!opts.force) for (const p of written) removeQuietly(p);
    throw e;
  }
  return written;
}

function writeOne(f: GeneratedFile, opts: { force?: boolean; mode?: number }): void {
  const dir = dirname(f.path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new Error(`cannot create ${dir} for ${f.path}: ${(e as Error).message}`);
  }
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
    if (opts.force) renameSync(tmp, f.path);
    else {
      // link() fails with EEXIST instead of replacing: no window where another file is clobbered.
      try {
        linkSync(tmp, f.path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError([f.path]);
        // Filesystems without hard links: rename after a last check.
        if (existsSync(f.path)) throw new FileExistsError([f.path]);
        renameSync(tmp, f.path);
      }
    }
  } finally {
    // Gone after a rename; still there after link() (the target is the other name) or any failure.
    removeQuietly(tmp);
  }
}
