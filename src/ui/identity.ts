// Stable identities for rows, so the selection follows a port or socket (not an index) across refreshes.
import { formatEndpoint, type Protocol, type Socket } from '../model/socket.js';

/** 'tcp:8080'; with several hosts 'HOST tcp:8080' (a host has no spaces; the space sorts ties by host). */
export function portId(protocol: Protocol, port: number | string, host?: string): string {
  return host === undefined ? `${protocol}:${port}` : `${host} ${protocol}:${port}`;
}

/** Outgoing table rows: 'peer:tcp:5432'; with several hosts 'HOST peer:tcp:5432'. */
export function peerPortId(protocol: Protocol, port: number, host?: string): string {
  return host === undefined ? `peer:${protocol}:${port}` : `${host} peer:${protocol}:${port}`;
}

/**
 * A socket: protocol, local and peer endpoints, plus the inode when known (SO_REUSEPORT listeners share
 * endpoints; unnamed unix sockets have none). TIME_WAIT sockets have inode 0 and unique endpoints.
 */
export function socketId(s: Socket): string {
  const base = `${s.host === undefined ? '' : `${s.host} `}${s.protocol} ${formatEndpoint(s.local, s.protocol)} ${formatEndpoint(s.peer, s.protocol)}`;
  return s.inode ? `${base} #${s.inode}` : base;
}

/**
 * The socket view's socket in `sockets`: the one with the frame's id, else the same kernel socket under
 * another id. After close() an established socket becomes an orphan (FIN_WAIT2...) with inode 0, so its id
 * loses the `#inode`: it is found by its cookie when the collector gives one (netlink), else, TCP only, as
 * the single inode-0 socket with the same endpoints. `last` is the copy seen before. SO_REUSEPORT listeners
 * (shared endpoints) keep their inodes and are never matched this way.
 */
export function followSocket(sockets: readonly Socket[], id: string, last: Socket | undefined): Socket | undefined {
  const same = sockets.find((s) => socketId(s) === id);
  if (same || !last) return same;
  if (last.cookie) return sockets.find((s) => s.cookie === last.cookie && s.host === last.host && s.protocol === last.protocol);
  if (last.protocol !== 'tcp' || !last.inode || last.state === 'LISTEN') return undefined;
  const base = socketId({ ...last, inode: 0 });
  const orphans = sockets.filter((s) => !s.inode && s.state !== 'LISTEN' && socketId(s) === base);
  return orphans.length === 1 ? orphans[0] : undefined;
}
