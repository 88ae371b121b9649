// TIME_WAIT: normal on a server; port exhaustion for many outgoing connections to one destination; tw buckets.
import { counter, sysctlInt, sysctlInts, type Snapshot } from '../../model/snapshot.js';
import { factsOf, groupLabel } from '../facts.js';
import { fmtPct } from '../format.js';
import type { HealthCheck, Rule } from '../rule.js';
import { persists } from '../series.js';
import { th } from '../thresholds.js';
import type { Recommendation, RuleContext } from '../types.js';
import { contextLabel, countInContext, usageRule } from './common.js';

/** Size of the ephemeral port range (ip_local_port_range), null when unknown. */
export function ephemeralRange(snap: Snapshot): { lo: number; hi: number; size: number } | null {
  const r = sysctlInts(snap.sysctls, 'net.ipv4.ip_local_port_range');
  if (!r || r.length < 2 || r[1] < r[0]) return null;
  return { lo: r[0], hi: r[1], size: r[1] - r[0] + 1 };
}

interface Dest {
  key: string;
  local: string;
  peer: string;
  peerPort: number;
  total: number;
  timeWait: number;
}

/** Outgoing TCP sockets grouped by (local address, destination address:port): each needs its own local port. */
function destinations(snap: Snapshot): Map<string, Dest> {
  const out = new Map<string, Dest>();
  for (const g of factsOf(snap).groups.values()) {
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
        d = { key, local: s.local.address, peer: s.peer.address, peerPort: g.port, total: 0, timeWait: 0 };
        byPeer.set(s.peer.address, d);
        out.set(key, d);
      }
      d.total++;
      if (s.state === 'TIME_WAIT') d.timeWait++;
    }
  }
  return out;
}

const destCache = new WeakMap<Snapshot, Map<string, Dest>>();
function destinationsOf(snap: Snapshot): Map<string, Dest> {
  let d = destCache.get(snap);
  if (!d) destCache.set(snap, (d = destinations(snap)));
  return d;
}

function hostPort(a: string, p: number): string {
  return a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`;
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
    for (const g of factsOf(ctx.snapshot).groups.values()) {
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
        evidence: `TIME_WAIT ${n} on a listening port; host total ${counter(ctx.snapshot.counters.sockstat, 'TCP', 'tw') ?? 'unknown'} of net.ipv4.tcp_max_tw_buckets ${ctx.snapshot.sysctls['net.ipv4.tcp_max_tw_buckets'] ?? 'unknown'}`,
        fix: 'Nothing required: each lasts 60 s and uses no port. To have fewer, let clients close first (HTTP keep-alive, client-side close). Never use tcp_tw_recycle (removed in Linux 4.12; it broke clients behind NAT).',
      });
    }
    return out;
  },
};

const timeWaitPortExhaustion: Rule = {
  id: 'time-wait-port-exhaustion',
  severities: ['warning', 'critical'],
  scope: 'port',
  topic: 'time-wait',
  summary:
    'Outgoing connections from one local address to one destination (address:port) use at least portExhaustionRatio of the ephemeral port range (ip_local_port_range), mostly in TIME_WAIT: connect() will fail with EADDRNOTAVAIL. Critical at portExhaustionCritical.',
  thresholds: ['portExhaustionRatio', 'portExhaustionCritical', 'persistSamples'],
  evaluate(ctx) {
    const range = ephemeralRange(ctx.snapshot);
    if (!range) return [];
    const warn = th(ctx, 'portExhaustionRatio');
    const crit = th(ctx, 'portExhaustionCritical');
    const out: Recommendation[] = [];
    for (const d of destinationsOf(ctx.snapshot).values()) {
      if (d.total < warn * range.size) continue;
      if (!persists(ctx, (s) => (destinationsOf(s).get(d.key)?.total ?? 0) >= warn * range.size)) continue;
      const critical = persists(ctx, (s) => (destinationsOf(s).get(d.key)?.total ?? 0) >= crit * range.size);
      const tw = ctx.snapshot.sysctls['net.ipv4.tcp_tw_reuse'];
      out.push({
        id: this.id,
        severity: critical ? 'critical' : 'warning',
        scope: 'port',
        protocol: 'tcp',
        peerPort: d.peerPort,
        message: `Ephemeral port exhaustion risk: ${d.total} connections from ${d.local} to ${hostPort(d.peer, d.peerPort)} (${d.timeWait} in TIME_WAIT) use ${fmtPct(d.total / range.size)} of the ${range.size} local ports`,
        evidence: `${d.total} sockets to ${hostPort(d.peer, d.peerPort)}, ${d.timeWait} TIME_WAIT; net.ipv4.ip_local_port_range ${range.lo} ${range.hi} (${range.size} ports); net.ipv4.tcp_tw_reuse ${tw ?? 'unknown'}; warning at ${fmtPct(warn)}`,
        fix:
          'Reuse connections instead of opening one per request (HTTP keep-alive, a connection pool); ' +
          `let outgoing connections reuse TIME_WAIT ports: sysctl -w net.ipv4.tcp_tw_reuse=1; widen the range: sysctl -w net.ipv4.ip_local_port_range="1024 65535"; spread over more destination or source addresses. ` +
          `Never tcp_tw_recycle (removed in Linux 4.12). Confirm: ss -tan state time-wait '( dport = :${d.peerPort} )' | wc -l`,
      });
    }
    return out;
  },
};

const timeWaitBuckets = usageRule({
  id: 'time-wait-buckets-near-limit',
  topic: 'time-wait',
  summary:
    'TIME_WAIT sockets (sockstat TCP.tw) reach twBucketsRatio of net.ipv4.tcp_max_tw_buckets: beyond it the kernel destroys TIME_WAIT sockets early ("time wait bucket table overflow"), so late segments can corrupt new connections.',
  warn: 'twBucketsRatio',
  value: (s) => counter(s.counters.sockstat, 'TCP', 'tw'),
  limit: (s) => sysctlInt(s.sysctls, 'net.ipv4.tcp_max_tw_buckets'),
  describe: (_ctx, tw, max, r) => ({
    message: `${tw} TIME_WAIT sockets, ${fmtPct(tw / max)} of net.ipv4.tcp_max_tw_buckets (${max}): the kernel will start destroying them early`,
    evidence: `sockstat TCP.tw ${tw}; net.ipv4.tcp_max_tw_buckets ${max}; warning at ${fmtPct(r)}`,
    fix: `Reduce connection churn (keep-alive, pooling, let clients close first); if the load is legitimate: sysctl -w net.ipv4.tcp_max_tw_buckets=${max * 2}. Confirm: cat /proc/net/sockstat (TCP tw) and dmesg | grep 'time wait bucket'`,
  }),
});

export const timeWaitRules: readonly Rule[] = [timeWaitServer, timeWaitPortExhaustion, timeWaitBuckets];

export const timeWaitHealth: HealthCheck = {
  id: 'time-wait-ok',
  topic: 'time-wait',
  describe(ctx: RuleContext) {
    const n = countInContext(ctx, 'TIME_WAIT');
    const range = ephemeralRange(ctx.snapshot);
    return {
      message: 'TIME_WAIT count is normal',
      evidence: `${n} TIME_WAIT sockets on ${contextLabel(ctx)}; host total ${counter(ctx.snapshot.counters.sockstat, 'TCP', 'tw') ?? 'unknown'} of net.ipv4.tcp_max_tw_buckets ${ctx.snapshot.sysctls['net.ipv4.tcp_max_tw_buckets'] ?? 'unknown'}${range ? `; ephemeral ports ${range.lo}-${range.hi} (${range.size})` : ''}`,
    };
  },
};
