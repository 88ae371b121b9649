// `sockscope --json`: one snapshot as a JSON document (the monitor's ports and outgoing tables, totals, advice).
import { z } from 'zod';
import type { Recommendation } from '../advise/types.js';
import { countStates, summarizePeerPorts, summarizePorts, type PeerPortSummary, type PortSummary } from '../model/aggregate.js';
import { snapshotOwnerView, summaryHiddenUids, unixOwnerUidUnknown } from '../model/owner.js';
import type { Protocol } from '../model/socket.js';
import { counter, ephemeralRange, type Snapshot } from '../model/snapshot.js';
import { RecommendationSchema } from './schema.js';
import { boundDevices, listenerDevice, listenerOwner, listenerV6only, reportHeader, stripUndefined, udpListenerSockets, udpReceiveSide, wildcardV6only } from './analyze.js';
import { isServedPort, outgoingCandidates, summarizeUnix } from '../ui/derive.js';
import { portOrphans } from '../ui/header-lines.js';

const Counts = z.record(z.string(), z.number().int());
const Proc = z.object({ pid: z.number().int(), name: z.string(), fd: z.number().int() });

/** Zod schema of `sockscope --json`. */
export const SnapshotReportSchema = z.object({
  host: z.string(),
  kernel: z.string(),
  source: z.string(),
  sourceNote: z.string().optional(),
  time: z.string(),
  durationMs: z.number(),
  totals: z.object({
    tcp: Counts,
    udp: z.number().int(),
    unix: z.number().int(),
    /**
     * Orphaned TCP sockets, the header's `orphan`: the host's (/proc/net/sockstat TCP orphan), with --port the
     * port's (closed by their process, inode 0, and still finished by the kernel); null when unknown (a
     * source without inodes under --port, busybox netstat; no sockstat).
     */
    orphan: z.number().int().nullable(),
  }),
  ports: z.array(
    z.object({
      /** Set when several --host are read: the host this port is on. */
      host: z.string().optional(),
      protocol: z.enum(['tcp', 'udp', 'unix']),
      port: z.number().int(),
      states: Counts,
      total: z.number().int(),
      listeners: z.array(
        z.object({
          address: z.string(),
          backlog: z.number().int().nullable(),
          /** TCP: connections waiting for accept(). UDP: bytes of datagrams waiting to be read (as recvQBytes). */
          acceptQueue: z.number().int(),
          processes: z.array(Proc),
          /** UDP only: bytes of datagrams waiting to be read. */
          recvQBytes: z.number().int().optional(),
          /**
           * UDP only: the receive buffer the kernel applies (skmem rb). null without socket memory, which this
           * document does not ask the collector for (one dump without it); analyze --json has it from netlink and ss.
           */
          rcvbuf: z.number().int().nullable().optional(),
          /** UDP only: datagrams the kernel dropped on this socket since it was opened (sk_drops); null as rcvbuf, except from procfs (/proc/net/udp's drops column). */
          drops: z.number().int().nullable().optional(),
          /** No process shown because another user's process holds the listener out of sight (not run as root). */
          ownerHidden: z.boolean(),
          /** The listener's uid, when the source shows it. */
          uid: z.number().int().optional(),
          /** The device the listener is bound to (SO_BINDTODEVICE), when it is and the source shows it (netlink, ss); as analyze --json. */
          device: z.string().optional(),
          /**
           * Listeners on '::' only: IPV6_V6ONLY, true (IPv6 clients only) or false (IPv4 clients too), null when
           * the source cannot tell (procfs, netstat).
           */
          v6only: z.boolean().nullable().optional(),
        }),
      ),
      processes: z.array(Proc),
      /**
       * Other users' processes hold sockets of the port out of sight (their uids in hiddenOwnerUids), of the sockets
       * whose owners were looked up: all of them when `processes` is [], else beside the visible ones it names.
       */
      ownerHidden: z.boolean(),
      hiddenOwnerUids: z.array(z.number().int()),
      peerCount: z.number().int(),
      recvQ: z.number().int(),
      sendQ: z.number().int(),
    }),
  ),
  outgoing: z.array(
    z.object({
      host: z.string().optional(),
      protocol: z.enum(['tcp', 'udp', 'unix']),
      peerPort: z.number().int(),
      states: Counts,
      total: z.number().int(),
      peerCount: z.number().int(),
      processes: z.array(Proc),
      /** As ports[].ownerHidden and hiddenOwnerUids. */
      ownerHidden: z.boolean(),
      hiddenOwnerUids: z.array(z.number().int()),
    }),
  ),
  /**
   * Unix sockets by path (the monitor's unix rows, --unix): `path` as the kernel gives it ('@' for the
   * NULs of an abstract name, '(unnamed)' for socketpairs and unbound sockets). Empty without --unix.
   */
  unix: z.array(
    z.object({
      /** Set when several --host are read: the host this socket path is on (rows are per host and path). */
      host: z.string().optional(),
      path: z.string(),
      states: Counts,
      total: z.number().int(),
      listeners: z.array(z.object({ backlog: z.number().int().nullable(), acceptQueue: z.number().int(), processes: z.array(Proc), ownerHidden: z.boolean(), uid: z.number().int().optional() })),
      processes: z.array(Proc),
      /**
       * As ports[].ownerHidden. Also true with hiddenOwnerUids [] (and a listener's ownerHidden true without
       * `uid`) when the source gives unix sockets no uid (procfs, netstat, ss): hidden, whose unknown.
       */
      ownerHidden: z.boolean(),
      hiddenOwnerUids: z.array(z.number().int()),
      /**
       * The PEERS column of the unix row: the distinct peer sockets its sockets are connected to (0 when none
       * is); from procfs and netstat, which show no peer, each connected socket counts as one.
       */
      peerCount: z.number().int(),
      recvQ: z.number().int(),
      sendQ: z.number().int(),
    }),
  ),
  recommendations: z.array(RecommendationSchema),
  notes: z.array(z.string()),
});
export type SnapshotReport = z.infer<typeof SnapshotReportSchema>;

/**
 * Builds the document; `protocols` and `port` restrict its ports, outgoing and unix lists as the monitor's
 * flags do. `counted`: the protocols the snapshot was collected for, which totals count whether listed or
 * not, as the monitor's header does (default: the listed ones).
 */
export function buildSnapshotReport(snap: Snapshot, recs: readonly Recommendation[], opts: { protocols?: readonly Protocol[]; port?: number; counted?: readonly Protocol[] } = {}): SnapshotReport {
  const keep = (p: Protocol) => !opts.protocols || opts.protocols.includes(p);
  const onPort = (s: Snapshot['sockets'][number]) => opts.port === undefined || s.local.port === opts.port;
  const sockets = snap.sockets.filter((s) => keep(s.protocol) && onPort(s));
  const countedOf = (p: Protocol) => (opts.counted ? opts.counted.includes(p) : keep(p));
  const counted = snap.sockets.filter((s) => countedOf(s.protocol) && onPort(s));
  const ephemeral = ephemeralRange(snap);
  const owners = snapshotOwnerView(snap);
  const families = wildcardV6only(sockets);
  const udpIndex = udpListenerSockets(sockets);
  const devices = boundDevices(sockets);
  // Unix sockets held out of sight whose uid the source cannot tell (procfs, netstat, ss): by host and path,
  // by host and inode (several --host: two hosts' inodes are unrelated).
  const uidUnknownPaths = new Set<string>();
  const uidUnknownInodes = new Set<string>();
  const onHost = (host: string | undefined, key: string | number) => (host === undefined ? String(key) : `${host}\u0000${key}`);
  // None when the attribution is complete (unixOwnerUidUnknown is false for every socket then).
  if (keep('unix') && owners.complete !== true) {
    for (const s of sockets) {
      if (!unixOwnerUidUnknown(s, owners, snap.attribution.scope)) continue;
      uidUnknownPaths.add(onHost(s.host, s.local.address || '(unnamed)'));
      if (s.inode !== undefined) uidUnknownInodes.add(onHost(s.host, s.inode));
    }
  }
  // Hidden owners of the sockets whose owners were looked up (--json looks up every socket's: scope 'all'),
  // also when other owners of the row are visible.
  const listenersOnly = snap.attribution.scope === 'listeners';
  const hiddenOf = (p: PortSummary | PeerPortSummary) => {
    const uids = summaryHiddenUids(p, owners, listenersOnly);
    return { ownerHidden: uids.length > 0, hiddenOwnerUids: uids };
  };
  return {
    ...reportHeader(snap),
    durationMs: Math.round(snap.durationMs * 10) / 10,
    totals: {
      tcp: countStates(counted.filter((s) => s.protocol === 'tcp')),
      udp: counted.filter((s) => s.protocol === 'udp').length,
      unix: counted.filter((s) => s.protocol === 'unix').length,
      // As the text header's (totalsLine): the port's own with --port, else the host's.
      orphan: opts.port !== undefined ? portOrphans(snap.sockets, opts.port) : (counter(snap.counters.sockstat, 'TCP', 'orphan') ?? null),
    },
    // The monitor's local-ports table: ephemeral ports without a listener are outgoing connections (below),
    // but --port P is served (as the rules count it: makeContext's port).
    ports: summarizePorts(sockets).filter((p) => isServedPort(p, ephemeral, opts.port)).map((p) => ({
      ...(p.host !== undefined ? { host: p.host } : {}),
      protocol: p.protocol,
      port: p.port,
      states: p.states,
      total: p.total,
      listeners: p.listeners.map((l) => ({
        address: l.address,
        ...listenerDevice(l, devices, p.host),
        backlog: l.backlog,
        acceptQueue: l.acceptQueue,
        processes: l.processes,
        ...udpReceiveSide(l, udpIndex, p.host),
        ...listenerOwner(l, owners, p.host),
        ...listenerV6only(l, families, p.host),
      })),
      processes: p.processes,
      ...hiddenOf(p),
      peerCount: p.peerCount,
      recvQ: p.recvQ,
      sendQ: p.sendQ,
    })),
    outgoing: summarizePeerPorts(outgoingCandidates(sockets, opts.port), ephemeral).map((p) => ({ ...(p.host !== undefined ? { host: p.host } : {}), protocol: p.protocol, peerPort: p.peerPort, states: p.states, total: p.total, peerCount: p.peerCount, processes: p.processes, ...hiddenOf(p) })),
    unix: summarizeUnix(sockets).map(({ path, host, summary: p }) => ({
      ...(host !== undefined ? { host } : {}),
      path,
      states: p.states,
      total: p.total,
      listeners: p.listeners.map((l) => {
        const owner = listenerOwner(l, owners, p.host);
        if (!owner.ownerHidden && l.inode !== undefined && uidUnknownInodes.has(onHost(host, l.inode))) owner.ownerHidden = true;
        return { backlog: l.backlog, acceptQueue: l.acceptQueue, processes: l.processes, ...owner };
      }),
      processes: p.processes,
      ...(uidUnknownPaths.has(onHost(host, path)) ? { ownerHidden: true, hiddenOwnerUids: summaryHiddenUids(p, owners, listenersOnly) } : hiddenOf(p)),
      peerCount: p.peerCount,
      recvQ: p.recvQ,
      sendQ: p.sendQ,
    })),
    recommendations: recs.map(stripUndefined),
    notes: [...snap.notes],
  };
}
