// The last pass of a debug-connections probe (connect-probe.ts ends with it, so the CLI, the library's
// debugConnection and task all get one diagnosis): re-reads the host around the outcome and interprets it again
// with everything known: who listens on the port and where, why no answer came (neighbour), which route refused,
// whether the connection was accepted, whether the exchange ended with a reset.
import { isIP } from 'node:net';
import type { IcmpReport } from '../knowledge/icmp-report.js';
import { splitEndpoint } from '../knowledge/host-port.js';
import { tryCall, type TryCallOptions } from './try-call.js';
import type { NeighbourEntry } from '../parse/ip-route.js';
import { asMember, diagnoseConnectError, findLocalListener, formatHostPort, memberKey, memberName, memberReached, portListeners, reuseportGroup, takes, verdict, type AddressOutcome, type ConnectContext, type ExistingSockets, type PortListener } from '../knowledge/interpret-connect.js';
import { sysctlInt, type Snapshot } from '../model/snapshot.js';
import { ORPHAN_STATES, type Socket } from '../model/socket.js';
import { bareAddress, hostAddresses, isLocalDestination, peerSnapshot, portOwnersSnapshot, portSnapshot, routeFacts, summarizeExisting, udpConnectedCount, udpPortReadings, unknownZone } from './connect-facts.js';
import type { AddressProbe, ProbeResult } from './connect-probe.js';
import type { SocketSource } from './source.js';

/**
 * The probe's local endpoint, as tcpConnect writes it ("127.0.0.1:48260", "[fe80::1%eth0]:48260") -> address and port
 * as the sources report the socket: no zone, an IPv4-mapped address as IPv4 (bareAddress).
 */
function localEndpoint(e: string): { address: string; port: number } | undefined {
  const { host, port } = splitEndpoint(e);
  return port !== undefined ? { address: bareAddress(host), port } : undefined;
}

/** This host's sockets to the destination after the probe: the probe's own left out, the ones closed by their program apart. */
function existingAfter(snap: Snapshot, address: string, port: number, own: ReadonlySet<string>): { existing: ExistingSockets; closed: Socket[] } {
  const to = snap.sockets.filter((s) => s.protocol === 'tcp' && s.peer.port === port && s.peer.address === address && !own.has(`${s.local.address}|${s.local.port}`));
  const closed = to.filter((s) => ORPHAN_STATES.has(s.state) && s.inode === 0);
  const ex = summarizeExisting(to.filter((s) => !closed.includes(s)), address, port, snap);
  if (closed.length) {
    ex.closedByProgram = {};
    for (const s of closed) ex.closedByProgram[s.state] = (ex.closedByProgram[s.state] ?? 0) + 1;
    // They hold their local ports until the peer closes: counted against the ephemeral range apart from `used`.
    const r = ex.portRange;
    if (r) r.closed = closed.filter((s) => s.local.port >= r.low && s.local.port <= r.high).length;
  }
  return { existing: ex, closed };
}

/**
 * A local destination: the server's ends of this host's connections that their client has closed (FIN_WAIT2 and the
 * like, no file). In CLOSE_WAIT with a file, the server accepted them and has not called close(): a leak in it, named
 * with its owners (read again with every socket's process); with no file, they were never accepted.
 */
async function otherEnds(portSnap: Snapshot, closed: readonly Socket[], port: number, o: { source: SocketSource; timeoutMs: number }): Promise<NonNullable<ExistingSockets['otherEnds']> | undefined> {
  const clients = new Set(closed.map((s) => `${s.local.address}|${s.local.port}`));
  const ends = portSnap.sockets.filter((s) => s.protocol === 'tcp' && s.local.port === port && s.state === 'CLOSE_WAIT' && clients.has(`${s.peer.address}|${s.peer.port}`));
  if (ends.length === 0) return undefined;
  const open = ends.filter((s) => s.inode);
  const out: NonNullable<ExistingSockets['otherEnds']> = { at: formatHostPort(ends[0].local.address, port), unclosed: open.length, unaccepted: ends.length - open.length };
  if (open.length) {
    const owned = await portOwnersSnapshot(o.source, port, o.timeoutMs);
    const inodes = new Set(open.map((s) => s.inode));
    const count = new Map<number, { name: string; n: number }>();
    for (const s of owned?.sockets ?? []) if (s.inode && inodes.has(s.inode)) for (const p of s.processes) count.set(p.pid, { name: p.name, n: (count.get(p.pid)?.n ?? 0) + 1 });
    const byCount = [...count.entries()].sort((a, b) => b[1].n - a[1].n);
    if (byCount.length) {
      out.by = byCount.slice(0, 3).map(([pid, p]) => `${p.name}/${pid}`).join(', ') + (byCount.length > 3 ? ` and ${byCount.length - 3} more` : '');
      out.pid = byCount[0][0];
    }
  }
  return out;
}

/** Whether the exchange ended with a reset, and whether the request had been written before it (exchange's failedStep). */
function resetInExchange(a: Pick<AddressProbe, 'exchange'>): { sent: boolean; error: string } | undefined {
  const x = a.exchange;
  return x?.error && /^(ECONNRESET|EPIPE)\b/.test(x.error) ? { sent: x.failedStep !== 'write', error: x.error } : undefined;
}

/** How long a connection may wait in the listener's queue before the report says the server has not accepted it. */
const ACCEPT_GRACE_MS = 500;

/**
 * A probe that a SO_REUSEPORT group took, while other members hold connections: read again after the grace period.
 * Queued connections (no file) still there then waited half a second; the members holding connections at both
 * readings are those they wait in (one stuck worker of N: the connections hashed to it hang). Undefined when none.
 */
async function othersWaiting(group: readonly PortListener[], portSnap: Snapshot, port: number, address: string, o: { source: SocketSource; timeoutMs: number }): Promise<AddressProbe['othersWaiting']> {
  const queued = (snap: Snapshot) => new Set(snap.sockets.filter((s) => s.protocol === 'tcp' && s.local.port === port && takes(group[0].address, s.local.address) && s.inode === 0 && (s.state === 'ESTABLISHED' || s.state === 'CLOSE_WAIT')).map((s) => `${s.local.address}|${s.peer.address}|${s.peer.port}`));
  const first = queued(portSnap);
  if (first.size === 0) return undefined;
  await new Promise((res) => setTimeout(res, ACCEPT_GRACE_MS));
  const again = await portSnapshot(o.source, port, o.timeoutMs);
  if (!again || ![...queued(again)].some((k) => first.has(k))) return undefined;
  const now = reuseportGroup(portListeners(again.sockets, port), address);
  if (now.length !== group.length) return undefined; // a member came or went: the readings do not compare
  const held = new Map(group.map((l) => [memberKey(l, group), l.pending]));
  const stuck = now.filter((l) => l.pending > 0 && (held.get(memberKey(l, now)) ?? 0) > 0);
  if (stuck.length === 0) return undefined;
  return {
    listener: formatHostPort(group[0].address, port),
    groupSize: group.length,
    members: stuck.map((l) => asMember(l, now)),
  };
}

/** The port's listeners read just before and just after a probe's connect (connect-probe.ts), to tell SO_REUSEPORT members apart. */
export interface ListenerReadings {
  before: PortListener[];
  after?: PortListener[];
}

/** Interprets the probe's outcome again with the host's facts; fills diagnosis, notAccepted, existing and the verdict in place. */
export async function explainProbe(r: ProbeResult, o: { expect?: string; timeoutMs: number; source: SocketSource; readings?: ReadonlyMap<AddressProbe, ListenerReadings> }): Promise<ProbeResult> {
  if (r.addresses.length === 0) return r;
  const local = r.addresses.some((a) => isLocalDestination(a.address, a.route));
  const portSnap = local ? await portSnapshot(o.source, r.port, o.timeoutMs) : undefined;
  // Read again only to set apart sockets closed by their program (the probe's reading cannot tell them), or for tcp_tw_reuse.
  const peerSnap = r.addresses.some((a) => Object.keys(a.existing.states).some((st) => ORPHAN_STATES.has(st)) || a.connect.errno === 'EADDRNOTAVAIL') ? await peerSnapshot(o.source, r.port, o.timeoutMs) : undefined;
  const sysctls = (peerSnap ?? portSnap)?.sysctls;
  const twReuse = sysctls ? sysctlInt(sysctls, 'net.ipv4.tcp_tw_reuse') : null;
  const finTimeout = sysctls ? sysctlInt(sysctls, 'net.ipv4.tcp_fin_timeout') : null;
  const own = new Set(r.addresses.flatMap((a) => {
    const e = a.connect.local ? localEndpoint(a.connect.local) : undefined;
    return e ? [`${e.address}|${e.port}`] : [];
  }));
  const resolved = isIP(bareAddress(r.host)) ? undefined : { host: r.host, addresses: r.resolution.addresses };
  const outcomes: AddressOutcome[] = [];
  let thisHost: string[] | undefined; // read once, for the first refused address that needs it
  for (const a of r.addresses) {
    const bare = bareAddress(a.address);
    const isLocal = isLocalDestination(a.address, a.route);
    const outcome: AddressOutcome = { address: a.address, connected: a.connect.ok, connectMs: a.connect.ms };
    if (peerSnap) {
      const after = existingAfter(peerSnap, bare, r.port, own);
      a.existing = after.existing;
      const ends = portSnap && isLocal && after.closed.length ? await otherEnds(portSnap, after.closed, r.port, o) : undefined;
      if (ends) {
        a.existing.otherEnds = ends;
        if (ends.unclosed) outcome.unclosed = { count: ends.unclosed, at: ends.at, ...(ends.by ? { by: ends.by } : {}), ...(ends.pid ? { pid: ends.pid } : {}) };
      }
    }
    const listeners = portSnap && isLocal ? portListeners(portSnap.sockets, r.port) : undefined;
    // Refused, and no TCP listener on the port at all: a UDP service (DNS, syslog, statsd) may hold it. Its sockets,
    // and this host's UDP sockets connected to it, are read so that the diagnosis says so.
    const udpSockets = listeners && listeners.length === 0 && a.connect.errno === 'ECONNREFUSED' ? await udpPortReadings(o.source, r.port, o.timeoutMs) : undefined;
    // Refused, here or elsewhere: this host's UDP clients of the destination say the service may be UDP (one
    // cheap read: few UDP sockets are connected).
    if (a.connect.errno === 'ECONNREFUSED') {
      const n = await udpConnectedCount(o.source, bare, r.port, o.timeoutMs);
      if (n) a.existing.udpConnected = n;
      if (n || udpSockets?.some((s) => s.peer === undefined)) outcome.udpService = true;
    }
    if (!a.connect.ok && a.connect.errno) {
      const ctx: ConnectContext = {
        address: a.address,
        port: r.port,
        timeoutMs: r.timeoutMs,
        route: a.route,
        existing: a.existing,
        ...(listeners ? { listeners, listener: findLocalListener(listeners, bare) } : {}),
        ...(udpSockets ? { udpSockets } : {}),
        ...(resolved ? { resolved } : {}),
        // A refused name: this host's addresses tell its other addresses (another host's service) from this host's.
        ...(resolved && listeners?.length && a.connect.errno === 'ECONNREFUSED' ? { hostAddresses: (thisHost ??= hostAddresses()) } : {}),
        ...(await routeFacts(a.address, a.route, a.connect.errno)),
        twReuse,
        finTimeout,
      };
      const zone = unknownZone(a.address);
      if (zone !== undefined) ctx.unknownZone = zone;
      // Node's socket cannot read the ICMP error: one more attempt on sockscope's own socket does (IP_RECVERR), so the
      // diagnosis tells a reset from a REJECT rule's ICMP error and names the host that sent it (icmpRetryWanted: not
      // after an unanswered ARP/NDP lookup).
      if (icmpRetryWanted(a.connect.errno, ctx.neighbour)) {
        const icmp = await icmpOnRetry({ op: 'connect', address: a.address, port: r.port }, a.connect.errno, a.connect.ms, r.timeoutMs);
        if (icmp !== undefined) {
          ctx.icmp = icmp;
          ctx.hostAddresses = (thisHost ??= hostAddresses());
          a.icmp = icmp;
        }
      }
      a.diagnosis = diagnoseConnectError(a.connect.errno, ctx);
      outcome.diagnosis = a.diagnosis;
    }
    // As the probe builds its outcome (connect-probe.ts), plus a reset and a connection nobody accepted.
    if (a.tls) {
      const t = a.tls;
      outcome.tls = { ok: t.ok && t.authorized !== false, handshakeFailed: !t.ok, error: t.explanation ?? t.error ?? (t.authorized === false ? t.authorizationError : undefined), expired: t.expired, daysLeft: t.daysLeft, ...(t.nameMismatch ? { nameMismatch: t.nameMismatch } : {}), ...(t.closedAfterHandshake ? { closedAfterHandshake: t.closedAfterHandshake, ...(t.closeError ? { closeError: t.closeError } : {}) } : {}) };
    }
    // A TLS alert that ended the exchange (connect-probe.ts sets tls.ok false) is the TLS failure, not a missing reply.
    if (a.exchange && o.expect !== undefined && a.tls?.ok !== false) outcome.expect = { ok: a.exchange.ok === true, wanted: o.expect, replied: a.exchange.received.length > 0, ...(a.exchange.error ? { error: a.exchange.error } : {}) };
    // Several listeners at the address (SO_REUSEPORT): the kernel hashed the connection to one of them, not to the first.
    const group = listeners ? reuseportGroup(listeners, bare) : [];
    const reading = o.readings?.get(a);
    // Another user's listener (its processes hidden, its uid known) is named by its uid, as elsewhere: "a process of uid 0 (not visible to this user)".
    const named = (l: PortListener) => (l.owners.length ? { by: memberName(l, group), pid: l.owners[0].pid } : l.uid !== undefined ? { by: memberName(l, group) } : {});
    const reset = resetInExchange(a);
    if (reset) {
      // Accepted, then reset: no queue to tell the member by, only its growth right after the connect.
      const holder = memberReached(group, { address: bare, ...reading, byElimination: false });
      outcome.reset = { ...reset, ...(holder ? named(holder) : group.length > 1 ? { by: `one of ${group.map((l) => memberName(l, group)).join(', ')} (SO_REUSEPORT)` } : {}) };
    }
    const from = a.connect.ok && a.connect.local ? localEndpoint(a.connect.local) : undefined;
    if (from && group.some((l) => l.pending > 0) && portSnap) {
      // Not accepted yet: the server side exists (handshake done) but has no file (inode 0): it waits in the queue.
      const queuedIn = (snap: { sockets: readonly Socket[] }) =>
        snap.sockets.some((s) => s.protocol === 'tcp' && s.local.port === r.port && s.peer.port === from.port && s.peer.address === from.address && ['ESTABLISHED', 'CLOSE_WAIT', 'SYN_RECV'].includes(s.state) && s.inode === 0);
      // A busy server may take a few milliseconds to accept: only one that still has not after a pause is said not to.
      let queued = queuedIn(portSnap);
      if (queued) {
        await new Promise((res) => setTimeout(res, ACCEPT_GRACE_MS));
        const again = await portSnapshot(o.source, r.port, o.timeoutMs);
        queued = again ? queuedIn(again) : queued;
      }
      if (queued) {
        const holder = memberReached(group, { address: bare, ...reading, byElimination: true });
        const groupSize = group.length > 1 ? { groupSize: group.length } : {};
        if (holder) a.notAccepted = { listener: formatHostPort(holder.address, r.port), pending: holder.pending, ...(holder.backlog !== undefined ? { backlog: holder.backlog } : {}), ...named(holder), ...groupSize };
        else {
          // Which member's queue holds it cannot be told: every member holding connections is named, none is blamed.
          const holding = group.filter((l) => l.pending > 0);
          a.notAccepted = {
            listener: formatHostPort(group[0].address, r.port),
            pending: holding.reduce((n, l) => n + l.pending, 0),
            ...groupSize,
            members: holding.map((l) => asMember(l, group)),
          };
        }
        outcome.notAccepted = a.notAccepted;
      }
    }
    if (a.connect.ok && !a.notAccepted && group.length > 1 && group.some((l) => l.pending > 0) && portSnap) {
      const others = await othersWaiting(group, portSnap, r.port, bare, o);
      if (others) outcome.othersWaiting = a.othersWaiting = others;
    }
    outcomes.push(outcome);
  }
  const allExisting = r.addresses.reduce<ExistingSockets | undefined>((acc, p) => (acc && acc.timeWait >= p.existing.timeWait ? acc : p.existing), undefined);
  r.verdict = verdict(r.host, r.port, outcomes, allExisting);
  return r;
}

/** The connect (and datagram) errors an ICMP error can cause (a reset also gives ECONNREFUSED; ICMPv6 admin-prohibited gives EACCES). */
const ICMP_ERRNOS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'ENOPROTOOPT']);

/**
 * Whether a call that failed with `errno` is worth a second attempt that reads the ICMP error (icmpOnRetry): an errno
 * an ICMP error gives, and not after an unanswered ARP/NDP lookup (neighbour FAILED/INCOMPLETE): that EHOSTUNREACH is
 * this host's own (the neighbour findings explain it), and a second attempt would wait the ~3 s of resolution again.
 * debug-connections' connect (below) and its --udp datagram (datagram-probe.ts) both ask it.
 */
export function icmpRetryWanted(errno: string, neighbour?: Pick<NeighbourEntry, 'state'>): boolean {
  return ICMP_ERRNOS.has(errno) && !(neighbour !== undefined && (neighbour.state === 'FAILED' || neighbour.state === 'INCOMPLETE'));
}

/**
 * The same connect (or sendto) again on sockscope's own socket, which reads the socket's error queue: the ICMP error
 * and who sent it, null when none came (a reset), undefined when the second attempt ended otherwise (the host changed
 * its mind) or cannot run here (no koffi). Bounded by twice the first attempt's time plus 250 ms (an ICMP error comes
 * back as fast the second time), and never longer than `timeoutMs`.
 */
export async function icmpOnRetry(call: Pick<TryCallOptions, 'op' | 'address' | 'port' | 'payload' | 'pmtuProbe'>, errno: string, firstMs: number, timeoutMs: number): Promise<IcmpReport | null | undefined> {
  try {
    const again = await tryCall({ ...call, timeoutMs: Math.min(timeoutMs, Math.ceil(firstMs * 2) + 250) });
    return again.errno === errno ? again.icmp : undefined;
  } catch {
    return undefined;
  }
}
