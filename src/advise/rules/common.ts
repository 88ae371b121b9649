// Small pieces the rule files share: per-group series over the window, and port-restricted socket counts.
import type { Snapshot } from '../../model/snapshot.js';
import type { Rule } from '../rule.js';
import { persists } from '../series.js';
import { th } from '../thresholds.js';
import type { Socket, SocketState } from '../../model/socket.js';
import { factsFor, type ConnGroup } from '../facts.js';
import { pastThreshold, type Recommendation, type RuleContext } from '../types.js';

/** Value of `f(group)` for the group with `key` in each snapshot (0 when the group is absent), grouped for `ctx` (factsFor). */
export function groupSeries(ctx: RuleContext, snaps: readonly Snapshot[], key: string, f: (g: ConnGroup) => number): { time: number; value: number }[] {
  return snaps.map((s) => {
    const g = factsFor(ctx, s).groups.get(key);
    return { time: s.time, value: g ? f(g) : 0 };
  });
}

/** The sockets a context is about: local port ctx.port and/or peer port ctx.peerPort, else all TCP/UDP. */
function socketsInContext(ctx: RuleContext): Socket[] {
  return ctx.snapshot.sockets.filter(
    (s) =>
      s.protocol !== 'unix' &&
      ((ctx.port === undefined && ctx.peerPort === undefined) ||
        (ctx.port !== undefined && s.local.port === ctx.port) ||
        (ctx.peerPort !== undefined && s.peer.port === ctx.peerPort)),
  );
}

/** "TCP port 8080", "outgoing connections to port 5432", or "this host". */
export function contextLabel(ctx: RuleContext): string {
  const parts: string[] = [];
  if (ctx.port !== undefined) parts.push(`port ${ctx.port}`);
  if (ctx.peerPort !== undefined) parts.push(`connections to port ${ctx.peerPort}`);
  return parts.length ? parts.join(' and ') : 'this host';
}

/**
 * The groups a context is about, the ones its rules judge: the incoming group of ctx.port, the outgoing
 * group to ctx.peerPort, else every TCP group of the host.
 */
export function groupsInContext(ctx: RuleContext): ConnGroup[] {
  const out: ConnGroup[] = [];
  for (const g of factsFor(ctx).groups.values()) {
    if (g.protocol !== 'tcp') continue;
    if (ctx.port === undefined && ctx.peerPort === undefined) out.push(g);
    else if ((g.direction === 'in' && g.port === ctx.port) || (g.direction === 'out' && g.port === ctx.peerPort)) out.push(g);
  }
  return out;
}

/** Count of sockets in `state` within the context. */
export function countInContext(ctx: RuleContext, state: SocketState): number {
  let n = 0;
  for (const s of socketsInContext(ctx)) if (s.protocol === 'tcp' && s.state === state) n++;
  return n;
}

/** The ss filter that shows a group's sockets, for "confirm with" commands. */
export function ssFilter(g: Pick<ConnGroup, 'direction' | 'port'>): string {
  return g.direction === 'in' ? `'( sport = :${g.port} )'` : `'( dport = :${g.port} )'`;
}

/** A host-wide "usage near its kernel limit" rule (orphans, conntrack, TIME_WAIT buckets). */
export interface UsageSpec {
  id: string;
  topic: string;
  summary: string;
  /** Threshold names: the warning ratio and, optionally, the critical one. */
  warn: string;
  critical?: string;
  /** The value and its limit in a snapshot (null when unknown). */
  value(s: Snapshot): number | null;
  limit(s: Snapshot): number | null;
  describe(ctx: RuleContext, n: number, max: number, warnRatio: number): Pick<Recommendation, 'message' | 'evidence' | 'fix'>;
}

/** Builds a rule that fires when value/limit stays at or above the warning ratio for persistSamples samples. */
export function usageRule(spec: UsageSpec): Rule {
  return {
    id: spec.id,
    severities: spec.critical ? ['warning', 'critical'] : ['warning'],
    scope: 'host',
    topic: spec.topic,
    summary: spec.summary,
    thresholds: [spec.warn, ...(spec.critical ? [spec.critical] : []), 'persistSamples'],
    evaluate(ctx) {
      const max = spec.limit(ctx.snapshot);
      const n = spec.value(ctx.snapshot);
      if (max == null || max <= 0 || n == null) return [];
      const warn = th(ctx, spec.warn);
      if (!persists(ctx, (s) => (spec.value(s) ?? 0) >= warn * max)) return [];
      const critical = spec.critical !== undefined && n / max >= th(ctx, spec.critical);
      const at = critical ? th(ctx, spec.critical!) : warn;
      return [{ id: spec.id, severity: critical ? 'critical' : 'warning', scope: 'host', ...pastThreshold(n / max, at), ...spec.describe(ctx, n, max, warn) }];
    },
  };
}

/**
 * Said before a shell command a rule's text suggests (ss, nstat, sysctl, nft, or a sockscope command without
 * --host): '' on this machine, 'on the host: ' on a remote snapshot (a --host's), where it must run there, not
 * on the machine that read it over ssh. One wording everywhere; "Confirm: ss ..." is `${confirmOn(ctx)}ss ...`.
 */
export function onHost(ctx: RuleContext): string {
  return ctx.snapshot.source === 'remote' ? 'on the host: ' : '';
}

/** "Confirm: " on this machine, "Confirm on the host: " on a remote snapshot (onHost). */
export function confirmOn(ctx: RuleContext): string {
  return ctx.snapshot.source === 'remote' ? 'Confirm on the host: ' : 'Confirm: ';
}

/** The flags that make a suggested sockscope command read where this snapshot was read (RuleContext.repeat). */
export function again(ctx: RuleContext): string {
  return ctx.repeat ?? '';
}

/**
 * `sockscope debug-connections --address DEST (WHAT)` as a text suggests it: it has no --host and probes from the
 * machine it runs on, so for a remote snapshot it is to be run on the host, and said so.
 */
export function debugConnections(ctx: RuleContext, dest: string, what?: string): string {
  if (ctx.snapshot.source !== 'remote') return `sockscope debug-connections --address ${dest}${what ? ` (${what})` : ''}`;
  return `on the host: sockscope debug-connections --address ${dest} (${what ? `${what}, ` : ''}from where it runs: it has no --host)`;
}
