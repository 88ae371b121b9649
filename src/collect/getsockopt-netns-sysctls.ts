// The sysctls inspect-options judges a socket's options against, read in the network namespace of the process that
// holds it: net.* sysctls are per namespace, so for a process in another one (a container) they are read there through
// a short-lived nsenter --net child, and left unknown (with a line saying why) when that cannot be done.
import { readlink } from 'node:fs/promises';
import type { Sysctls } from '../model/snapshot.js';
import { run } from './exec.js';
import { readProcText, readSysctls } from './host.js';

/** Extra sysctls the interpretation of socket options uses (keepalive defaults, congestion control...). */
const EXTRA_SYSCTLS = [
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_congestion_control',
  'net.ipv4.tcp_moderate_rcvbuf',
  'net.ipv4.tcp_notsent_lowat',
  'net.ipv4.tcp_fastopen',
  // IP_TTL / IPV6_UNICAST_HOPS of a socket that did not set them (getsockopt returns these then; an IPv6 socket with a
  // cached route reads the route's instead: route-hop-limit.ts). conf.default only seeds new interfaces.
  'net.ipv4.ip_default_ttl',
  'net.ipv6.conf.all.hop_limit',
  'kernel.yama.ptrace_scope',
] as const;

/** EXTRA_SYSCTLS as read here (sockscope's own network namespace); null where unreadable. */
export async function readExtraSysctls(procRoot: string): Promise<Record<string, string | null>> {
  return readSysctlFiles(procRoot, EXTRA_SYSCTLS);
}

/**
 * Sysctls by name ("net.ipv6.conf.lo.hop_limit"; an interface's '.' written '/', as sysctl does), read here under
 * `procRoot`, trimmed; null where unreadable. Another namespace's are readSysctlsInNetns's (sysctlsFor).
 */
export async function readSysctlFiles(procRoot: string, names: readonly string[]): Promise<Record<string, string | null>> {
  const vals = await Promise.all(names.map((n) => readProcText(`${procRoot}/sys/${sysctlPath(n)}`)));
  return Object.fromEntries(names.map((n, i) => [n, vals[i]?.trim() ?? null]));
}

/** "net.ipv6.conf.eth0/100.hop_limit" -> "net/ipv6/conf/eth0.100/hop_limit" (sysctl's swap of '.' and '/'). */
function sysctlPath(name: string): string {
  return name.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/** A sysctl's name from its path under /proc/sys: "net/ipv6/conf/eth0.100/hop_limit" -> "net.ipv6.conf.eth0/100.hop_limit". */
function sysctlName(path: string): string {
  return path.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

/**
 * Every interface's IPv6 hop_limit, read with the other sysctls in another namespace (one nsenter): the default hop
 * limit of a connected IPv6 socket is its route's device's (route-hop-limit.ts), which is known only after the route.
 */
const INTERFACE_HOP_LIMITS = '/proc/sys/net/ipv6/conf/*/hop_limit';

/** The network namespace link of a process ("net:[4026531840]"), or undefined when unreadable. */
async function netnsLink(procRoot: string, pid: number | 'self'): Promise<string | undefined> {
  return readlink(`${procRoot}/${pid}/ns/net`).catch(() => undefined);
}

/**
 * Reads sysctl files inside the network namespace at `nsPath` (net.* sysctls are per namespace, and /proc/sys
 * answers for the namespace of the task that reads it): a short-lived `nsenter --net=PATH` child runs cat on
 * each, through run() (SOCKET_DEBUG lists it, 5 s timeout). setns needs CAP_SYS_ADMIN: unprivileged, it fails, and
 * the error says so (nsenter's first line of stderr).
 */
async function readSysctlsInNetns(nsPath: string, names: readonly string[], globs: readonly string[] = []): Promise<Record<string, string | null>> {
  const files = names.map((n) => `/proc/sys/${sysctlPath(n)}`);
  // The globs are constants of this file (INTERFACE_HOP_LIMITS), expanded by the shell; the names are arguments.
  const script = `for f in "$@" ${globs.join(' ')}; do printf "=%s\\n" "$f"; cat "$f" 2>/dev/null; done`;
  const r = await run('nsenter', [`--net=${nsPath}`, '--', 'sh', '-c', script, 'sh', ...files], { timeoutMs: 5000 });
  if (r.exitCode !== 0) throw new Error(r.stderr.trim().split('\n')[0] || `exit code ${r.exitCode}`);
  const out: Record<string, string | null> = Object.fromEntries(names.map((n) => [n, null]));
  let cur: string | undefined;
  // A glob matches named files too (conf/all/hop_limit): a file printed twice would read as both lines joined.
  const seen = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('=/proc/sys/')) {
      const i = files.indexOf(line.slice(1));
      const again = seen.has(line);
      seen.add(line);
      cur = again ? undefined : i >= 0 ? names[i] : globs.length && !line.includes('*') ? sysctlName(line.slice('=/proc/sys/'.length)) : undefined;
      if (cur !== undefined && i < 0) out[cur] ??= null;
    } else if (cur && line.trim() !== '') out[cur] = out[cur] == null ? line : `${out[cur]} ${line}`;
  }
  return out;
}

/** Sysctls the interpretation uses, as read in one network namespace, and which. */
export interface NamespacedSysctls {
  sysctls: Sysctls;
  extraSysctls: Record<string, string | null>;
  netns: string | null;
  /** The namespace differs from sockscope's. */
  other: boolean;
  sysctlsFrom: string;
  /** Why the namespace's own values are unknown (and which of sockscope's were left out). */
  missing?: string;
  /**
   * Another namespace's (other): every interface's net.ipv6.conf.<dev>.hop_limit, read with the rest (route-hop-limit.ts
   * takes its route's device's from here, not with one more nsenter); undefined when it could not be read.
   */
  interfaceHopLimits?: Record<string, string | null>;
}

/**
 * The sysctls for a socket of process `pid`: sockscope's own reading when the process shares its network
 * namespace; otherwise the process's namespace's net.* values read there (nsenter), and when that cannot be
 * done, net.* left unknown (so nothing is judged against another namespace's values) with a line saying why.
 */
export async function sysctlsFor(procRoot: string, pid: number): Promise<NamespacedSysctls> {
  const [sysctls, extraSysctls, target, own] = await Promise.all([readSysctls(procRoot), readExtraSysctls(procRoot), netnsLink(procRoot, pid), netnsLink(procRoot, 'self')]);
  if (target === undefined || own === undefined || target === own)
    return { sysctls, extraSysctls, netns: target ?? null, other: false, sysctlsFrom: target === undefined ? `sockscope's own network namespace (${own ?? 'unknown'}); /proc/${pid}/ns/net is not readable, so whether pid ${pid} shares it is unknown` : `sockscope's own network namespace (${own}), which pid ${pid} shares` };
  const nsPath = `${procRoot}/${pid}/ns/net`;
  const where = `pid ${pid}'s network namespace (${target}, ${nsPath}; sockscope runs in ${own})`;
  // Once each: some names are in both lists (tcp_moderate_rcvbuf, tcp_congestion_control), and a file read twice
  // would come back as both lines joined ("1 1").
  const netNames = [...new Set([...Object.keys(sysctls), ...Object.keys(extraSysctls)])].filter((n) => n.startsWith('net.'));
  try {
    const vals = await readSysctlsInNetns(nsPath, netNames, [INTERFACE_HOP_LIMITS]);
    const interfaceHopLimits = Object.fromEntries(Object.entries(vals).filter(([n]) => !netNames.includes(n)).map(([n, v]) => [n, v?.trim() ?? null]));
    const norm = (v: string | null) => (v == null ? null : v.trim().replace(/\s+/g, ' '));
    const sys = { ...sysctls };
    for (const n of Object.keys(sys) as (keyof Sysctls)[]) if (n.startsWith('net.')) sys[n] = norm(vals[n] ?? null);
    const extra = { ...extraSysctls };
    for (const n of Object.keys(extra)) if (n.startsWith('net.')) extra[n] = vals[n]?.trim() ?? null;
    return { sysctls: sys, extraSysctls: extra, netns: target, other: true, sysctlsFrom: `${where}, read there with nsenter --net`, interfaceHopLimits };
  } catch (e) {
    const sys = { ...sysctls };
    for (const n of Object.keys(sys) as (keyof Sysctls)[]) if (n.startsWith('net.')) sys[n] = null;
    const extra = { ...extraSysctls };
    for (const n of Object.keys(extra)) if (n.startsWith('net.')) extra[n] = null;
    const missing = `pid ${pid} is in another network namespace (${target}, ${nsPath}) than sockscope (${own}), and its net sysctls (tcp_rmem, tcp_wmem, somaxconn, congestion control, keepalive defaults: each namespace has its own) could not be read there (nsenter --net: ${(e as Error).message}${process.getuid?.() === 0 ? '' : '; entering a namespace needs root (CAP_SYS_ADMIN)'}), so nothing is judged against them: sockscope's own namespace's values would be another system's`;
    return { sysctls: sys, extraSysctls: extra, netns: target, other: true, sysctlsFrom: `unknown: ${where} could not be entered`, missing };
  }
}
