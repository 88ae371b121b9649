// The socket view's second OS boundary: fd flags and option values of one socket, injected like SocketSource.
import type { Socket } from '../model/socket.js';

/** One option value (shape of the getsockopt helper's OptionReading). */
export interface OptionLine {
  name: string;
  value?: unknown;
  source?: string;
  /** Option actually read when it differs (IPV6_TCLASS for IP_TOS on an AF_INET6 socket). */
  readAs?: string;
  /** Whose packets the value applies to: a dual-stack AF_INET6 socket has one reading for 'IPv6 peers' and one for 'IPv4 peers'. */
  readFor?: string;
  missing?: string;
  errno?: string;
}

/** What the socket view shows beyond the snapshot. */
export interface SocketDetails {
  fd?: { path: string; info?: { flags?: number; flagNames: string[]; nonblock: boolean; cloexec: boolean }; missing?: string };
  /** Why there are no fd flags at all (no owning process known). */
  fdMissing?: string;
  options?: { readings: OptionLine[]; note?: string; missing: string[] };
  optionsMissing?: string;
  /** When the fd flags and options were read (ms since the epoch): they are read again while the view is open. */
  readAt?: number;
}

/** What the inspector may use beyond the socket: the name of the collector the socket came from (its values' label). */
export interface InspectContext {
  source?: string;
}

/** Reads the details of a socket (on each opening of the socket view, and again about once a second while it is open). */
export interface SocketInspector {
  inspect(socket: Socket, ctx?: InspectContext): Promise<SocketDetails>;
}
