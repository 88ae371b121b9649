// This host's TCP listeners on a destination's port, for a local connect: who listens where, with which owners,
// and which of them a connect to an address reaches.
import { unseenOwnerText } from '../model/owner.js';
import { isIP } from 'node:net';
import { formatHostPort } from './host-port.js';

/** A listener on this host that takes connections for the destination: its accept queue (Recv-Q) and backlog (Send-Q). */
export interface LocalListener {
  local: string;
  pending: number;
  backlog: number;
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
  owners: { pid: number; name: string }[];
  /** The owner's uid when its processes are not visible. */
  uid?: number;
  /** SO_BINDTODEVICE: takes connections arriving on this interface only. */
  device?: string;
}

/** TCP listeners in a snapshot on `port`, for the interpretation (any address). */
export function portListeners(
  sockets: readonly { protocol: string; state: string; local: { address: string; port: number }; recvQ: number; sendQ: number; sendQUnknown?: boolean; processes: readonly { pid: number; name: string }[]; uid?: number; boundDevice?: string }[],
  port: number,
): PortListener[] {
  return sockets
    .filter((s) => s.protocol === 'tcp' && s.state === 'LISTEN' && s.local.port === port)
    .map((s) => ({
      address: s.local.address,
      port,
      pending: s.recvQ,
      ...(s.sendQUnknown ? {} : { backlog: s.sendQ }),
      owners: [...new Map(s.processes.map((p) => [p.pid, { pid: p.pid, name: p.name }])).values()],
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
  return listeners.find((l) => l.address.toLowerCase() === a) ?? listeners.find((l) => takes(l.address, a));
}

/** 127.0.0.0/8 or ::1. */
/**
 * The listener on this host that a connect to (address, port) reaches: same address first, then a wildcard
 * (0.0.0.0, ::, *); among several (SO_REUSEPORT) the one whose accept queue is full. Call it only for local destinations.
 */
export function findLocalListener(
  sockets: readonly { protocol: string; state: string; local: { address: string; port: number }; recvQ: number; sendQ: number; sendQUnknown?: boolean }[],
  address: string,
  port: number,
): LocalListener | undefined {
  const want = address.replace(/%.*$/, '').toLowerCase();
  const v6 = isIP(want) === 6;
  const wild = v6 ? ['::', '*'] : ['0.0.0.0', '::', '*'];
  const listeners = sockets.filter((s) => s.protocol === 'tcp' && s.state === 'LISTEN' && s.local.port === port && !s.sendQUnknown);
  const exact = listeners.filter((s) => s.local.address.toLowerCase() === want);
  const group = exact.length ? exact : listeners.filter((s) => wild.includes(s.local.address));
  const l = group.find((s) => s.recvQ > s.sendQ) ?? group[0];
  return l ? { local: formatHostPort(l.local.address, l.local.port), pending: l.recvQ, backlog: l.sendQ } : undefined;
}
