// TIME_WAIT: normal on a server; port exhaustion for many outgoing connections to one destination; tw buckets.
import { counter, ephemeralRange, sysctlInt, type Snapshot } from '../../model/snapshot.js';
import { isLoopback, isWildcard } from '../../model/socket.js';
import { factsFor, factsOf, groupLabel, type Facts } from '../facts.js';
import { fmtEndpoint, fmtPct, fmtSeconds } from '../format.js';
import { notYetHeld, type HealthCheck, type Rule } from '../rule.js';
import { counterRise, persists, windowOf } from '../series.js';
import { th } from '../thresholds.js';
import { pastThreshold, type Recommendation, type RuleContext } from '../types.js';
import { confirmOn, contextLabel, countInContext, onHost, usageRule } from './common.js';

/**
 * The snapshot's ephemeral port range with its size, null when the sysctl is unknown: the model's
 * ephemeralRange falls back to Linux's default, but exhaustion is judged only against the host's own range.
 */
function knownPortRange(snap: Snapshot): { lo: number; hi: number; size: number } | null {
  if (snap.sysctls['net.ipv4.ip_local_port_range'] == null) return null;
  const [lo, hi] = ephemeralRange(snap);
  return hi >= lo ? { lo, hi, size: hi - lo + 1 } : null;
}

interface Dest {
  key: string;
  local: string;
  peer: string;
  peerPort: number;
  total: number;
  timeWait: number;
  /** TIME_WAIT entries with a timewait timer, and those at least tcp_tw_reuse_delay old by it (twAged). */
  twTimed: number;
  twAged: number;
}

/**
 * TIME_WAIT lasts TCP_TIMEWAIT_LEN (60 s) and its timer counts down from there: 60 s less the time left is
 * how long an entry has been in TIME_WAIT at least (a retransmitted FIN restarts the timer, never the
 * reverse). tcp_tw_reuse takes an entry over only after tcp_tw_reuse_delay ms (1000 by default; the sysctl
 * is 6.13's, older kernels wait a fixed second: DEFAULT_REUSE_DELAY_MS where it is unknown).
 */
const TIME_WAIT_MS = 60_000;
const DEFAULT_REUSE_DELAY_MS = 1_000;

/** The snapshot's net.ipv4.tcp_tw_reuse_delay in ms; `known` false where absent (before 6.13) or unread. */
function reuseDelay(snap: Pick<Snapshot, 'sysctls'>): { ms: number; known: boolean } {
  const v = sysctlInt(snap.sysctls, 'net.ipv4.tcp_tw_reuse_delay');
  return v != null && v > 0 ? { ms: v, known: true } : { ms: DEFAULT_REUSE_DELAY_MS, known: false };
}

/** 1000 -> "1 s", 1500 -> "1.5 s", 500 -> "500 ms". */
function fmtDelay(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Outgoing TCP sockets grouped by (local address, destination address:port): each needs its own local port. */
function destinations(facts: Facts, delayMs: number): Map<string, Dest> {
  const out = new Map<string, Dest>();
  for (const g of facts.groups.values()) {
    if (g.direction !== 'out' || g.protocol !== 'tcp') continue;
    // Every socket of an outgoing group has the group's peer port: look the addresses up as they are
    // (strings whose hash is already known) instead of making a key string per socket (at 45,000
    // outgoing sockets that string was most of this rule's time); the key is made once per destination.
    const byLocal = new Map<string, Map<string, Dest>>();
    for (const s of g.sockets) {
      let byPeer = byLocal.get(s.local.address);
      if (!byPeer) byLocal.set(s.local.address, (byPeer = new Map()));
      let d = byPeer.get(s.peer.address);
      if (!d) {
        const key = `${s.local.address}|${s.peer.address}|${g.port}`;
        d = { key, local: s.local.address, peer: s.peer.address, peerPort: g.port, total: 0, timeWait: 0, twTimed: 0, twAged: 0 };
        byPeer.set(s.peer.address, d);
        out.set(key, d);
      }
      d.total++;
      if (s.state === 'TIME_WAIT') {
        d.timeWait++;
        if (s.timer?.name === 'timewait') {
          d.twTimed++;
          if (s.timer.expiresMs <= TIME_WAIT_MS - delayMs) d.twAged++;
        }
      }
    }
  }
  return out;
}

/**
 * By the facts they are made from (one per snapshot, or per snapshot and --port: factsFor), with `snap`'s
 * tcp_tw_reuse_delay for the age of their TIME_WAIT entries (`facts` are `snap`'s, so the delay is the same
 * on every call with them).
 */
const destCache = new WeakMap<Facts, Map<string, Dest>>();
function destinationsOf(snap: Pick<Snapshot, 'sysctls'>, facts: Facts): Map<string, Dest> {
  let d = destCache.get(facts);
  if (!d) destCache.set(facts, (d = destinations(facts, reuseDelay(snap).ms)));
  return d;
}

/**
 * sockstat's TCP tw, worded for what it counts: every timewait minisocket, TIME_WAIT and the orphaned
 * FIN_WAIT2 sockets the kernel keeps the same way (measured: 15 FIN_WAIT2 orphans, 0 TIME_WAIT, tw 15).
 * It is the number tcp_max_tw_buckets limits.
 */
function hostTimewait(snap: Snapshot): string {
  const tw = counter(snap.counters.sockstat, 'TCP', 'tw');
  return `host timewait entries ${tw ?? 'unknown'} (sockstat TCP tw: TIME_WAIT and orphaned FIN_WAIT2) of net.ipv4.tcp_max_tw_buckets ${snap.sysctls['net.ipv4.tcp_max_tw_buckets'] ?? 'unknown'}`;
}

const timeWaitServer: Rule = {
  id: 'time-wait-server',
  severities: ['info'],
  scope: 'port',
  topic: 'time-wait',
  summary:
    'Many TIME_WAIT sockets (at least timeWaitServerInfo) on a port this host listens on: the server closes first. This is normal and harmless on a server (no local port is consumed); informational only.',
  thresholds: ['timeWaitServerInfo'],
  evaluate(ctx) {
    const out: Recommendation[] = [];
    const min = th(ctx, 'timeWaitServerInfo');
    for (const g of factsFor(ctx).groups.values()) {
      if (g.direction !== 'in' || g.protocol !== 'tcp') continue;
      const n = g.states.TIME_WAIT;
      if (n < min || n === 0) continue;
      out.push({
        id: this.id,
        severity: 'info',
        scope: 'port',
        protocol: 'tcp',
        port: g.port,
        message: `TIME_WAIT count is normal for a server: ${n} on ${groupLabel(g)}, where this host closes first`,
        evidence: `TIME_WAIT ${n} on ${factsOf(ctx.snapshot).listening.has(`tcp:${g.port}`) ? 'a listening port' : 'a port this host served (no listener now)'}; ${hostTimewait(ctx.snapshot)}`,
        fix: 'Nothing required: each lasts 60 s and uses no port. To have fewer, let clients close first (HTTP keep-alive, client-side close). Never use tcp_tw_recycle (removed in Linux 4.12; it broke clients behind NAT).',
      });
    }
    return out;
  },
};

/**
 * Whether connect() may take over a TIME_WAIT entry to this destination (tcp_twsk_unique, net/ipv4/tcp_ipv4.c):
 * tcp_tw_reuse 1 for any destination, 2 (the default) only when the destination or local address is
 * loopback (`covers`); then only an entry whose connection used TCP timestamps (tw_ts_recent_stamp set: this
 * host's SYN offers them only with net.ipv4.tcp_timestamps 1 or 2, and the peer must answer with them) older
 * than tcp_tw_reuse_delay. `possible`: covered, and tcp_timestamps not 0 here. (Entries left by connections
 * made before tcp_timestamps was set to 0, under 60 s ago, still carry timestamps: the snapshot cannot tell
 * them apart.) Measured (6.18, ip_local_port_range of 50 ports all in TIME_WAIT to 127.0.0.1, tcp_tw_reuse 2):
 * connect() EADDRNOTAVAIL right after the burst, ok 1.2 s later; with tcp_timestamps 0 during the burst or
 * tcp_tw_reuse 0 still EADDRNOTAVAIL 1.5 s later; tcp_tw_reuse_delay 3000: EADDRNOTAVAIL 1.5 s later, ok 3.3 s
 * later; to 10.9.9.1 (a veth) EADDRNOTAVAIL with 2, ok with 1.
 */
interface Takeover {
  /** net.ipv4.tcp_tw_reuse and net.ipv4.tcp_timestamps (null: unknown). */
  reuse: number | null;
  ts: number | null;
  loopback: boolean;
  covers: boolean;
  possible: boolean;
  /** tcp_tw_reuse_delay as said ("1 s"), and " (net.ipv4.tcp_tw_reuse_delay=N)" where it was read. */
  age: string;
  delayNote: string;
  delay: { ms: number; known: boolean };
}

function takeover(snap: Snapshot, d: Dest): Takeover {
  const reuse = sysctlInt(snap.sysctls, 'net.ipv4.tcp_tw_reuse');
  const ts = sysctlInt(snap.sysctls, 'net.ipv4.tcp_timestamps');
  const loopback = isLoopback(d.peer) || isLoopback(d.local);
  const covers = reuse === 1 || (reuse === 2 && loopback);
  const delay = reuseDelay(snap);
  return { reuse, ts, loopback, covers, possible: covers && ts !== 0, age: fmtDelay(delay.ms), delayNote: delay.known ? ` (net.ipv4.tcp_tw_reuse_delay=${delay.ms})` : '', delay };
}

/** Sockets to the destination connect() cannot take over: all of them, less the TIME_WAIT ones where it can. */
function heldPorts(snap: Snapshot, d: Dest): number {
  return d.total - (takeover(snap, d).possible ? d.timeWait : 0);
}

function twReuseAdvice(t: Takeover, on: string): string {
  const v = t.reuse;
  if (t.covers && !t.possible) {
    return (
      `net.ipv4.tcp_tw_reuse=${v} covers these TIME_WAIT ports${v === 2 ? ' (loopback)' : ''} but takes one over only if its connection used TCP timestamps, and net.ipv4.tcp_timestamps is 0 here: ` +
      `${on}sysctl -w net.ipv4.tcp_timestamps=1 (connections made from then on carry them; an entry is taken over once ${t.age} old${t.delayNote})`
    );
  }
  if (t.covers) {
    // One snapshot measures no connection rate: the limit is said as a condition, not as a rate seen.
    return (
      `net.ipv4.tcp_tw_reuse=${v} already lets connect() reuse these TIME_WAIT ports${v === 2 ? ' (loopback)' : ''}, but only once an entry is ${t.age} old ${t.delay.known ? `(net.ipv4.tcp_tw_reuse_delay=${t.delay.ms})` : '(net.ipv4.tcp_tw_reuse_delay since 6.13)'} and the connection used TCP timestamps ` +
      `(net.ipv4.tcp_timestamps=1 on both sides): more new connections within ${t.age} than there are free ports still get EADDRNOTAVAIL, so open fewer`
    );
  }
  return `let outgoing connections reuse TIME_WAIT ports: ${on}sysctl -w net.ipv4.tcp_tw_reuse=1${v === 2 ? ' (now 2: loopback destinations only)' : v === 0 ? ' (now 0: never)' : ''}`;
}

/** What the snapshot knows of the connections' timestamps, where tcp_tw_reuse covers them and tcp_timestamps is not 0. */
function timestampsClause(t: Takeover): string {
  if (t.ts == null) return 'if its connection used TCP timestamps (net.ipv4.tcp_timestamps, on by default)';
  // Both ends of a loopback connection are this host's, with this tcp_timestamps; a remote peer may refuse them.
  return t.loopback ? `and its connection used TCP timestamps, as loopback ones do here (net.ipv4.tcp_timestamps=${t.ts})` : `if its connection used TCP timestamps (net.ipv4.tcp_timestamps=${t.ts} here; the peer must use them too)`;
}

/**
 * The message when every port of the range holds a socket to the destination: connect() fails now, unless
 * tcp_tw_reuse lets it take over one of the TIME_WAIT entries (then it fails now only where tcp_timestamps is
 * 0 or their timers show every one younger than tcp_tw_reuse_delay). `fails` says which.
 */
function fullMessage(t: Takeover, d: Dest, size: number): { text: string; fails: boolean } {
  const dest = fmtEndpoint({ address: d.peer, port: d.peerPort });
  const head = `${d.total} connections from ${d.local} to ${dest} (${d.timeWait} in TIME_WAIT) hold all ${size} local ports: connect() to ${dest}`;
  const v = t.reuse;
  if (!t.covers || d.timeWait === 0) return { text: `Ephemeral ports exhausted: ${head} fails now with EADDRNOTAVAIL`, fails: true };
  if (!t.possible) {
    return { text: `Ephemeral ports exhausted: ${head} fails now with EADDRNOTAVAIL: net.ipv4.tcp_tw_reuse=${v} takes over a TIME_WAIT entry only if its connection used TCP timestamps, and net.ipv4.tcp_timestamps is 0 here`, fails: true };
  }
  if (d.twTimed === d.timeWait && d.twAged === 0) {
    return { text: `Ephemeral ports exhausted: ${head} fails now with EADDRNOTAVAIL: net.ipv4.tcp_tw_reuse=${v} takes over a TIME_WAIT entry only once it is ${t.age} old${t.delayNote}, and their timers show every one younger`, fails: true };
  }
  return {
    text:
      `Ephemeral ports all in use: ${head} gets one only by taking over a TIME_WAIT entry, as net.ipv4.tcp_tw_reuse=${v} does${v === 2 ? ' for loopback' : ''} once an entry is ${t.age} old${t.delayNote} ${timestampsClause(t)}: ` +
      (d.twTimed === d.timeWait ? `${d.twAged} of the ${d.timeWait} are at least ${t.age} old by their timers` : 'this source shows no timers to tell their age'),
    fails: false,
  };
}

const timeWaitPortExhaustion: Rule = {
  id: 'time-wait-port-exhaustion',
  severities: ['warning', 'critical'],
  scope: 'port',
  topic: 'time-wait',
  summary:
    'Outgoing connections from one local address to one destination (address:port) use at least portExhaustionRatio of the ephemeral port range (ip_local_port_range), mostly in TIME_WAIT: connect() will fail with EADDRNOTAVAIL. Critical at portExhaustionCritical of ports connect() cannot take over (TIME_WAIT ones count only where net.ipv4.tcp_tw_reuse does not cover the destination, 1 any, 2 loopback, or net.ipv4.tcp_timestamps is 0); when they hold every port of the range it says connect() to that destination fails now (critical), unless tcp_tw_reuse lets it take over a TIME_WAIT entry (older than net.ipv4.tcp_tw_reuse_delay, 1 s before 6.13, whose connection used TCP timestamps: never with tcp_timestamps 0): then a warning, critical only where their timers show every entry younger.',
  thresholds: ['portExhaustionRatio', 'portExhaustionCritical', 'persistSamples'],
  evaluate(ctx) {
    const range = knownPortRange(ctx.snapshot);
    if (!range) return [];
    const warn = th(ctx, 'portExhaustionRatio');
    const crit = th(ctx, 'portExhaustionCritical');
    const out: Recommendation[] = [];
    for (const d of destinationsOf(ctx.snapshot, factsFor(ctx)).values()) {
      if (d.total < warn * range.size) continue;
      if (!persists(ctx, (s) => (destinationsOf(s, factsFor(ctx, s)).get(d.key)?.total ?? 0) >= warn * range.size)) continue;
      // Critical on the ports connect() cannot take over (TIME_WAIT ones count where tcp_tw_reuse does not apply).
      const critical = persists(ctx, (s) => {
        const x = destinationsOf(s, factsFor(ctx, s)).get(d.key);
        return x !== undefined && heldPorts(s, x) >= crit * range.size;
      });
      const tw = ctx.snapshot.sysctls['net.ipv4.tcp_tw_reuse'];
      const t = takeover(ctx.snapshot, d);
      const reuse = twReuseAdvice(t, onHost(ctx));
      // Every local port already holds a socket to this destination: not a risk; connect() fails now, or gets
      // a port only by taking over a TIME_WAIT entry (fullMessage).
      const full = d.total >= range.size ? fullMessage(t, d, range.size) : null;
      const dest = fmtEndpoint({ address: d.peer, port: d.peerPort });
      out.push({
        id: this.id,
        severity: critical || full?.fails ? 'critical' : 'warning',
        scope: 'port',
        protocol: 'tcp',
        peerPort: d.peerPort,
        ...pastThreshold(d.total / range.size, critical || full?.fails ? crit : warn),
        message: full
          ? full.text
          : `Ephemeral port exhaustion risk: ${d.total} connections from ${d.local} to ${dest} (${d.timeWait} in TIME_WAIT) use ${fmtPct(d.total / range.size)} of the ${range.size} local ports`,
        evidence: `${d.total} sockets to ${fmtEndpoint({ address: d.peer, port: d.peerPort })}, ${d.timeWait} TIME_WAIT; net.ipv4.ip_local_port_range ${range.lo} ${range.hi} (${range.size} ports); net.ipv4.tcp_tw_reuse ${tw ?? 'unknown'}` +
          (t.covers && d.timeWait > 0 ? `; net.ipv4.tcp_timestamps ${t.ts ?? 'unknown'}; net.ipv4.tcp_tw_reuse_delay ${t.delay.known ? t.delay.ms : 'unknown (1 s before 6.13)'}` : '') +
          (t.possible && d.timeWait > 0 ? (d.twTimed === d.timeWait ? `; TIME_WAIT at least ${t.age} old by their timers (60 s less the time left): ${d.twAged} of ${d.timeWait}` : '; TIME_WAIT age unknown (no timers with this source)') : '') +
          `; warning at ${fmtPct(warn)}`,
        fix:
          'Reuse connections instead of opening one per request (HTTP keep-alive, a connection pool); ' +
          `${reuse}; widen the range: ${onHost(ctx)}sysctl -w net.ipv4.ip_local_port_range="1024 65535"; spread over more destination or source addresses. ` +
          `Never tcp_tw_recycle (removed in Linux 4.12). ${confirmOn(ctx)}ss -tanH state time-wait '( dport = :${d.peerPort} )' | wc -l (${NO_HEADER})`,
      });
    }
    return out;
  },
};

/** What a Confirm command piped to wc -l says of ss's -H. */
const NO_HEADER = '-H: no header line, iproute2 4.7 and later; older ss print one, so subtract 1';

/**
 * The kernel's count of timewait entries it did not keep because tcp_max_tw_buckets was reached
 * (LINUX_MIB_TCPTIMEWAITOVERFLOW, TcpExt TCPTimeWaitOverflow): it logs nothing (measured, 6.18: the counter
 * 0 -> 10, no dmesg line). `rise`: its increase over the window, null with fewer than two samples.
 */
function twOverflow(ctx: RuleContext): { total: number | null; rise: number | null; seconds: number } {
  const total = counter(ctx.snapshot.counters.netstat, 'TcpExt', 'TCPTimeWaitOverflow');
  const r = counterRise(windowOf(ctx), 'netstat', 'TcpExt', ['TCPTimeWaitOverflow']);
  return { total, rise: r ? r.delta : null, seconds: r ? r.seconds : 0 };
}

const timeWaitBuckets = usageRule({
  id: 'time-wait-buckets-near-limit',
  topic: 'time-wait',
  summary:
    'Timewait entries (sockstat TCP.tw: TIME_WAIT sockets and orphaned FIN_WAIT2 ones) reach twBucketsRatio of net.ipv4.tcp_max_tw_buckets: beyond it the kernel destroys TIME_WAIT sockets early (counted in TcpExt TCPTimeWaitOverflow, not logged), so late segments can corrupt new connections; the message says so when that counter rose in the window.',
  warn: 'twBucketsRatio',
  value: (s) => counter(s.counters.sockstat, 'TCP', 'tw'),
  limit: (s) => sysctlInt(s.sysctls, 'net.ipv4.tcp_max_tw_buckets'),
  describe: (ctx, tw, max, r) => {
    const o = twOverflow(ctx);
    const now = o.rise != null && o.rise > 0;
    const what = now
      ? `the kernel is destroying them early now (TcpExt TCPTimeWaitOverflow +${o.rise} in ${fmtSeconds(o.seconds)})`
      : o.total != null && o.total > 0
        ? `the kernel has already destroyed ${o.total} early (TcpExt TCPTimeWaitOverflow, since the namespace or host started)${o.rise === 0 ? ', none in this window' : ''}`
        : 'the kernel will start destroying them early';
    return {
      message: `${tw} timewait entries (TIME_WAIT and orphaned FIN_WAIT2 sockets), ${fmtPct(tw / max)} of net.ipv4.tcp_max_tw_buckets (${max}): ${what}`,
      evidence:
        `sockstat TCP.tw ${tw} (TIME_WAIT and orphaned FIN_WAIT2); net.ipv4.tcp_max_tw_buckets ${max}; warning at ${fmtPct(r)}; ` +
        `TcpExt TCPTimeWaitOverflow ${o.total ?? 'unknown'}${o.rise != null ? ` (+${o.rise} in ${fmtSeconds(o.seconds)})` : ''}`,
      fix: `Reduce connection churn (keep-alive, pooling, let clients close first); if the load is legitimate: ${onHost(ctx)}sysctl -w net.ipv4.tcp_max_tw_buckets=${max * 2}. ${confirmOn(ctx)}cat /proc/net/sockstat (TCP tw) and nstat -az TcpExtTCPTimeWaitOverflow (entries destroyed at the limit: should stop rising; the kernel counts them, it logs nothing)`,
    };
  },
});

export const timeWaitRules: readonly Rule[] = [timeWaitServer, timeWaitPortExhaustion, timeWaitBuckets];

/**
 * A port with TIME_WAIT sockets and no listener (a server that closed first, then stopped): a server
 * started on it again within their 60 s gets EADDRINUSE from bind() unless both the server that left them
 * and the new one set SO_REUSEADDR. Each TIME_WAIT entry keeps the sk_reuse of the socket it came from
 * and inet_bind_conflict wants reuse on both (measured, 6.18: old without, new with: EADDRINUSE; both
 * with: bind ok; as collect/try-call-context.ts says). Which one the old server set no tool shows, so the
 * note points at `sockscope try bind`, which tries it.
 */
function restartNote(ctx: RuleContext): { evidence: string; fix: string } | null {
  const port = ctx.port;
  if (port === undefined) return null;
  if (factsOf(ctx.snapshot).listening.has(`tcp:${port}`)) return null;
  const tw = ctx.snapshot.sockets.filter((s) => s.protocol === 'tcp' && s.state === 'TIME_WAIT' && s.local.port === port);
  if (tw.length === 0) return null;
  const a = tw.find((s) => !isWildcard(s.local.address))?.local.address ?? tw[0].local.address;
  const at = fmtEndpoint({ address: a, port });
  return {
    evidence: `no TCP listener on port ${port}, ${tw.length} TIME_WAIT with local address ${at}${tw.some((s) => s.local.address !== a) ? ' and others' : ''}: a server started on it gets EADDRINUSE from bind() until they expire (60 s) unless both the server that left them and the new one set SO_REUSEADDR`,
    fix: `Set SO_REUSEADDR before bind() in the server so the next restart gets through (C setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); Python sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); Node sets it already); it does not get past entries left by a server that did not set it. Check: ${onHost(ctx)}sockscope try bind ${at} (tells whether SO_REUSEADDR gets through now)`,
  };
}

/**
 * What the time-wait health check says (time-wait-unsettled) instead of "normal" when its evidence is at a
 * warning level that did not hold for persistSamples samples (so no finding): the host's timewait entries
 * against tcp_max_tw_buckets, or connections to one destination in the context against the ephemeral range.
 */
function levelNotHeld(ctx: RuleContext, range: { size: number } | null): string | null {
  const held = notYetHeld(ctx);
  const tw = counter(ctx.snapshot.counters.sockstat, 'TCP', 'tw');
  const max = sysctlInt(ctx.snapshot.sysctls, 'net.ipv4.tcp_max_tw_buckets');
  const r = th(ctx, 'twBucketsRatio');
  if (tw != null && max != null && max > 0 && tw >= r * max) return `Timewait entries at ${fmtPct(tw / max)} of net.ipv4.tcp_max_tw_buckets (warning at ${fmtPct(r)}), ${held}`;
  if (!range || (ctx.port !== undefined && ctx.peerPort === undefined)) return null;
  const warn = th(ctx, 'portExhaustionRatio');
  for (const d of destinationsOf(ctx.snapshot, factsFor(ctx)).values()) {
    if ((ctx.peerPort !== undefined && d.peerPort !== ctx.peerPort) || d.total < warn * range.size) continue;
    return `Connections from ${d.local} to ${fmtEndpoint({ address: d.peer, port: d.peerPort })} use ${fmtPct(d.total / range.size)} of the ephemeral ports (warning at ${fmtPct(warn)}), ${held}`;
  }
  return null;
}

export const timeWaitHealth: HealthCheck = {
  id: 'time-wait-ok',
  otherIds: ['time-wait-unsettled'],
  topic: 'time-wait',
  describe(ctx: RuleContext) {
    const n = countInContext(ctx, 'TIME_WAIT');
    const range = knownPortRange(ctx.snapshot);
    const evidence = `${n} TIME_WAIT sockets on ${contextLabel(ctx)}; ${hostTimewait(ctx.snapshot)}${range ? `; ephemeral ports ${range.lo}-${range.hi} (${range.size})` : ''}`;
    const level = levelNotHeld(ctx, range);
    if (level) return { id: 'time-wait-unsettled', message: level, evidence, fix: `Watch it: time-wait-buckets-near-limit and time-wait-port-exhaustion report it once it holds. ${confirmOn(ctx)}ss -s (timewait) and ss -tanH state time-wait | wc -l (${NO_HEADER})` };
    const restart = restartNote(ctx);
    // The message stays the contract's one line (analyze-states prints it alone); the restart note is evidence and fix.
    if (restart) return { message: 'TIME_WAIT count is normal', evidence: `${evidence}; ${restart.evidence}`, fix: restart.fix };
    return { message: 'TIME_WAIT count is normal', evidence };
  },
};
