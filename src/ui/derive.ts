// Pure derivations from one snapshot (+ recommendations + trend memory) to the rows the views show.
import { SEVERITY_ORDER, type Recommendation, type Severity } from '../advise/types.js';
import { emptyStateCounts, isListener, isServedLocalPort, summarizePeerPorts, summarizePorts, type PortSummary } from '../model/aggregate.js';
import { escapeControl } from '../model/escape.js';
import { isListenerSocket } from '../model/listener-socket.js';
import { mustBeHeld } from '../model/owner.js';
import type { Protocol, Socket } from '../model/socket.js';
import { DEFAULT_EPHEMERAL, type AttributionInfo } from '../model/snapshot.js';
import { peerPortId, portId } from './identity.js';
import type { PeerPortRow } from './tables/peer-ports.js';
import type { PortRow } from './tables/ports.js';

export interface ProtocolToggles {
  tcp: boolean;
  udp: boolean;
  unix: boolean;
}

/** The protocols switched on, for CollectOptions.protocols. */
export function enabledProtocols(t: ProtocolToggles): Protocol[] {
  return (['tcp', 'udp', 'unix'] as const).filter((p) => t[p]);
}

/**
 * Sockets of the enabled protocols (and local port, when the monitor was started with --port). When every
 * socket qualifies (the collector was asked for exactly these protocols) the snapshot's own array is
 * returned: summarizePorts then uses the per-port summaries the collector built during its dump instead of
 * aggregating a copy again.
 */
export function selectSockets(sockets: readonly Socket[], t: ProtocolToggles, port?: number): readonly Socket[] {
  const keep = (s: Socket) => t[s.protocol] && (port === undefined || (s.protocol !== 'unix' && s.local.port === port));
  for (let i = 0; i < sockets.length; i++) if (!keep(sockets[i])) return sockets.filter(keep);
  return sockets;
}

/**
 * Unix sockets grouped by their host (several --host: Socket.host) and bound path ('(unnamed)' for the rest),
 * shaped like port summaries: rows are per (host, path), as port rows are per (host, protocol, port), so two
 * hosts' /run/x.sock are two rows, each with its host and its own processes (they were one row without a
 * host, its process list merged by pid across hosts). peerCount
 * is the row's distinct peers, as a UDP row's: the distinct non-zero peer inodes of its sockets (netlink, ss;
 * an unconnected socket, ss's peer `* 0`, has none). /proc/net/unix and netstat -x show no peer: there each
 * connected socket (recvQUnknown marks those sources) counts as one.
 */
export function summarizeUnix(sockets: readonly Socket[]): Array<{ label: string; path: string; host?: string; summary: PortSummary }> {
  // By host, then by path: no string made per socket.
  const groups = new Map<string | undefined, Map<string, PortSummary>>();
  // Per row, made when its first peer inode is met: one Set per row with peers, nothing per socket.
  const peerInodes = new Map<PortSummary, Set<number>>();
  for (const s of sockets) {
    if (s.protocol !== 'unix') continue;
    const path = s.local.address || '(unnamed)';
    let paths = groups.get(s.host);
    if (!paths) groups.set(s.host, (paths = new Map()));
    let g = paths.get(path);
    if (!g) {
      g = { ...(s.host !== undefined ? { host: s.host } : {}), protocol: 'unix', port: 0, states: emptyStateCounts(), total: 0, listeners: [], processes: [], unseenUids: [], unseenListenerUids: [], peerCount: 0, topPeers: [], recvQ: 0, sendQ: 0 };
      paths.set(path, g);
    }
    g.states[s.state]++;
    g.total++;
    for (const p of s.processes) if (!g.processes.some((q) => q.pid === p.pid)) g.processes.push(p);
    // As PortSummary.uids: whose sockets these are, so a row no visible process holds can say "hidden uid N".
    if (s.uid !== undefined && mustBeHeld(s)) {
      if (!g.uids?.includes(s.uid)) g.uids = [...(g.uids ?? []), s.uid].sort((a, b) => a - b);
      // Whose the sockets no visible process holds are, while others are visible (summaryHiddenUids).
      if (s.processes.length === 0) {
        if (!g.unseenUids?.includes(s.uid)) g.unseenUids = [...(g.unseenUids ?? []), s.uid].sort((a, b) => a - b);
        if (isListenerSocket(s) && !g.unseenListenerUids?.includes(s.uid)) g.unseenListenerUids = [...(g.unseenListenerUids ?? []), s.uid].sort((a, b) => a - b);
      }
    }
    if (s.state === 'LISTEN') {
      // /proc/net/unix and netstat -x cannot see a listener's backlog (sendQUnknown): null, as for TCP, not 0.
      g.listeners.push({ address: path, port: 0, protocol: 'unix', backlog: s.sendQUnknown ? null : s.sendQ, acceptQueue: s.recvQ, processes: s.processes, inode: s.inode, ...(s.uid !== undefined ? { uid: s.uid } : {}) });
    } else {
      g.recvQ += s.recvQ;
      g.sendQ += s.sendQ;
      if (s.peerInode) {
        let set = peerInodes.get(g);
        if (!set) peerInodes.set(g, (set = new Set()));
        set.add(s.peerInode);
      } else if (s.recvQUnknown && s.state === 'ESTABLISHED') g.peerCount++;
    }
  }
  for (const [g, set] of peerInodes) g.peerCount += set.size;
  const out: Array<{ label: string; path: string; host?: string; summary: PortSummary }> = [];
  for (const [host, paths] of groups) for (const [path, summary] of paths) out.push({ label: escapeControl(path), path, ...(host !== undefined ? { host } : {}), summary });
  return out;
}

/** The unix row identity: 'unix:LABEL' (the escaped path), with several hosts 'HOST unix:LABEL' (as portId). */
export function unixId(label: string, host?: string): string {
  return host === undefined ? `unix:${label}` : `${host} unix:${label}`;
}

/** A recommendation made on one of several hosts carries that host (the monitor's per-host advice). */
export type HostedRecommendation = Recommendation & { host?: string };

/** The ids of the rows a recommendation is about ('tcp:80', 'HOST tcp:80', 'peer:tcp:5432'); a rule without protocol is about both tcp and udp. */
export function recommendationRowIds(r: HostedRecommendation): string[] {
  if (r.scope === 'host') return [];
  if (r.peerPort !== undefined) return [peerPortId(r.protocol ?? 'tcp', r.peerPort, r.host)];
  if (r.port === undefined) return [];
  return r.protocol ? [portId(r.protocol, r.port, r.host)] : [portId('tcp', r.port, r.host), portId('udp', r.port, r.host)];
}

/** Worst live recommendation per port id ('tcp:80', or 'HOST tcp:80' for a host's recommendation); a rule without protocol marks both tcp and udp. */
export function healthByPort(recs: readonly HostedRecommendation[]): Map<string, Severity> {
  const m = new Map<string, Severity>();
  for (const r of recs) {
    for (const id of recommendationRowIds(r)) {
      const cur = m.get(id);
      if (!cur || SEVERITY_ORDER[r.severity] > SEVERITY_ORDER[cur]) m.set(id, r.severity);
    }
  }
  return m;
}

/**
 * The recommendation the recommendations panel shows in full first: the worst one about the selected row
 * (recs are worst first), so moving the selection to a marked port reads its finding, fix included.
 */
export function focusedRecommendation(recs: readonly HostedRecommendation[], rowId: string | undefined): number | undefined {
  if (rowId === undefined) return undefined;
  const i = recs.findIndex((r) => recommendationRowIds(r).includes(rowId));
  return i >= 0 ? i : undefined;
}

/**
 * How the rows under the header split between a table and the recommendations panel below it. The panel
 * has its share of the height (`share`, at most what it needs), and takes the rows a short table leaves
 * empty, as many as the recommendations need in full (`wanted` lines): they are cut at the edge otherwise,
 * the fix last of all, with empty rows below. `available` counts the table's rows and the panel's lines
 * (titles and headers excluded).
 */
export function splitBody(o: { available: number; rows: number; share: number; wanted: number }): { tableHeight: number; recLines: number } {
  // The table keeps a row: on a short terminal the share is cut to what is left (the two never add up to
  // more than `available`, or the panel is drawn under the footer). Callers give at least 2.
  const base = Math.max(1, Math.min(o.share, o.wanted, o.available - 1));
  const free = Math.max(0, Math.max(1, o.available - base) - Math.max(1, o.rows));
  const recLines = base + Math.min(free, Math.max(0, o.wanted - base));
  return { tableHeight: Math.max(1, o.available - recLines), recLines };
}

/** Recommendations worst first (stable within a severity). */
export function sortRecommendations(recs: readonly Recommendation[]): Recommendation[] {
  return [...recs].sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity]);
}

/** Recommendations that concern one port. */
export function recommendationsForPort(recs: readonly HostedRecommendation[], protocol: Protocol, port: number, host?: string): Recommendation[] {
  return recs.filter((r) => r.port === port && (!r.protocol || r.protocol === protocol) && (host === undefined || r.host === host));
}

/** Connections (non-listening sockets) of a summary: the value the trend sparkline follows. */
export function connections(s: PortSummary): number {
  return s.total - s.listeners.length;
}

export type Trends = ReadonlyMap<string, readonly number[]>;

/** Appends this sample to every row's trend (bounded by width); rows that disappeared are forgotten. */
export function nextTrends(prev: Trends, samples: ReadonlyMap<string, number>, width: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [id, v] of samples) {
    const old = prev.get(id) ?? [];
    const next = old.length >= width ? old.slice(old.length - width + 1) : old.slice();
    next.push(v);
    out.set(id, next);
  }
  return out;
}

/**
 * Whether a local port belongs in the "local ports" table: it has a listener, or it lies outside the
 * ephemeral range (a server port whose listener just closed, still holding TIME_WAIT or CLOSE_WAIT).
 * Ephemeral ports without a listener are this host's outgoing connections: they belong to the
 * outgoing table (Tab), or thousands of one-socket rows would bury the servers. The outgoing table
 * (summarizePeerPorts with the same range) takes exactly the sockets of the other ports. `servedPort`
 * (--port P) is served whatever its listeners and range, as the rules count it (factsOf(snap, P)): a
 * server's CLOSE_WAIT sockets on 45000 after its listener closed are a row of port 45000, not outgoing.
 */
export function isServedPort(s: PortSummary, ephemeral: readonly [number, number] = DEFAULT_EPHEMERAL, servedPort?: number): boolean {
  return isServedLocalPort(s.port, s.listeners.length > 0 || s.port === servedPort, ephemeral);
}

/** The sockets the outgoing table groups by peer port: all but those on the served local port `servedPort` (--port). */
export function outgoingCandidates(sockets: readonly Socket[], servedPort?: number): readonly Socket[] {
  return servedPort === undefined ? sockets : sockets.filter((s) => s.protocol === 'unix' || s.local.port !== servedPort);
}

/**
 * Marks the TCP/UDP port rows without processes (the only rows whose PROCESS cell can say "-") that hold a
 * socket whose owner the snapshot did not look up (`attribution` 'listeners': listeners only; 'none':
 * nobody), so that the row does not say "-" (no process holds it). A socket no process can hold is left out
 * (mustBeHeld: TIME_WAIT, inode 0: orphans, the accept queue; SYN_RECV from a source without inodes).
 * Nothing to do when every owner was looked up (or the scope is unknown), or when every row has a process
 * (a busy server, usually): the sockets are walked only then, and only those of the rows without one count.
 */
function markOwnersNotLookedUp(rows: readonly PortRow[], sockets: readonly Socket[], attribution: AttributionInfo['scope'] | undefined): void {
  // Unix rows without processes, whatever the scope: a held socket of theirs without a uid (procfs, netstat
  // and ss give unix sockets none, so PortSummary.uids cannot say it) has an owner not looked up, not found,
  // or hidden from this user (model/owner.ts unixOwnerUidUnknown): "?", as netlink's rows say (their uids).
  // Before, `--source ss` as root showed "(unnamed) -" for socketpairs python held, and unprivileged the
  // listener of another user "-" ("no process holds it").
  // With a uid (netlink), one whose owner was not looked up (scope 'listeners': a socketpair, a connection) is
  // "?" too: "hidden uid 0" said of a row whose owners no one looked for (summaryHiddenUids leaves them out).
  const unix = new Map<string, PortRow>();
  for (const r of rows) if (r.summary.protocol === 'unix' && r.summary.processes.length === 0) unix.set(r.id, r);
  const notLookedUp = (s: Socket) => attribution === 'none' || (attribution === 'listeners' && !isListenerSocket(s));
  for (const s of sockets) {
    if (unix.size === 0) break;
    if (s.protocol !== 'unix' || s.processes.length !== 0 || (s.uid !== undefined && !notLookedUp(s)) || !mustBeHeld(s)) continue;
    const id = unixId(escapeControl(s.local.address || '(unnamed)'), s.host);
    const row = unix.get(id);
    if (!row) continue;
    row.ownersNotLookedUp = true;
    unix.delete(id);
  }
  if (attribution === undefined || attribution === 'all') return;
  // Rows by host, then by number (udp above 65535): no string per socket.
  const byHost = new Map<string | undefined, Map<number, PortRow>>();
  let left = 0;
  for (const r of rows) {
    const { protocol, port, host, processes } = r.summary;
    if (protocol === 'unix' || processes.length !== 0) continue;
    let ports = byHost.get(host);
    if (!ports) byHost.set(host, (ports = new Map()));
    ports.set((protocol === 'udp' ? 65536 : 0) + port, r);
    left++;
  }
  if (left === 0) return;
  for (const s of sockets) {
    if (s.protocol === 'unix' || s.processes.length !== 0) continue;
    const row = byHost.get(s.host)?.get((s.protocol === 'udp' ? 65536 : 0) + s.local.port);
    if (!row || row.ownersNotLookedUp || !mustBeHeld(s) || s.state === 'SYN_RECV') continue;
    if (attribution === 'listeners' && isListener(s)) continue;
    row.ownersNotLookedUp = true;
    if (--left === 0) return;
  }
}

export interface PortTables {
  local: PortRow[];
  /** Computed lazily: only when the outgoing table is on screen. */
  peer: () => PeerPortRow[];
  /** Samples for the trend memory, by row id (local rows). */
  samples: Map<string, number>;
}

/**
 * Every row of the ports table and the outgoing table for one snapshot. `trends` is read when rows are
 * made (and the holder may be advanced before the lazy outgoing table is first asked for). `servedPort`:
 * the monitor's --port, a row of the ports table whatever its listeners (isServedPort).
 */
export function buildPortTables(
  sockets: readonly Socket[],
  health: ReadonlyMap<string, Severity>,
  trends: { map: Trends },
  ephemeral: readonly [number, number] = DEFAULT_EPHEMERAL,
  servedPort?: number,
  attribution?: AttributionInfo['scope'],
): PortTables {
  const local: PortRow[] = [];
  const samples = new Map<string, number>();
  for (const summary of summarizePorts(sockets)) {
    if (!isServedPort(summary, ephemeral, servedPort)) continue;
    const id = portId(summary.protocol, summary.port, summary.host);
    samples.set(id, connections(summary));
    local.push({ id, label: String(summary.port), summary, health: health.get(id) ?? 'ok', trend: trends.map.get(id) ?? [] });
  }
  for (const { label, host, summary } of summarizeUnix(sockets)) {
    const id = unixId(label, host);
    samples.set(id, connections(summary));
    local.push({ id, label, summary, health: 'ok', trend: trends.map.get(id) ?? [] });
  }
  markOwnersNotLookedUp(local, sockets, attribution);
  if (attribution === 'listeners') for (const r of local) r.listenerOwnersOnly = true;
  let peerRows: PeerPortRow[] | undefined;
  const peer = () => {
    if (!peerRows) {
      peerRows = summarizePeerPorts(outgoingCandidates(sockets, servedPort), ephemeral).map((summary) => {
        const id = peerPortId(summary.protocol, summary.peerPort, summary.host);
        return { id, summary, health: health.get(id) ?? 'ok', trend: trends.map.get(id) ?? [] };
      });
    }
    return peerRows;
  };
  return { local, peer, samples };
}

/** Counts per local port by number (udp above 65535), reused: the port view counts on every refresh. */
const portTotals = new Uint32Array(131072);
const portListeners = new Uint32Array(131072);

/**
 * buildPortTables' trend samples (connections per row of the ports table, by row id) without building the
 * table: while the ports table is not on screen (the port view) the trend memory still takes a sample per
 * snapshot, and summarizing every port (owners, peers, listener records) for that cost about 15 ms and 8 MB
 * per refresh at 20,000 sockets. The same rows as buildPortTables (isServedLocalPort, the unix rows).
 */
export function localPortSamples(sockets: readonly Socket[], ephemeral: readonly [number, number] = DEFAULT_EPHEMERAL, servedPort?: number): Map<string, number> {
  const samples = new Map<string, number>();
  const hosted = new Map<string, { protocol: Protocol; port: number; host: string; total: number; listeners: number }>();
  // By host, then by raw path (escaped once per row below).
  const unix = new Map<string | undefined, Map<string, { total: number; listeners: number }>>();
  const touched: number[] = [];
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.protocol === 'unix') {
      const path = s.local.address || '(unnamed)';
      let paths = unix.get(s.host);
      if (!paths) unix.set(s.host, (paths = new Map()));
      let u = paths.get(path);
      if (!u) paths.set(path, (u = { total: 0, listeners: 0 }));
      u.total++;
      if (s.state === 'LISTEN') u.listeners++;
      continue;
    }
    if (s.host !== undefined) {
      const id = portId(s.protocol, s.local.port, s.host);
      let h = hosted.get(id);
      if (!h) hosted.set(id, (h = { protocol: s.protocol, port: s.local.port, host: s.host, total: 0, listeners: 0 }));
      h.total++;
      if (isListener(s)) h.listeners++;
      continue;
    }
    const k = (s.protocol === 'udp' ? 65536 : 0) + s.local.port;
    if (portTotals[k]++ === 0) touched.push(k);
    if (isListener(s)) portListeners[k]++;
  }
  touched.sort((a, b) => a - b);
  for (const k of touched) {
    const port = k & 0xffff;
    const listeners = portListeners[k];
    if (isServedLocalPort(port, listeners > 0 || port === servedPort, ephemeral)) samples.set(portId(k >= 65536 ? 'udp' : 'tcp', port), portTotals[k] - listeners);
    portTotals[k] = 0;
    portListeners[k] = 0;
  }
  for (const [id, h] of hosted) if (isServedLocalPort(h.port, h.listeners > 0 || h.port === servedPort, ephemeral)) samples.set(id, h.total - h.listeners);
  for (const [host, paths] of unix) for (const [path, u] of paths) samples.set(unixId(escapeControl(path), host), u.total - u.listeners);
  return samples;
}

/** Gives the rows of freshly built tables their trends (rows are new objects of this snapshot). */
export function attachTrends(t: PortTables, trends: Trends): void {
  for (const r of t.local) (r as { trend: readonly number[] }).trend = trends.get(r.id) ?? [];
}

