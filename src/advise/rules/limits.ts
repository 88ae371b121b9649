// Host limits: a process near its open-file limit, orphaned sockets near tcp_max_orphans, conntrack near full.
import { counter, sysctlInt, type Snapshot } from '../../model/snapshot.js';
import { escapeControl } from '../../model/escape.js';
import { fmtPct } from '../format.js';
import type { Rule } from '../rule.js';
import { persists } from '../series.js';
import { th } from '../thresholds.js';
import { pastThreshold, type Recommendation } from '../types.js';
import { confirmOn, onHost, usageRule } from './common.js';

function fdRatio(snap: Snapshot, pid: number): number | null {
  const l = snap.processLimits?.[pid];
  if (!l || l.maxOpenFiles == null || l.maxOpenFiles <= 0) return null;
  return l.openFiles / l.maxOpenFiles;
}

function hardText(hard: number | null | undefined): string {
  return hard === undefined ? 'unknown' : hard === null ? 'unlimited' : String(hard);
}

/**
 * How to raise a process's open-file limit past its soft limit `soft`: to twice it, at least 65536. Raising
 * the soft limit needs no privilege up to the hard limit: ulimit -Sn (a bare ulimit -n sets the hard limit
 * too in bash and dash, and a lowered hard limit cannot be raised back without privilege). Past it the hard
 * limit must be raised, which needs CAP_SYS_RESOURCE (root on a normal host: ulimit -n, LimitNOFILE=,
 * limits.conf, prlimit), never past fs.nr_open; a container without that capability (even as root) gets a
 * higher hard limit only from outside: its runtime's --ulimit or the host's limits.
 */
function raiseFix(pid: number, soft: number, hard: number | null | undefined, nrOpen: number | null): string {
  const want = Math.max(2 * soft, 65536);
  const nr = nrOpen != null && want > nrOpen ? `sysctl -w fs.nr_open=${want} first (the hard limit cannot exceed fs.nr_open, now ${nrOpen}), then ` : '';
  const nrCap = nr ? '' : `; fs.nr_open (now ${nrOpen ?? 'unknown'}) caps the hard limit`;
  const rootWays =
    `raising the hard limit needs CAP_SYS_RESOURCE (root on a normal host): ${nr}ulimit -n ${want} in the start script (it sets both limits), systemd LimitNOFILE=${want} in the unit ([Service]; it sets the hard limit too), "<user> soft nofile ${want}" and "<user> hard nofile ${want}" in /etc/security/limits.conf for login sessions, or for the running process prlimit --pid ${pid} --nofile=${want}:${want}; ` +
    `in a container without CAP_SYS_RESOURCE (even as root: grep CapEff /proc/${pid}/status, bit 24) only from outside: the runtime's --ulimit nofile=${want}:${want} (docker/podman run) or its defaults on the host (dockerd's default-ulimits, LimitNOFILE= of the runtime's systemd unit)`;
  if (hard === null || (hard !== undefined && hard >= want))
    return `raise the soft limit to ${want}, which the hard limit (${hardText(hard)}) allows without privilege: ulimit -Sn ${want} in the start script (a bare ulimit -n sets the hard limit too), setrlimit(RLIMIT_NOFILE) at start-up, systemd LimitNOFILE=${want}:${hard ?? 'infinity'}, or for the running process prlimit --pid ${pid} --nofile=${want}:${hard ?? 'unlimited'}${nrCap}`;
  if (hard === undefined)
    return `raise the limit to ${want}: ulimit -Sn ${want} or setrlimit(RLIMIT_NOFILE) in the start script work only up to the hard limit (ulimit -Hn); ${rootWays}${nrCap}`;
  const now = hard > soft ? `the hard limit ${hard} allows ulimit -Sn ${hard} without privilege now; past it ` : `the soft limit is already at the hard limit (${hard}): `;
  return `raise the limit to ${want}: ${now}${rootWays}${nrCap}`;
}

const fdLimit: Rule = {
  id: 'process-near-fd-limit',
  severities: ['warning', 'critical'],
  scope: 'host',
  topic: 'limits',
  summary:
    'A process holds at least fdRatio (critical: fdCriticalRatio) of its open-file soft limit (/proc/PID/fd against "Max open files" in /proc/PID/limits): accept() and socket() will soon fail with EMFILE "Too many open files". The fix suggests twice the soft limit (at least 65536): with ulimit -Sn / setrlimit where the hard limit (shown in the evidence) allows it (a bare ulimit -n sets the hard limit too), else by raising the hard limit, which needs CAP_SYS_RESOURCE (root on a normal host: ulimit -n, systemd LimitNOFILE=, limits.conf, prlimit; fs.nr_open first when above it; a container without it only from outside, the runtime\'s --ulimit nofile=). Needs the snapshot\'s process limits (collected for socket owners).',
  thresholds: ['fdRatio', 'fdCriticalRatio', 'persistSamples'],
  evaluate(ctx) {
    const lim = ctx.snapshot.processLimits;
    if (!lim) return [];
    const warn = th(ctx, 'fdRatio');
    const crit = th(ctx, 'fdCriticalRatio');
    const out: Recommendation[] = [];
    for (const [pidText, l] of Object.entries(lim)) {
      const pid = Number(pidText);
      const r = fdRatio(ctx.snapshot, pid);
      if (r == null || r < warn) continue;
      // Earlier samples without limits for this pid do not veto: they were not collected, not healthy.
      if (!persists(ctx, (s) => (s.processLimits?.[pid] ? (fdRatio(s, pid) ?? 0) >= warn : true))) continue;
      const name = escapeControl(l.name);
      out.push({
        id: this.id,
        severity: r >= crit ? 'critical' : 'warning',
        scope: 'host',
        ...pastThreshold(r, r >= crit ? crit : warn),
        pid,
        message: `${name} (pid ${pid}) has ${l.openFiles} of ${l.maxOpenFiles} open files (${fmtPct(r)}): "Too many open files" (EMFILE) is coming`,
        evidence: `ls /proc/${pid}/fd: ${l.openFiles} entries; /proc/${pid}/limits Max open files soft ${l.maxOpenFiles}, hard ${hardText(l.hardMaxOpenFiles)}; warning at ${fmtPct(warn)}`,
        fix:
          `If the count keeps growing, the process leaks descriptors: close sockets on every path (see CLOSE_WAIT findings). Otherwise ${onHost(ctx)}${raiseFix(pid, l.maxOpenFiles!, l.hardMaxOpenFiles, sysctlInt(ctx.snapshot.sysctls, 'fs.nr_open'))}. ` +
          `${confirmOn(ctx)}ls /proc/${pid}/fd | wc -l; grep 'open files' /proc/${pid}/limits`,
      });
    }
    return out;
  },
};

const orphans = usageRule({
  id: 'orphans-near-limit',
  topic: 'limits',
  summary:
    'Orphaned TCP sockets (closed by their process but not finished; sockstat TCP.orphan) reach orphanRatio (critical: orphanCriticalRatio) of net.ipv4.tcp_max_orphans: beyond it the kernel resets them ("too many orphaned sockets").',
  warn: 'orphanRatio',
  critical: 'orphanCriticalRatio',
  value: (s) => counter(s.counters.sockstat, 'TCP', 'orphan'),
  limit: (s) => sysctlInt(s.sysctls, 'net.ipv4.tcp_max_orphans'),
  describe: (ctx, n, max, warn) => ({
    message: `${n} orphaned TCP sockets, ${fmtPct(n / max)} of net.ipv4.tcp_max_orphans (${max}): the kernel will start resetting connections`,
    evidence: `sockstat TCP.orphan ${n}; net.ipv4.tcp_max_orphans ${max}; net.ipv4.tcp_fin_timeout ${ctx.snapshot.sysctls['net.ipv4.tcp_fin_timeout'] ?? 'unknown'} s; warning at ${fmtPct(warn)}`,
    fix: `Orphans are closed sockets still sending (FIN_WAIT1, LAST_ACK, CLOSING) or waiting (FIN_WAIT2): find slow or dead peers (${onHost(ctx)}ss -tno state fin-wait-1); shorten net.ipv4.tcp_fin_timeout (${onHost(ctx)}sysctl -w net.ipv4.tcp_fin_timeout=15) and net.ipv4.tcp_orphan_retries; raise the cap if memory allows: ${onHost(ctx)}sysctl -w net.ipv4.tcp_max_orphans=${max * 2}. ${confirmOn(ctx)}cat /proc/net/sockstat; dmesg | grep orphan`,
  }),
});

const conntrack = usageRule({
  id: 'conntrack-near-full',
  topic: 'limits',
  summary:
    'The netfilter connection-tracking table (net.netfilter.nf_conntrack_count) reaches conntrackRatio (critical: conntrackCriticalRatio) of nf_conntrack_max: when full, new connections are dropped ("nf_conntrack: table full, dropping packet").',
  warn: 'conntrackRatio',
  critical: 'conntrackCriticalRatio',
  value: (s) => sysctlInt(s.sysctls, 'net.netfilter.nf_conntrack_count'),
  limit: (s) => sysctlInt(s.sysctls, 'net.netfilter.nf_conntrack_max'),
  describe: (ctx, n, max, warn) => ({
    message: `Connection tracking table is ${fmtPct(n / max)} full (${n} of ${max}): new connections will be dropped when it fills`,
    evidence: `net.netfilter.nf_conntrack_count ${n}; net.netfilter.nf_conntrack_max ${max}; warning at ${fmtPct(warn)}`,
    fix: `Raise the table: ${onHost(ctx)}sysctl -w net.netfilter.nf_conntrack_max=${max * 2} (and the hash: echo ${Math.ceil((max * 2) / 4)} > /sys/module/nf_conntrack/parameters/hashsize); shorten idle entries (net.netfilter.nf_conntrack_tcp_timeout_established, default 5 days) or exempt busy ports from tracking (nft: notrack). ${confirmOn(ctx)}conntrack -C; dmesg | grep 'table full'`,
  }),
});

export const limitRules: readonly Rule[] = [fdLimit, orphans, conntrack];
