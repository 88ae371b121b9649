// SYN_SENT piling up to one destination: connect() gets no answer (a dead or blackholed backend, a firewall
// that drops SYNs, or a local listener whose accept queue is full).
import { sysctlInt, type Snapshot } from '../../model/snapshot.js';
import { isLoopback, isWildcard, type Socket } from '../../model/socket.js';
import { factsFor, factsOf, socketKey, type Facts } from '../facts.js';
import { describeProcesses, fmtEndpoint, uniqueProcesses } from '../format.js';
import type { Rule } from '../rule.js';
import { persists, recentOf } from '../series.js';
import { th } from '../thresholds.js';
import { pastThreshold, type Recommendation, type RuleContext } from '../types.js';
import { acceptQueueIsFull, memberIdentity, owner as listenerOwner, stuckMemberFix } from './accept-queue.js';
import { again, confirmOn, debugConnections, onHost } from './common.js';
import { synGiveUpText } from '../syn-timeout.js';

/**
 * SYN retransmissions of a SYN_SENT socket (icsk_retransmits: ss timer:(on,...,N), netlink idiag_retrans,
 * procfs retrnsmt; else tcp_info's retransmits); undefined when the source shows neither.
 */
function synRetries(s: Socket): number | undefined {
  if (s.timer?.name === 'on') return s.timer.retrans ?? s.tcpInfo?.retrans ?? 0;
  return s.tcpInfo?.retrans ?? (s.timer ? 0 : undefined);
}

/**
 * Whether a SYN_SENT socket's SYN went unanswered: retransmitted at least once (the first retransmission
 * comes after a 1 s timeout, far beyond a normal handshake), or, when the source shows no retransmissions,
 * still in SYN_SENT in each of two or more recent samples.
 */
function unanswered(s: Socket, recent: readonly Snapshot[]): boolean {
  const r = synRetries(s);
  if (r !== undefined) return r >= 1;
  if (recent.length < 2) return false;
  const k = socketKey(s);
  return recent.every((snap) => factsOf(snap).byKey.get(k)?.state === 'SYN_SENT');
}

interface Dest {
  key: string;
  peer: string;
  port: number;
  stuck: Socket[];
}

/** SYN_SENT sockets per destination address:port in a snapshot (all of them, answered or not). */
function synSentCounts(facts: Facts): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of facts.groups.values()) {
    if (g.direction !== 'out' || g.protocol !== 'tcp' || g.states.SYN_SENT === 0) continue;
    for (const s of g.sockets) if (s.state === 'SYN_SENT') out.set(`${s.peer.address}|${g.port}`, (out.get(`${s.peer.address}|${g.port}`) ?? 0) + 1);
  }
  return out;
}

/** By the facts they are counted from (one per snapshot, or per snapshot and --port: factsFor). */
const countCache = new WeakMap<Facts, Map<string, number>>();
function synSentCountsOf(facts: Facts): Map<string, number> {
  let m = countCache.get(facts);
  if (!m) countCache.set(facts, (m = synSentCounts(facts)));
  return m;
}

/**
 * The listeners on this host that a destination reaches (none when there is none): every member of the
 * group bound to the address that serves it, since with SO_REUSEPORT the kernel hashes each SYN to one
 * member, each with a queue of its own (a full one drops the SYNs hashed to it).
 */
function localListeners(snap: Snapshot, d: Dest): Socket[] {
  const ls = factsOf(snap).listeners.get(`tcp:${d.port}`) ?? [];
  const at = (address: string) => ls.filter((l) => l.local.address === address);
  const sameAddress = at(d.peer);
  if (sameAddress.length) return sameAddress;
  // A wildcard listener serves the destination when the destination is one of this host's addresses: any
  // loopback address (127.0.0.2 reaches a 0.0.0.0 listener: all of 127.0.0.0/8 is local), or the stuck
  // sockets' own local address (a connection to itself). The family's own wildcard first, as the kernel.
  if (!onThisHost(d)) return [];
  const v4 = !d.peer.includes(':');
  const wild = ls.filter((l) => isWildcard(l.local.address));
  const pick = wild.find((l) => l.local.address !== '*' && !l.local.address.includes(':') === v4) ?? wild[0];
  return pick ? at(pick.local.address) : [];
}

/** Whether the destination is this host: a loopback address, or the stuck sockets' own local address. */
function onThisHost(d: Dest): boolean {
  return isLoopback(d.peer) || d.stuck.some((s) => s.local.address === d.peer);
}

/**
 * Why the SYNs go unanswered: a local listener with connections waiting (a full accept queue: of any member
 * of an SO_REUSEPORT group), local listeners with room (then a SYN queue overflow with cookies off, or a
 * firewall), this host with
 * no listener for the destination in a snapshot that holds every listener (a firewall), this host without
 * its listeners in the snapshot, or a remote destination.
 */
type Where = 'queue' | 'listener' | 'firewall' | 'host' | 'remote';

/**
 * Whether the snapshot holds every TCP listener: the whole host (no --port nor --peer-port: the monitor,
 * the exporter, a plain analyze), or a --peer-port one with TCP listeners in it. A collection filtered by
 * peer port holds a listener (peer port 0) only when it asked for every listener besides the connections
 * (CollectOptions.withListeners); without them it cannot tell. analyze --port holds that port's sockets only.
 */
function holdsListeners(ctx: RuleContext): boolean {
  if (ctx.port !== undefined) return false;
  if (ctx.peerPort === undefined) return true;
  for (const k of factsOf(ctx.snapshot).listeners.keys()) if (k.startsWith('tcp:')) return true;
  return false;
}

function cause(ctx: RuleContext, d: Dest): { text: string; evidence: string; where: Where; fix?: string } {
  const members = localListeners(ctx.snapshot, d);
  if (members.length) return listenerCause(ctx, d, members);
  if (!onThisHost(d)) return { where: 'remote', text: 'nothing answers their SYNs (the host is down, a firewall drops them, or the route leads nowhere)', evidence: '' };
  const dest = fmtEndpoint({ address: d.peer, port: d.port });
  // The destination is this host and nothing listens there: the kernel answers a SYN with RST (connect()
  // fails with ECONNREFUSED at once), so unanswered SYNs were dropped by a rule on the input or output hook
  // (measured, 6.18: nft `tcp dport 9999 drop` on either hook leaves connect()s to 127.0.0.1:9999 and
  // [::1]:9999 in SYN_SENT; without the rule they are refused).
  if (holdsListeners(ctx)) {
    return {
      where: 'firewall',
      text: `nothing on this host listens on ${dest}, where the kernel would answer RST (connection refused), so a firewall rule on this host drops the SYNs`,
      evidence: `destination on this host; no TCP listener serves ${dest} (this snapshot holds every listener)`,
    };
  }
  // Its listeners are not in the snapshot (analyze --peer-port collects only the connections): the SYNs
  // meet a full accept queue (measured: 141 SYN_SENT to a listen(1) that never accepts) or a firewall rule.
  return {
    where: 'host',
    text: `the destination is this host, where unanswered SYNs mean a listener whose accept queue is full (sockscope analyze --port ${d.port}${again(ctx)}) or a local firewall rule that drops them`,
    evidence: `destination on this host; this snapshot holds the connections to port ${d.port}, not the listeners`,
  };
}

const fullest = (ls: readonly Socket[]): Socket => ls.reduce((a, b) => (b.recvQ > a.recvQ ? b : a));

/**
 * The cause when listeners on this host serve the destination: a full accept queue, in any member of an
 * SO_REUSEPORT group (the fullest member alone may have room while another drops every SYN hashed to
 * it); else connections waiting where the source cannot see the backlog; else the SYNs are dropped before
 * the queue (SYN queue overflow with cookies off, or a firewall).
 */
function listenerCause(ctx: RuleContext, d: Dest, members: readonly Socket[]): { text: string; evidence: string; where: Where; fix?: string } {
  const somax = sysctlInt(ctx.snapshot.sysctls, 'net.core.somaxconn');
  const backlogOf = (l: Socket) => (l.sendQUnknown ? null : l.sendQ);
  const full = members.filter((l) => acceptQueueIsFull(l.recvQ, backlogOf(l), somax));
  const blind = members.filter((l) => backlogOf(l) === null && l.recvQ > 0 && !full.includes(l));
  const at = fmtEndpoint(members[0].local);
  const n = members.length;
  // Joined to the Confirm of stuckMemberFix, which says where it runs.
  const confirm = ` and ss -tno state syn-sent '( dport = :${d.port} )'`;
  if (n === 1) {
    const l = members[0];
    const backlog = backlogOf(l);
    const evidence = `listener ${at} Recv-Q ${l.recvQ}, backlog ${backlog ?? 'unknown'}`;
    if (full.length || blind.length) {
      return {
        where: 'queue',
        text: `the listener ${at} on this host has ${l.recvQ} connections waiting for accept()${full.length ? ', a full accept queue: the kernel drops new SYNs' : ' (backlog unknown with this source): a full accept queue drops new SYNs'}`,
        evidence,
      };
    }
    const room = l.recvQ === 0 ? 'Its accept queue is empty' : `Its accept queue has room (Recv-Q ${l.recvQ} of backlog ${backlog ?? 'unknown'})`;
    return { where: 'listener', text: 'a listener on this host serves the destination, yet their SYNs go unanswered (a SYN queue overflow with SYN cookies off, or a local firewall rule)', evidence, fix: droppedBeforeFix(ctx, room, d) };
  }
  // An SO_REUSEPORT group: the full members first in the evidence, at most 4 members shown.
  const shown = [...full, ...blind, ...members.filter((l) => !full.includes(l) && !blind.includes(l))];
  const evidence = `${n} listeners on ${at} (an SO_REUSEPORT group, a queue each): ${shown.slice(0, 4).map(memberIdentity).join('; ')}${n > 4 ? `; ${n - 4} more` : ''}`;
  const group = `in the SO_REUSEPORT group on ${at} on this host`;
  if (full.length === n) {
    const l = fullest(full);
    return { where: 'queue', text: `every one of the ${n} listeners ${group} has a full accept queue (fullest: ${memberIdentity(l)}); ${listenerOwner(l, ctx.snapshot)} does not accept fast enough or the backlog is too small: the kernel drops new SYNs`, evidence };
  }
  if (full.length) {
    const one = full.length === 1;
    return {
      where: 'queue',
      text: `${full.length} of the ${n} listeners ${group} ${one ? 'has' : 'have'} a full accept queue (${full.map(memberIdentity).join('; ')}); ${one ? `${listenerOwner(full[0], ctx.snapshot)} does not accept() on it` : 'their processes do not accept() on them'}, so the kernel drops the SYNs it hashes to ${one ? 'it' : 'them'} while the others have room`,
      evidence,
      fix: stuckMemberFix(full, full[0], ctx) + confirm,
    };
  }
  if (blind.length) {
    const l = fullest(blind);
    return { where: 'queue', text: `the listener ${at} on this host (${memberIdentity(l)}; ${blind.length} of the ${n} in its SO_REUSEPORT group with connections waiting) has ${l.recvQ} connections waiting for accept() (backlog unknown with this source): a full accept queue drops new SYNs`, evidence };
  }
  const room = members.every((l) => l.recvQ === 0) ? `The accept queues of its ${n} listeners (an SO_REUSEPORT group) are empty` : `None of the accept queues of its ${n} listeners (an SO_REUSEPORT group) is full`;
  return { where: 'listener', text: `${n} listeners on this host (an SO_REUSEPORT group) serve the destination, none with a full accept queue, yet their SYNs go unanswered (a SYN queue overflow with SYN cookies off, or a local firewall rule)`, evidence, fix: droppedBeforeFix(ctx, room, d) };
}

/** The fix when a listener with room serves the destination: what drops the SYNs before its accept queue. */
function droppedBeforeFix(ctx: RuleContext, room: string, d: Dest): string {
  const on = onHost(ctx);
  return `${room}, so look at what drops the SYNs before it: a local firewall rule (${on}nft list ruleset, iptables -S) and net.ipv4.tcp_syncookies (0 drops SYNs when the SYN queue overflows: ${on}sysctl -w net.ipv4.tcp_syncookies=1; sockscope analyze --port ${d.port}${again(ctx)} shows its SYN_RECV). ${confirmOn(ctx)}nstat -az TcpExtTCPReqQFullDrop and ss -tno state syn-sent '( dport = :${d.port} )'`;
}

/** The firewall listing commands for a destination's family (nft shows the iptables-nft rules too). */
function firewallCommands(peer: string): string {
  return `nft list ruleset and ${peer.includes(':') ? 'ip6tables' : 'iptables'} -S`;
}

const synSentStuck: Rule = {
  id: 'syn-sent-unanswered',
  severities: ['warning'],
  scope: 'port',
  topic: 'syn-sent',
  summary:
    'At least synSentCount outgoing connections to one destination (address:port) sit in SYN_SENT with their SYN unanswered (retransmitted, or held over persistSamples samples where the source shows no retransmissions): a dead or blackholed backend, a firewall that drops, or a local listener whose accept queue is full (in an SO_REUSEPORT group, any member: the kernel hashes each SYN to one, each with its own queue, and the finding names the full one and its accept loop). connect() hangs until net.ipv4.tcp_syn_retries runs out (the fix gives the time from this host\'s tcp_syn_retries and tcp_syn_linear_timeouts).',
  thresholds: ['synSentCount', 'persistSamples'],
  evaluate(ctx) {
    const min = Math.max(1, th(ctx, 'synSentCount'));
    const recent = recentOf(ctx);
    const dests = new Map<string, Dest>();
    for (const g of factsFor(ctx).groups.values()) {
      if (g.direction !== 'out' || g.protocol !== 'tcp' || g.states.SYN_SENT < min) continue;
      for (const s of g.sockets) {
        if (s.state !== 'SYN_SENT' || !unanswered(s, recent)) continue;
        const key = `${s.peer.address}|${g.port}`;
        let d = dests.get(key);
        if (!d) dests.set(key, (d = { key, peer: s.peer.address, port: g.port, stuck: [] }));
        d.stuck.push(s);
      }
    }
    const out: Recommendation[] = [];
    for (const d of dests.values()) {
      if (d.stuck.length < min) continue;
      if (!persists(ctx, (snap) => (synSentCountsOf(factsFor(ctx, snap)).get(d.key) ?? 0) >= min)) continue;
      const dest = fmtEndpoint({ address: d.peer, port: d.port });
      const procs = uniqueProcesses(d.stuck.map((s) => s.processes));
      const retries = d.stuck.map(synRetries).filter((r): r is number => r !== undefined);
      const c = cause(ctx, d);
      const on = onHost(ctx);
      const confirm = confirmOn(ctx);
      const analyze = `sockscope analyze --port ${d.port}${again(ctx)}`;
      out.push({
        id: this.id,
        severity: 'warning',
        scope: 'port',
        protocol: 'tcp',
        peerPort: d.port,
        ...pastThreshold(d.stuck.length, min),
        ...(procs.length === 1 ? { pid: procs[0].pid } : {}),
        message: `${d.stuck.length} connection${d.stuck.length === 1 ? '' : 's'}${procs.length ? ` from ${describeProcesses(procs)}` : ''} to ${dest} hang${d.stuck.length === 1 ? 's' : ''} in SYN_SENT: ${c.text}`,
        evidence:
          `${d.stuck.length} SYN_SENT to ${dest} with the SYN unanswered` +
          (retries.length ? ` (SYN retransmissions: up to ${Math.max(...retries)})` : ` (in SYN_SENT over ${recent.length} samples; this source shows no retransmissions)`) +
          `; from ${[...new Set(d.stuck.map((s) => s.local.address))].slice(0, 3).join(', ')}` +
          (c.evidence ? `; ${c.evidence}` : '') +
          `; warning at ${min}`,
        fix: c.fix
          ? c.fix
          : c.where === 'queue'
          ? `Accept faster on the local listener and raise its backlog (${analyze}: its accept-queue finding). ${confirm}ss -ltn 'sport = :${d.port}' and ss -tno state syn-sent '( dport = :${d.port} )'`
          : c.where === 'firewall'
          ? `Find the rule that drops them: ${on}${firewallCommands(d.peer)} (a drop, or a drop policy with no accept, for tcp port ${d.port} on the input or output hook; ${d.peer.includes(':') ? 'ip6tables' : 'iptables'} -L -v -n counts the packets each rule matched). If a server should listen on ${dest}, start it: with the rule gone and no listener, connect() fails at once with ECONNREFUSED instead of hanging. ` +
            `${confirm}ss -ltn 'sport = :${d.port}' (no listener) and ss -tno state syn-sent '( dport = :${d.port} )'`
          : c.where === 'host'
          ? `Check whether anything listens on ${dest}: ${on}ss -ltn 'sport = :${d.port}'. If a listener does, accept faster and raise its backlog (${analyze}: its accept-queue finding); if none does, the kernel would answer RST, so a firewall rule on this host drops the SYNs: ${on}${firewallCommands(d.peer).replace(' and ', ', ')} (look for tcp port ${d.port}). ` +
            `${confirm}ss -tno state syn-sent '( dport = :${d.port} )'`
          : `Find where the SYNs go: ${debugConnections(ctx, dest, 'probes the route, the neighbour and the port')}; check the backend is up, its firewall and yours (${on}nft list ruleset), and the path (${on}tracepath ${d.peer}). ` +
            `Give the client a connect timeout (a few seconds: Python create_connection(timeout=3), Node socket.setTimeout, C a non-blocking connect() with poll) and take a dead backend out of its pool; without one connect() waits for ${synGiveUpText(sysctlInt(ctx.snapshot.sysctls, 'net.ipv4.tcp_syn_retries'), sysctlInt(ctx.snapshot.sysctls, 'net.ipv4.tcp_syn_linear_timeouts'))}. ` +
            `${confirm}ss -tno state syn-sent '( dport = :${d.port} )' (timer:(on,...,N) with N growing means unanswered)`,
      });
    }
    return out;
  },
};

export const synSentRules: readonly Rule[] = [synSentStuck];
