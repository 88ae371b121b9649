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
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.${basename(f.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, opts.mode ?? 0o644);
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
