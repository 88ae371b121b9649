// Listen queues: accept queue full or near full, ListenOverflows/ListenDrops rising, backlog capped at somaxconn.
import { sysctlInt, type Snapshot } from '../../model/snapshot.js';
import type { Socket } from '../../model/socket.js';
import { factsOf, socketKey } from '../facts.js';
import { describeProcesses, fmtEndpoint, fmtRate, fmtSeconds, uniqueProcesses } from '../format.js';
import { notYetHeld, type HealthCheck, type Rule } from '../rule.js';
import { persists, sustainedRise, windowOf } from '../series.js';
import { th } from '../thresholds.js';
import { pastThreshold, type Recommendation, type RuleContext } from '../types.js';
import { hiddenOwnerUid, snapshotOwnerView } from '../../model/owner.js';
import { hiddenOwnerText, nameItText } from './close-wait.js';
import { again, confirmOn, onHost } from './common.js';
import { escapeControl, jsonText } from '../../model/escape.js';

function listenersOf(snap: Snapshot): Socket[] {
  const out: Socket[] = [];
  for (const [k, l] of factsOf(snap).listeners) if (k.startsWith('tcp:')) out.push(...l);
  return out;
}

const addr = (s: Socket): string => fmtEndpoint(s.local);

export function owner(s: Socket, snap: Snapshot): string {
  const procs = uniqueProcesses([s.processes]);
  if (procs.length) return describeProcesses(procs);
  // Another user's process this user cannot read: say whose (the same words as close-wait's).
  const uid = hiddenOwnerUid(s, snapshotOwnerView(snap));
  const remote = snap.source === 'remote';
  if (uid !== undefined) return hiddenOwnerText([uid], remote);
  return snap.attribution.complete || s.uid !== undefined ? 'the owning process' : `the owning process (hidden: ${remote ? nameItText(true) : 'run as root to name it'})`;
}

function overflowEvidence(ctx: RuleContext): string {
  const r = sustainedRise(windowOf(ctx), 'netstat', 'TcpExt', ['ListenOverflows'], 1);
  const d = sustainedRise(windowOf(ctx), 'netstat', 'TcpExt', ['ListenDrops'], 1);
  const parts: string[] = [];
  if (r) parts.push(`TcpExt ListenOverflows +${r.delta} in ${fmtSeconds(r.seconds)} (${fmtRate(r.perSecond)})`);
  if (d) parts.push(`ListenDrops +${d.delta}`);
  return parts.length ? `; ${parts.join(', ')}` : '';
}

/** The listen() backlog the fixes suggest for `s`: 4 times its backlog now, at least 1024. */
function listenTarget(s: Socket): number {
  return Math.max(1024, nextPow2(Math.max(s.sendQ, 1) * 4));
}

/**
 * The net.core.somaxconn the fixes suggest for `s`, one value for accept-queue-full, accept-queue-near-full
 * and listen-backlog-capped: at least the listen() backlog they suggest (the one the application asked for is
 * not visible: the kernel shows only the capped value), and at least twice the cap now.
 */
function somaxconnTarget(s: Socket, somax: number | null): number {
  return Math.max(listenTarget(s), (somax ?? 0) * 2);
}

function backlogFix(s: Socket, ctx: RuleContext): string {
  const somax = sysctlInt(ctx.snapshot.sysctls, 'net.core.somaxconn');
  const want = listenTarget(s);
  const capped = somax != null && s.sendQ >= somax;
  const sysctl = capped || (somax != null && somax < want) ? `; the backlog is capped by net.core.somaxconn (now ${somax}): ${onHost(ctx)}sysctl -w net.core.somaxconn=${somaxconnTarget(s, somax)} (persist it in /etc/sysctl.d/90-sockscope.conf)` : '';
  return (
    `Accept faster: accept in a loop until EAGAIN on each readiness event, and run more accepting workers (SO_REUSEPORT: one listener per worker). ` +
    `Raise the listen backlog: C listen(fd, ${want}), Python sock.listen(${want}), Node ${nodeListen(s.local, s.local.port, want)}${sysctl}. ` +
    `${confirmOn(ctx)}ss -ltn 'sport = :${s.local.port}' (Recv-Q should stay well below Send-Q) and nstat -az TcpExtListenOverflows TcpExtListenDrops`
  );
}

/**
 * Node's listen() for a listener on `at`: with its host, since Node without one binds '::' (every
 * interface), which would expose a service that listens on 127.0.0.1 only. A wildcard keeps its own
 * ('0.0.0.0', '::'); '*' (either family) and an unknown address give none. A link-local address keeps its
 * zone (fe80::1%eth0): without it Node's bind fails (EINVAL). syn-recv's fix uses it too.
 */
export function nodeListen(at: { address: string; scope?: string } | undefined, port: number, backlog: number): string {
  const a = at?.address;
  const text = a === undefined || a === '*' || a === '' ? '' : at!.scope ? `${a}%${at!.scope}` : a;
  // An interface name is system text (it may hold escapes): anything beyond address characters is written as a
  // JSON string literal (valid JS), whose \uXXXX escapes keep control and bidi characters off the terminal.
  const host = text ? `host: ${/^[\w.:%-]+$/.test(text) ? `'${text}'` : jsonText(text)}, ` : '';
  return `server.listen({ ${host}port: ${port}, backlog: ${backlog} })`;
}

/**
 * The fix when only some members of an SO_REUSEPORT group are full: the kernel hashes each new connection
 * to one member (inet_lookup_reuseport), so a member whose process stopped calling accept() drops about
 * 1/N of the handshakes while the others have room; more workers or a bigger backlog do not drain it.
 */
export function stuckMemberFix(stuck: readonly Socket[], s: Socket, ctx?: RuleContext): string {
  // Where the commands run: on a remote snapshot, on the host (onHost); without a context, here.
  const on = ctx ? onHost(ctx) : '';
  const which = stuck.map(memberIdentity).join('; ');
  // The pids the snapshot knows for the stuck members; PID stays a placeholder only where it names none.
  const pids = [...new Set(stuck.flatMap((x) => x.processes.map((p) => p.pid)))].slice(0, 4);
  const look = pids.length
    ? `${on}strace ${pids.map((p) => `-p ${p}`).join(' ')} -e trace=accept4,epoll_wait; ${pids.map((p) => `ls -l /proc/${p}/fd`).join('; ')}`
    : `${on}strace -p PID -e trace=accept4,epoll_wait; ls -l /proc/PID/fd, with PID its owner's: this snapshot does not name it (ss -ltnp as root does)`;
  return (
    `Check the accept loop of ${stuck.length === 1 ? 'the stuck member' : 'the stuck members'} (${which}): a blocked or busy thread, a worker that died without closing its listener (${look}). ` +
    'A worker that cannot accept must close its listener so the kernel hashes new connections to the others (with SO_REUSEPORT the group has no shared queue; more workers do not drain this one). ' +
    `${ctx ? confirmOn(ctx) : 'Confirm: '}ss -ltnpe 'sport = :${s.local.port}' (each member's Recv-Q against its Send-Q) and nstat -az TcpExtListenOverflows TcpExtListenDrops`
  );
}

/** "fd 9 of node (pid 123), inode 81234, backlog 2": one member of a group the address alone cannot tell apart. */
export function memberIdentity(s: Socket): string {
  const fds = s.processes.slice(0, 3).map((p) => `fd ${p.fd} of ${escapeControl(p.name || '?')} (pid ${p.pid})`);
  if (s.processes.length > 3) fds.push(`${s.processes.length - 3} more`);
  return [...fds, ...(s.inode ? [`inode ${s.inode}`] : []), `Recv-Q ${s.recvQ} of backlog ${s.sendQUnknown ? 'unknown' : s.sendQ}`].join(', ');
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Whether an accept queue of `queue` connections is full: past its backlog (Send-Q of LISTEN), as the
 * kernel's sk_acceptq_is_full (ack_backlog > max_ack_backlog) says, so listen(fd, 4) holds 5 (measured,
 * 6.18: Recv-Q 5 Send-Q 4, and the 5th connect() succeeded with no ListenOverflows); debug-connections
 * judges it the same way. Without the backlog (procfs, netstat: `backlog` null) only a queue past
 * net.core.somaxconn, the backlog's cap, is surely full. An empty queue is not (listen(fd, 0) holds one).
 * The accept-queue-full rule and the exporter's sockscope_listen_full_sockets both ask this.
 */
export function acceptQueueIsFull(queue: number, backlog: number | null, somaxconn: number | null): boolean {
  const limit = backlog ?? somaxconn;
  return limit !== null && queue > 0 && queue > limit;
}

/**
 * Whether an accept queue of `queue` connections is at acceptQueueNearFullRatio (`ratio`) of its backlog or above
 * (a full one too: the rule leaves those to accept-queue-full); an empty queue is not. accept-queue-near-full and
 * the accept-queue health check both ask this.
 */
function atNearFull(queue: number, backlog: number, ratio: number): boolean {
  return queue > 0 && queue >= ratio * backlog;
}

/** The accept queue of the listener with identity `key` on `port` in another snapshot (null when absent). */
function queueOf(snap: Snapshot, key: string, port: number): number | null {
  const s = (factsOf(snap).listeners.get(`tcp:${port}`) ?? []).find((x) => socketKey(x) === key);
  return s ? s.recvQ : null;
}

const acceptQueueFull: Rule = {
  id: 'accept-queue-full',
  severities: ['critical'],
  scope: 'port',
  topic: 'accept-queue',
  summary:
    'A TCP listener\'s accept queue (Recv-Q of LISTEN) is past its backlog (Send-Q), at the kernel\'s maximum of backlog + 1 (sk_acceptq_is_full): new connections are dropped or their SYNs ignored. The process does not accept() fast enough or the backlog is too small. In an SO_REUSEPORT group (listeners on one address and port) each member has its own queue and the kernel hashes each connection to one: when only some are full the finding names them (pid, fd, inode, "1 of 2 listeners in the SO_REUSEPORT group") and points at their accept loop, since more workers do not drain a queue nobody accepts from.',
  thresholds: ['persistSamples'],
  evaluate(ctx) {
    const out: Recommendation[] = [];
    const somax = sysctlInt(ctx.snapshot.sysctls, 'net.core.somaxconn');
    const isFull = (s: Socket): boolean => {
      const backlog = s.sendQUnknown ? null : s.sendQ;
      if (!acceptQueueIsFull(s.recvQ, backlog, somax)) return false;
      const key = socketKey(s);
      return persists(ctx, (snap) => {
        const q = queueOf(snap, key, s.local.port);
        return q != null && acceptQueueIsFull(q, backlog, somax);
      });
    };
    // Listeners sharing an address and port (an SO_REUSEPORT group): the kernel hashes each connection to
    // one member, each with its own queue. One finding per group; when only some members are full it
    // names them and points at their accept loop.
    const groups = new Map<string, Socket[]>();
    for (const s of listenersOf(ctx.snapshot)) {
      const k = `${s.local.address}|${s.local.port}`;
      const g = groups.get(k);
      if (g) g.push(s);
      else groups.set(k, [s]);
    }
    for (const members of groups.values()) {
      const stuck = members.filter(isFull);
      if (stuck.length === 0) continue;
      const s = stuck.reduce((a, b) => (b.recvQ > a.recvQ ? b : a));
      const some = members.length > 1 && stuck.length < members.length;
      const procs = uniqueProcesses(stuck.map((x) => x.processes));
      const backlogOf = (x: Socket): string => (x.sendQUnknown ? `at most ${somax}` : String(x.sendQ));
      const others = members.filter((m) => !stuck.includes(m));
      const of = `${stuck.length} of ${members.length} listeners in the SO_REUSEPORT group`;
      out.push({
        id: this.id,
        severity: 'critical',
        scope: 'port',
        protocol: 'tcp',
        port: s.local.port,
        // Full is backlog + 1 waiting (the most the kernel queues), so a full queue is at its threshold whatever the
        // backlog: recvQ/backlog ranked listen(0) with one waiting first and a full listen(4096) below 101 CLOSE_WAIT.
        ...pastThreshold(s.recvQ, (s.sendQUnknown ? (somax ?? s.recvQ) : s.sendQ) + 1),
        ...(procs.length === 1 ? { pid: procs[0].pid } : {}),
        message: some
          ? `Accept queue full on tcp ${addr(s)} for ${of}: ${stuck.map(memberIdentity).join('; ')}; ${stuck.length === 1 ? `${owner(s, ctx.snapshot)} does not accept() on it` : 'their processes do not accept() on them'}, so the connections the kernel hashes to ${stuck.length === 1 ? 'it' : 'them'} (about ${stuck.length} in ${members.length}) are dropped while the others have room`
          : `Accept queue full on tcp ${addr(s)}: ${s.recvQ} connections wait for accept() with backlog ${backlogOf(s)}${members.length > 1 ? ` (every one of the ${members.length} listeners in the SO_REUSEPORT group is full)` : ''}; ${owner(s, ctx.snapshot)} does not accept fast enough or the backlog is too small`,
        evidence:
          stuck.map((x) => `Recv-Q ${x.recvQ} > ${x.sendQUnknown ? 'net.core.somaxconn (this source cannot see the backlog)' : `backlog (Send-Q) ${x.sendQ}`}${members.length > 1 ? ` (${memberIdentity(x)})` : ''}`).join('; ') +
          ` (the kernel queues backlog + 1)${others.length ? `; with room: ${others.map(memberIdentity).join('; ')}` : ''}; net.core.somaxconn ${ctx.snapshot.sysctls['net.core.somaxconn'] ?? 'unknown'}${overflowEvidence(ctx)}`,
        fix: some ? stuckMemberFix(stuck, s, ctx) : backlogFix(s, ctx),
      });
    }
    return out;
  },
};

const acceptQueueNearFull: Rule = {
  id: 'accept-queue-near-full',
  severities: ['warning'],
  scope: 'port',
  topic: 'accept-queue',
  summary: 'A TCP listener\'s accept queue is at or above acceptQueueNearFullRatio of its backlog (up to the backlog itself; one more and it is full): accept() is falling behind.',
  thresholds: ['acceptQueueNearFullRatio', 'persistSamples'],
  evaluate(ctx) {
    const out: Recommendation[] = [];
    const ratio = th(ctx, 'acceptQueueNearFullRatio');
    for (const s of listenersOf(ctx.snapshot)) {
      if (s.sendQUnknown || s.recvQ > s.sendQ || !atNearFull(s.recvQ, s.sendQ, ratio)) continue;
      const key = socketKey(s);
      if (!persists(ctx, (snap) => {
        const q = queueOf(snap, key, s.local.port);
        return q != null && atNearFull(q, s.sendQ, ratio);
      }))
        continue;
      const procs = uniqueProcesses([s.processes]);
      out.push({
        id: this.id,
        severity: 'warning',
        scope: 'port',
        protocol: 'tcp',
        port: s.local.port,
        ...pastThreshold(s.recvQ, ratio * s.sendQ),
        ...(procs.length === 1 ? { pid: procs[0].pid } : {}),
        message: `Accept queue near full on tcp ${addr(s)}: ${s.recvQ} of ${s.sendQ} connections wait for accept(); ${owner(s, ctx.snapshot)} is falling behind`,
        evidence: `Recv-Q ${s.recvQ} is ${Math.round((100 * s.recvQ) / s.sendQ)}% of backlog ${s.sendQ} (warning at ${Math.round(ratio * 100)}%); net.core.somaxconn ${ctx.snapshot.sysctls['net.core.somaxconn'] ?? 'unknown'}${overflowEvidence(ctx)}`,
        fix: backlogFix(s, ctx),
      });
    }
    return out;
  },
};

/**
 * The three fullest listeners for listen-overflows-rising's evidence: by Recv-Q over backlog; a listener
 * whose backlog this source cannot see (procfs, netstat) counts when connections wait in it, by their
 * number ("Recv-Q 2/?"), since it may well be the one overflowing.
 */
function fullestListeners(ls: readonly Socket[]): string {
  const known = ls.filter((s) => !s.sendQUnknown && s.sendQ > 0).sort((a, b) => b.recvQ / b.sendQ - a.recvQ / a.sendQ);
  const blind = ls.filter((s) => s.sendQUnknown && s.recvQ > 0).sort((a, b) => b.recvQ - a.recvQ);
  const shown = [...blind, ...known].slice(0, 3);
  const text = shown.map((s) => `${addr(s)} Recv-Q ${s.recvQ}/${s.sendQUnknown ? '?' : s.sendQ}`).join(', ');
  return shown.some((s) => s.sendQUnknown) ? `${text} (? = backlog unknown with this source)` : text;
}

/**
 * The listeners listen-overflows-rising's evidence names. Its counters are the host's, but under --port P
 * (ctx.port) the snapshot holds P's sockets only (analyze, the monitor and the library collect with the
 * port filter): naming P's idle listener as the fullest, or "none now", would point away from the one
 * overflowing. Then P's listeners are shown as P's, with what was not collected and how to see it.
 */
function overflowListeners(ctx: RuleContext): string {
  const ls = listenersOf(ctx.snapshot);
  const port = ctx.port;
  if (port === undefined || ls.some((s) => s.local.port !== port)) return `fullest listeners: ${fullestListeners(ls) || 'none now'}`;
  const others = `listeners on other ports were not collected (--port ${port}): sockscope analyze${again(ctx)} without --port, or ${onHost(ctx)}ss -ltn, names the fullest`;
  if (ls.length === 0) return `no listener on port ${port}; ${others}`;
  const shown = [...ls].sort((a, b) => b.recvQ - a.recvQ).slice(0, 3).map((s) => `${addr(s)} Recv-Q ${s.recvQ}/${s.sendQUnknown ? '?' : s.sendQ}`).join(', ');
  return `listeners on port ${port}: ${shown}${ls.length > 3 ? ` and ${ls.length - 3} more` : ''}${ls.some((s) => s.sendQUnknown) ? ' (? = backlog unknown with this source)' : ''}; ${others}`;
}

const listenOverflowsRising: Rule = {
  id: 'listen-overflows-rising',
  severities: ['warning'],
  scope: 'host',
  topic: 'accept-queue',
  summary:
    'TcpExt ListenOverflows or ListenDrops (/proc/net/netstat) rose in at least two intervals of the window: some listener\'s accept queue overflowed and connections were dropped. Needs history (the monitor, or repeated samples).',
  thresholds: ['listenOverflowsMin', 'windowSeconds'],
  evaluate(ctx) {
    const win = windowOf(ctx);
    const min = th(ctx, 'listenOverflowsMin');
    const ov = sustainedRise(win, 'netstat', 'TcpExt', ['ListenOverflows'], min);
    const dr = sustainedRise(win, 'netstat', 'TcpExt', ['ListenDrops'], min);
    const r = ov ?? dr;
    if (!r) return [];
    // ListenDrops without ListenOverflows while TCPReqQFullDrop rises: SYNs dropped because the SYN queue
    // (half-open connections) is full, with SYN cookies off; the accept queue is not the cause.
    const qfull = !ov ? sustainedRise(win, 'netstat', 'TcpExt', ['TCPReqQFullDrop'], 1) : null;
    const sysc = ctx.snapshot.sysctls;
    const on = onHost(ctx);
    return [
      {
        id: this.id,
        severity: 'warning',
        scope: 'host',
        message: `Listen queue overflows are rising: ${ov ? `ListenOverflows +${ov.delta}` : ''}${ov && dr ? ', ' : ''}${dr ? `ListenDrops +${dr.delta}` : ''} in ${fmtSeconds(r.seconds)}; ${
          qfull
            ? 'the SYN queue is full: SYNs of new connections are dropped (a SYN flood or handshakes that do not complete, with SYN cookies off)'
            : 'connections are being dropped because a process does not accept fast enough or its backlog is too small'
        }`,
        evidence:
          `TcpExt ListenOverflows ${ov ? `+${ov.delta} (${fmtRate(ov.perSecond)})` : 'steady'}, ListenDrops ${dr ? `+${dr.delta} (${fmtRate(dr.perSecond)})` : 'steady'} over ${win.length} samples; ` +
          (qfull ? `TcpExt TCPReqQFullDrop +${qfull.delta}; net.ipv4.tcp_syncookies ${sysc['net.ipv4.tcp_syncookies'] ?? 'unknown'}, net.ipv4.tcp_max_syn_backlog ${sysc['net.ipv4.tcp_max_syn_backlog'] ?? 'unknown'}; ` : '') +
          `${overflowListeners(ctx)}; net.core.somaxconn ${sysc['net.core.somaxconn'] ?? 'unknown'}`,
        fix: qfull
          ? `Turn SYN cookies on (${on}sysctl -w net.ipv4.tcp_syncookies=1) so a full SYN queue does not drop clients; raise the SYN queue with the listen() backlog (with net.core.somaxconn) and net.ipv4.tcp_max_syn_backlog; find who sends the SYNs: ${on}ss -tn state syn-recv. ` +
            `${confirmOn(ctx)}nstat -az TcpExtTCPReqQFullDrop TcpExtListenDrops (should stop rising)`
          : `Find the listener whose Recv-Q reaches its Send-Q (${on}ss -ltn), then accept faster (more workers with SO_REUSEPORT, accept until EAGAIN) and raise its listen() backlog together with net.core.somaxconn. ` +
            `${confirmOn(ctx)}nstat -az TcpExtListenOverflows TcpExtListenDrops (should stop rising)`,
      },
    ];
  },
};

const listenBacklogCapped: Rule = {
  id: 'listen-backlog-capped',
  severities: ['info'],
  scope: 'port',
  topic: 'accept-queue',
  summary: 'A listener\'s backlog equals net.core.somaxconn: the application probably asked for more and the kernel capped it. Raise somaxconn if its accept queue fills (the fix says when it is full now), to the same value accept-queue-full gives.',
  thresholds: [],
  evaluate(ctx) {
    const somax = sysctlInt(ctx.snapshot.sysctls, 'net.core.somaxconn');
    if (somax == null || somax <= 0) return [];
    const out: Recommendation[] = [];
    const seen = new Set<number>();
    for (const s of listenersOf(ctx.snapshot)) {
      if (s.sendQUnknown || s.sendQ !== somax || seen.has(s.local.port)) continue;
      seen.add(s.local.port);
      const full = acceptQueueIsFull(s.recvQ, s.sendQ, somax);
      out.push({
        id: this.id,
        severity: 'info',
        scope: 'port',
        protocol: 'tcp',
        port: s.local.port,
        message: `Listen backlog of tcp ${addr(s)} equals net.core.somaxconn (${somax}): the backlog ${owner(s, ctx.snapshot)} asked for may have been capped`,
        evidence: `backlog (Send-Q of LISTEN) ${s.sendQ} = net.core.somaxconn ${somax}; accept queue now ${s.recvQ}${full ? ' (full: the kernel queues backlog + 1)' : ''}`,
        fix:
          `${full ? `Its accept queue is full (Recv-Q ${s.recvQ} of backlog ${s.sendQ}; see accept-queue-full): raise` : 'Only if the accept queue fills: raise'} the cap to at least the backlog the application passes to listen() (the kernel shows only the capped ${somax}): ` +
          `${onHost(ctx)}sysctl -w net.core.somaxconn=${somaxconnTarget(s, somax)} (persist in /etc/sysctl.d/90-sockscope.conf), then restart the service so listen() is called again. ${confirmOn(ctx)}ss -ltn 'sport = :${s.local.port}'`,
      });
    }
    return out;
  },
};

export const acceptQueueRules: readonly Rule[] = [acceptQueueFull, acceptQueueNearFull, listenOverflowsRising, listenBacklogCapped];

export const acceptQueueHealth: HealthCheck = {
  id: 'accept-queue-ok',
  otherIds: ['accept-queue-unknown', 'accept-queue-unsettled'],
  topic: 'accept-queue',
  describe(ctx) {
    const ls = listenersOf(ctx.snapshot).filter((s) => ctx.port === undefined || s.local.port === ctx.port);
    if (ctx.port === undefined && ctx.peerPort !== undefined) return null;
    if (ls.length === 0) return null;
    // Without the backlog (procfs, netstat) a queue with connections waiting may be full or nearly so
    // (accept-queue-full only sees one at net.core.somaxconn): its state is unknown, not normal.
    const blind = ls.filter((s) => s.sendQUnknown && s.recvQ > 0);
    if (blind.length > 0) {
      const waiting = blind.reduce((n, s) => n + s.recvQ, 0);
      const fullest = blind.reduce((a, b) => (b.recvQ > a.recvQ ? b : a));
      return {
        id: 'accept-queue-unknown',
        message: `Accept queue: backlog unknown with this source (${waiting} waiting); use --source netlink or ss`,
        evidence: `${blind.length} of ${ls.length} listener${ls.length === 1 ? '' : 's'} with connections waiting for accept() and a backlog this source cannot see; fullest ${addr(fullest)} Recv-Q ${fullest.recvQ}; net.core.somaxconn ${ctx.snapshot.sysctls['net.core.somaxconn'] ?? 'unknown'}`,
        // Not "nothing to change": whether the queue is full is exactly what is unknown.
        // --source netlink reads this machine: on a remote snapshot, ss on the host.
        fix:
          ctx.snapshot.source === 'remote'
            ? `Read the backlog with a source that sees it: on the host: ss -ltn 'sport = :${fullest.local.port}' (Recv-Q against Send-Q)`
            : `Read the backlog with a source that sees it: sockscope analyze --port ${fullest.local.port} --source netlink (or ss -ltn 'sport = :${fullest.local.port}': Recv-Q against Send-Q)`,
      };
    }
    const worst = ls.reduce((a, b) => (b.recvQ / Math.max(1, b.sendQ) > a.recvQ / Math.max(1, a.sendQ) ? b : a));
    // Full or near full now with no finding: the level did not hold for persistSamples samples. Not "normal".
    const somax = sysctlInt(ctx.snapshot.sysctls, 'net.core.somaxconn');
    const full = acceptQueueIsFull(worst.recvQ, worst.sendQUnknown ? null : worst.sendQ, somax);
    const near = !worst.sendQUnknown && atNearFull(worst.recvQ, worst.sendQ, th(ctx, 'acceptQueueNearFullRatio'));
    if (full || near) {
      return {
        id: 'accept-queue-unsettled',
        message: `Accept queue ${full ? 'full' : 'near full'} on tcp ${addr(worst)} (Recv-Q ${worst.recvQ} of backlog ${worst.sendQUnknown ? 'unknown' : worst.sendQ}), ${notYetHeld(ctx)}`,
        evidence: `${ls.length} listener${ls.length === 1 ? '' : 's'}; fullest ${addr(worst)} Recv-Q ${worst.recvQ} of backlog ${worst.sendQUnknown ? 'unknown (this source cannot see it)' : worst.sendQ}; net.core.somaxconn ${somax ?? 'unknown'}`,
        fix: `Watch it: accept-queue-full / accept-queue-near-full report it once it holds. ${confirmOn(ctx)}ss -ltn 'sport = :${worst.local.port}' (Recv-Q against Send-Q)`,
      };
    }
    return {
      message: 'Accept queue is normal',
      evidence: `${ls.length} listener${ls.length === 1 ? '' : 's'}; fullest ${addr(worst)} Recv-Q ${worst.recvQ} of backlog ${worst.sendQUnknown ? 'unknown (this source cannot see it)' : worst.sendQ}`,
    };
  },
};
