// Shared pieces of the netstat parsers (net-tools, busybox, BSD/macOS, Windows): endpoints and state names.
import { normalizeAddress, type Endpoint, type ProcessRef, type SocketState } from '../model/socket.js';

/** State words of every netstat flavour -> kernel names (product.md). */
export const NETSTAT_STATES: Record<string, SocketState> = {
  ESTABLISHED: 'ESTABLISHED',
  SYN_SENT: 'SYN_SENT',
  SYN_RECV: 'SYN_RECV',
  SYN_RCVD: 'SYN_RECV', // BSD
  SYN_RECEIVED: 'SYN_RECV', // Windows
  FIN_WAIT1: 'FIN_WAIT1',
  FIN_WAIT_1: 'FIN_WAIT1', // BSD, Windows
  FIN_WAIT2: 'FIN_WAIT2',
  FIN_WAIT_2: 'FIN_WAIT2',
  TIME_WAIT: 'TIME_WAIT',
  CLOSE: 'CLOSE',
  CLOSED: 'CLOSE', // BSD, Windows
  CLOSE_WAIT: 'CLOSE_WAIT',
  LAST_ACK: 'LAST_ACK',
  LISTEN: 'LISTEN',
  LISTENING: 'LISTEN', // Windows
  CLOSING: 'CLOSING',
  DELETE_TCB: 'CLOSE', // Windows: being deleted
  BOUND: 'CLOSE', // Windows: bound, not listening or connected
};

/** Unix socket State column (net-tools, busybox) -> kernel names, as ss shows them. */
export const NETSTAT_UNIX_STATES: Record<string, SocketState> = {
  '': 'CLOSE',
  LISTENING: 'LISTEN',
  CONNECTED: 'ESTABLISHED',
  CONNECTING: 'SYN_SENT',
  DISCONNECTING: 'CLOSING',
};

export const NETSTAT_UNIX_TYPES: Record<string, 'stream' | 'dgram' | 'seqpacket'> = { STREAM: 'stream', DGRAM: 'dgram', SEQPACKET: 'seqpacket' };

export interface ParsedEndpoint extends Endpoint {
  /** The text looked like an IPv6 address (before un-mapping ::ffff:a.b.c.d). */
  v6: boolean;
}

/**
 * Splits "host<sep>port" at the last separator (':' for Linux/Windows, '.' for BSD). '*' as the port
 * means 0; '*' as the host means the wildcard of the family ('0.0.0.0' or '::'). Null when malformed.
 */
export function parseHostPort(text: string, sep: ':' | '.', wildcardV6 = false): ParsedEndpoint | null {
  const i = text.lastIndexOf(sep);
  if (i < 0) return null;
  let host = text.slice(0, i);
  const portText = text.slice(i + 1);
  let port = 0;
  if (portText !== '*') {
    if (!/^\d{1,5}$/.test(portText)) return null;
    port = Number(portText);
    if (port > 65535) return null;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '*' || host === '') {
    return { address: wildcardV6 ? '::' : '0.0.0.0', port, v6: wildcardV6 };
  }
  const v6 = host.includes(':');
  if (!v6 && !/^[0-9.]+$/.test(host)) return null;
  const n = normalizeAddress(host);
  const e: ParsedEndpoint = { address: n.address, port, v6 };
  if (n.scope) e.scope = n.scope;
  return e;
}

/** "1234/nginx: worker" -> ProcessRef (fd unknown: -1); '-' or anything without a pid -> undefined. */
export function parsePidProgram(text: string): ProcessRef | undefined {
  const m = /^(\d+)\/(.*)$/s.exec(text);
  if (!m) return undefined;
  return { pid: Number(m[1]), name: m[2], fd: -1 };
}

/** Splits text into lines, dropping a last line that has no newline (truncated output) and CRs. */
export function completeLines(text: string): string[] {
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
