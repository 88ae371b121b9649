// Reads of one process's /proc/PID files for process attribution: the fd directory's identity and size,
// whether it can be listed, comm, the parent and start time from stat, whether cmdline is empty, and whose a
// process is whose fds cannot be read (the hidden counts of the attributor and the /proc/*/fd walk share it);
// and what one fd of a process is, for commands given --pid and --socket-fd.
// Synchronous on purpose (see processes.ts); `root` is the proc filesystem (tests use a fake tree).
import { accessSync, constants as fsConstants, readFileSync, readlinkSync, statfsSync, statSync } from 'node:fs';
import { decodeUtf8, escapeControl } from '../model/escape.js';
import { socketInodeInText } from '../parse/fd-link.js';

/** One listed pid of a pass (from stat of /proc/PID/fd). */
export interface PidStat {
  pid: number;
  dirIno: number;
  count: number;
  uid: number;
}

/** Whether a process's fd directory can be read: 'hidden' (another user's, without root) or 'gone' (exited). */
export type ReadResult = 'ok' | 'hidden' | 'gone';

/** The error of stat'ing, listing or reading a process's fds, as a ReadResult. */
export function readFailure(e: unknown): Exclude<ReadResult, 'ok'> {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? 'hidden' : 'gone';
}

/**
 * stat(/proc/PID/fd): identity and fd count (recent kernels allow it for other users' processes too;
 * listing them fails). `countFromStat` false: the count is reported as 0 (unknown).
 */
export function statPidFd(root: string, pid: number, countFromStat: boolean): PidStat | Exclude<ReadResult, 'ok'> {
  try {
    const st = statSync(`${root}/${pid}/fd`);
    return { pid, dirIno: st.ino, count: countFromStat ? st.size : 0, uid: st.uid };
  } catch (e) {
    return readFailure(e);
  }
}

/** Whether /proc/PID/fd can be listed, without listing it (a targeted pass may never read this pid). */
export function canListFds(root: string, pid: number): ReadResult {
  try {
    accessSync(`${root}/${pid}/fd`, fsConstants.R_OK);
    return 'ok';
  } catch (e) {
    return readFailure(e);
  }
}

/**
 * Whether the size of /proc/PID/fd is the fd count here (Linux >= 6.2), so that 0 means "no fds"
 * (kernel threads) rather than "unknown": checked on this process's own directory, never empty.
 */
export function fdSizeIsCount(root: string): boolean {
  try {
    return statSync(`${root}/self/fd`).size > 0;
  } catch {
    return false;
  }
}

/** Kernel threads have an empty cmdline (and hold no sockets); true for user processes, and when it cannot be read. */
export function hasCmdline(root: string, pid: number): boolean {
  try {
    return readFileSync(`${root}/${pid}/cmdline`).length > 0;
  } catch {
    return true; // hidepid or gone: count it, the user cannot see it either way
  }
}

/** /proc/PID/status, which every user may read; undefined when unreadable (gone, or hidepid). */
function readStatus(root: string, pid: number): string | undefined {
  try {
    return readFileSync(`${root}/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * The real uid of a process (the first field of Uid: in its /proc/PID/status text); undefined when unreadable.
 * Not the owner of /proc/PID/fd: a process that is not dumpable (prctl(PR_SET_DUMPABLE, 0), or started from a
 * setuid binary) has its fd directory owned by root while it still runs as its user.
 */
function realUidIn(status: string | undefined): number | undefined {
  const m = status !== undefined ? /^Uid:\s+(\d+)/m.exec(status) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * What a process whose fds could not be read ('hidden') is: a kernel thread (no cmdline, holds no sockets:
 * not counted), a process of this user that is not dumpable (only root can read its fds), or another user's.
 */
export type HiddenKind = 'kernel-thread' | 'own-undumpable' | 'other-user';

/**
 * Classifies a hidden process for the counts (`uid`: the uid sockscope runs as). Root reads undumpable
 * processes (CAP_SYS_PTRACE): what root cannot read is left as before, another user's.
 */
export function hiddenKind(root: string, pid: number, uid: number): HiddenKind {
  if (!hasCmdline(root, pid)) return 'kernel-thread';
  return uid !== 0 && realUidIn(readStatus(root, pid)) === uid ? 'own-undumpable' : 'other-user';
}

/** Processes whose fds could not be read, by whose they are (kernel threads and exited processes left out). */
export interface HiddenCounts {
  otherUsers: number;
  ownUndumpable: number;
}

/**
 * What the proc filesystem at `root` shows this process: whether one is mounted there, and its hidepid= and
 * gid= mount options (`hidepid=2` or `invisible`: other users' pids are not listed at all, so a walk of
 * /proc finds nothing to count as hidden). Only the real /proc is checked: a fake tree (tests) is no mount.
 */
export interface ProcMount {
  mounted: boolean;
  /** The hidepid= option as mountinfo shows it ("2", "invisible", "ptraceable"...); undefined when off. */
  hidepid?: string;
  /** The gid= option: members of this group see every process despite hidepid (0, root's group, when not given). */
  gid: number;
}

const PROC_SUPER_MAGIC = 0x9fa0;

export function procMount(root: string): ProcMount {
  if (root !== '/proc') return { mounted: true, gid: 0 };
  try {
    if (statfsSync(root).type !== PROC_SUPER_MAGIC) return { mounted: false, gid: 0 };
  } catch {
    return { mounted: false, gid: 0 };
  }
  // The options, read at most every MOUNT_TTL_MS: mountinfo has thousands of lines on a container host, and
  // the attributor asks on every poll.
  const now = performance.now();
  if (!lastMount || now - lastMount.at > MOUNT_TTL_MS) lastMount = { at: now, mount: hidepidOptions(root) };
  return lastMount.mount;
}

const MOUNT_TTL_MS = 10_000;
let lastMount: { at: number; mount: ProcMount } | undefined;

function hidepidOptions(root: string): ProcMount {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'latin1');
  } catch {
    return { mounted: true, gid: 0 };
  }
  // "36 25 0:21 / /proc rw,nosuid shared:12 - proc proc rw,hidepid=invisible,gid=27": the last mount on
  // /proc is the one seen; its super options (after " - proc SOURCE") hold hidepid= and gid=.
  let opts: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f[4] !== root) continue;
    const dash = f.indexOf('-', 6);
    if (dash > 0 && f[dash + 1] === 'proc') opts = (f[dash + 3] ?? '').split(',');
  }
  const opt = (k: string) => opts.find((o) => o.startsWith(`${k}=`))?.slice(k.length + 1);
  const hidepid = opt('hidepid');
  const gid = Number(opt('gid') ?? 0);
  return { mounted: true, ...(hidepid !== undefined && hidepid !== '0' && hidepid !== 'off' ? { hidepid } : {}), gid: Number.isInteger(gid) ? gid : 0 };
}

/**
 * Whether /proc's hidepid leaves other users' processes out of its listing for `uid`: hidepid=2
 * (invisible) unless root or a member of the gid= group; hidepid=4 (ptraceable) unless root. hidepid=1
 * (noaccess) lists them, and the walk counts them as hidden as without it.
 */
export function hidepidHidesOthers(m: ProcMount, uid: number): boolean {
  if (uid === 0 || m.hidepid === undefined) return false;
  if (m.hidepid === '4' || m.hidepid === 'ptraceable') return true;
  if (m.hidepid !== '2' && m.hidepid !== 'invisible') return false;
  return !(process.getegid?.() === m.gid || (process.getgroups?.() ?? []).includes(m.gid));
}

/** "run as root (or as a member of group 27, the gid= of /proc's mount)": who sees processes hidepid hides. */
function hidepidWho(m: ProcMount): string {
  return m.hidepid === '4' || m.hidepid === 'ptraceable' ? 'run as root' : `run as root (or as a member of group ${m.gid}, the gid= of /proc's mount)`;
}

/** The note of an attribution that could read no process: /proc is not mounted. */
export const PROC_NOT_MOUNTED_NOTE = "/proc is not mounted: no process's fds can be read, so no socket's owner can be named: mount it (mount -t proc proc /proc)";

/**
 * What the hidden processes mean for the user, in one sentence; undefined when none are hidden. Other users'
 * processes need root; the user's own processes that are not dumpable need root too, but are theirs.
 * `mount` (procMount of the walked root): other users' processes that hidepid leaves out of the listing
 * are hidden too, though none was counted (their number is unknown).
 */
export function hiddenNote(c: HiddenCounts, uid: number, mount?: ProcMount): string | undefined {
  const { otherUsers: n, ownUndumpable: m } = c;
  const own = `${m === 1 ? 'a process' : `${m} processes`} of yours ${m === 1 ? 'is' : 'are'} not dumpable (prctl PR_SET_DUMPABLE or setuid)`;
  if (mount && hidepidHidesOthers(mount, uid)) {
    const hid = `other users' processes are hidden by /proc's hidepid=${mount.hidepid} (not listed, so how many is unknown; their sockets show as hidden uid N)`;
    return `${hid}${m > 0 ? ` and ${own}` : ''}: ${hidepidWho(mount)} to see them`;
  }
  if (n === 0 && m === 0) return undefined;
  const others = `${n} process${n === 1 ? '' : 'es'} of other users ${n === 1 ? 'is' : 'are'} hidden`;
  if (m === 0) return others + (uid === 0 ? ' (their /proc/PID/fd could not be read)' : ': run as root to see them');
  if (n === 0) return `${own}: only root can read ${m === 1 ? 'its' : 'their'} fds`;
  return `${others} and ${own}: run as root to see them`;
}

/**
 * Why /proc shows no pid PID though such a process runs (kill(PID, 0) does not fail with ESRCH): /proc is not
 * mounted, or the process is another user's that /proc hides from this one (EPERM: hidepid). Undefined when
 * no process has that pid, and for a fake tree (tests), whose pids are not this system's.
 */
export type PidUnseen = { why: 'not-mounted' } | { why: 'hidden'; mount: ProcMount };

export function unseenPid(root: string, pid: number): PidUnseen | undefined {
  if (root !== '/proc' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let code: string | undefined;
  try {
    process.kill(pid, 0);
  } catch (e) {
    code = (e as NodeJS.ErrnoException).code;
  }
  if (code === 'ESRCH') return undefined;
  const mount = procMount(root);
  if (!mount.mounted) return { why: 'not-mounted' };
  return code === 'EPERM' ? { why: 'hidden', mount } : undefined;
}

/** Why pid PID cannot be read (unseenPid), in one sentence (`uid`: the uid sockscope runs as). */
export function unseenPidText(pid: number, u: PidUnseen, uid: number): string {
  if (u.why === 'not-mounted') return `/proc is not mounted, so process ${pid} cannot be read (mount it: mount -t proc proc /proc)`;
  const m = u.mount;
  const by = m.hidepid !== undefined ? `/proc's hidepid=${m.hidepid}` : '/proc';
  return `pid ${pid} runs (kill(${pid}, 0): EPERM, another user's process) but ${by} hides it from uid ${uid}: ${m.hidepid !== undefined ? hidepidWho(m) : 'run as root'} to read it`;
}

/** What fd FD of process PID is (readFdTarget): a socket, something else, or why it cannot be told. */
export type FdTarget =
  | { kind: 'socket'; inode: number }
  | { kind: 'not-socket'; link: string }
  | { kind: 'no-process' }
  | { kind: 'no-fd' }
  /** The process has exited and its parent has not reaped it (state Z): it holds no fds. */
  /** ...or only its main thread has exited (`threads` > 1: the others run and hold the fds, /proc/PID/fd reads empty). */
  | { kind: 'zombie'; ppid?: number; parent?: string; threads?: number }
  /**
   * /proc/PID/fd cannot be read: `owner` is the process's real uid (undefined when unreadable too); `unseen`:
   * /proc does not show the process at all (not mounted, or hidepid), though it runs.
   */
  | { kind: 'unreadable'; code: string; owner?: number; ownUndumpable: boolean; unseen?: PidUnseen };

/** Reads /proc/PID/fd/FD for a command given --pid and --socket-fd (`uid`: the uid sockscope runs as). */
export function readFdTarget(root: string, pid: number, fd: number, uid: number): FdTarget {
  let link: string;
  try {
    link = readlinkSync(`${root}/${pid}/fd/${fd}`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    // A zombie keeps its /proc/PID (status, comm) with an empty fd directory: not "no such fd". The status
    // text is read once, for the zombie's state and for the owner of an unreadable fd directory.
    const status = readStatus(root, pid);
    const zombie = zombieIn(root, status);
    if (zombie) return zombie;
    if (readFailure(e) === 'gone') {
      try {
        statSync(`${root}/${pid}`);
        return { kind: 'no-fd' };
      } catch {
        const unseen = unseenPid(root, pid);
        return unseen ? { kind: 'unreadable', code: unseen.why === 'hidden' ? 'EPERM' : code, ownUndumpable: false, unseen } : { kind: 'no-process' };
      }
    }
    const owner = realUidIn(status);
    return { kind: 'unreadable', code, ...(owner !== undefined ? { owner } : {}), ownUndumpable: owner !== undefined && uid !== 0 && owner === uid && hasCmdline(root, pid) };
  }
  const inode = socketInodeInText(link);
  return inode ? { kind: 'socket', inode } : { kind: 'not-socket', link };
}

/** The zombie entry of a process that has exited and is not yet reaped (State: Z in its `status` text), with its parent; else undefined. */
function zombieIn(root: string, status: string | undefined): Extract<FdTarget, { kind: 'zombie' }> | undefined {
  if (status === undefined || !/^State:\s+Z/m.test(status)) return undefined;
  const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]);
  if (threads > 1) return { kind: 'zombie', threads };
  const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
  if (!Number.isInteger(ppid) || ppid <= 0) return { kind: 'zombie' };
  const parent = readComm(root, ppid);
  return { kind: 'zombie', ppid, ...(parent !== undefined ? { parent } : {}) };
}

/** "pid 24846 has exited and its parent python3 (pid 24845) has not reaped it ...": a zombie holds no fds. */
export function zombieText(pid: number, t: Extract<FdTarget, { kind: 'zombie' }>): string {
  if (t.threads !== undefined && t.threads > 1)
    return `pid ${pid}'s main thread has exited (state Z) while ${t.threads - 1} other thread${t.threads === 2 ? '' : 's'} still run${t.threads === 2 ? 's' : ''} and hold${t.threads === 2 ? 's' : ''} its fds, which /proc/${pid}/fd then does not list: give one of its threads' ids with --pid (ls /proc/${pid}/task)`;
  const parent = t.ppid !== undefined ? `its parent ${t.parent !== undefined ? `${escapeControl(t.parent)} ` : ''}(pid ${t.ppid})` : 'its parent';
  return `pid ${pid} has exited and ${parent} has not reaped it (a zombie, state Z: the parent has not called wait()), so it holds no fds`;
}

/**
 * Why the fds of one process cannot be read, in one sentence: the user's own undumpable process, or
 * another user's (`t` from readFdTarget; `uid`: the uid sockscope runs as).
 */
export function unreadableFdsText(pid: number, t: Extract<FdTarget, { kind: 'unreadable' }>, uid: number): string {
  if (t.unseen) return unseenPidText(pid, t.unseen, uid);
  if (t.ownUndumpable) return `pid ${pid} is a process of yours that is not dumpable (prctl PR_SET_DUMPABLE or setuid): only root can read its fds (/proc/${pid}/fd: ${t.code})`;
  const who = t.owner !== undefined ? `pid ${pid} runs as uid ${t.owner} and sockscope as uid ${uid}` : `pid ${pid} cannot be read by uid ${uid}`;
  return `${who}: only root or its owner can read /proc/${pid}/fd (${t.code})`;
}

/** The process name as ss shows it (/proc/PID/comm without the trailing newline); undefined if unreadable. */
export function readComm(root: string, pid: number): string | undefined {
  try {
    // Any bytes but NUL can be a name (prctl PR_SET_NAME): not UTF-8 ones are kept as decodeUtf8 keeps them.
    const s = decodeUtf8(readFileSync(`${root}/${pid}/comm`));
    return s.endsWith('\n') ? s.slice(0, -1) : s;
  } catch {
    return undefined;
  }
}

/** Parent pid and start time from /proc/PID/stat (fields 4 and 22, counted after the "(comm)" field). */
export function readStartAndParent(root: string, pid: number): { ppid: number; start: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`${root}/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(f[1]);
  const start = Number(f[19]);
  if (!Number.isInteger(ppid)) return undefined;
  return { ppid, start: Number.isInteger(start) ? start : -1 };
}
