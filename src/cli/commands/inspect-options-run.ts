// `sockscope inspect-options`: the real option values of one socket (another process's, via pidfd_getfd), explained.
// The implementation: inspect-options.ts defines the command (flags, help) and loads this module when it runs.
import { createSource, type SourceChoice } from '../../collect/index.js';
import { inspectKernelSocket, inspectSocketOptions, resolveOptionNames, type InspectResult } from '../../collect/getsockopt.js';
import { NoSuchSocketError } from '../../collect/getsockopt-target.js';
import { locateInode, locateListener, noHolderReason, type LocatedSocket } from '../../collect/getsockopt-locate.js';
import { CollectorError } from '../../collect/source.js';
import { ipv4ListenersBeside } from '../../collect/getsockopt-v4-listeners.js';
import { fmtBitRate } from '../../advise/format.js';
import { buildOptionsReport, isPingSocket, KIND_NUMBERS, kernelViewFindings, nothingUnusualLine, protocolName, readingLabel } from '../../knowledge/interpret-options.js';
import { UnknownOptionError } from '../../knowledge/socket-options.js';
import { escapeControl } from '../../model/escape.js';
import { localOwnerView, uidHidden } from '../../model/owner.js';
import type { SocketState } from '../../model/socket.js';
import { stateLabel } from '../../ui/format.js';
import { UsageError } from '../errors.js';
import { printJson } from '../options.js';
import type { Args } from './inspect-options.js';
import type { InspectOptionsReport } from '../../api/inspect.js';

/** Splits and validates --options; unknown names are a usage error (exit 2) with suggestions. */
export function parseOptionList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--options needs at least one option name, e.g. --options SO_RCVBUF,TCP_NODELAY');
  try {
    return resolveOptionNames(names).map((i) => i.name);
  } catch (e) {
    if (e instanceof UnknownOptionError) throw new UsageError(`--options: ${e.message}`);
    throw e;
  }
}

/**
 * How a socket chosen by --port or --inode was found: `others` matched too (a v4 and a v6 listener, an
 * SO_REUSEPORT group); `choice` (several matched) says which member was read and why, and names the others,
 * as LocatedSocket.choice words it: on a shared UDP port the member whose drop counter rises, which a user
 * could not tell from "3 other socket(s) also listen on it" alone.
 */
export interface Located {
  how: string;
  others: number;
  holders: { pid: number; name: string; fd: number }[];
  choice?: string;
}

/**
 * Inspects the socket chosen by --pid/--socket-fd, --port or --inode. Each number arrives checked: by its
 * flag's coerce (inspect-options.ts: "--pid must be an integer 1-4194304, got ...") or by the library's
 * schema (InspectOptionsInputSchema); which of them are given together is checked here, for both.
 */
export async function runInspect(a: Args): Promise<InspectResult & { located?: Located; ipv4Listeners?: string[] }> {
  const r = await inspectChosen(a);
  // Only an IPv6 listener on [::] asks: whether IPV6_V6ONLY leaves IPv4 clients without a listener. Looked up in the
  // socket's network namespace (getsockopt-v4-listeners.ts); when that cannot be done, the Missing list says so.
  const v4 = await ipv4ListenersBeside(r, createSource((a.source ?? 'auto') as SourceChoice)).catch(() => undefined);
  if (!v4) return r;
  return 'listeners' in v4 ? { ...r, ipv4Listeners: v4.listeners } : { ...r, missing: [...r.missing, v4.missing] };
}

/** The socket chosen by the flags, inspected. */
async function inspectChosen(a: Args): Promise<InspectResult & { located?: Located }> {
  const { pid, 'socket-fd': fd, port, inode } = a;
  const options = parseOptionList(a.options);
  const chosen = [pid !== undefined || fd !== undefined, port !== undefined, inode !== undefined].filter(Boolean).length;
  if (chosen === 0) throw new UsageError('say which socket: --pid N --socket-fd FD, or --port P, or --inode I');
  if (chosen > 1) throw new UsageError('choose one of --pid/--socket-fd, --port and --inode');
  if ((pid === undefined) !== (fd === undefined)) throw new UsageError('--pid and --socket-fd go together');
  const source = createSource((a.source ?? 'auto') as SourceChoice);
  if (pid !== undefined && fd !== undefined) return inspectSocketOptions({ pid, fd, options, source });
  try {
    return await inspectLocated(port, inode, options, source);
  } catch (e) {
    // The holder found by the /proc walk let go of the socket before it was read: not the pid/fd the user gave.
    if (e instanceof NoSuchSocketError) throw new CollectorError('inspect-options', `${port !== undefined ? `the listener on port ${port}` : `inode ${inode}`} closed or moved meanwhile: ${e.detail}; run again`);
    throw e;
  }
}

/** The socket chosen by --port or --inode: found by the collector, read through the first process holding it. */
async function inspectLocated(port: number | undefined, inode: number | undefined, options: string[] | undefined, source: ReturnType<typeof createSource>): Promise<Awaited<ReturnType<typeof runInspect>>> {
  let located: LocatedSocket | null;
  let how: string;
  if (port !== undefined) {
    located = await locateListener(port, source);
    how = `listener on port ${port}`;
    if (!located) throw new CollectorError('inspect-options', `nothing listens on port ${port} (TCP or UDP)`);
  } else {
    located = await locateInode(inode!, source);
    how = `inode ${inode}`;
    if (!located) throw new CollectorError('inspect-options', `no socket with inode ${inode}`);
  }
  const info: Located = { how, others: located.others.length, holders: located.holders, ...(located.choice ? { choice: located.choice } : {}) };
  const h = located.holders[0];
  if (h) {
    const r = await inspectSocketOptions({ pid: h.pid, fd: h.fd, options, inode: located.socket.inode, kernelSocket: located.socket, source });
    r.kernelViewSource = located.source;
    return { ...r, located: info };
  }
  // 'no visible process holds the socket: ...': kernelViewReadings splits the reason at its first ':'.
  const r = await inspectKernelSocket({ socket: located.socket, sourceName: located.source, options, reason: noHolderReason(located) });
  return { ...r, located: info };
}

function line(label: string, text: string): string {
  return `${label.padEnd(18)} ${text}`;
}

/**
 * The kind words of the socket line: "TCP IPv4", "unix", "raw IPv4 IPPROTO_ICMP", "ping IPv4 IPPROTO_ICMP", "AF_PACKET
 * raw". A raw, ping or non-IP socket's protocol and family numbers are those getsockopt read with its kind
 * (KIND_NUMBERS), whatever --options asked for, else the SO_PROTOCOL / SO_DOMAIN rows (review s23 dB #6).
 */
function socketKindText(r: Awaited<ReturnType<typeof runInspect>>): string {
  const s = r.socket;
  const row = (name: string) => r.options.find((o) => o.name === name && typeof o.value === 'number')?.value as number | undefined;
  const known = (n: number | undefined) => (n !== undefined && n >= 0 ? n : undefined);
  const domain = known(s[KIND_NUMBERS]?.domain) ?? row('SO_DOMAIN');
  const p = known(s[KIND_NUMBERS]?.protocol) ?? row('SO_PROTOCOL');
  const names = { family: s.family, values: domain !== undefined ? { SO_DOMAIN: domain } : {} };
  const family = s.family === 'inet6' ? 'IPv6' : s.family === 'inet' ? 'IPv4' : '';
  if (s.family === 'other') {
    const name = domain === 16 ? 'AF_NETLINK' : domain === 17 ? 'AF_PACKET' : domain !== undefined ? `family ${domain}` : 'not IP or unix';
    return [name, s.type && s.type !== 'other' ? s.type : ''].filter(Boolean).join(' ');
  }
  const proto = p === undefined ? '' : (protocolName(p, names) ?? `protocol ${p}`);
  if (s.type === 'raw') return ['raw', family, proto].filter(Boolean).join(' ');
  // A ping socket (SOCK_DGRAM, IPPROTO_ICMP/ICMPV6): neither TCP nor UDP; the number after its address is the echo identifier.
  if (isPingSocket({ ...names, family: s.family, type: s.type, values: { SO_PROTOCOL: p } })) return ['ping', family, proto].join(' ');
  if ((s.family === 'inet' || s.family === 'inet6') && s.protocol === 'other') return [family, s.type && s.type !== 'other' ? s.type : '', proto].filter(Boolean).join(' ');
  return [s.protocol && s.protocol !== 'other' ? s.protocol.toUpperCase() : s.family === 'unix' ? 'unix' : '', family].filter(Boolean).join(' ');
}

/**
 * The `kernel view:` line: what the collector shows of the socket, with or without socket memory (procfs and
 * /proc/PID/net have no skmem; they cannot see a listener's backlog either: send-q unknown, not 0).
 */
function kernelViewLine(kv: NonNullable<InspectResult['kernelView']>): string {
  const parts = [`recv-q ${kv.recvQUnknown ? 'unknown' : kv.recvQ}`, `send-q ${kv.sendQUnknown ? 'unknown' : kv.sendQ}`];
  const m = kv.skmem;
  parts.push(m ? `skmem rmem ${m.rmemAlloc}/${m.rcvbuf} wmem ${m.wmemAlloc}/${m.sndbuf}${m.drops ? ` drops ${m.drops}` : ''}` : 'no skmem (socket memory)');
  if (kv.timer) parts.push(`timer ${kv.timer.name} ${kv.timer.expiresMs} ms`);
  // The state is the socket: line's.
  return `kernel view: ${parts.join(', ')}`;
}

/** " (hidden uid 0)" after "owning process not visible", as try's holder lines say it; " (uid 0)" when no user's process is hidden from this one. */
function hiddenOwner(uid: number | undefined): string {
  if (uid === undefined) return '';
  return uidHidden(uid, localOwnerView()) ? ` (hidden uid ${uid})` : ` (uid ${uid})`;
}

/** Human report: header, fd flags, then each option with value, source, meaning, unusual and other platforms. */
export function formatInspect(r: Awaited<ReturnType<typeof runInspect>>): string {
  const out: string[] = [];
  const { rows, unusual } = buildOptionsReport(r);
  const proto = socketKindText(r);
  const thread = r.threadOf !== undefined ? `a thread of process ${r.threadOf}: ` : '';
  const who = r.pid !== null ? `pid ${r.pid} (${thread}${escapeControl(r.process.name ?? '?')}${r.process.uid !== undefined ? `, uid ${r.process.uid}` : ''}) fd ${r.fd}` : `owning process not visible${hiddenOwner(r.process.uid)}`;
  out.push(`${who}${r.inode !== undefined ? `, inode ${r.inode}` : ''}`);
  // local/peer of a unix socket are paths anyone could choose: untrusted text.
  // As ss and the tables name it: an unconnected UDP or unix datagram socket is UNCONN, not the kernel's CLOSE
  // (--json keeps the kernel's name, as every --json document does). A TCP socket in CLOSE stays CLOSE.
  const state = r.socket.state && r.socket.protocol !== undefined && r.socket.protocol !== 'tcp' ? stateLabel({ protocol: 'udp', state: r.socket.state as SocketState }) : r.socket.state;
  const socketText = [proto, state, r.socket.local, r.socket.peer ? `-> ${r.socket.peer}` : ''].filter(Boolean).join(' ');
  out.push(`socket: ${socketText ? escapeControl(socketText) : 'unknown (see Missing below)'}`);
  if (r.located) {
    out.push(`found as: ${r.located.how}${r.located.others ? ` (${r.located.others} other socket(s) also listen on it)` : ''}${r.located.holders.length > 1 ? `; held by ${r.located.holders.map((h) => `${h.pid}/${h.fd}`).join(', ')}` : ''}`);
    // Already escaped where it is made (addresses, inodes, fds and pids only).
    if (r.located.choice) out.push(r.located.choice);
  }
  out.push(
    r.method === 'pidfd_getfd'
      ? `read with: pidfd_getfd + getsockopt (a duplicate of the fd${r.threadOf !== undefined ? ` borrowed through process ${r.threadOf}, whose fds its threads share` : ''}, read only, closed at once)`
      : `read with: fallback, what the kernel shows every user (${r.kernelViewSource ?? 'not matched: the socket is unknown'})`,
  );
  // Another network namespace than sockscope's: where the per-namespace sysctls the meanings use come from.
  if (r.netns !== null && !r.sysctlsFrom.startsWith("sockscope's own")) out.push(`sysctls from: ${escapeControl(r.sysctlsFrom)}`);
  if (r.fdFlags.info) {
    const f = r.fdFlags.info;
    out.push(`fd flags: ${f.flagNames.join(' ')} -> ${f.nonblock ? 'non-blocking (O_NONBLOCK)' : 'blocking (no O_NONBLOCK)'}  [${r.fdFlags.source}]`);
  } else out.push(`fd flags: unknown (${r.fdFlags.missing})`);
  const kv = r.kernelView;
  if (kv) {
    out.push(`${kernelViewLine(kv)}  [${r.kernelViewSource}]`);
    if (r.method === 'fallback' && kv.tcpInfo) {
      const t = kv.tcpInfo;
      const parts = [t.rttUs ? `rtt ${(t.rttUs / 1000).toFixed(3)} ms` : '', t.cwnd !== undefined ? `cwnd ${t.cwnd}` : '', t.totalRetrans !== undefined ? `retrans ${t.retrans ?? 0}/${t.totalRetrans}` : '', t.congestion ?? '', t.deliveryRate ? `delivery ${fmtBitRate(t.deliveryRate)}` : ''].filter(Boolean);
      if (parts.length) out.push(`kernel tcp_info: ${parts.join(', ')}  [${r.kernelViewSource}]`);
    }
  }
  out.push('');
  // Nothing readable for one reason (another user's socket chosen by --pid): one line, not one per option.
  const reasons = new Set(rows.map((row) => (row.value === undefined ? row.missing : undefined)));
  if (rows.length > 1 && reasons.size === 1 && [...reasons][0] !== undefined) out.push(line(`(all ${rows.length})`, `- (${[...reasons][0]})`));
  else for (const row of rows) {
    if (row.missing !== undefined && row.value === undefined) {
      out.push(line(row.name, `- (${row.missing})`));
      continue;
    }
    out.push(line(row.name, `${row.display}${readingLabel(row)}`));
    // Meanings quote values from the system (an interface name for SO_BINDTODEVICE): untrusted text.
    if (row.meaning) out.push(line('', escapeControl(row.meaning)));
    if (row.unusual) out.push(line('', `! ${escapeControl(row.unusual)}`));
    if (row.platformNotes.length) out.push(line('', `elsewhere: ${row.platformNotes.join(' | ')}`));
  }
  out.push('');
  const kernelNotes = kernelViewFindings(r.kernelView, rows);
  if (unusual.length || kernelNotes.length) {
    out.push('Unusual:');
    for (const u of unusual) out.push(`  - ${escapeControl(u)}`);
    for (const u of kernelNotes) out.push(`  - ${escapeControl(u)}  [${r.kernelViewSource}]`);
  } else out.push(nothingUnusualLine(rows));
  if (r.missing.length) {
    out.push('Missing:');
    for (const m of r.missing) out.push(`  - ${m}`);
  }
  return out.join('\n') + '\n';
}

/** The --json document (typed as the library's, so that a field added to runInspect's result and not to InspectOptionsReport fails tsc). */
export function inspectJson(r: Awaited<ReturnType<typeof runInspect>>): InspectOptionsReport {
  const { rows, unusual } = buildOptionsReport(r);
  const { options: _o, sysctls, threadOf, methodNote, located, ...rest } = r;
  return {
    ...rest,
    // Always present (README): null where they do not apply.
    threadOf: threadOf ?? null,
    methodNote: methodNote ?? null,
    located: located ?? null,
    options: rows,
    unusual: [...unusual, ...kernelViewFindings(r.kernelView, rows)],
    sysctls: Object.fromEntries(Object.entries(sysctls).filter(([k]) => /rmem|wmem|somaxconn/.test(k))),
  };
}

/**
 * Runs the command. A --pid or --socket-fd that names no socket (no such process, no such fd, an fd that is
 * not a socket) is a runtime failure, exit 1 as for `buffers` and a port nothing listens on, with a message
 * that starts with the flag; --json then prints nothing on stdout, as every command does on an error (the
 * task interface is the one that answers errors with a JSON document).
 */
export async function runInspectOptions(a: Args): Promise<void> {
  let r: Awaited<ReturnType<typeof runInspect>>;
  try {
    r = await runInspect(a);
  } catch (e) {
    if (e instanceof NoSuchSocketError) throw new CollectorError(e.field === 'pid' ? '--pid' : '--socket-fd', e.detail);
    throw e;
  }
  if (a.json) printJson(inspectJson(r));
  else process.stdout.write(formatInspect(r));
}
