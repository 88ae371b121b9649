// Retransmissions: host-wide RetransSegs over what was sent (SYN retransmissions told apart), and sockets stuck retransmitting.
import type { Snapshot, Sysctls } from '../../model/snapshot.js';
import { ORPHAN_RETRIES, ORPHAN_STATES, type Socket } from '../../model/socket.js';
import { factsFor, factsOf, groupLabel, groupPortFields, socketKey } from '../facts.js';
import { fmtPct, fmtSeconds, fmtUsAsMs } from '../format.js';
import type { Rule } from '../rule.js';
import { counterRise, recentOf, windowOf } from '../series.js';
import { th } from '../thresholds.js';
import type { Recommendation, RuleContext } from '../types.js';
import { again, confirmOn, contextLabel, onHost } from './common.js';

/**
 * The retransmission figures over the window. Tcp OutSegs counts no retransmitted segment (RFC 1213
 * tcpOutSegs "excluding those containing only retransmitted octets"; Linux adds a segment to it only when it
 * sends new data or carries none), so what was sent is OutSegs + RetransSegs, and RetransSegs / OutSegs alone
 * read 196% in a review. TcpExt TCPSynRetrans counts the SYN and SYN-ACK retransmissions among RetransSegs:
 * a handshake resent, not data lost on a path (every one of 4064 in the review was a client resending its
 * SYN to a local listener whose accept queue was full). Null when the counters are missing or too few.
 */
function retransFigures(win: ReturnType<typeof windowOf>) {
  const re = counterRise(win, 'snmp', 'Tcp', ['RetransSegs']);
  const outs = counterRise(win, 'snmp', 'Tcp', ['OutSegs']);
  if (!re || !outs) return null;
  const synRise = counterRise(win, 'netstat', 'TcpExt', ['TCPSynRetrans']);
  // Each counter's rise is summed over the intervals it rose in; never more SYN retransmissions than retransmissions.
  const syn = synRise ? Math.min(synRise.delta, re.delta) : null;
  const sent = outs.delta + re.delta;
  const other = re.delta - (syn ?? 0);
  return { re, outs, syn, sent, other, ratio: sent > 0 ? re.delta / sent : 0, lossRatio: sent > 0 ? other / sent : 0, synRatio: sent > 0 ? (syn ?? 0) / sent : 0 };
}

/** A state's count per sample of the window, its most, and where the most were (in the sample with the most). */
interface HandshakeCount { series: number[]; max: number; top: string }

/**
 * The window's connections in SYN_SENT (this host's connection attempts) and SYN_RECV (half-open connections
 * on this host's listeners), the two sides TCPSynRetrans counts, from each sample's groups (a window entry
 * keeps their state counts, not their sockets): by destination port and by local port. Under --port or
 * --peer-port only the scope's groups (as groupsInContext: port P's incoming one, the outgoing one to the peer
 * port), the sockets the collection was asked for.
 */
function handshakes(ctx: RuleContext, win: readonly Snapshot[]): { sent: HandshakeCount; recv: HandshakeCount } {
  const scoped = ctx.port !== undefined || ctx.peerPort !== undefined;
  const of = (state: 'SYN_SENT' | 'SYN_RECV'): HandshakeCount => {
    const per = win.map((snap) => {
      const by: [string, number][] = [];
      for (const g of factsFor(ctx, snap).groups.values()) {
        if (g.protocol !== 'tcp' || g.states[state] === 0) continue;
        if (scoped && !((g.direction === 'in' && g.port === ctx.port) || (g.direction === 'out' && g.port === ctx.peerPort))) continue;
        by.push([g.direction === 'in' ? `tcp port ${g.port}` : `to port ${g.port}`, g.states[state]]);
      }
      return { n: by.reduce((t, [, k]) => t + k, 0), by };
    });
    let most = per[per.length - 1];
    for (const p of per) if (p.n > most.n) most = p;
    const top = most.by.sort((x, y) => y[1] - x[1]);
    const shown = top.slice(0, 3).map(([k, n]) => `${k}: ${n}`).join(', ') + (top.length > 3 ? `, ${top.length - 3} more` : '');
    return { series: per.map((p) => p.n), max: most.n, top: shown };
  };
  return { sent: of('SYN_SENT'), recv: of('SYN_RECV') };
}

/**
 * The message and fix when the collection was scoped (--port, --peer-port): TCPSynRetrans counts the whole
 * host, the sockets only the scope's. --port P reads no connection this host makes from an ephemeral port
 * (its SYN_SENT) nor another port's half-open ones; --peer-port Q no listener's SYN_RECV. So what the scope's
 * sockets show is said as seen there, the rest as not collected, and no direction is concluded (review of
 * 3e03cd2: "SYN-ACK retransmissions ... no connection of this host in SYN_SENT" under --port 9000 on a host
 * with 600 connections in SYN_SENT).
 */
function scopedHandshakes(ctx: RuleContext, count: string, sentText: string, recvText: string, outFix: string, inFix: string, confirm: string): { message: string; fix: string } {
  const label = contextLabel(ctx);
  const flag = ctx.port !== undefined ? '--port' : '--peer-port';
  const every = `sockscope analyze${again(ctx)} without ${flag} looks at every socket`;
  const on = onHost(ctx);
  const head = `TCP retransmissions are SYN or SYN-ACK retransmissions: ${count} resent a handshake, not data lost; `;
  if (!sentText && !recvText) {
    return {
      message: `${head}no socket in SYN_SENT or SYN_RECV among those of ${label} read here, so which side's handshakes they were cannot be told (${every})`,
      fix: `Watch ${on}ss -tn state syn-sent and ss -tn state syn-recv while TCPSynRetrans rises (or ${every}). For SYN_SENT, find ${outFix}. For SYN_RECV, find ${inFix}. ${confirm}`,
    };
  }
  const unseen =
    ctx.port !== undefined
      ? `this host's connection attempts from other local ports (SYN_SENT) and the sockets of other ports were not collected (--port ${ctx.port})`
      : `the half-open connections (SYN_RECV) on this host's listeners and the connections to other ports were not collected (--peer-port ${ctx.peerPort})`;
  const seen = [recvText, sentText].filter(Boolean).join(' and ');
  const forRecv = `For SYN_RECV${recvText ? ' (seen here)' : ''}, find ${inFix}`;
  const forSent = `For SYN_SENT${sentText ? ' (seen here)' : ''}, find ${outFix}`;
  return {
    message: `${head}TcpExt TCPSynRetrans counts the whole host, and among the sockets of ${label} read here are ${seen}; ${unseen}, so which side's handshakes they were cannot be told from these (${every})`,
    fix: `See both sides: sockscope analyze${again(ctx)} without ${flag}, or ${on}ss -tn state syn-sent and ss -tn state syn-recv while TCPSynRetrans rises. ${recvText ? `${forRecv}. ${forSent}` : `${forSent}. ${forRecv}`}. ${confirm}`,
  };
}

const retransHigh: Rule = {
  id: 'retransmissions-high',
  severities: ['warning', 'critical'],
  scope: 'host',
  topic: 'retransmissions',
  summary:
    'Tcp RetransSegs / (OutSegs + RetransSegs) (/proc/net/snmp: OutSegs leaves retransmissions out) over the window is above retransRatio, with at least retransMinSegs segments sent and retransmissions in two or more intervals. Retransmissions other than SYN and SYN-ACK ones (TcpExt TCPSynRetrans) are packet loss or a congested path (critical above retransCriticalRatio); when the SYN ones alone make the ratio, handshakes go unanswered (warning): with ListenOverflows or ListenDrops rising, a local listener\'s full accept queue; else the window\'s SYN_RECV sockets (SYN-ACKs to clients that do not complete the handshake) and SYN_SENT ones (this host\'s unanswered attempts) say which side, or that it cannot tell; under --port or --peer-port (the scope\'s sockets only) it says what the scope\'s sockets show and that the rest was not collected, and concludes no side. Needs history.',
  thresholds: ['retransRatio', 'retransCriticalRatio', 'retransMinSegs', 'windowSeconds'],
  evaluate(ctx) {
    const win = windowOf(ctx);
    const f = retransFigures(win);
    if (!f || f.outs.delta < th(ctx, 'retransMinSegs') || f.re.risingIntervals < 2) return [];
    const { re, outs, syn } = f;
    const warnAt = th(ctx, 'retransRatio');
    if (f.ratio < warnAt) return [];
    const overflows = counterRise(win, 'netstat', 'TcpExt', ['ListenOverflows']);
    const drops = counterRise(win, 'netstat', 'TcpExt', ['ListenDrops']);
    const listenText = [overflows?.delta ? `ListenOverflows +${overflows.delta}` : '', drops?.delta ? `ListenDrops +${drops.delta}` : ''].filter(Boolean).join(', ');
    const base = `Tcp RetransSegs +${re.delta}, OutSegs +${outs.delta} over ${win.length} samples`;
    const synText = syn === null ? '' : `; TcpExt TCPSynRetrans +${syn} (SYN and SYN-ACK retransmissions${listenText ? `, while TcpExt ${listenText}` : ''})`;
    if (f.lossRatio < warnAt) {
      // The SYN retransmissions alone make the ratio: handshakes unanswered, not data lost. The same counters
      // as listen-overflows-rising and accept-queue-full say when a local listener drops them (its accept
      // queue full). Else TCPSynRetrans counts both directions: this host's SYNs (its connections in SYN_SENT,
      // syn-sent-unanswered) and its listeners' SYN-ACKs (half-open connections in SYN_RECV, syn-recv-high):
      // the sockets of the window tell which.
      const base0 = `${fmtPct(f.synRatio)} of the ${f.sent} segments sent were SYN or SYN-ACK retransmissions, ${fmtPct(f.lossRatio)} other retransmissions (warning at ${fmtPct(warnAt)}); ${base}${synText}`;
      const count = `${syn} of ${re.delta} retransmitted segments in the last ${fmtSeconds(re.seconds)}`;
      const on = onHost(ctx);
      const confirm = `${confirmOn(ctx)}nstat -az TcpExtTCPSynRetrans TcpRetransSegs (should stop rising)`;
      if (listenText !== '') {
        return [
          {
            id: this.id,
            severity: 'warning',
            scope: 'host',
            message: `TCP retransmissions are SYN retransmissions from a full accept queue: ${count} resent a handshake while a local listener dropped connections (${listenText}), not packet loss`,
            evidence: base0,
            fix:
              `Find the listener whose Recv-Q reaches its Send-Q (${on}ss -ltn; see accept-queue-full and listen-overflows-rising), then accept faster (more workers with SO_REUSEPORT, accept until EAGAIN) and raise its listen() backlog together with net.core.somaxconn. ` +
              `${confirmOn(ctx)}nstat -az TcpExtTCPSynRetrans TcpExtListenOverflows TcpExtListenDrops (should stop rising)`,
          },
        ];
      }
      const hs = handshakes(ctx, win);
      const scoped = ctx.port !== undefined || ctx.peerPort !== undefined;
      const sentText = hs.sent.max > 0 ? `${hs.sent.max} connection${hs.sent.max === 1 ? '' : 's'}${scoped ? '' : ' of this host'} in SYN_SENT (${hs.sent.top})` : '';
      const recvText = hs.recv.max > 0 ? `${hs.recv.max} half-open connection${hs.recv.max === 1 ? '' : 's'} (SYN_RECV)${scoped ? '' : " on this host's listeners"} (${hs.recv.top})` : '';
      const series =
        (scoped ? `; among the sockets of ${contextLabel(ctx)}:` : ';') +
        (win.length > 1 ? ` SYN_SENT per sample: ${hs.sent.series.join(' -> ')}; SYN_RECV per sample: ${hs.recv.series.join(' -> ')}` : ` SYN_SENT ${hs.sent.max}, SYN_RECV ${hs.recv.max}`);
      // debug-connections has no --host and probes from where it runs: on a remote snapshot, on the host with the rest.
      const outFix = `the connections waiting for an answer: ${on}ss -tn state syn-sent (see syn-sent-unanswered), then check that the destination listens and that no firewall drops the SYNs (${on}ping, tracepath, sockscope debug-connections --address HOST:PORT)`;
      const inFix =
        `the half-open connections: ${on}ss -tn state syn-recv (see syn-recv-high): clients that do not complete the handshake (a SYN flood or spoofed sources, or a path dropping this host's SYN-ACKs or the clients' ACKs); keep net.ipv4.tcp_syncookies at 1, filter the sources sending most SYNs (nft/iptables rate limits); net.ipv4.tcp_synack_retries bounds how often each SYN-ACK is resent`;
      let message: string;
      let fix: string;
      if (scoped) {
        ({ message, fix } = scopedHandshakes(ctx, count, sentText, recvText, outFix, inFix, confirm));
      } else if (sentText && recvText) {
        message = `TCP retransmissions are SYN and SYN-ACK retransmissions: ${count} resent handshakes, both this host's connection attempts that got no answer (${sentText}) and its listeners' replies to clients that did not complete the handshake (${recvText}), not data lost`;
        fix = `Find ${outFix}; and ${inFix}. ${confirm}`;
      } else if (recvText) {
        message = `TCP retransmissions are SYN-ACK retransmissions: ${count} resent this host's handshake replies to clients that did not complete the handshake (${recvText}; no connection of this host in SYN_SENT), not data lost`;
        fix = `Find ${inFix}. ${confirm}`;
      } else if (sentText) {
        message = `TCP retransmissions are SYN retransmissions: ${count} resent a handshake that got no answer (a destination down, filtered or overloaded; ${sentText}), not data lost`;
        fix = `Find ${outFix}. ${confirm}`;
      } else {
        message = `TCP retransmissions are SYN or SYN-ACK retransmissions: ${count} resent a handshake, not data lost; no socket was in SYN_SENT or SYN_RECV in the samples, so which side's handshakes they were (this host's connection attempts or its listeners' replies) cannot be told`;
        fix = `Watch ${on}ss -tn state syn-sent and ss -tn state syn-recv while TCPSynRetrans rises. For SYN_SENT, find ${outFix}. For SYN_RECV, find ${inFix}. ${confirm}`;
      }
      return [{ id: this.id, severity: 'warning', scope: 'host', message, evidence: `${base0}${series}`, fix }];
    }
    const to = counterRise(win, 'netstat', 'TcpExt', ['TCPTimeouts']);
    const retransmitting = ctx.snapshot.sockets
      .filter((s) => s.protocol === 'tcp' && (s.tcpInfo?.totalRetrans ?? 0) > 0)
      .sort((a, b) => (b.tcpInfo!.totalRetrans ?? 0) - (a.tcpInfo!.totalRetrans ?? 0));
    const worst = retransmitting
      .slice(0, 3)
      .map((s) => `${s.local.port}->${s.peer.address}:${s.peer.port} retrans ${s.tcpInfo!.totalRetrans}${s.tcpInfo!.congestion ? ` (${s.tcpInfo!.congestion})` : ''}`);
    return [
      {
        id: this.id,
        severity: f.lossRatio >= th(ctx, 'retransCriticalRatio') ? 'critical' : 'warning',
        scope: 'host',
        message: `TCP retransmissions are high: ${fmtPct(f.lossRatio)} of segments sent in the last ${fmtSeconds(re.seconds)} were retransmitted${syn ? ' (SYN retransmissions left out)' : ''} (packet loss or congestion)`,
        evidence: `${base} (ratio to OutSegs + RetransSegs; warning at ${fmtPct(warnAt)})${synText}${to ? `; TcpExt TCPTimeouts +${to.delta}` : ''}${worst.length ? `; most retransmitting sockets: ${worst.join(', ')}` : ''}`,
        fix:
          `Find where packets are lost: interface errors and drops (${onHost(ctx)}ip -s link, ethtool -S IFACE), qdisc drops (${onHost(ctx)}tc -s qdisc), MTU black holes (${onHost(ctx)}tracepath HOST)` +
          `${bbrAdvice(retransmitting, ctx.snapshot.sysctls, onHost(ctx))}. ` +
          `${confirmOn(ctx)}nstat -az TcpRetransSegs TcpOutSegs TcpExtTCPSynRetrans (the ratio should fall)`,
      },
    ];
  },
};

/**
 * The BBR suggestion, only where it changes something. BBR does not treat loss as congestion, so on a long
 * lossy path it keeps the rate that loss-based cubic halves; a host already on BBR gains nothing (review:
 * at 3% loss sockscope said "try BBR" on a host and socket using bbr). The retransmitting sockets'
 * congestion control (tcp_info, INET_DIAG_CONG) decides; else the default
 * (net.ipv4.tcp_congestion_control, when the snapshot's sysctls carry it); else the check is the advice.
 */
function bbrAdvice(retransmitting: readonly Socket[], sysctls: Sysctls, on: string): string {
  const algs = new Set(retransmitting.map((s) => s.tcpInfo?.congestion).filter((c): c is string => !!c));
  const hostDefault = sysctls['net.ipv4.tcp_congestion_control']?.trim() || null;
  if (algs.size > 0) {
    const others = [...algs].filter((a) => a !== 'bbr');
    if (others.length === 0) return '; the retransmitting sockets already use BBR, so changing congestion control does not help: the loss has to be found';
    return `; on long lossy paths BBR keeps throughput where ${others.join('/')} backs off: ${on}sysctl -w net.ipv4.tcp_congestion_control=bbr (new connections; setsockopt TCP_CONGESTION per socket)`;
  }
  if (hostDefault === 'bbr') return '; the default congestion control is already BBR (net.ipv4.tcp_congestion_control)';
  if (hostDefault) return `; on long lossy paths BBR keeps throughput where ${hostDefault} backs off: ${on}sysctl -w net.ipv4.tcp_congestion_control=bbr`;
  return `; on long lossy paths BBR keeps throughput where loss-based cubic backs off: ${on}if sysctl net.ipv4.tcp_congestion_control is not bbr, sysctl -w net.ipv4.tcp_congestion_control=bbr`;
}

const ACTIVE = new Set(['ESTABLISHED', 'FIN_WAIT1', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING']);

/** An orphan: a socket its application has closed (inode 0: no file holds it) that the kernel still finishes. */
const isOrphan = (s: Socket): boolean => s.inode === 0 && ORPHAN_STATES.has(s.state);

/** ss's state names (ss -K -t state NAME) of the states an orphan retransmits in. */
const SS_STATE: Record<string, string> = { FIN_WAIT1: 'fin-wait-1', LAST_ACK: 'last-ack', CLOSING: 'closing' };

/**
 * socket-retransmitting's fix, by whose the stuck sockets are: a live socket's application can give up (its
 * retries are net.ipv4.tcp_retries2's); an orphan has no application left, and the kernel's tcp_write_timeout
 * gives a dead socket net.ipv4.tcp_orphan_retries instead (ORPHAN_RETRIES).
 */
const RETRANS_FIX = {
  path: (on: string) => `Check the path to the peer (${on}ping, tracepath, firewall rules)`,
  live: 'let the application give up sooner with TCP_USER_TIMEOUT or keepalive, or lower net.ipv4.tcp_retries2 (15 = about 15 minutes)',
  orphan: (n: number, filter: string, on: string) =>
    `${n === 1 ? 'the orphan' : `the ${n} orphans`} (closed by ${n === 1 ? 'its' : 'their'} application, inode 0) ${n === 1 ? 'is' : 'are'} dropped after ${ORPHAN_RETRIES}: roughly 100 s or more with backoff, depending on the RTO; no application setting or tcp_retries2 applies to ${n === 1 ? 'it' : 'them'} any more: lower net.ipv4.tcp_orphan_retries to give up sooner, or as root end ${n === 1 ? 'it' : 'them'} now with ${on}ss -K -t ${filter}`,
} as const;

/**
 * Consecutive retransmission-timer expiries (icsk_retransmits: the third field of ss "timer:(on,200ms,N)",
 * netlink idiag_retrans, procfs retrnsmt). Without a timer field, tcp_info's unacked retransmitted
 * segments stand in. A socket whose timer is not the retransmit timer is not backing off.
 */
function rtoBackoffs(s: Socket): number {
  if (s.timer) return s.timer.name === 'on' ? (s.timer.retrans ?? s.tcpInfo?.retrans ?? 0) : 0;
  return s.tcpInfo?.retrans ?? 0;
}

const socketRetransmitting: Rule = {
  id: 'socket-retransmitting',
  severities: ['warning'],
  scope: 'socket',
  topic: 'retransmissions',
  summary:
    'A connected socket\'s retransmission timer has expired at least socketRetrans times in a row (ss timer:(on,...,N), netlink idiag_retrans) in the latest two samples: the peer is unreachable or the path drops everything.',
  thresholds: ['socketRetrans'],
  evaluate(ctx) {
    const min = th(ctx, 'socketRetrans');
    const recent = recentOf(ctx).slice(-2);
    const out: Recommendation[] = [];
    for (const g of factsFor(ctx).groups.values()) {
      if (g.protocol !== 'tcp') continue;
      const stuck = g.sockets.filter((s) => {
        if (!ACTIVE.has(s.state) || rtoBackoffs(s) < min) return false;
        const k = socketKey(s);
        return recent.every((snap) => {
          const x = factsOf(snap).byKey.get(k);
          return x != null && rtoBackoffs(x) >= min;
        });
      });
      if (stuck.length === 0) continue;
      const orphaned = stuck.filter(isOrphan);
      const orphans = orphaned.length;
      const filter = `${g.direction === 'in' ? 'sport' : 'dport'} = :${g.port}`;
      // ss -K by the orphans' states: a live connection to the same port is left alone.
      const orphanFilter = `${[...new Set(orphaned.map((s) => `state ${SS_STATE[s.state]}`))].join(' ')} '( ${filter} )'`;
      const shown = stuck
        .slice(0, 3)
        .map((s) => `${s.peer.address}:${s.peer.port} ${s.state}${isOrphan(s) ? ' (orphan: closed, inode 0)' : ''} ${rtoBackoffs(s)} retransmission timeouts in a row${s.tcpInfo?.totalRetrans != null ? ` (total ${s.tcpInfo.totalRetrans})` : ''}${s.tcpInfo?.rtoMs != null ? `, rto ${s.tcpInfo.rtoMs} ms` : ''}${s.tcpInfo?.rttUs != null ? `, rtt ${fmtUsAsMs(s.tcpInfo.rttUs)}` : ''}`);
      out.push({
        id: this.id,
        severity: 'warning',
        scope: 'socket',
        ...groupPortFields(g),
        message: `${stuck.length} connection${stuck.length === 1 ? '' : 's'} on ${groupLabel(g)} ${stuck.length === 1 ? 'is' : 'are'} stuck retransmitting: the peer is unreachable or the path drops packets`,
        evidence: `${shown.join('; ')}${stuck.length > 3 ? `; ${stuck.length - 3} more` : ''} (warning at ${min})`,
        fix:
          `${RETRANS_FIX.path(onHost(ctx))}; ${orphans === stuck.length ? RETRANS_FIX.orphan(orphans, orphanFilter, onHost(ctx)) : orphans > 0 ? `for the live ones, ${RETRANS_FIX.live}; ${RETRANS_FIX.orphan(orphans, orphanFilter, onHost(ctx))}` : RETRANS_FIX.live}. ` +
          `${confirmOn(ctx)}ss -tnoi '( ${filter} )' (timer:(on,...) with a growing retrans count)`,
      });
    }
    return out;
  },
};

export const retransRules: readonly Rule[] = [retransHigh, socketRetransmitting];
