// Who holds a socket on the port `sockscope try` asked for, in words: a process, another user's process out of
// sight, or no process (TIME_WAIT, a connection still in an accept queue, an orphan, said by its state and, when its
// peer is on this host and has not closed its end, the process holding that end). Pure, as interpret-try.ts.
import { localOwnerView, localUid, uidHidden, unseenOwnerText } from '../model/owner.js';
import { ORPHAN_STATES } from '../model/socket.js';
import type { PortHolder } from './interpret-try-types.js';

/** What the kernel still does for an orphan, by state (each after "its program closed it; "). */
const ORPHAN_WAIT: Record<string, string> = {
  FIN_WAIT1: 'the kernel is still sending its data and FIN',
  FIN_WAIT2: "its FIN was sent and acknowledged, and it waits for the peer's FIN",
  CLOSING: 'both ends sent a FIN at once, and it waits for the ACK of its own',
  LAST_ACK: "the peer had closed first, and it waits for the peer's ACK of its FIN",
};

/** No process holds it (try-run.ts holderOwner's '-'): TIME_WAIT, or inode 0 (an orphan, or a connection still in an accept queue). */
export const unheld = (h: PortHolder) => h.processes.length === 0 && (h.state === 'TIME_WAIT' || h.inode === 0);
export const isOrphan = (h: PortHolder) => unheld(h) && ORPHAN_STATES.has(h.state);

/**
 * Where a holder is bound, as ss writes it: its local address with the device it is bound to (SO_BINDTODEVICE)
 * as a zone, 0.0.0.0%eth1:8000, so that two sockets on one port bound to different devices do not read as one
 * socket twice. A link-local address already carries its zone (its device). Untrusted text: printers escape it.
 */
export function holderAt(h: Pick<PortHolder, 'local' | 'device'>): string {
  if (!h.device || h.local.includes('%')) return h.local;
  const br = /^\[(.*)\]:(\d+|\*)$/.exec(h.local);
  if (br) return `[${br[1]}%${h.device}]:${br[2]}`;
  const i = h.local.lastIndexOf(':');
  return i < 0 ? `${h.local}%${h.device}` : `${h.local.slice(0, i)}%${h.device}${h.local.slice(i)}`;
}

const pids = (ps: PortHolder['processes']) => ps.map((x) => `pid ${x.pid} (${x.name})`).join(', ');

/**
 * Who holds the orphan's peer on this host, in CLOSE_WAIT, which has not closed it (what keeps the orphan waiting): its
 * processes, or, when none is listed, a process out of this user's sight (another user's, by the socket's uid).
 */
export function closeWaitPeer(h: PortHolder): string | undefined {
  const p = h.peerEnd;
  if (!isOrphan(h) || p?.state !== 'CLOSE_WAIT') return undefined;
  if (p.processes.length) return pids(p.processes);
  // A CLOSE_WAIT socket always has a process (closing it would make it LAST_ACK): one this user cannot read.
  if (localUid() !== 0) return p.uid !== undefined ? unseenOwnerText(p.uid) : 'a process not visible to this user';
  return `a process sockscope cannot see${p.uid !== undefined ? ` (uid ${p.uid})` : ''}`;
}

/** The next step for an orphan whose CLOSE_WAIT peer is here: have the peer's process close it (named first when it is hidden). */
export function closeWaitStep(h: PortHolder): string {
  const p = h.peerEnd!;
  const port = /:(\d+)$/.exec(p.local)?.[1];
  const analyze = port ? `sockscope analyze --port ${port}` : '';
  const name = p.processes.length ? '' : localUid() !== 0 ? ` (run as root to name it${analyze ? `, or ${analyze}` : ''})` : analyze ? ` (${analyze}: the socket and its uid)` : '';
  return `${closeWaitPeer(h)} holds the other end, ${p.local}, in CLOSE_WAIT and has not closed it${name}: have it close() a connection once read() returns 0 (its peer closed); the orphan ends then, or after net.ipv4.tcp_fin_timeout`;
}

/** "held by pid 7 (nginx)", or what holds it when no process is seen: only a uid out of this user's sight is "not visible". */
export function heldBy(h: PortHolder): string {
  const p = pids(h.processes);
  if (p) return `held by ${p}`;
  if (h.state === 'TIME_WAIT') return 'in TIME_WAIT, held by no process';
  if (isOrphan(h)) {
    const peer = closeWaitPeer(h);
    const why = peer ? `; its peer ${h.peerEnd!.local} is on this host in CLOSE_WAIT, held by ${peer}, which has not closed it` : '';
    return `held by no process: an orphan (its program closed it; ${ORPHAN_WAIT[h.state]}${why})`;
  }
  if (unheld(h)) return 'held by no process yet: a connection still in an accept queue';
  // unseenOwnerText also says the user's own uid (not root): a process of theirs that is not dumpable.
  const own = localUid();
  if (h.uid !== undefined && (uidHidden(h.uid, localOwnerView()) || (h.uid === own && own !== 0))) return `held by ${unseenOwnerText(h.uid)}`;
  return `held by a process sockscope cannot see${h.uid !== undefined ? ` (uid ${h.uid})` : ''}`;
}

export const who = (h: PortHolder) => heldBy(h).replace(/^held by /, '');
