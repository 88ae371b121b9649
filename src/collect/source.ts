// The OS boundary: every collector implements SocketSource, and the UI/CLI receive one injected source.
import { isListener, type Protocol, type Socket } from '../model/socket.js';
import type { Snapshot, SourceName } from '../model/snapshot.js';
import type { AttributionReach } from './attribution.js';

export interface CollectOptions {
  /** Which protocols to collect (default tcp, udp, unix). */
  protocols?: readonly Protocol[];
  /** Process attribution: none, listeners only (default), or every socket. */
  processes?: 'none' | 'listeners' | 'all';
  /**
   * How far attribution reads (see AttributionReach): 'every' process, kept up to date between polls
   * (default: the monitor, the exporter, the library), or only the processes 'targeted' at the sockets
   * asked about (one-shot commands). Sources that do not read /proc here (remote, ss -p) ignore it.
   */
  attribution?: AttributionReach;
  /** Ask for tcp_info (rtt, cwnd, retrans...) and socket memory where the source can give them. */
  details?: boolean;
  /**
   * With `details`: only these sockets need tcp_info (the monitor's port and socket views, which show one
   * port's sockets and evaluate that port's rules). netlink then dumps TCP without tcp_info and asks a
   * second, port-filtered dump for the details of these only (at 20,000 sockets in a 5,001-socket port view:
   * 15,000 fewer tcp_info objects a poll); UDP and unix sockets keep their details (socket memory). Other
   * sources ignore it and give details for every socket.
   */
  detailsFor?: DetailsScope;
  /**
   * UDP sockets' socket memory (skmem: rb, the queue, the drop counter) without `details`: netlink reads it in its
   * UDP dumps (one more attribute a socket); others ignore it (collect/udp-memory.ts reads it for ss in a dump of
   * its own). The monitor's home view asks, so that udp-socket-drops can fire there.
   */
  udpMemory?: boolean;
  /** Hint: only sockets whose local port is this (a collector may filter kernel-side or afterwards). */
  port?: number;
  /** Hint: only sockets whose peer port is this. */
  peerPort?: number;
  /**
   * With `peerPort`: also every listener of the host (TCP LISTEN, bound unconnected UDP: peer port 0),
   * whatever its port, so that a connection to P this host accepted (its local port is served, even inside
   * the ephemeral range) is not taken for one it made. netlink and ss add `dport = 0` to the kernel filter:
   * no extra walk (the dump already walks the listening hash and runs the filter on each listener); procfs,
   * netstat and remote hosts keep them when filtering. analyze and analyze-states --peer-port ask.
   */
  withListeners?: boolean;
  /**
   * Also TCP sockets bound (to `port`, or to any port without one) that neither listen nor are connected
   * (bind() without listen()), which hold their ports. The netlink collector asks the kernel for them (state
   * CLOSE); it costs a walk of the bind hash (about 12 ms at 100,000 sockets), so only `try` asks (for the
   * port it tried, or, after port 0 found no free port, for the ephemeral range's holders). Others ignore it.
   */
  boundOnly?: boolean;
  /** Timeout for each child process or kernel dump, in ms (default 10 000). */
  timeoutMs?: number;
}

/**
 * The TCP sockets that need details: those with `port` at either end. A port's own sockets (local port P, or
 * peer port P for the connections this host makes to P) and, for connections within this host, their other
 * ends: rules read the receiving socket's buffers when it is on this host (buffer-below-bdp).
 */
export interface DetailsScope {
  protocol: Protocol;
  port: number;
}

/** A way of reading the sockets of a host. */
export interface SocketSource {
  readonly name: SourceName;
  /** Takes one snapshot; throws CollectorError when the underlying tool or file fails. */
  collect(opts?: CollectOptions): Promise<Snapshot>;
}

/** A collector failed; `tool` names what failed (ss, /proc/net/tcp, netstat, netlink). */
export class CollectorError extends Error {
  constructor(
    readonly tool: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(`${tool}: ${message}`);
    this.name = 'CollectorError';
  }
}

/**
 * Which TCP/UDP sockets a request with a port filter keeps (`port` or `peerPort` matching; with
 * `withListeners`, every listener too), for the collectors that filter after reading (ss, procfs, netstat,
 * remote); null without a port filter. Unix sockets are each collector's business (none has a port).
 */
export function portFilterOf(opts: CollectOptions): ((s: Socket) => boolean) | null {
  const { port, peerPort } = opts;
  if (port === undefined && peerPort === undefined) return null;
  const listeners = opts.withListeners === true && peerPort !== undefined;
  return (s) => (port !== undefined && s.local.port === port) || (peerPort !== undefined && s.peer.port === peerPort) || (listeners && isListener(s));
}

/**
 * Whether a snapshot's TCP listeners are there only because `withListeners` asked for them (to tell
 * directions apart), not because the request is about them: the notes on listen backlogs are then beside
 * the point. A peer-port report also collects its port as a local one (`port` equal to `peerPort`:
 * report/analyze.ts scopeCollectOptions), for the other ends of loopback connections, not for its listeners.
 */
export function listenersOnlyForDirection(opts: CollectOptions): boolean {
  return opts.withListeners === true && opts.peerPort !== undefined && (opts.port === undefined || opts.port === opts.peerPort);
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const ALL_PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'unix'];
