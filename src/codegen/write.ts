// Writes generated files atomically (temporary file in the same directory, then rename) and never
// replaces an existing file unless asked (--force / the wizard's confirm step).
import { closeSync, constants, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileKind } from '../config/file-read.js';
import type { GeneratedFile } from './render.js';
import { DEFAULT_OUTPUT_NAMES, type GenLanguage } from './languages.js';

/** A target file exists and overwriting was not allowed. */
export class FileExistsError extends Error {
  constructor(public readonly paths: string[]) {
    super(`${paths.join(', ')} already exist${paths.length === 1 ? 's' : ''}; pass --force to overwrite`);
    this.name = 'FileExistsError';
  }
}

/** lstat, or null when nothing is there (or the path cannot be examined: the write reports that). */
function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/**
 * Which of these files already exist. lstat, not stat: a symbolic link is there even when it points
 * nowhere (existsSync follows it and says no, and the final link() then fails with EEXIST).
 */
export function existingFiles(files: { path: string }[]): string[] {
  return files.map((f) => f.path).filter((p) => lstatOrNull(p) !== null);
}

/** Whether path is a directory itself (lstat: a symbolic link to one is not; the writer replaces a link). */
export function isDirectoryNotLink(path: string): boolean {
  return lstatOrNull(path)?.isDirectory() === true;
}

/** Which of these paths are directories (not symbolic links to them): never written, even with force. */
export function directoriesAmong(files: { path: string }[]): string[] {
  return files.map((f) => f.path).filter(isDirectoryNotLink);
}

/**
 * What path is when it is neither a regular file nor a directory, nor nothing, nor a symbolic link to a regular
 * file, a directory or nothing: "character device", "FIFO", "socket", "block device", "symbolic link to a
 * character device" (/dev/stdout -> /proc/self/fd/1 -> /dev/pts/N)...; NEW_NAME_UNDER_DEV for a name that does not
 * exist yet under /dev outside /dev/shm (/dev/null.c); undefined otherwise. Such a node is never
 * replaced, not even with force: rename() over /dev/null (run as root) made it a regular file for the whole system.
 * A directory is directoriesAmong's; a dangling link, or one that cannot be followed, is the writer's (it replaces
 * the link with force). Whatever it is now, a name under /dev that is not a regular file (a regular file on /dev/shm
 * is a file) or one whose link chain goes through /dev or a process's open file (/proc/self/fd/N, /dev/fd/N) is never
 * replaced either (systemEntry): what /dev/stdout points to is only what stdout is at the moment (a regular file with
 * `> out.txt`).
 */
export function specialKind(path: string): string | undefined {
  const l = lstatOrNull(path);
  // Nothing there: a new name is still refused under /dev, except on /dev/shm (systemEntry).
  if (l !== null && !l.isFile() && !l.isDirectory()) {
    if (!l.isSymbolicLink()) return fileKind(l);
    let st: Stats | undefined;
    try {
      st = statSync(path);
    } catch {
      st = undefined;
    }
    if (st !== undefined && !st.isFile() && !st.isDirectory()) return `symbolic link to a ${fileKind(st)}`;
  }
  // A relative name in a removed current directory is no entry anywhere (resolve() would throw uv_cwd): the callers
  // say so in words (relativeInRemovedDirectory), the writer fails with ENOENT.
  if (l === null && !isAbsolute(path) && !cwdExists()) return undefined;
  return systemEntry(path);
}

/**
 * specialKind's kind for a name that does not exist yet under /dev, outside /dev/shm: /dev is the system's devices (a
 * devtmpfs as root), and a file written there (`--output /dev/null.c`) is left among them; /dev/shm is a tmpfs for
 * files and takes new ones. Nothing is replaced, so the messages say "never created" (specialFileMessage, specialPhrase).
 */
export const NEW_NAME_UNDER_DEV = 'new name under /dev';

/** "a character device, not a file", or for a new name under /dev what it is and where files may go. */
export function specialPhrase(kind: string): string {
  return kind === NEW_NAME_UNDER_DEV ? `a ${kind} (the system's devices; only /dev/shm takes new files)` : `a ${kind}, not a file`;
}

function cwdExists(): boolean {
  try {
    process.cwd();
    return true;
  } catch {
    return false;
  }
}

/** Whether /dev/shm is there, a directory (or a link to one): a missing one is not made under /dev by makeParents. */
function shmIsDirectory(): boolean {
  try {
    return statSync('/dev/shm').isDirectory();
  } catch {
    return false;
  }
}

/** A process's open files: /proc/<pid|self|thread-self>/fd/N, /proc/<pid>/task/<tid>/fd/N (realpath spells /proc/self as the pid). */
const PROC_FD = /^\/proc\/(?:self|thread-self|\d+)(?:\/task\/\d+)?\/fd\/[^/]+$/;

/**
 * Whether a name the writer would replace is the system's, whatever it points to now: a path under /dev that is not a
 * regular file itself (lstat: /dev/shm/x.json is a file, /dev/stdout a link), or one whose symbolic link chain goes
 * through /dev (to anything but a regular file) or a process's open file (/proc/self/fd/1, /dev/fd/1). specialKind's stat()
 * follows /dev/stdout to what stdout is at the moment; a regular file (`> out.txt`) made it "not special", and with
 * force the link itself was renamed over (as root, the system's /dev/stdout). The kind in words, or undefined.
 */
function systemEntry(path: string): string | undefined {
  let p = path;
  for (let hop = 0; hop < 40; hop++) {
    // A regular file is a file wherever it is: one on /dev/shm (a tmpfs) that an earlier run wrote may be replaced with
    // force. Its name is judged by what it is, not by where (lstat: a link is followed below, hop by hop).
    const here = lstatOrNull(p);
    for (const name of [resolve(p), entryOf(p)]) {
      if (name === '/dev' || name.startsWith('/dev/')) {
        if (here?.isFile() === true) break;
        if (here === null && hop === 0) {
          // A new file may be created on /dev/shm (a tmpfs for files), nowhere else under /dev; the check before
          // returned early for every name that did not exist, so `--output /dev/null.c` was written among the devices.
          if (name.startsWith('/dev/shm/') && shmIsDirectory()) continue;
          return NEW_NAME_UNDER_DEV;
        }
        return hop === 0 ? `${here?.isSymbolicLink() === true ? 'symbolic link' : 'path'} under /dev (the system's devices)` : `symbolic link into /dev (${name})`;
      }
      if (PROC_FD.test(name)) return hop === 0 ? 'process\'s open file (/proc/PID/fd)' : `symbolic link to a process's open file (${name})`;
    }
    if (here?.isSymbolicLink() !== true) return undefined;
    let target: string;
    try {
      target = readlinkSync(p);
    } catch {
      return undefined;
    }
    // A relative target is relative to the directory the link is in (its real one: entryOf).
    p = resolve(dirname(entryOf(p)), target);
  }
  return undefined;
}

/** The paths among these that are devices, FIFOs or sockets (or links to them, specialKind): never written, even with force. */
export function specialFilesAmong(files: { path: string }[]): { path: string; kind: string }[] {
  return files.flatMap((f) => {
    const kind = specialKind(f.path);
    return kind === undefined ? [] : [{ path: f.path, kind }];
  });
}

/**
 * Why an output that is a device, a FIFO or a socket is refused (specialKind), not even with force; the CLI names
 * --output and --force, the library its `field` and "force": true. It does not advise force: force does not help.
 */
export function specialFileMessage(path: string, kind: string, field = '--output'): string {
  const force = field === '--output' ? '--force' : '"force": true';
  const never = kind === NEW_NAME_UNDER_DEV ? 'created' : 'replaced';
  return `${path} is ${specialPhrase(kind)}; it is never ${never}, not even with ${force} (choose another ${field})`;
}

/**
 * Why an output that is a directory is refused (the CLI, the wizard and the library say it here): never replaced, not
 * even with --force. The CLI and the wizard name the flag; the library names its `field` (output) and, as it always
 * has, calls the example a path inside the directory, spelt as the caller spelt the directory.
 */
export function directoryOutputMessage(dir: string, language: GenLanguage, field = '--output'): string {
  const name = DEFAULT_OUTPUT_NAMES[language];
  const example = field === '--output' ? `e.g. ${join(dir, name)}` : `a path inside it, e.g. ${dir.replace(/\/+$/, '')}/${name}`;
  return `${dir} is a directory; ${field} names the file to write (${example})`;
}

/**
 * The directory entry a write to path replaces: its absolute name with the directories above it resolved
 * (realpath of its directory as written, else of the nearest one that exists, so `./r.py`, `sub/../r.py` and
 * `link-to-here/r.py` are one entry).
 */
function entryOf(path: string): string {
  // The directory as the kernel finds it (realpath of the name's directory part as written): `..` after a symbolic
  // link is the link target's parent (ln -> /dev/shm: ln/../x.c is /dev/x.c), where resolve() drops `ln/..` as text.
  const name = basename(path);
  if (name !== '' && name !== '.' && name !== '..' && !path.endsWith('/')) {
    try {
      // realpathSync.native (libc realpath): the JS realpathSync resolve()s `ln/..` away as text first.
      return join(realpathSync.native(dirname(path)), name);
    } catch {
      /* a directory that does not exist yet: the nearest one that does, below */
    }
  }
  const abs = resolve(path);
  const rest: string[] = [basename(abs)];
  for (let d = dirname(abs); ; d = dirname(d)) {
    try {
      return join(realpathSync(d), ...rest);
    } catch {
      if (dirname(d) === d) return abs;
      rest.unshift(basename(d));
    }
  }
}

/**
 * Whether writing a and writing b would write the same file: the same directory entry (entryOf), or two names of
 * one existing file (a symbolic link to it, a hard link: stat's device and inode).
 */
export function sameTarget(a: string, b: string): boolean {
  if (entryOf(a) === entryOf(b)) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
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
