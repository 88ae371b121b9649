// Pure parser of /proc/PID/fdinfo/FD: file position, open flags (O_NONBLOCK, O_CLOEXEC...), mount id, inode.

export interface FdInfo {
  pos?: number;
  /** Raw flags as the kernel prints them (octal). */
  flags?: number;
  mntId?: number;
  ino?: number;
  /** Names of the flags set (O_RDWR, O_NONBLOCK, O_CLOEXEC, ...). */
  flagNames: string[];
  nonblock: boolean;
  cloexec: boolean;
  /** Every other "key: value" line, as text (eventfd-count, tfd, ...). */
  other: Record<string, string>;
}

// Linux generic values (asm-generic/fcntl.h); x86_64 uses these.
const FLAG_BITS: [number, string][] = [
  [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'],
  [0o10000, 'O_DSYNC'],
  [0o20000, 'O_ASYNC'],
  [0o40000, 'O_DIRECT'],
  [0o100000, 'O_LARGEFILE'],
  [0o200000, 'O_DIRECTORY'],
  [0o400000, 'O_NOFOLLOW'],
  [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'],
  [0o4000000, 'O_SYNC'],
  [0o10000000, 'O_PATH'],
];
const ACCMODE = ['O_RDONLY', 'O_WRONLY', 'O_RDWR'];

/** Names of the flags in an open-flags value. */
export function openFlagNames(flags: number): string[] {
  const out = [ACCMODE[flags & 3] ?? `accmode ${flags & 3}`];
  for (const [bit, name] of FLAG_BITS) if ((flags & bit) !== 0) out.push(name);
  return out;
}

/** Parses the text of /proc/PID/fdinfo/FD. */
export function parseFdinfo(text: string): FdInfo {
  const out: FdInfo = { flagNames: [], nonblock: false, cloexec: false, other: {} };
  for (const line of text.split('\n')) {
    const c = line.indexOf(':');
    if (c < 0) continue;
    const key = line.slice(0, c).trim();
    const value = line.slice(c + 1).trim();
    switch (key) {
      case 'pos':
        out.pos = Number(value);
        break;
      case 'flags':
        out.flags = Number.parseInt(value, 8);
        break;
      case 'mnt_id':
        out.mntId = Number(value);
        break;
      case 'ino':
        out.ino = Number(value);
        break;
      default:
        if (key) out.other[key] = value;
    }
  }
  if (out.flags !== undefined && Number.isFinite(out.flags)) {
    out.flagNames = openFlagNames(out.flags);
    out.nonblock = (out.flags & 0o4000) !== 0;
    out.cloexec = (out.flags & 0o2000000) !== 0;
  }
  return out;
}
