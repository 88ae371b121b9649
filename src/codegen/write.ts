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

/**
 * Writes every file via temp + rename. Without `force`, refuses (before writing anything) if any exists,
 * and the final step uses link() so a file created meanwhile is not replaced either.
 */
export function writeFilesAtomic(files: GeneratedFile[], opts: { force?: boolean; mode?: number } = {}): string[] {
  if (!opts.force) {
    const exist = existingFiles(files);
    if (exist.length) throw new FileExistsError(exist);
  }
  const written: string[] = [];
  for (const f of files) {
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
      const err = e as NodeJS.ErrnoException;
      throw new Error(`cannot write ${f.path}: ${err.code === 'EACCES' ? 'permission denied on its directory' : err.message}`);
    }
    try {
      writeSync(fd, f.content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
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
      if (existsSync(tmp)) unlinkSync(tmp);
    }
    written.push(f.path);
  }
  return written;
}
