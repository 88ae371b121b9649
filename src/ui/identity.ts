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
