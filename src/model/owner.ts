// Whether a socket's owner is hidden from this user (another user's process: its /proc/PID/fd cannot be
// read without root) rather than absent (TIME_WAIT, orphans, connections still in an accept queue).
// Every printer shows `-` for both without this, and a JSON reader could not tell them apart.
import { isListenerSocket } from './listener-socket.js';
import type { Snapshot } from './snapshot.js';
import type { Socket } from './socket.js';

/** What the reader of a socket's owner knows about who looked for it. */
export interface OwnerView {
  /** The uid attribution ran as; undefined when unknown (a remote host's ssh user). */
  viewerUid: number | undefined;
  /** The snapshot's attribution.complete; undefined when only the socket is at hand (a table cell). */
  complete?: boolean;
  /**
   * A monitor cell of sockets read on remote hosts (localOwnerView with --host): an owner is hidden only
   * where that host's last reading looked owners up (remoteOwnersLookedUp), else not looked up (`?`).
   */
  remoteCells?: boolean;
  /**
   * False when the snapshot's attribution looked no owner up (scope 'none': not asked, /proc not mounted,
   * no attribution in this build): an owner not seen is unknown (`?`), never "hidden uid N".
   */
  lookedUp?: boolean;
}

let ownUid: number | undefined | null = null;

/** This process's uid (undefined where there is none: Windows). Read once: it does not change. */
export function localUid(): number | undefined {
  if (ownUid === null) ownUid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  return ownUid;
}

let cellsRemote = false;

/**
 * Set by the monitor when it reads remote hosts (--host): its table cells' sockets were read by an ssh
 * user, so the local uid says nothing about what that user could see. Process-wide state meant for the CLI's
 * one monitor: a library program that renders local and remote tables gets whichever value was set last.
 */
export function setCellsFromRemote(remote: boolean): void {
  cellsRemote = remote;
}

/**
 * The view of a monitor table cell, which has the socket but not the snapshot: this user, completeness
 * unknown (a non-root user cannot read another user's process, so that is hidden however complete).
 * When the monitor reads remote hosts: the ssh user's, unknown uid, incomplete (as snapshotOwnerView
 * says of a remote snapshot): `sudo sockscope --host` showed a remote root-owned listener as `-`.
 */
export function localOwnerView(): OwnerView {
  if (!cellsRemote) return { viewerUid: localUid() };
  // Every host read so far as root (id -u there): root's ss -p sees every process, so nothing is hidden.
  const uids = [...remoteViewers.values()].map((v) => v.uid);
  return { viewerUid: undefined, complete: uids.length > 0 && uids.every((u) => u === 0), remoteCells: true };
}

/** Per remote host read (by RemoteSource label): the ssh user's uid (undefined when the script did not say) and whose owners ss -p looked up. */
const remoteViewers = new Map<string, { uid: number | undefined; scope: Snapshot['attribution']['scope'] }>();

/**
 * Per host of several (by the label its sockets carry, Socket.host): whether its last reading's attribution
 * was complete (its ssh user root there: ss -p sees every process). Set by MultiHostSource.
 */
const hostsComplete = new Map<string, boolean>();

/** Records whether host `label`'s last reading saw every process (its attribution.complete). */
export function noteHostComplete(label: string, complete: boolean): void {
  hostsComplete.set(label, complete);
}

/**
 * Whether the user who read host `host` sees every process there: its last reading was complete (set by
 * MultiHostSource under the socket's label), or, for a label only RemoteSource noted, its ssh user is root.
 */
function hostSeesAll(host: string): boolean {
  const complete = hostsComplete.get(host);
  return complete ?? remoteViewers.get(host)?.uid === 0;
}

/**
 * Set by RemoteSource after each reading: the uid its ssh user has there (`id -u`) and the reading's
 * attribution scope ('none': ss ran without -p, as for the monitor's first frame), for the monitor's cells.
 */
export function noteRemoteViewer(label: string, uid: number | undefined, scope: Snapshot['attribution']['scope']): void {
  remoteViewers.set(label, { uid, scope });
}

/**
 * Whether the last reading of the host a monitor cell's socket came from looked its owner up: ss -p for
 * every socket ('all') or for listeners (`listener`). `host`: the cell's HOST (several --host); without
 * one (one --host) or when no reading has that label, every host read must have. A cell whose owner was
 * not looked up is `?`, not `hidden uid N` (the first frame, read without ss -p, said "hidden uid 0").
 */
function remoteOwnersLookedUp(host: string | undefined, listener: boolean): boolean {
  const one = host === undefined ? undefined : remoteViewers.get(host);
  const readings = one ? [one] : [...remoteViewers.values()];
  return readings.length > 0 && readings.every((r) => r.scope === 'all' || (r.scope === 'listeners' && listener));
}

/** The view of a report made from a whole snapshot: a remote snapshot was read by its ssh user, whose uid is unknown here. */
export function snapshotOwnerView(snap: Pick<Snapshot, 'source' | 'attribution'>): OwnerView {
  const view: OwnerView = { viewerUid: snap.source === 'remote' ? undefined : localUid(), complete: snap.attribution.complete };
  if (snap.attribution.scope === 'none') view.lookedUp = false;
  return view;
}

/**
 * A socket some process must hold: not TIME_WAIT (no process any more), and with a socket file (inode 0
 * is an orphan closed by its process, a SYN_RECV request or a connection still in an accept queue).
 */
export function mustBeHeld(s: { state: string; inode?: number }): boolean {
  return s.state !== 'TIME_WAIT' && s.inode !== 0;
}

/**
 * Whether the process of `uid` that holds a socket is out of the viewer's sight. A socket read from one
 * of several hosts (`host`) was read by that host's user: the local uid says nothing about it, and its
 * ss -p shows every process that user can see, so an owner it did not show is hidden from them (a
 * table cell, completeness unknown, read every such owner as `-`, "no process holds it"), unless that
 * user is root there (hostSeesAll): with several hosts, a root host's socket without a process read
 * "hidden uid 0" whenever another host was read as a non-root user.
 */
export function uidHidden(uid: number, view: OwnerView, host?: string): boolean {
  if (view.complete === true || view.lookedUp === false) return false;
  // That host's own user: root there sees every process, so an owner its ss -p did not show is hidden from no one.
  if (host !== undefined) return !hostSeesAll(host);
  const viewer = view.viewerUid;
  if (viewer === undefined) return view.complete === false;
  if (uid === viewer) return false;
  // Completeness unknown (a table cell): root reads every process's fds.
  return view.complete === false || viewer !== 0;
}

/** The uid whose process holds `s` out of sight (no visible owner, one must hold it, its uid is another user's); else undefined. */
export function hiddenOwnerUid(s: Socket, view: OwnerView): number | undefined {
  if (s.processes.length !== 0 || s.uid === undefined || !mustBeHeld(s)) return undefined;
  if (view.remoteCells && !remoteOwnersLookedUp(s.host, isListenerSocket(s))) return undefined;
  return uidHidden(s.uid, view, s.host) ? s.uid : undefined;
}

/**
 * A unix socket whose source gives no uid (/proc/net/unix has no uid column; netstat -x reads it; ss -x
 * prints none, with or without -e), that some process must hold and attribution looked up (`scope`: every
 * socket, or listeners) without finding it, read by a user who is not root: a process out of this user's
 * sight holds it, whose uid the source cannot tell. Shown `?`, never `-` ("no process holds it"): before,
 * hiddenOwnerUid needed a uid and such a socket read as unheld. netlink (unix_diag) gives the uid.
 * A remote host's socket (`--host`: its ss -x gives no uid either) was read by that host's ssh user: hidden
 * unless that user is root there (one --host: the snapshot's attribution complete; several: that host's
 * own, hostSeesAll, as uidHidden says). Remote ones were left out: `"ownerHidden": false` and no note, where
 * the README says such an owner reads hidden.
 */
export function unixOwnerUidUnknown(s: Socket, view: OwnerView, scope: Snapshot['attribution']['scope']): boolean {
  if (s.protocol !== 'unix' || s.uid !== undefined || s.processes.length !== 0 || !mustBeHeld(s)) return false;
  if (scope === 'none' || (scope === 'listeners' && !isListenerSocket(s))) return false;
  if (view.complete === true || view.lookedUp === false) return false;
  // A monitor cell: only where that host's last reading looked the owner up.
  if (view.remoteCells && !remoteOwnersLookedUp(s.host, isListenerSocket(s))) return false;
  if (s.host !== undefined) return !hostSeesAll(s.host);
  // A remote snapshot (snapshotOwnerView: the ssh user's uid is not known here): hidden unless complete (root there).
  if (view.viewerUid === undefined) return view.complete === false || view.remoteCells === true;
  return view.viewerUid !== 0;
}

/** Distinct uids (ascending) whose processes hold some of `sockets` out of sight. */
export function hiddenOwnerUids(sockets: Iterable<Socket>, view: OwnerView): number[] {
  const out = new Set<number>();
  for (const s of sockets) {
    const u = hiddenOwnerUid(s, view);
    if (u !== undefined) out.add(u);
  }
  return [...out].sort((a, b) => a - b);
}

/** What summaryHiddenUids reads of a row: its visible owners, the uids of its held sockets, its listeners. */
export interface OwnerRow {
  processes: readonly unknown[];
  uids?: readonly number[];
  /** Uids of the row's held sockets that no visible process holds, where the summary has them (unix rows). */
  unseenUids?: readonly number[];
  /** As unseenUids, of its listeners only (isListenerSocket: a bound unix datagram socket too). */
  unseenListenerUids?: readonly number[];
  host?: string;
  listeners?: readonly { processes: readonly unknown[]; uid?: number }[];
}

/** The uids of `listeners` with no visible process (ascending). */
function unseenOfListeners(listeners: OwnerRow['listeners']): number[] {
  const out = new Set<number>();
  for (const l of listeners ?? []) if (l.processes.length === 0 && l.uid !== undefined) out.add(l.uid);
  return [...out].sort((a, b) => a - b);
}

/**
 * The hidden owners of a port, peer-port or unix row: the uids (ascending) whose processes hold some of its
 * sockets out of sight, whether or not other owners of the row are visible (a row with a visible owner and
 * another user's hidden one says both: `python3/812, hidden uid 0`). Only sockets whose owners were looked
 * up count: `listenersOnly` (attribution scope 'listeners', the home view and the plain table) leaves out
 * every other socket, whose owner is `?`, never "hidden" (a socketpair of root's read "hidden uid 0" there
 * though no owner was looked up). The sockets without a visible owner: all of `uids` when the row names no
 * process, else `unseenUids` (unix rows), else the listeners (TCP and UDP rows: a port held by two users is
 * their listeners on two addresses).
 */
export function summaryHiddenUids(p: OwnerRow, view: OwnerView, listenersOnly = false): number[] {
  // A remote port row is looked up with its listeners ('listeners' scope); a peer-port row has none.
  if (view.remoteCells && !remoteOwnersLookedUp(p.host, (p.listeners?.length ?? 0) > 0)) return [];
  const unseen = listenersOnly
    ? (p.unseenListenerUids ?? unseenOfListeners(p.listeners))
    : p.processes.length === 0
      ? (p.uids ?? [])
      : (p.unseenUids ?? unseenOfListeners(p.listeners));
  return unseen.filter((u) => uidHidden(u, view, p.host));
}

/**
 * Words for a process that holds a socket but could not be read, from the socket's uid: the user's own
 * (only when not root: a process of theirs that is not dumpable, prctl PR_SET_DUMPABLE 0 or started
 * setuid, has a root-owned /proc/PID/fd) or another user's.
 */
export function unseenOwnerText(uid: number): string {
  const own = localUid();
  return uid === own && own !== 0
    ? `a process of yours (uid ${uid}) that is not dumpable (prctl PR_SET_DUMPABLE or setuid): only root can read its fds`
    : `a process of uid ${uid} (not visible to this user)`;
}

/**
 * Sockets of a snapshot that the kernel no longer had when their owners were looked up: closed between the
 * socket dump and the reading of /proc/PID/fd (connection churn), so that no process was found holding
 * them though their owner was in plain sight. The attributor (collect/processes.ts) asks the kernel about
 * the sockets it found no owner for, and marks these; they still show `?` (owner not known) but are not
 * counted by ownersNotFound. By object: a snapshot's sockets are its own (a reused one is unchanged, so
 * still open).
 */
const closedSinceDump = new WeakSet<Socket>();

/** Marks `s` as closed after the dump that listed it, before its owner was looked up (see closedSinceDump). */
export function markClosedSinceDump(s: Socket): void {
  closedSinceDump.add(s);
}

/**
 * Sockets a process must hold, with a socket file (inode), that attribution looked up (its scope: the
 * listeners, or every socket) and found no owner for, though it read every process it could list
 * (attribution complete): their processes are out of its sight, in another PID namespace (sockscope as
 * root in a container on the host's network: `unshare -pf --mount-proc`), or they are kernel sockets.
 * Tables show them `?`, as owners not looked up, never `-` ("no process holds it"). Not the ones closed
 * since the dump (closedSinceDump): their owners were in sight. A remote snapshot's attribution is complete
 * only with its ssh user root there (remote.ts), and then only its listeners count: its ss -p reads the
 * processes before the sockets, so a connection accepted in between has no owner though it is in sight,
 * and nothing there asks the kernel again (a listener's owner was there before it listened).
 */
function ownersNotFound(snap: Pick<Snapshot, 'source' | 'attribution' | 'sockets'>): number {
  const a = snap.attribution;
  if (a.scope === 'none' || !a.complete) return 0;
  const listenersOnly = a.scope !== 'all' || snap.source === 'remote';
  let n = 0;
  for (const s of snap.sockets) {
    // With a uid, as PortSummary.uids (which a row's "?" reads), or a unix socket: procfs, netstat and ss
    // give none for those, and a unix row without owners says "?" for any held socket (ui/derive.ts).
    if (s.processes.length !== 0 || s.inode === undefined || (s.uid === undefined && s.protocol !== 'unix') || s.host !== undefined || !mustBeHeld(s)) continue;
    if ((!listenersOnly || isListenerSocket(s)) && !closedSinceDump.has(s as Socket)) n++;
  }
  return n;
}

/**
 * The short wording of a remote host's attribution note when its ssh user is not root (the monitor's header at
 * 80 columns; the note itself, "processes on web1 are those its ss -p shows to the ssh user", was cut there).
 * With several hosts, MultiHostSource names the hosts it is about (remoteShortNote).
 */
export const REMOTE_SHORT_NOTE = 'own processes only (ssh as root)';

/**
 * The short wording naming `hosts`, the ones of several whose ssh user is not root: "admin@web1: own
 * processes only", short enough to follow the header's list of hosts at 80 columns.
 */
export function remoteShortNote(hosts: readonly string[]): string {
  return `${hosts.join(', ')}: own processes only`;
}

/** The ssh user a remote host's script ran as: `id -u` and `id -un` there, each undefined when it said none. */
export interface RemoteViewer {
  uid: number | undefined;
  name: string | undefined;
}

/**
 * The note of a remote snapshot whose ssh user is not root (or whose uid the script could not tell), when
 * some of its sockets read `hidden uid N`: ss -p there reads only that user's processes, so other users'
 * are out of sight. The local note counts them ("45 processes of other users are hidden"); a remote ss -p
 * cannot, so this one says how many is unknown (as the hidepid note does). Undefined as root, without ss -p
 * (scope 'none': not looked up, `?`) and when no socket reads hidden. `host`: RemoteSource's label.
 */
export function remoteHiddenOwnersNote(host: string, viewer: RemoteViewer, snap: Pick<Snapshot, 'source' | 'attribution' | 'sockets'>): string | undefined {
  if (viewer.uid === 0 || snap.attribution.scope === 'none' || snap.attribution.complete) return undefined;
  // Only sockets whose owner ss -p looked up (every socket, or listeners): the monitor shows the others `?`.
  const looked = snap.attribution.scope === 'all' ? snap.sockets : snap.sockets.filter(isListenerSocket);
  const uids = hiddenOwnerUids(looked, snapshotOwnerView(snap));
  if (uids.length === 0) return undefined;
  const who = viewerText(viewer);
  const shown = uids.length > 5 ? `${uids.slice(0, 5).join(', ')} and ${uids.length - 5} more` : uids.join(', ');
  // `host` may hold the ssh user (bob@web1): "log in to bob@web1 as root" would name another account.
  return `other users' processes on ${host} are not shown to the ssh user ${who}: its ss -p reads only that user's processes, so how many are hidden is unknown, and their sockets read hidden uid ${shown}; log in there as root, or use sudo, to see them`;
}

/**
 * The note of a remote snapshot some of whose unix sockets are held out of its ssh user's sight
 * (unixOwnerUidUnknown): as the local ss source's (ownerNotes), naming the host and the user, and what to do
 * there. Its ss -x gives no uid, so the tables say `?` and --json `"ownerHidden": true` with
 * `"hiddenOwnerUids": []`, never `hidden uid N`. Undefined as root there and without ss -p. `host`: RemoteSource's label.
 */
export function remoteUnixOwnersNote(host: string, viewer: RemoteViewer, snap: Pick<Snapshot, 'source' | 'attribution' | 'sockets'>): string | undefined {
  if (viewer.uid === 0 || snap.attribution.scope === 'none' || snap.attribution.complete) return undefined;
  const view = snapshotOwnerView(snap);
  let u = 0;
  for (const s of snap.sockets) if (unixOwnerUidUnknown(s, view, snap.attribution.scope)) u++;
  if (u === 0) return undefined;
  return `owners of ${u} unix socket${u === 1 ? '' : 's'} on ${host} not found (shown as ?): hidden from the ssh user ${viewerText(viewer)}, and ss -x shows no uid, so whose they are is unknown; log in there as root, or use sudo, to see them`;
}

/** The ssh user for a note: "bob (uid 1000)", "uid 1000", "bob", or that id -u said nothing. */
function viewerText({ uid, name }: RemoteViewer): string {
  return uid === undefined ? (name === undefined ? '(uid unknown: id -u there printed none)' : name) : name === undefined ? `uid ${uid}` : `${name} (uid ${uid})`;
}

/** What a source says of unix sockets' uids, for the note of unixOwnerUidUnknown. */
const NO_UNIX_UID: Partial<Record<Snapshot['source'], string>> = {
  procfs: '/proc/net/unix has no uid column',
  netstat: 'netstat -x shows no uid (it reads /proc/net/unix)',
  ss: 'ss -x shows no uid',
};

/**
 * The notes a local collector adds to the snapshot's notes: owners looked up and not found (ownersNotFound),
 * and unix sockets held out of this user's sight whose uid the source cannot tell (unixOwnerUidUnknown).
 * RemoteSource adds them too (the first: the second is remoteUnixOwnersNote's there).
 */
export function ownerNotes(snap: Pick<Snapshot, 'source' | 'attribution' | 'sockets'>): string[] {
  const notes: string[] = [];
  const n = ownersNotFound(snap);
  if (n > 0) {
    // A remote host's count is of its listeners only (ownersNotFound): said, so that it is not read as the count a
    // local run gives for the same sockets, connections included.
    const what = snap.source === 'remote' ? `listening socket${n === 1 ? '' : 's'}` : `socket${n === 1 ? '' : 's'}`;
    notes.push(
      `owners of ${n} ${what} not found (shown as ?): their processes are out of sight, in another PID namespace (a container on the host's network) or with /proc/PID/fd links root may not read (a security module; some sandboxes' PID 1), or they are kernel sockets (vxlan, NFS, WireGuard)`,
    );
  }
  // unixOwnerUidUnknown is false for every socket of a complete attribution (root): no pass over them then.
  if (snap.source !== 'remote' && snap.attribution.scope !== 'none' && snap.attribution.complete !== true) {
    const view = snapshotOwnerView(snap);
    let u = 0;
    for (const s of snap.sockets) if (unixOwnerUidUnknown(s, view, snap.attribution.scope)) u++;
    if (u > 0) {
      const why = NO_UNIX_UID[snap.source] ?? `${snap.source} shows no uid of unix sockets`;
      notes.push(
        `owners of ${u} unix socket${u === 1 ? '' : 's'} not found (shown as ?): hidden from this user, and ${why}, so whose they are is unknown; --source netlink tells the uid (hidden uid N), root sees the processes`,
      );
    }
  }
  return notes;
}
