// SYN_RECV high on a port: a SYN flood or handshakes that do not complete.
import { sysctlInt, type Snapshot } from '../../model/snapshot.js';
import { isWildcard, type Socket } from '../../model/socket.js';
import { factsFor, groupLabel } from '../facts.js';
import { fmtEndpoint, fmtSeconds } from '../format.js';
import type { Rule } from '../rule.js';
import { persists, sustainedRise, windowOf } from '../series.js';
import { th } from '../thresholds.js';
import { pastThreshold, type Recommendation, type RuleContext } from '../types.js';
import { nodeListen } from './accept-queue.js';
import { confirmOn, onHost } from './common.js';

/** The SYN_RECV of one local address and the listeners whose SYN queues hold them (null: backlog unknown). */
interface SynQueue {
  address: string;
  n: number;
  listeners: Socket[] | null;
}

/**
 * A port's half-open connections by local address, each with the listeners that serve it: those bound to
 * that address if any (the kernel prefers the exact match), else the wildcards of its family, else the
 * other wildcard (a dual-stack [::] takes IPv4). Each member of an SO_REUSEPORT group has its own request
 * queue, so the address holds the sum of their backlog + 1 (measured, 6.18: listen(8) holds 9 SYN_RECV,
 * then SyncookiesSent and TCPReqQFullDoCookies rise).
 */
function synQueues(ctx: RuleContext, snap: Snapshot, port: number): SynQueue[] {
  const f = factsFor(ctx, snap);
  const ls = f.listeners.get(`tcp:${port}`) ?? [];
  const byAddr = new Map<string, number>();
  for (const s of f.groups.get(`in:tcp:${port}`)?.sockets ?? []) if (s.state === 'SYN_RECV') byAddr.set(s.local.address, (byAddr.get(s.local.address) ?? 0) + 1);
  return [...byAddr].map(([address, n]) => {
    const v4 = !address.includes(':');
    const tiers = [
      ls.filter((l) => l.local.address === address),
      ls.filter((l) => isWildcard(l.local.address) && (l.local.address === '*' || !l.local.address.includes(':') === v4)),
      ls.filter((l) => isWildcard(l.local.address)),
    ];
    const serving = tiers.find((t) => t.length > 0);
    return { address, n, listeners: serving && serving.every((l) => !l.sendQUnknown && l.sendQ > 0) ? serving : null };
  });
}

/** How many half-open connections the listeners of a queue hold in all: the sum of backlog + 1. */
function capacity(q: SynQueue): number {
  return (q.listeners ?? []).reduce((sum, l) => sum + l.sendQ + 1, 0) || 1;
}

function backlogText(q: SynQueue | undefined, port: number, addresses: number): string {
  if (!q?.listeners) return 'listen backlog unknown';
  const at = addresses > 1 ? ` for ${fmtEndpoint({ address: q.address, port })} (${q.n} of them)` : '';
  if (q.listeners.length === 1) return `listen backlog ${q.listeners[0].sendQ}${at} (the SYN queue holds backlog + 1)`;
  return `${q.listeners.length} SO_REUSEPORT listeners${at} with backlog ${[...new Set(q.listeners.map((l) => l.sendQ))].join('/')} (each has its own SYN queue of backlog + 1: ${capacity(q)} in all)`;
}

/**
 * What sizes the SYN queue, as the fix names it (tcp_conn_request, net/ipv4/tcp_input.c). The queue is full
 * when inet_csk_reqsk_queue_is_full(): its length past sk_max_ack_backlog, which is min(the listen()
 * backlog, net.core.somaxconn) (the listener's ss Send-Q): so backlog + 1 requests, then cookies or drops.
 * net.ipv4.tcp_max_syn_backlog is read only when SYN cookies are off (`!syncookies &&
 * max_syn_backlog - inet_csk_reqsk_queue_len(sk) < (max_syn_backlog >> 2)`: unproven peers are dropped once
 * the queue passes three quarters of it), so it is a lever only with tcp_syncookies=0 and only when that
 * bound is below backlog + 1 (measured: tcp_syncookies 1, tcp_max_syn_backlog 2048, listen(16) held 17
 * SYN_RECV; raising tcp_max_syn_backlog changes nothing there).
 */
function queueFix(q: SynQueue | undefined, syncookies: number | null, maxSyn: number | null, somaxconn: number | null, port: number, on: string): string {
  const backlogs = q?.listeners?.map((l) => l.sendQ) ?? [];
  const backlog = backlogs.length ? Math.max(...backlogs) : null;
  const want = Math.max(1024, (backlog ?? 0) * 4);
  const capped = somaxconn != null && backlog != null && backlog >= somaxconn;
  const somax =
    somaxconn == null
      ? 'the kernel caps it at net.core.somaxconn'
      : capped || somaxconn < want
        ? `the kernel caps it at net.core.somaxconn (now ${somaxconn}${capped ? ', which the backlog has reached' : ''}): ${on}sysctl -w net.core.somaxconn=${Math.max(want, somaxconn * 2)}`
        : `the kernel caps it at net.core.somaxconn (now ${somaxconn})`;
  const lever = `raise the SYN queue, which holds the listen backlog + 1 (min(listen() backlog, net.core.somaxconn)): listen(fd, ${want}) in the application (Python sock.listen(${want}), Node ${nodeListen(q?.listeners?.[0]?.local, port, want)}${q?.listeners ? '' : ', with the host it listens on'}); ${somax}`;
  // Three quarters of tcp_max_syn_backlog: where tcp_conn_request starts dropping unproven peers without cookies.
  const synBound = maxSyn != null ? maxSyn - (maxSyn >> 2) : null;
  let maxSynText = '';
  if (syncookies === 0 && (synBound == null || backlog == null || synBound < backlog + 1))
    maxSynText = `; with SYN cookies off, net.ipv4.tcp_max_syn_backlog${maxSyn != null ? ` (now ${maxSyn})` : ''} also bounds it (requests from unproven peers are dropped past three quarters of it${backlog == null ? ', when that is below the backlog' : ''}): ${on}sysctl -w net.ipv4.tcp_max_syn_backlog=${Math.max(4096, (maxSyn ?? 1024) * 2, (backlog ?? 0) * 2)}`;
  const cookies =
    syncookies === 0
      ? `Turn SYN cookies on (${on}sysctl -w net.ipv4.tcp_syncookies=1) so a full SYN queue does not drop clients`
      : `Keep SYN cookies on (${syncookies == null ? `${on}sysctl -w net.ipv4.tcp_syncookies=1` : `net.ipv4.tcp_syncookies ${syncookies}`}) so a full SYN queue does not drop clients`;
  return `${cookies}; ${lever}${maxSynText}`;
}

const synRecvHigh: Rule = {
  id: 'syn-recv-high',
  severities: ['warning', 'critical'],
  scope: 'port',
  topic: 'syn-recv',
  summary:
    'At least synRecvCount half-open connections (SYN_RECV) on a listening port, or a full SYN queue whatever the count (SYN_RECV of a local address reaching the backlog + 1 its listener holds, summed over an SO_REUSEPORT group whose members each have a queue; or TcpExt SyncookiesSent, TCPReqQFullDoCookies or TCPReqQFullDrop rising while the port\'s SYN_RECV is at its backlog, or, where the source shows no backlog (procfs, netstat), on the port with the most half-open connections): a SYN flood or handshakes that do not complete (lost final ACKs, slow clients). Critical when the SYN queue is full (past the backlog, or those counters rising). The fix raises the SYN queue through its size, the listen backlog capped by net.core.somaxconn; net.ipv4.tcp_max_syn_backlog only where the kernel reads it: with tcp_syncookies 0, when three quarters of it is below the backlog + 1.',
  thresholds: ['synRecvCount', 'persistSamples'],
  evaluate(ctx) {
    const out: Recommendation[] = [];
    const facts = factsFor(ctx);
    const warnAt = th(ctx, 'synRecvCount');
    const win = windowOf(ctx);
    const qfull = sustainedRise(win, 'netstat', 'TcpExt', ['TCPReqQFullDrop'], 1);
    const cookies = sustainedRise(win, 'netstat', 'TcpExt', ['SyncookiesSent'], 1);
    const doCookies = sustainedRise(win, 'netstat', 'TcpExt', ['TCPReqQFullDoCookies'], 1);
    const synSyncookies = sysctlInt(ctx.snapshot.sysctls, 'net.ipv4.tcp_syncookies');
    const dropped = qfull != null || synSyncookies === 0;
    const cookieText = cookies || doCookies ? ' and SYN cookies are sent' : '';
    // Host-wide counters where the backlogs are unknown (procfs, netstat) go only to the port(s) with the
    // most half-open connections: a flood on :80 must not make every port with one SYN_RECV critical.
    let mostHalfOpen = 0;
    for (const g of facts.groups.values()) if (g.protocol === 'tcp' && g.direction === 'in') mostHalfOpen = Math.max(mostHalfOpen, g.states.SYN_RECV);
    for (const g of facts.groups.values()) {
      if (g.protocol !== 'tcp' || g.direction !== 'in') continue;
      const n = g.states.SYN_RECV;
      if (n === 0) continue;
      const queues = synQueues(ctx, ctx.snapshot, g.port);
      const fullest = queues.filter((q) => q.listeners != null).sort((a, b) => b.n / capacity(b) - a.n / capacity(a))[0];
      const blind = fullest === undefined;
      const synRecvOf = (snap: Snapshot) => factsFor(ctx, snap).groups.get(g.key)?.states.SYN_RECV ?? 0;
      const isFull = (snap: Snapshot) => synQueues(ctx, snap, g.port).some((q) => q.listeners != null && q.n >= capacity(q));
      const full = isFull(ctx.snapshot) && persists(ctx, isFull);
      // Host-wide counters: attributed to a port whose SYN queue is at its backlog now, or, when this source
      // cannot see backlogs, to the port with the most half-open connections (or synRecvCount of them). A
      // collection scoped to one port (analyze --port) holds no other port to compare with: synRecvCount then.
      const atBacklog = queues.some((q) => q.listeners != null && q.n >= capacity(q) - q.listeners.length);
      const hostView = ctx.port === undefined && ctx.peerPort === undefined;
      const counted = (blind ? n >= warnAt || (hostView && n === mostHalfOpen) : atBacklog) && (qfull ?? doCookies ?? cookies);
      const many = n >= warnAt && persists(ctx, (s) => synRecvOf(s) >= warnAt);
      if (!many && !full && !counted) continue;
      const group = fullest?.listeners && fullest.listeners.length > 1 ? fullest.listeners.length : 0;
      const peers = new Map<string, number>();
      for (const s of g.sockets) if (s.state === 'SYN_RECV') peers.set(s.peer.address, (peers.get(s.peer.address) ?? 0) + 1);
      const top = [...peers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      const sysc = ctx.snapshot.sysctls;
      const syncookies = sysc['net.ipv4.tcp_syncookies'];
      const maxSyn = sysctlInt(sysc, 'net.ipv4.tcp_max_syn_backlog');
      out.push({
        id: this.id,
        severity: full || counted ? 'critical' : 'warning',
        scope: 'port',
        protocol: 'tcp',
        port: g.port,
        // Critical from the kernel's counters alone (no queue seen full, fewer than synRecvCount): at its threshold, as
        // rules judged by rates are; n/synRecvCount ranked it below every other critical finding.
        ...(full && fullest ? pastThreshold(fullest.n, capacity(fullest)) : counted && !many ? pastThreshold(1, 1) : pastThreshold(n, warnAt)),
        message: `${n} half-open connection${n === 1 ? '' : 's'} (SYN_RECV) on ${groupLabel(g)}${
          full || counted
            ? `, ${full ? (group ? `past the listen backlogs of its ${group} listeners: their SYN queues are full` : 'past the listen backlog: the SYN queue is full') : 'the SYN queue overflows'}${dropped ? ' and SYNs are dropped' : cookieText}`
            : ''
        }: a SYN flood or handshakes that do not complete`,
        evidence:
          `SYN_RECV ${n} (warning at ${warnAt}, or past the backlog) from ${peers.size} address${peers.size === 1 ? '' : 'es'} (top: ${top.map(([a, c]) => `${a} ${c}`).join(', ')}); ${backlogText(fullest, g.port, queues.length)}; ` +
          `net.ipv4.tcp_syncookies ${syncookies ?? 'unknown'}, net.ipv4.tcp_max_syn_backlog ${maxSyn ?? 'unknown'}` +
          (qfull ? `; TcpExt TCPReqQFullDrop +${qfull.delta} in ${fmtSeconds(qfull.seconds)}` : '') +
          (cookies ? `; SyncookiesSent +${cookies.delta}` : '') +
          (doCookies ? `; TCPReqQFullDoCookies +${doCookies.delta}` : '') +
          (counted && blind ? '; host-wide counters, given to the port with the most half-open connections' : ''),
        fix:
          `${queueFix(fullest, sysctlInt(sysc, 'net.ipv4.tcp_syncookies'), maxSyn, sysctlInt(sysc, 'net.core.somaxconn'), g.port, onHost(ctx))}; ` +
          `if a few addresses send most SYNs, filter them (nft/iptables rate limits). ${confirmOn(ctx)}ss -tnH state syn-recv '( sport = :${g.port} )' | wc -l (-H: no header line, iproute2 4.7 and later; older ss print one, so subtract 1) and nstat -az TcpExtTCPReqQFullDrop TcpExtSyncookiesSent`,
      });
    }
    return out;
  },
};

export const synRecvRules: readonly Rule[] = [synRecvHigh];
