// Evaluates every rule on a snapshot and its history: the one entry point for analyze, monitor, --json and the exporter.
import { factsFor } from './facts.js';
import type { HealthCheck, Rule } from './rule.js';
import { ALL_RULES, HEALTH_CHECKS } from './rules/index.js';
import { DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds.js';
import { EXCESS, SEVERITY_ORDER, type Recommendation, type RuleContext } from './types.js';
import type { Snapshot } from '../model/snapshot.js';

export { DEFAULT_THRESHOLDS, resolveThresholds };

/** Builds a context with thresholds resolved (defaults overlaid with config `thresholds`). */
export function makeContext(opts: {
  snapshot: Snapshot;
  history?: readonly Snapshot[];
  thresholds?: Record<string, number>;
  port?: number;
  peerPort?: number;
  repeat?: string;
}): RuleContext {
  const history = opts.history && opts.history.length > 0 ? opts.history : [opts.snapshot];
  return { snapshot: opts.snapshot, history, thresholds: resolveThresholds(opts.thresholds), port: opts.port, peerPort: opts.peerPort, repeat: opts.repeat };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** How far past its threshold `r` is (pastThreshold), 1 (at it) when its rule gives no measure. */
export function excessOf(r: Recommendation): number {
  return r[EXCESS] ?? 1;
}

/**
 * Worst first: by severity, then within one severity by how far past its threshold each finding is
 * (1,000 CLOSE_WAIT at a critical threshold of 100 before an accept queue of 5 over a backlog of 4), then a
 * stable tie-break by id, port and message (code-unit order, not the locale's), so the same sockets give
 * the same order from every source and in every printer.
 */
export function compareRecommendations(a: Recommendation, b: Recommendation): number {
  return (
    SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] ||
    excessOf(b) - excessOf(a) ||
    cmp(a.id, b.id) ||
    (a.port ?? a.peerPort ?? -1) - (b.port ?? b.peerPort ?? -1) ||
    cmp(a.message, b.message)
  );
}

/** True when a recommendation concerns the port(s) the context is restricted to (host-wide ones always do). */
export function inScope(rec: Recommendation, ctx: RuleContext): boolean {
  if (ctx.port === undefined && ctx.peerPort === undefined) return true;
  if (rec.scope === 'host') {
    if (rec.pid === undefined) return true;
    // A per-process host finding matters for the port when that process holds a socket there.
    return ctx.snapshot.sockets.some(
      (s) =>
        s.processes.some((p) => p.pid === rec.pid) &&
        ((ctx.port !== undefined && s.local.port === ctx.port) || (ctx.peerPort !== undefined && s.peer.port === ctx.peerPort)),
    );
  }
  return (ctx.port !== undefined && rec.port === ctx.port) || (ctx.peerPort !== undefined && rec.peerPort === ctx.peerPort);
}

/**
 * Every finding of every rule, sorted worst first. Port- and socket-scoped findings are kept only for
 * ctx.port / ctx.peerPort when either is given. Thresholds missing from ctx.thresholds take their defaults.
 * A rule that throws yields a `rule-error` info line instead of breaking the caller.
 */
export function evaluateRules(ctx: RuleContext, rules: readonly Rule[] = ALL_RULES): Recommendation[] {
  const out: Recommendation[] = [];
  factsFor(ctx);
  for (const rule of rules) {
    let recs: Recommendation[];
    try {
      recs = rule.evaluate(ctx);
    } catch (e) {
      recs = [
        {
          id: 'rule-error',
          severity: 'info',
          scope: 'host',
          message: `rule ${rule.id} could not be evaluated`,
          evidence: String((e as Error)?.message ?? e),
          fix: 'report this as a sockscope bug (SOCKET_DEBUG=true shows the snapshot source)',
        },
      ];
    }
    for (const r of recs) if (inScope(r, ctx)) out.push(r);
  }
  return out.sort(compareRecommendations);
}

/**
 * The health lines (severity info) for each topic without a finding, about ctx.port / ctx.peerPort when
 * given, else the host: "normal" (ids ending in -ok), or a state that is not normal without a finding under
 * the check's other id (accept-queue-unknown, close-wait-unsettled ...). Pass the findings if already computed.
 */
export function healthyMessages(ctx: RuleContext, recs: readonly Recommendation[] = evaluateRules(ctx), checks: readonly HealthCheck[] = HEALTH_CHECKS): Recommendation[] {
  const rulesByTopic = new Map<string, string>();
  for (const r of ALL_RULES) rulesByTopic.set(r.id, r.topic);
  const flagged = new Set(recs.map((r) => rulesByTopic.get(r.id) ?? r.id));
  const out: Recommendation[] = [];
  for (const c of checks) {
    if (flagged.has(c.topic)) continue;
    const d = c.describe(ctx);
    if (!d) continue;
    const scoped = ctx.port !== undefined || ctx.peerPort !== undefined;
    out.push({
      id: d.id ?? c.id,
      severity: 'info',
      scope: scoped ? 'port' : 'host',
      ...(ctx.port !== undefined ? { port: ctx.port } : {}),
      ...(ctx.peerPort !== undefined ? { peerPort: ctx.peerPort } : {}),
      message: d.message,
      evidence: d.evidence,
      fix: d.fix ?? 'nothing to change',
    });
  }
  return out;
}

/**
 * The advice of a whole-snapshot view (the monitor, the plain table, `sockscope --json`): every finding,
 * plus for each TCP listener port whose backlog the source cannot see (procfs, netstat) and that has
 * connections waiting, the accept-queue health line (`accept-queue-unknown`, info, on that port) when no
 * accept-queue finding is about it. analyze says this in its health lines; without it such a port was
 * marked normal ('.') with "Recommendations: none" while 3 connections waited on a backlog of 2.
 */
export function adviseSnapshot(ctx: RuleContext, rules: readonly Rule[] = ALL_RULES): Recommendation[] {
  const recs = evaluateRules(ctx, rules);
  if (ctx.port === undefined && ctx.peerPort !== undefined) return recs;
  const check = HEALTH_CHECKS.find((c) => c.topic === 'accept-queue');
  if (!check) return recs;
  const blind = new Set<number>();
  for (const s of ctx.snapshot.sockets) {
    if (s.protocol === 'tcp' && s.state === 'LISTEN' && s.sendQUnknown && s.recvQ > 0 && (ctx.port === undefined || s.local.port === ctx.port)) blind.add(s.local.port);
  }
  if (blind.size === 0) return recs;
  const out = recs.slice();
  for (const port of [...blind].sort((a, b) => a - b)) {
    const about = recs.filter((r) => r.port === port && r.protocol !== 'udp');
    for (const h of healthyMessages({ ...ctx, port, peerPort: undefined }, about, [check])) {
      if (h.id === 'accept-queue-unknown') out.push({ ...h, scope: 'port', protocol: 'tcp', port });
    }
  }
  return out.sort(compareRecommendations);
}

/** The message of the one-line summary (without the "Recommendation: " prefix). */
export function summaryMessage(recs: readonly Recommendation[], _ctx?: RuleContext): string {
  const sorted = [...recs].sort(compareRecommendations);
  const worst = sorted[0];
  if (!worst) return 'TIME_WAIT count is normal';
  const serious = sorted.filter((r) => r.severity !== 'info').length;
  const more = serious > 1 ? ` (+${serious - 1} more)` : '';
  return `${worst.message}${more}`;
}

/**
 * The one line analyze-states ends with (product.md), e.g. "Recommendation: TIME_WAIT count is normal".
 * It names the worst finding (and how many more serious ones there are); with no finding it says the
 * TIME_WAIT count is normal. `recs` are evaluateRules' results for the same context.
 */
export function summaryLine(recs: readonly Recommendation[], ctx?: RuleContext): string {
  return `Recommendation: ${summaryMessage(recs, ctx)}`;
}
