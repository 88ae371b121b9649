// Stable identities for rows, so the selection follows a port or socket (not an index) across refreshes.
import { formatEndpoint, type Protocol, type Socket } from '../model/socket.js';

/** 'tcp:8080'. */
export function portId(protocol: Protocol, port: number | string): string {
  return `${protocol}:${port}`;
}

/** Outgoing table rows: 'peer:tcp:5432'. */
export function peerPortId(protocol: Protocol, port: number): string {
  return `peer:${protocol}:${port}`;
}

/**
 * A socket: protocol, local and peer endpoints, plus the inode when known (SO_REUSEPORT listeners share
 * endpoints; unnamed unix sockets have none). TIME_WAIT sockets have inode 0 and unique endpoints.
 */
export function socketId(s: Socket): string {
  const base = `${s.protocol} ${formatEndpoint(s.local, s.protocol)} ${formatEndpoint(s.peer, s.protocol)}`;
  return s.inode ? `${base} #${s.inode}` : base;
}
