// The immutable result of one poll: every socket plus the kernel counters and sysctls the advice needs.
import type { Socket } from './socket.js';

export type SourceName = 'netlink' | 'ss' | 'procfs' | 'netstat' | 'fixture' | 'remote';

/** Sysctls read for the advice; null when the file is missing or unreadable (recorded as unknown). */
export const SYSCTL_NAMES = [
  'net.core.somaxconn',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_tw_reuse',
  // Whether and when connect() may take over a TIME_WAIT entry (time-wait-port-exhaustion): only one whose
  // connection used timestamps, older than tcp_tw_reuse_delay ms (6.13+; absent, so null, on older kernels).
  'net.ipv4.tcp_timestamps',
  'net.ipv4.tcp_tw_reuse_delay',
  'net.ipv4.tcp_syncookies',
  // How long connect() waits for an unanswered SYN (syn-sent-unanswered: advise/syn-timeout.ts); linear 6.5+.
  'net.ipv4.tcp_syn_retries',
  'net.ipv4.tcp_syn_linear_timeouts',
  'net.core.rmem_max',
  'net.core.wmem_max',
  'net.core.rmem_default',
  'net.core.wmem_default',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_moderate_rcvbuf',
  'net.ipv4.tcp_congestion_control',
  'net.ipv4.tcp_max_tw_buckets',
  'net.ipv4.tcp_max_orphans',
  'net.ipv4.ip_unprivileged_port_start',
  'net.netfilter.nf_conntrack_count',
  'net.netfilter.nf_conntrack_max',
  'fs.file-max',
  'fs.nr_open',
] as const;
export type SysctlName = (typeof SYSCTL_NAMES)[number];
export type Sysctls = Record<SysctlName, string | null>;

/**
 * Kernel counters. Each table maps a section (TcpExt, Tcp, Udp, IpExt, TCP, UDP, sockets...) to its
 * named values; a table is null when its /proc file could not be read.
 */
export interface KernelCounters {
  /** /proc/net/netstat: TcpExt.ListenOverflows, TcpExt.ListenDrops, TcpExt.TCPTimeouts, ... */
  netstat: Record<string, Record<string, number>> | null;
  /**
   * /proc/net/snmp: Tcp.RetransSegs, Tcp.OutSegs, Udp.InErrors, Udp.RcvbufErrors, Udp.SndbufErrors ...; and
   * /proc/net/snmp6 as sections of their own (Udp6.InErrors, Udp6.RcvbufErrors, Ip6..., Icmp6...): IPv6 UDP
   * drops are counted only there. Udp6 is absent when snmp6 could not be read (no IPv6, older snapshots).
   */
  snmp: Record<string, Record<string, number>> | null;
  /** /proc/net/sockstat (+ sockstat6 with a 6 suffix on the section): TCP.inuse, TCP.orphan, TCP.tw, sockets.used ... */
  sockstat: Record<string, Record<string, number>> | null;
}

/** What process attribution could see. */
export interface AttributionInfo {
  /** 'none': not asked; 'listeners': listeners only; 'all': every socket. */
  scope: 'none' | 'listeners' | 'all';
  /** False when some processes could not be read (other users' processes without root). */
  complete: boolean;
  /** Number of processes whose fds could not be read. */
  hiddenProcesses: number;
  /** Human explanation of what is hidden and why, when anything is. */
  note?: string;
  /**
   * The note's short wording, for the monitor's header at 80 columns (the note's own when absent): a remote
   * host's says in a few words that only its ssh user's processes are shown.
   */
  short?: string;
}

export interface Snapshot {
  /** Milliseconds since the epoch when collection started. */
  time: number;
  hostname: string;
  kernel: string;
  source: SourceName;
  /** Why this source was chosen (auto mode), e.g. "netlink failed: EPERM; using ss". */
  sourceNote?: string;
  /** How long collection took, in ms. */
  durationMs: number;
  sockets: Socket[];
  counters: KernelCounters;
  sysctls: Sysctls;
  attribution: AttributionInfo;
  /** Things the user should know about what this snapshot cannot show. */
  notes: string[];
  /**
   * Open files against the open-file limit per pid (from /proc/PID/fd and /proc/PID/limits), filled by
   * src/collect/proc-limits.ts `withProcessLimits` when the caller asks; absent when not collected.
   */
  processLimits?: Record<number, ProcessLimits>;
}

/** One process's open-file count and RLIMIT_NOFILE soft limit (null when unlimited or unreadable). */
export interface ProcessLimits {
  openFiles: number;
  maxOpenFiles: number | null;
  /** The hard limit ("Max open files" Hard Limit): null when unlimited, absent when not read. */
  hardMaxOpenFiles?: number | null;
  name: string;
}

/** Reads an integer sysctl; null when unknown. */
export function sysctlInt(s: Sysctls, name: SysctlName): number | null {
  const v = s[name];
  if (v == null) return null;
  const n = Number.parseInt(v.trim().split(/\s+/)[0] ?? '', 10);
  return Number.isFinite(n) ? n : null;
}

/** Linux's default ephemeral range, used when net.ipv4.ip_local_port_range is unknown. */
export const DEFAULT_EPHEMERAL: readonly [number, number] = [32768, 60999];

/** The ephemeral port range of a snapshot (net.ipv4.ip_local_port_range), or Linux's default. */
export function ephemeralRange(s: Pick<Snapshot, 'sysctls'>): readonly [number, number] {
  const r = sysctlInts(s.sysctls, 'net.ipv4.ip_local_port_range');
  return r && r.length === 2 ? [r[0], r[1]] : DEFAULT_EPHEMERAL;
}

/** Reads a whitespace-separated list of integers (ip_local_port_range, tcp_rmem); null when unknown. */
export function sysctlInts(s: Sysctls, name: SysctlName): number[] | null {
  const v = s[name];
  if (v == null) return null;
  const parts = v.trim().split(/\s+/).map((x) => Number.parseInt(x, 10));
  return parts.every(Number.isFinite) ? parts : null;
}

/** Reads one counter, e.g. counter(snap.counters.netstat, 'TcpExt', 'ListenOverflows'); null when unknown. */
export function counter(table: Record<string, Record<string, number>> | null, section: string, key: string): number | null {
  const v = table?.[section]?.[key];
  return typeof v === 'number' ? v : null;
}

/** An all-unknown sysctl record (for fixtures and remote hosts). */
export function unknownSysctls(): Sysctls {
  return Object.fromEntries(SYSCTL_NAMES.map((n) => [n, null])) as Sysctls;
}
