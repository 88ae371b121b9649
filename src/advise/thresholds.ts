// Named rule thresholds with their defaults; config `thresholds:` overrides any of them by name. Also the
// checks of overrides: each value against its kind's range, and the warning/critical pairs (config/resolve.ts
// applies them to the merged config, config/schema.ts to each value of a file, api/ to library input).
import { deepFreeze } from '../model/deep-freeze.js';
import type { RuleContext } from './types.js';

/** What each threshold means (shown by `sockscope config` and the README). Frozen: the library exports it. */
export const THRESHOLD_DOCS: Readonly<Record<string, string>> = deepFreeze({
  persistSamples: 'samples a level condition must hold in a row before it is reported (when the history has them)',
  windowSeconds: 'history window (s) for rates and growth',
  closeWaitCount: 'CLOSE_WAIT sockets on one port (or to one peer port) that make a warning',
  closeWaitCritical: 'CLOSE_WAIT sockets that make it critical',
  closeWaitGrowth: 'CLOSE_WAIT growth over the window that counts as accumulating (warning even below closeWaitCount)',
  acceptQueueNearFullRatio: 'accept queue (Recv-Q of LISTEN) over backlog that counts as near full',
  listenOverflowsMin: 'TcpExt ListenOverflows + ListenDrops increase over the window that is reported',
  synRecvCount: 'SYN_RECV sockets on one port that make a warning',
  timeWaitServerInfo: 'TIME_WAIT sockets on a listening port that earn an info line',
  portExhaustionRatio: 'sockets to one destination over the ephemeral port range: warning',
  portExhaustionCritical: 'sockets to one destination over the ephemeral port range: critical',
  twBucketsRatio: 'timewait entries (sockstat TCP tw: TIME_WAIT and orphaned FIN_WAIT2) over tcp_max_tw_buckets: warning',
  finWait2Count: 'FIN_WAIT2 sockets on one port (or to one peer port) that make a warning',
  queueBytes: 'Recv-Q or Send-Q bytes on an established socket that, held for persistSamples samples, make a warning (where the source shows no socket memory, or the buffer is larger)',
  queueBufferRatio: 'memory in use by the receive (send) queue, skmem r (w), over the socket\'s own buffer, skmem rb (tb), that counts as full for recv-q-persistent and send-q-persistent (high: a reader that keeps up still has a segment in transit, half of a 64 KiB buffer)',
  synSentCount: 'SYN_SENT sockets to one destination with an unanswered SYN (retransmitted, or held over persistSamples samples) that make a warning',
  retransRatio: 'RetransSegs / (OutSegs + RetransSegs) over the window, SYN retransmissions left out: warning',
  retransCriticalRatio: 'RetransSegs / (OutSegs + RetransSegs) over the window, SYN retransmissions left out: critical',
  retransMinSegs: 'OutSegs over the window below which the retransmission ratio is not judged',
  socketRetrans: 'retransmission timeouts in a row on one socket (RTO backoffs) that make a warning',
  bufferLimitedRatio: 'share of busy time a socket is rwnd- or sndbuf-limited that makes a buffer warning',
  bufferMinBusyMs: 'busy time (ms) a socket needs before its buffer limitation is judged',
  udpErrorsMin: 'Udp/Udp6 RcvbufErrors or InErrors increase (IPv4 and IPv6 added up), or a UDP socket\'s drops, over the window that is reported',
  fdRatio: 'open files over the RLIMIT_NOFILE soft limit: warning',
  fdCriticalRatio: 'open files over the RLIMIT_NOFILE soft limit: critical',
  orphanRatio: 'orphaned TCP sockets (sockstat TCP.orphan) over tcp_max_orphans: warning',
  orphanCriticalRatio: 'orphaned TCP sockets over tcp_max_orphans: critical',
  conntrackRatio: 'nf_conntrack_count over nf_conntrack_max: warning',
  conntrackCriticalRatio: 'nf_conntrack_count over nf_conntrack_max: critical',
});

/** The built-in thresholds (config `thresholds:` overrides them by name). */
export const DEFAULT_THRESHOLDS: Record<string, number> = {
  persistSamples: 3,
  windowSeconds: 60,
  closeWaitCount: 10,
  closeWaitCritical: 100,
  closeWaitGrowth: 20,
  acceptQueueNearFullRatio: 0.8,
  listenOverflowsMin: 1,
  synRecvCount: 128,
  timeWaitServerInfo: 1000,
  portExhaustionRatio: 0.5,
  portExhaustionCritical: 0.9,
  twBucketsRatio: 0.8,
  finWait2Count: 100,
  queueBytes: 1024 * 1024,
  queueBufferRatio: 0.9,
  synSentCount: 3,
  retransRatio: 0.02,
  retransCriticalRatio: 0.1,
  retransMinSegs: 1000,
  socketRetrans: 3,
  bufferLimitedRatio: 0.2,
  bufferMinBusyMs: 1000,
  udpErrorsMin: 1,
  fdRatio: 0.8,
  fdCriticalRatio: 0.95,
  orphanRatio: 0.5,
  orphanCriticalRatio: 0.9,
  conntrackRatio: 0.8,
  conntrackCriticalRatio: 0.95,
};

/** What a threshold's value is, which decides the values that can work (THRESHOLD_RANGES). */
export type ThresholdKind = 'count' | 'countOrZero' | 'samples' | 'bytes' | 'ratio' | 'seconds' | 'milliseconds';

/** The values a kind of threshold may take: min (exclusive when minExclusive), max, whole numbers or not. */
export interface ThresholdRange {
  integer: boolean;
  min: number;
  minExclusive?: boolean;
  max?: number;
  /** How `sockscope config` and the README say it. */
  text: string;
}

export const THRESHOLD_RANGES: Record<ThresholdKind, ThresholdRange> = {
  // A count of 0 would fire with nothing there (or act as 1): only retransMinSegs means something at 0 (judge any traffic).
  // The whole numbers end at JavaScript's safe integers (9007199254740991): a larger one is read rounded.
  count: { integer: true, min: 1, text: `a whole number from 1 to ${Number.MAX_SAFE_INTEGER}` },
  countOrZero: { integer: true, min: 0, text: `a whole number from 0 to ${Number.MAX_SAFE_INTEGER}` },
  samples: { integer: true, min: 1, text: `a whole number of samples from 1 to ${Number.MAX_SAFE_INTEGER}` },
  bytes: { integer: true, min: 1, text: `a whole number of bytes from 1 to ${Number.MAX_SAFE_INTEGER}` },
  // A share of a limit (backlog, port range, tcp_max_*, RLIMIT_NOFILE, buffer, busy time): 0 fires always, above 1 never.
  ratio: { integer: false, min: 0, minExclusive: true, max: 1, text: 'a ratio > 0 and <= 1' },
  seconds: { integer: false, min: 0, minExclusive: true, text: 'a number of seconds > 0' },
  milliseconds: { integer: false, min: 0, text: 'a number of milliseconds >= 0' },
};

/** Each threshold's kind (a test holds its names equal to DEFAULT_THRESHOLDS'). */
export const THRESHOLD_KINDS: Record<string, ThresholdKind> = {
  persistSamples: 'samples',
  windowSeconds: 'seconds',
  closeWaitCount: 'count',
  closeWaitCritical: 'count',
  closeWaitGrowth: 'count',
  acceptQueueNearFullRatio: 'ratio',
  listenOverflowsMin: 'count',
  synRecvCount: 'count',
  timeWaitServerInfo: 'count',
  portExhaustionRatio: 'ratio',
  portExhaustionCritical: 'ratio',
  twBucketsRatio: 'ratio',
  finWait2Count: 'count',
  queueBytes: 'bytes',
  queueBufferRatio: 'ratio',
  synSentCount: 'count',
  retransRatio: 'ratio',
  retransCriticalRatio: 'ratio',
  retransMinSegs: 'countOrZero',
  socketRetrans: 'count',
  bufferLimitedRatio: 'ratio',
  bufferMinBusyMs: 'milliseconds',
  udpErrorsMin: 'count',
  fdRatio: 'ratio',
  fdCriticalRatio: 'ratio',
  orphanRatio: 'ratio',
  orphanCriticalRatio: 'ratio',
  conntrackRatio: 'ratio',
  conntrackCriticalRatio: 'ratio',
};

/**
 * The warning level and the critical level of one finding: the warning level must not be above the
 * critical one (a test holds every name with "Critical" in it to one pair).
 */
export const THRESHOLD_PAIRS: readonly { readonly warning: string; readonly critical: string }[] = [
  { warning: 'closeWaitCount', critical: 'closeWaitCritical' },
  { warning: 'portExhaustionRatio', critical: 'portExhaustionCritical' },
  { warning: 'retransRatio', critical: 'retransCriticalRatio' },
  { warning: 'fdRatio', critical: 'fdCriticalRatio' },
  { warning: 'orphanRatio', critical: 'orphanCriticalRatio' },
  { warning: 'conntrackRatio', critical: 'conntrackCriticalRatio' },
];

/** Why `value` cannot work for the threshold `name` ("expected a ratio > 0 and <= 1, got 1.5"), else undefined. */
export function thresholdValueProblem(name: string, value: number): string | undefined {
  if (!Object.hasOwn(THRESHOLD_KINDS, name)) return undefined;
  const r = THRESHOLD_RANGES[THRESHOLD_KINDS[name]];
  // A whole number beyond JavaScript's safe integers was read rounded (12345678901234567890 as ...000): not the value given.
  const ok = Number.isFinite(value) && (!r.integer || Number.isSafeInteger(value)) && (r.minExclusive ? value > r.min : value >= r.min) && (r.max === undefined || value <= r.max);
  return ok ? undefined : `expected ${r.text}, got ${shownNumber(value)}`;
}

/**
 * A number as a message shows it when there is no text to quote (the library's and a task's overrides): a whole
 * number beyond the safe integers is not what was given (JSON's 12345678901234567890 is read as
 * 12345678901234567168 and printed 12345678901234567000), so it is said to be beyond them.
 */
export function shownNumber(value: number): string {
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return `a number beyond ${value < 0 ? '-' : ''}${Number.MAX_SAFE_INTEGER}`;
  return String(value);
}

/** A warning level above its critical level (THRESHOLD_PAIRS), with the values in effect. */
export interface ThresholdConflict {
  warning: string;
  critical: string;
  warningValue: number;
  criticalValue: number;
}

/** The pairs of which `overrides` sets at least one level, whose warning level is then above the critical one (the other level: the default unless set). */
export function thresholdConflicts(overrides: Record<string, number>): ThresholdConflict[] {
  const set = (n: string) => Object.hasOwn(overrides, n);
  const value = (n: string) => (set(n) ? overrides[n] : DEFAULT_THRESHOLDS[n]);
  return THRESHOLD_PAIRS.filter((p) => (set(p.warning) || set(p.critical)) && value(p.warning) > value(p.critical)).map((p) => ({
    warning: p.warning,
    critical: p.critical,
    warningValue: value(p.warning),
    criticalValue: value(p.critical),
  }));
}

/**
 * "200 is above thresholds.closeWaitCritical 150 (OTHER): RULE", said of the conflict's `level` (the key it is
 * reported at); `other` says where the other level came from, left out when it is the same place.
 */
export function thresholdConflictMessage(c: ThresholdConflict, level: 'warning' | 'critical', other?: string): string {
  const from = other === undefined ? '' : ` (${other})`;
  const rule = 'a warning level must not be above its critical level';
  return level === 'warning'
    ? `${c.warningValue} is above thresholds.${c.critical} ${c.criticalValue}${from}: ${rule}`
    : `${c.criticalValue} is below thresholds.${c.warning} ${c.warningValue}${from}: ${rule}`;
}

/**
 * Whether a socket queue is full: its memory in use (skmem r or w, the truesize) at `ratio` (queueBufferRatio)
 * of the socket's own buffer (skmem rb or tb). Shared by recv-q-persistent/send-q-persistent and the buffer
 * diagnosis, so both call the same queue full.
 */
export function queueFull(used: number, buf: number, ratio: number = DEFAULT_THRESHOLDS.queueBufferRatio): boolean {
  return buf > 0 && used >= ratio * buf;
}

/** Defaults overlaid with overrides (config `thresholds`). */
export function resolveThresholds(overrides: Record<string, number> = {}): Record<string, number> {
  return { ...DEFAULT_THRESHOLDS, ...overrides };
}

/** Threshold names the config may set that sockscope does not know (for a config warning). */
export function unknownThresholds(overrides: Record<string, number>): string[] {
  return Object.keys(overrides).filter((k) => !Object.hasOwn(DEFAULT_THRESHOLDS, k));
}

/** One threshold for a rule: the context's value, else the default. */
export function th(ctx: RuleContext, name: keyof typeof DEFAULT_THRESHOLDS & string): number {
  const v = ctx.thresholds[name];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const d = DEFAULT_THRESHOLDS[name];
  if (d === undefined) throw new Error(`unknown threshold ${name}`);
  return d;
}
