// This host's TCP listeners on a destination's port, for a local connect: who listens where, with which owners,
// and which of them a connect to an address reaches.
import { unseenOwnerText } from '../model/owner.js';
import { isIP } from 'node:net';
import { formatHostPort } from './host-port.js';

/** A listener on this host that takes connections for the destination: its accept queue (Recv-Q) and backlog (Send-Q). */
export interface LocalListener {
  local: string;
  pending: number;
  /** listen() backlog (Send-Q); undefined when the source cannot see it (/proc/net/tcp, netstat). */
  backlog?: number;
  /** Its owners ("python3/4242", with the fd when another listener of its group has the same owners) and the first one's pid. */
  by?: string;
  pid?: number;
  /** SO_REUSEPORT: how many listeners share this address and port (the kernel hashes each new connection to one of them). */
  groupSize?: number;
  /** Several listeners of the group could have dropped the SYN (each full, or holding connections when the backlog is unknown): all of them. */
  candidates?: LocalListener[];
}

/** A TCP listener on this host on the destination's port, at whatever address, with the processes that hold it. */
export interface PortListener {
  /** As the kernel reports it: 0.0.0.0, ::, 127.0.0.1, ::1 ('*' from some sources). */
  address: string;
  port: number;
  /** Connections waiting for accept() (Recv-Q). */
  pending: number;
  /** listen() backlog (Send-Q); undefined when the source cannot see it. */
  backlog?: number;
  owners: { pid: number; name: string; fd?: number }[];
  /** Tells the members of a SO_REUSEPORT group apart from one reading to the next (absent when the source has none). */
  inode?: number;
  /** The owner's uid when its processes are not visible. */
  uid?: number;
  /** SO_BINDTODEVICE: takes connections arriving on this interface only. */
  device?: string;
}

/** TCP listeners in a snapshot on `port`, for the interpretation (any address). */
export function portListeners(
  sockets: readonly { protocol: string; state: string; local: { address: string; port: number }; recvQ: number; sendQ: number; sendQUnknown?: boolean; processes: readonly { pid: number; name: string; fd?: number }[]; uid?: number; inode?: number; boundDevice?: string }[],
  port: number,
): PortListener[] {
  return sockets
    .filter((s) => s.protocol === 'tcp' && s.state === 'LISTEN' && s.local.port === port)
    .map((s) => ({
      address: s.local.address,
      port,
      pending: s.recvQ,
      ...(s.sendQUnknown ? {} : { backlog: s.sendQ }),
      owners: [...new Map(s.processes.map((p) => [p.pid, { pid: p.pid, name: p.name, ...(p.fd !== undefined ? { fd: p.fd } : {}) }])).values()],
      ...(s.inode ? { inode: s.inode } : {}),
      ...(s.processes.length === 0 && s.uid !== undefined ? { uid: s.uid } : {}),
      ...(s.boundDevice ? { device: s.boundDevice } : {}),
    }));
}

/** "python3/4242", or who it could be when the processes are hidden. */
export function listenerOwners(l: PortListener): string {
  if (l.owners.length) return l.owners.map((p) => `${p.name}/${p.pid}`).join(', ');
  return l.uid !== undefined ? unseenOwnerText(l.uid) : 'a process sockscope cannot see';
}

/** Whether a listener bound to `listening` takes a connection to `target` (same address, or the family's wildcard). */
export function takes(listening: string, target: string): boolean {
  const t = target.replace(/%.*$/, '').toLowerCase();
  const l = listening.toLowerCase();
  if (l === t || l === `::ffff:${t}`) return true;
  return isIP(t) === 6 ? l === '::' || l === '*' : l === '0.0.0.0' || l === '*' || l === '::';
}

/** Among this host's listeners on the port, the one a connect to `address` reaches (exact address first, then a wildcard). */
export function listenerFor(listeners: readonly PortListener[], address: string): PortListener | undefined {
  const a = address.replace(/%.*$/, '').toLowerCase();
  // The kernel scores a listener of the connection's own family above a dual-stack [::] one.
  const wild = isIP(a) === 6 ? '::' : '0.0.0.0';
  return listeners.find((l) => l.address.toLowerCase() === a) ?? listeners.find((l) => l.address === wild) ?? listeners.find((l) => takes(l.address, a));
}

/**
 * The listeners a connect to `address` may reach: listenerFor's, and every other listener bound to the same address
 * and device. Two listeners share an address and port only with SO_REUSEPORT, and then the kernel hashes each new
 * connection to one of them: the first of the group is not the one a given connection reached.
 */
export function reuseportGroup(listeners: readonly PortListener[], address: string): PortListener[] {
  const l = listenerFor(listeners, address);
  return l ? listeners.filter((x) => x.address.toLowerCase() === l.address.toLowerCase() && x.device === l.device) : [];
}

/** A member of a group by its owners, with the fd when another member has the same owners (one process, several listeners). */
export function memberName(l: PortListener, group: readonly PortListener[]): string {
  const name = listenerOwners(l);
  const fd = l.owners[0]?.fd;
  return fd !== undefined && group.some((x) => x !== l && listenerOwners(x) === name) ? `${name} fd ${fd}` : name;
}

/** A SO_REUSEPORT member's identity across readings: its inode, else its place in the group (sources list a port's listeners in one order). */
export function memberKey(l: PortListener, group: readonly PortListener[]): string {
  return l.inode ? `ino:${l.inode}` : `#${group.indexOf(l)}`;
}

/**
 * One member of a SO_REUSEPORT group with its accept queue, as debug-connections reports it (notAccepted.members,
 * othersWaiting.members): its name (memberName), its first owner's pid, Recv-Q, and the backlog when the source has it.
 */
export interface QueueMember {
  by: string;
  pid?: number;
  pending: number;
  backlog?: number;
}

/** A listener of `group` as a QueueMember. */
export function asMember(l: PortListener, group: readonly PortListener[]): QueueMember {
  return { by: memberName(l, group), ...(l.owners.length ? { pid: l.owners[0].pid } : {}), pending: l.pending, ...(l.backlog !== undefined ? { backlog: l.backlog } : {}) };
}

/** "Recv-Q 9, backlog 8" ("Recv-Q 9" when the source cannot see the backlog): an accept queue in every debug-connections text. */
export function queueText(q: { pending: number; backlog?: number }): string {
  return `Recv-Q ${q.pending}${q.backlog !== undefined ? `, backlog ${q.backlog}` : ''}`;
}

/** "python3/4242 (Recv-Q 9, backlog 8)"; the queue alone without a name. `by` is the system's text: callers escape it where they print. */
export function memberQueueText(m: { by?: string; pending: number; backlog?: number }): string {
  return m.by ? `${m.by} (${queueText(m)})` : queueText(m);
}

/** Whether a listener's accept queue explains dropped SYNs: over its backlog, or, the backlog unknown, holding connections. */
export function queueSuspect(l: Pick<LocalListener, 'pending' | 'backlog'>): boolean {
  return l.backlog !== undefined ? l.pending > l.backlog : l.pending > 0;
}

function asLocal(l: PortListener, group: readonly PortListener[]): LocalListener {
  return {
    local: formatHostPort(l.address, l.port),
    pending: l.pending,
    ...(l.backlog !== undefined ? { backlog: l.backlog } : {}),
    ...(l.owners.length || l.uid !== undefined ? { by: memberName(l, group) } : {}),
    ...(l.owners.length ? { pid: l.owners[0].pid } : {}),
    ...(group.length > 1 ? { groupSize: group.length } : {}),
  };
}

/**
 * The listener on this host that a connect to `address` reaches (exact address first, then a wildcard: 0.0.0.0,
 * ::, *), for a connect that timed out. In a SO_REUSEPORT group the SYN went to one member the kernel chose: the one
 * whose queue explains the drop (over its backlog, or holding connections when the backlog is unknown) when only
 * one does; when several do, each of them (`candidates`), since which one dropped it cannot be told.
 * Call it only for local destinations.
 */
export function findLocalListener(listeners: readonly PortListener[], address: string): LocalListener | undefined {
  const group = reuseportGroup(listeners, address);
  if (group.length === 0) return undefined;
  const suspects = group.filter((l) => queueSuspect(l));
  const first = asLocal(suspects[0] ?? group[0], group);
  return suspects.length > 1 ? { ...first, candidates: suspects.map((l) => asLocal(l, group)) } : first;
}

/**
 * The member of a SO_REUSEPORT group whose queue a new connection joined, or undefined when it cannot be told.
 * `group`: read after the connection was queued. The only member holding connections holds it (`byElimination`,
 * for a connection known to be queued); else the only member whose queue grew between the readings just before and
 * just after the connect (`before`, `after`: the port's listeners; members matched by memberKey).
 */
export function memberReached(group: readonly PortListener[], o: { address: string; before?: readonly PortListener[]; after?: readonly PortListener[]; byElimination: boolean }): PortListener | undefined {
  if (group.length === 1) return group[0];
  if (o.byElimination) {
    const holding = group.filter((l) => l.pending > 0);
    if (holding.length === 1) return holding[0];
  }
  if (!o.before || !o.after) return undefined;
  const was = reuseportGroup(o.before, o.address);
  const now = reuseportGroup(o.after, o.address);
  const pendingBefore = new Map(was.map((l) => [memberKey(l, was), l.pending]));
  const grew = now.filter((l) => pendingBefore.has(memberKey(l, now)) && l.pending > pendingBefore.get(memberKey(l, now))!);
  if (grew.length !== 1 || now.length !== group.length) return undefined;
  const key = memberKey(grew[0], now);
  return group.find((l) => memberKey(l, group) === key);
}
