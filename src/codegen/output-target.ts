// What an output path is before the writer (write.ts) touches it: a file there already, a directory, a device, FIFO
// or socket, a name under /dev or a process's open file (never written, not even with force), the directory entry it
// names (realpath of its directory), and the messages that refuse it. The CLI, the wizard and the library ask here.
import { lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileKind } from '../config/file-read.js';
import { DEFAULT_OUTPUT_NAMES, type GenLanguage } from './languages.js';

/** lstat, or null when nothing is there (or the path cannot be examined: the write reports that); the writer's last checks use it too. */
export function lstatOrNull(path: string): Stats | null {
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

/** Whether /dev/shm is there, a directory (or a link to one): a missing one is not made under /dev by write.ts makeParents. */
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
