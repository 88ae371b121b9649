// Host state around a `try` call: the sockets on the port and their processes, the sysctls that decide the
// outcome (somaxconn, ip_unprivileged_port_start), this process's uid and CAP_NET_BIND_SERVICE, local addresses.
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { Socket } from '../model/socket.js';
import { sysctlInt, type Snapshot } from '../model/snapshot.js';
import { isLinkLocal, isLoopback } from '../model/socket.js';
import { withoutZone } from '../knowledge/host-port.js';
import { relevantHolders, type PortHolder, type TryContext } from '../knowledge/interpret-try.js';
import { isOrphan } from '../knowledge/interpret-try-holder.js';
import type { UdpSocketReading } from '../knowledge/udp-delivery.js';
import { routeTo } from './destination.js';
import { bareAddress, connectFailureFacts, ephemeralUse, hostAddresses, ipv6AddressState, loopbackV6Disabled, noSourceFamily, routeFacts, udpDropsBefore, udpReading } from './connect-facts.js';
import { findSocketHolders } from './getsockopt-locate.js';
import { readProcText, readSysctls } from './host.js';
import { createSource } from './index.js';
import type { SocketSource } from './source.js';
import { tryCall, zoneIndex, type TryCallOptions, type TryCallResult } from './try-call.js';

const CAP_NET_BIND_SERVICE = 10;

function fmt(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Resolves a host for connect/sendto to one IP (the first the resolver returns); literals pass through. */
export async function resolveOne(host: string): Promise<{ address: string; all: string[] }> {
  if (isIP(host)) return { address: host, all: [host] };
  const r = await lookup(host, { all: true });
  return { address: r[0].address, all: r.map((x) => x.address) };
}

/** net.ipv6.bindv6only (the IPV6_V6ONLY of a socket that does not set it); null when unreadable (IPv6 disabled). */
async function readBindV6only(): Promise<number | null> {
  const text = await readProcText('/proc/sys/net/ipv6/bindv6only');
  const n = text == null ? NaN : Number(text.trim());
  return Number.isInteger(n) ? n : null;
}

async function hasCapability(bit: number): Promise<boolean | undefined> {
  const status = await readProcText('/proc/self/status');
  const m = status ? /^CapEff:\s+([0-9a-f]+)/m.exec(status) : null;
  return m ? (BigInt(`0x${m[1]}`) & (1n << BigInt(bit))) !== 0n : undefined;
}

async function holdersOnPort(port: number, protocol: 'tcp' | 'udp', source: SocketSource, details = false): Promise<{ holders: PortHolder[]; hidden: number; hiddenNote?: string; sockets: Socket[] }> {
  // Naming processes costs a walk of /proc/*/fd on a busy host; runTry pays it whenever it shows holders (always).
  // boundOnly: a TCP socket bound without listen() holds the port too (EADDRINUSE), and ss -tan never shows it.
  // details: socket memory, for a UDP socket's receive buffer and drop counter (sendto to this host).
  const snap = await source.collect({ protocols: [protocol], port, processes: 'all', boundOnly: true, ...(details ? { details } : {}) });
  const sockets = snap.sockets.filter((s) => s.local.port === port);
  // ss -p shows only what this user may see; look up the rest by inode when we can.
  const unknown = sockets.filter((s) => s.processes.length === 0 && s.inode && s.state !== 'TIME_WAIT').map((s) => s.inode!);
  const found = unknown.length ? await findSocketHolders(unknown) : new Map();
  let hidden = 0;
  let hiddenNote: string | undefined;
  // One if_nametoindex per interface, not per socket: every connection a link-local listener accepts names its device.
  const indexes = new Map<string, number | undefined>();
  const indexOf = (device: string) => {
    if (!indexes.has(device)) indexes.set(device, zoneIndex(device));
    return indexes.get(device);
  };
  const holders = sockets.map((s: Socket): PortHolder => {
    const extra = s.inode ? found.get(s.inode) : undefined;
    if (extra) hidden = Math.max(hidden, extra.hidden);
    hiddenNote ??= extra?.hiddenNote; // one walk for every inode: the same note on each
    const procs = s.processes.length ? s.processes : (extra?.holders ?? []);
    if (procs !== s.processes) s.processes = procs; // the snapshot is this call's own: the owners found by inode go with it
    // The interface it is bound to (a link-local address's scope, SO_BINDTODEVICE): fe80::5 on another link does not
    // conflict, and a link-local holder is shown with its zone, as the target is.
    const scopeId = s.boundDevice !== undefined ? indexOf(s.boundDevice) : undefined;
    return {
      state: s.state,
      // The zone is an interface name (untrusted text), kept as it is (as `device`): each printer escapes it once.
      local: fmt(s.local.scope ? `${s.local.address}%${s.local.scope}` : s.local.address, s.local.port),
      ...(s.peer.port ? { peer: fmt(s.peer.address, s.peer.port) } : {}),
      processes: procs.map((p: { pid: number; name: string; fd: number }) => ({ pid: p.pid, name: p.name, fd: p.fd })),
      ...(s.uid !== undefined ? { uid: s.uid } : {}),
      ...(s.inode !== undefined ? { inode: s.inode } : {}),
      ...(s.boundDevice !== undefined ? { device: s.boundDevice } : {}),
      ...(scopeId !== undefined ? { scopeId } : {}),
    };
  });
  await orphanPeerEnds(sockets, holders, port, protocol, source);
  return { holders, hidden, ...(hiddenNote ? { hiddenNote } : {}), sockets };
}

/**
 * The other end of each orphan (no process, inode 0: FIN_WAIT1, FIN_WAIT2, CLOSING, LAST_ACK) that is on this host, set
 * as its holder's peerEnd: a peer in CLOSE_WAIT whose process has not closed it keeps a FIN_WAIT2 orphan waiting.
 * The peer ends the attribution found no process for are looked up by inode in one walk of every /proc/PID/fd for all,
 * and in none when that attribution could not read every process (another user's, without root): the same user's
 * walk cannot read them either (one walk per peer took seconds for hundreds of orphans).
 */
async function orphanPeerEnds(sockets: readonly Socket[], holders: PortHolder[], port: number, protocol: 'tcp' | 'udp', source: SocketSource): Promise<void> {
  const orphans = protocol === 'tcp' ? holders.flatMap((h, i) => (isOrphan(h) ? [i] : [])) : [];
  if (!orphans.length) return;
  let snap: Snapshot;
  try {
    snap = await source.collect({ protocols: ['tcp'], peerPort: port, processes: 'all' });
  } catch {
    return; // unknown: the orphan is said without its peer
  }
  // By four-tuple: one lookup per orphan, not a scan of every peer (hundreds of orphans, as many peers).
  const key = (local: Socket['local'], peer: Socket['local']) => `${bareAddress(local.address)}|${local.port}|${bareAddress(peer.address)}|${peer.port}`;
  const byTuple = new Map<string, Socket>();
  for (const x of snap.sockets) if (!byTuple.has(key(x.local, x.peer))) byTuple.set(key(x.local, x.peer), x);
  const ends = orphans.map((i) => byTuple.get(key(sockets[i].peer, sockets[i].local)));
  const unlisted = [...new Set(ends.flatMap((p) => (p && !p.processes.length && p.inode ? [p.inode] : [])))];
  const found = unlisted.length && snap.attribution.complete ? await findSocketHolders(unlisted) : new Map<number, { holders: Socket['processes'] }>();
  orphans.forEach((i, k) => {
    const p = ends[k];
    if (!p) return;
    const procs = p.processes.length ? p.processes : ((p.inode ? found.get(p.inode)?.holders : undefined) ?? []);
    holders[i].peerEnd = { local: fmt(p.local.address, p.local.port), state: p.state, processes: procs.map((x) => ({ pid: x.pid, name: x.name, fd: x.fd })), ...(p.uid !== undefined ? { uid: p.uid } : {}) };
  });
}

/** The ICMP errors after a sendto that the route and the next hop's neighbour entry explain, as for a connect. */
const UNREACHABLE = ['EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH'];

/**
 * What explains a sendto that an ICMP error ended (EHOSTUNREACH after an unanswered ARP, or a REJECT rule): the route
 * and the next hop's neighbour entry, read right after the call (connect-facts.ts routeFacts). The port's UDP sockets,
 * for a local destination, are the context's udpSockets.
 */
async function sendtoFailureFacts(address: string, errno: string): Promise<NonNullable<TryContext['connectFacts']>> {
  const route = await routeTo(address);
  return { route, ...(await routeFacts(address, route, errno)) };
}

/** bind/listen/sendto EADDRNOTAVAIL: whether this host has no address of the target's family at all (IPv6 disabled), as for a connect. */
function noFamilyFacts(address: string): NonNullable<TryContext['connectFacts']> | undefined {
  const none = noSourceFamily(address);
  if (none) return { noSourceFamily: none };
  // IPv6 off on lo alone: ::1 is gone though other interfaces have IPv6 (binding it anyway, IP_FREEBIND, reaches nothing).
  return loopbackV6Disabled(address) ? { loopbackV6Disabled: true } : undefined;
}

export interface TryRun {
  call: TryCallResult;
  context: TryContext;
  /** Other addresses the name resolved to (connect/sendto). */
  resolved?: string[];
}

/**
 * Runs the call for real and gathers the host state that explains its outcome. `resolved`: every address `host`
 * resolved to (a name), said in a refused connect's diagnosis.
 */
export async function runTry(o: Omit<TryCallOptions, 'whileListening'> & { host: string; source?: SocketSource; resolved?: string[] }): Promise<TryRun> {
  const source = o.source ?? createSource('auto');
  const sysctls = await readSysctls();
  // The context's (said in an EADDRNOTAVAIL): a link-local address with the interface it belongs to, written as the
  // target's zone is (an index for "%2", else the name); without the zones for everything else.
  const zonedAddrs = hostAddresses(/%\d+$/.test(o.address) ? 'index' : 'name');
  const addrs = zonedAddrs.map(withoutZone);
  const bare = bareAddress(o.address);
  // A datagram to this host: the receiving socket's drop counter before and after tells a delivered datagram from one
  // dropped by a full receive buffer, which sendto() never reports (it returns once the datagram is handed over).
  const localSendto = o.op === 'sendto' && (isLoopback(bare) || addrs.includes(bare));
  const dropsBefore = localSendto ? await udpDropsBefore(o.port, source) : undefined;
  let backlogEffective: number | undefined;
  const call = await tryCall({
    ...o,
    whileListening:
      o.op === 'listen'
        ? async ({ inode, port }) => {
            try {
              const snap = await source.collect({ protocols: ['tcp'], port, processes: 'none' });
              const me = snap.sockets.find((s) => s.inode === inode && s.state === 'LISTEN') ?? snap.sockets.find((s) => s.state === 'LISTEN' && s.local.port === port);
              if (me) backlogEffective = me.sendQ;
            } catch {
              /* unknown */
            }
          }
        : undefined,
  });
  const protocol = o.op === 'sendto' || (o.op === 'bind' && o.udp) ? 'udp' : 'tcp';
  let holders: PortHolder[] = [];
  let hidden = 0;
  let hiddenNote: string | undefined;
  let udpSockets: UdpSocketReading[] | undefined;
  if (o.op !== 'connect') {
    try {
      // Every holder is shown with its owner (the table, --json's holders), after a call that went through too: a
      // failed call is explained by who holds the port, a sendto names the receiving socket's owner, a listen the
      // sockets it shares the port with. Unattributed, a holder read "-" (no process holds it) though one did.
      const read = await holdersOnPort(o.port, protocol, source, localSendto);
      ({ holders, hidden, hiddenNote } = read);
      if (localSendto) udpSockets = read.sockets.map((s) => udpReading(s, dropsBefore));
    } catch {
      /* unknown: the interpretation says so */
    }
  }
  // Only TIME_WAIT on the port: whether SO_REUSEADDR gets through depends on the sockets that left them
  // (Linux wants it on both), which no tool shows; a second bind with SO_REUSEADDR (closed at once) tells.
  let reuseaddrWouldWork: boolean | undefined;
  const conflicting = relevantHolders(holders, fmt(o.address, o.port));
  if ((o.op === 'bind' || o.op === 'listen') && call.errno === 'EADDRINUSE' && !o.reuseaddr && conflicting.length > 0 && conflicting.every((h) => h.state === 'TIME_WAIT')) {
    const again = await tryCall({ op: 'bind', udp: o.udp, address: o.address, port: o.port, reuseaddr: true, reuseport: o.reuseport, v6only: o.v6only, timeoutMs: o.timeoutMs });
    reuseaddrWouldWork = again.ok;
  }
  // A failed connect gets the facts debug-connections reads (a link-local address without its zone needs none: the
  // interpretation says the zone is missing).
  const connectFacts =
    o.op === 'connect' && !call.ok && call.errno && !(call.errno === 'EINVAL' && isLinkLocal(bare) && !o.address.includes('%'))
      ? await connectFailureFacts({
          address: o.address,
          port: o.port,
          errno: call.errno,
          timeoutMs: o.timeoutMs,
          source,
          route: await routeTo(o.address),
          hostAddresses: addrs,
          ...(isIP(o.host) ? {} : { resolved: { host: o.host, addresses: o.resolved ?? [o.address] } }),
        })
      : o.op === 'sendto' && !call.ok && call.errno && UNREACHABLE.includes(call.errno)
        ? await sendtoFailureFacts(o.address, call.errno)
        : o.op === 'sendto' && call.errno === 'ECONNREFUSED' && call.icmp
          ? {} // the ICMP port unreachable's sender (added below) is the one fact
          : (o.op === 'bind' || o.op === 'listen' || o.op === 'sendto') && call.errno === 'EADDRNOTAVAIL'
            ? noFamilyFacts(bare) // a sendto too: no address of the family to send from (IPv6 disabled)
            : undefined;
  // Port 0 (bind) or an unbound socket's first sendto (the kernel's automatic bind): none of the ephemeral range was free.
  const exhausted = ((o.op === 'bind' || o.op === 'listen') && o.port === 0 && call.errno === 'EADDRINUSE') || (o.op === 'sendto' && (call.errno === 'EAGAIN' || call.errno === 'EWOULDBLOCK'));
  const ephemeral = exhausted ? await ephemeralUse(protocol, source, sysctls) : undefined;
  // An IPv6 address this host lists that bind() refuses: tentative (DAD running) or dadfailed, as ip says.
  const listed = addrs.some((a) => bareAddress(a) === bare);
  const addressState = (o.op === 'bind' || o.op === 'listen') && call.errno === 'EADDRNOTAVAIL' && isIP(bare) === 6 && listed ? await ipv6AddressState(o.address) : undefined;
  const context: TryContext = {
    op: o.op,
    target: fmt(o.address, o.port),
    port: o.port,
    ok: call.ok,
    ...(call.errno ? { errno: call.errno, failedCall: call.failedCall } : {}),
    reuseaddr: o.reuseaddr,
    reuseport: o.reuseport,
    ...(o.v6only !== undefined ? { v6only: o.v6only } : {}),
    // Whether a [::] socket takes IPv4 too, for a dual-stack EADDRINUSE either way round.
    ...(o.op === 'bind' || o.op === 'listen' ? { bindv6only: await readBindV6only() } : {}),
    ...(o.udp && o.op === 'bind' ? { udp: true } : {}),
    ...(reuseaddrWouldWork !== undefined ? { reuseaddrWouldWork } : {}),
    ...(o.op === 'listen' ? { backlogRequested: o.backlog ?? 511, backlogEffective } : {}),
    somaxconn: sysctlInt(sysctls, 'net.core.somaxconn'),
    unprivilegedPortStart: sysctlInt(sysctls, 'net.ipv4.ip_unprivileged_port_start'),
    uid: process.getuid?.() ?? -1,
    hasNetBindService: await hasCapability(CAP_NET_BIND_SERVICE),
    holders,
    hiddenProcesses: hidden,
    ...(hiddenNote ? { hiddenNote } : {}),
    hostAddresses: zonedAddrs,
    local: call.local,
    connectMs: call.connectMs,
    timeoutMs: o.timeoutMs,
    sent: call.sent,
    ...(udpSockets ? { udpSockets } : {}),
    ...(ephemeral ? { ephemeral } : {}),
    ...(addressState ? { addressState } : {}),
    // The ICMP error read from the call's own socket (or null: none) goes with the facts the diagnosis reads.
    ...(connectFacts ? { connectFacts: call.icmp !== undefined ? { ...connectFacts, icmp: call.icmp } : connectFacts } : {}),
  };
  return { call, context };
}
