// UDP receive errors rising (Udp and Udp6 RcvbufErrors / InErrors), and UDP sockets whose drop counter rises.
import { socketKey, factsOf } from '../facts.js';
import { describeProcesses, fmtBytes, fmtEndpoint, fmtRate, fmtSeconds, uniqueProcesses } from '../format.js';
import type { Rule } from '../rule.js';
import { windowOf } from '../series.js';
import { th } from '../thresholds.js';
import type { Recommendation, RuleContext } from '../types.js';
import { counter, sysctlInt, type Snapshot } from '../../model/snapshot.js';
import { socketDrops, type Socket } from '../../model/socket.js';
import { confirmOn, onHost } from './common.js';

/** Which counters a socket's drops land in: IPv4 datagrams in /proc/net/snmp's Udp, IPv6 ones in /proc/net/snmp6's Udp6. */
type Family = 'ipv4' | 'ipv6';
const SECTION: Record<Family, string> = { ipv4: 'Udp', ipv6: 'Udp6' };

function familyOf(s: Socket): Family {
  return s.ipVersion === 6 || s.local.address.includes(':') ? 'ipv6' : 'ipv4';
}

interface UdpRise {
  delta: number;
  risingIntervals: number;
  seconds: number;
  perSecond: number;
  /** The rise per family, for the families whose counters the snapshots carry. */
  byFamily: Partial<Record<Family, number>>;
}

/**
 * The rise of `key` summed over Udp (IPv4) and Udp6 (IPv6, /proc/net/snmp6) across the window; null when
 * fewer than two samples know either. A fall (counters reset) counts as no rise.
 */
function udpRise(snaps: readonly Snapshot[], key: string): UdpRise | null {
  const pts: { time: number; v: Partial<Record<Family, number>> }[] = [];
  for (const s of snaps) {
    const v: Partial<Record<Family, number>> = {};
    for (const f of ['ipv4', 'ipv6'] as const) {
      const c = counter(s.counters.snmp, SECTION[f], key);
      if (c != null) v[f] = c;
    }
    if (Object.keys(v).length) pts.push({ time: s.time, v });
  }
  if (pts.length < 2) return null;
  let delta = 0;
  let rising = 0;
  const byFamily: Partial<Record<Family, number>> = {};
  for (let i = 1; i < pts.length; i++) {
    let d = 0;
    for (const f of ['ipv4', 'ipv6'] as const) {
      const a = pts[i - 1].v[f];
      const b = pts[i].v[f];
      if (a == null || b == null) continue;
      byFamily[f] = (byFamily[f] ?? 0) + Math.max(0, b - a);
      if (b > a) d += b - a;
    }
    if (d > 0) {
      delta += d;
      rising++;
    }
  }
  const seconds = (pts[pts.length - 1].time - pts[0].time) / 1000;
  return { delta, risingIntervals: rising, seconds, perSecond: seconds > 0 ? delta / seconds : 0, byFamily };
}

/** A rise that is a trend: at least two intervals and `min`. */
function sustained(r: UdpRise | null, min: number): UdpRise | null {
  return r && r.risingIntervals >= 2 && r.delta >= Math.max(1, min) ? r : null;
}

/** A socket's drop counter and receive queue across the window (only the samples that carry the counter). */
interface DropTrend {
  delta: number;
  rising: number;
  seconds: number;
  /** The fullest its queue was in the window's samples (skmem r, else Recv-Q); null when no sample showed it. */
  maxQueue: number | null;
}

function dropTrend(win: readonly Snapshot[], s: Socket): DropTrend | null {
  const k = socketKey(s);
  const pts: { time: number; drops: number; queue: number | null }[] = [];
  for (const snap of win) {
    const was = factsOf(snap).byKey.get(k);
    const d = was && socketDrops(was);
    if (was && d != null) pts.push({ time: snap.time, drops: d, queue: was.skmem?.rmemAlloc ?? (was.recvQUnknown ? null : was.recvQ) });
  }
  const queues = pts.map((p) => p.queue).filter((q): q is number => q != null);
  if (pts.length < 2) return null;
  let rising = 0;
  let delta = 0;
  for (let i = 1; i < pts.length; i++)
    if (pts[i].drops > pts[i - 1].drops) {
      rising++;
      delta += pts[i].drops - pts[i - 1].drops;
    }
  return { delta, rising, seconds: (pts[pts.length - 1].time - pts[0].time) / 1000, maxQueue: queues.length ? Math.max(...queues) : null };
}

/** The sockets whose drop counter rose in at least two intervals of the window by `min` or more, most drops first. */
function droppingSockets(win: readonly Snapshot[], sockets: readonly Socket[], min: number): { s: Socket; t: DropTrend }[] {
  const out: { s: Socket; t: DropTrend }[] = [];
  for (const s of sockets) {
    if (s.protocol !== 'udp' || !socketDrops(s)) continue;
    const t = dropTrend(win, s);
    if (t && t.rising >= 2 && t.delta >= Math.max(1, min)) out.push({ s, t });
  }
  return out.sort((a, b) => b.t.delta - a.t.delta);
}

/**
 * The other unconnected sockets bound to the same address and port (an SO_REUSEPORT group, or SO_REUSEADDR), and
 * to the same device: sockets on 0.0.0.0:67 each bound to its own interface (SO_BINDTODEVICE) are not one group.
 */
function sameAddress(s: Socket, all: readonly Socket[]): Socket[] {
  return all.filter((o) => o !== s && o.protocol === 'udp' && o.peer.port === 0 && o.local.port === s.local.port && o.local.address === s.local.address && o.boundDevice === s.boundDevice);
}

/**
 * "0.0.0.0:40003, inode 81234, fd 9 of pid 27440": which socket, where several share a port (an SO_REUSEPORT
 * group, a specific address next to the wildcard) and the process name alone cannot tell them apart.
 */
function socketIdentity(s: Socket): string {
  const fds = s.processes.slice(0, 3).map((p) => `fd ${p.fd} of pid ${p.pid}`);
  if (s.processes.length > 3) fds.push(`${s.processes.length - 3} more`);
  return [fmtEndpoint(s.local), ...(s.inode ? [`inode ${s.inode}`] : []), ...fds].join(', ');
}

function udpDetail(s: Socket, t?: DropTrend): string {
  const p = uniqueProcesses([s.processes]);
  // Without socket memory (procfs: drops only) the queue is Recv-Q and the buffer's size is not known.
  const rcvbuf = s.skmem ? ` of rcvbuf ${fmtBytes(s.skmem.rcvbuf)}` : ' (rcvbuf not visible to this source)';
  const rise = t ? `; drops +${t.delta} in ${fmtSeconds(t.seconds)}` : '';
  return `udp port ${s.local.port}${p.length ? ` ${describeProcesses(p)}` : ''} drops ${socketDrops(s) ?? 0}, queued ${fmtBytes(s.skmem?.rmemAlloc ?? s.recvQ)}${rcvbuf} (socket ${socketIdentity(s)}${rise})`;
}

/** "nstat -az UdpRcvbufErrors UdpInErrors": the counters a family's drops are counted in. */
function nstatFor(families: readonly Family[]): string {
  return `nstat -az ${families.map((f) => `${SECTION[f]}RcvbufErrors ${SECTION[f]}InErrors`).join(' ')}`;
}

/** The largest SO_RCVBUF the kernel takes (INT_MAX / 2, __sock_set_rcvbuf); it stores twice that. */
const RCVBUF_REQUEST_MAX = Math.floor(0x7fffffff / 2);

/**
 * How to give a UDP socket (or, without one, the sockets of a host) a larger receive buffer. The sysctl
 * is suggested only when net.core.rmem_max is below the request (a host tuned to 32 MiB was told to set
 * it to 8 MiB, a quarter for every socket); net.core.rmem_default only where the socket kept the default
 * (it applies to sockets that never set SO_RCVBUF); the code and the counters are those of its family.
 */
function rmemFix(ctx: RuleContext, s?: Socket, families: readonly Family[] = s ? [familyOf(s)] : ['ipv4']): string {
  // skmem rb is already doubled and can reach about INT_MAX: four times it overflowed the int of the C
  // snippet and net.core.rmem_max (an int, sysctl refuses more). The kernel takes at most INT_MAX / 2
  // (__sock_set_rcvbuf), so the request stops there.
  const wanted = Math.max(8 * 1024 * 1024, (s?.skmem?.rcvbuf ?? 0) * 4);
  const target = Math.min(RCVBUF_REQUEST_MAX, wanted);
  const capped = target < wanted ? ` (${target} = INT_MAX / 2 is the most the kernel takes)` : '';
  const max = sysctlInt(ctx.snapshot.sysctls, 'net.core.rmem_max');
  const def = sysctlInt(ctx.snapshot.sysctls, 'net.core.rmem_default');
  const node = s ? `dgram.createSocket({ type: '${familyOf(s) === 'ipv6' ? 'udp6' : 'udp4'}', recvBufferSize: ${target} })` : `dgram.createSocket({ type: 'udp4' (or 'udp6'), recvBufferSize: ${target} })`;
  const code = `C setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){${target}}, sizeof(int)), Python sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, ${target}), Node ${node}${capped}`;
  const cap =
    max == null
      ? `the request is capped by net.core.rmem_max (unknown here; if it is below ${target}: ${onHost(ctx)}sysctl -w net.core.rmem_max=${target})`
      : max < target
        ? `the request is capped by net.core.rmem_max (now ${max}): ${onHost(ctx)}sysctl -w net.core.rmem_max=${target}`
        : `net.core.rmem_max (now ${max}) already allows it: no sysctl to change`;
  // A socket that never set SO_RCVBUF holds rmem_default exactly (not doubled); any other value was set by the application.
  const rcvbuf = s?.skmem?.rcvbuf;
  let who: string;
  if (rcvbuf != null && def != null && rcvbuf !== def)
    who = `The application set SO_RCVBUF itself (rcvbuf ${fmtBytes(rcvbuf)}, not the default net.core.rmem_default=${def}): change the value in its code; net.core.rmem_default does not apply to it.`;
  else if (rcvbuf != null && def != null)
    who = def < target ? `It keeps the default net.core.rmem_default (${def}): set SO_RCVBUF in its code, or raise the default for every socket that does not set it: ${onHost(ctx)}sysctl -w net.core.rmem_default=${target} (applies to sockets created afterwards).` : '';
  else who = 'net.core.rmem_default applies only to sockets that do not set SO_RCVBUF themselves.';
  const members = s ? sameAddress(s, ctx.snapshot.sockets) : [];
  const fd = s?.processes[0] ? ` (fd ${s.processes[0].fd} of pid ${s.processes[0].pid})` : '';
  const readers = members.length
    ? `This socket is one of ${members.length + 1} bound to ${fmtEndpoint(s!.local)} (SO_REUSEPORT or SO_REUSEADDR): the kernel hashes each flow to one member, so a member that is not read fast enough drops while the others idle; more readers do not help: check the thread or process that reads this one${fd}.`
    : 'Read faster: more readers with SO_REUSEPORT, recvmmsg() batches.';
  const confirm = `${confirmOn(ctx)}${nstatFor(families)} (should stop rising) and ss -uam (skmem d = drops)`;
  // Already at the kernel's largest buffer (the request is doubled): no larger one to suggest, only reading.
  if (rcvbuf != null && rcvbuf >= target * 2)
    return `${members.length ? readers : `Read faster: more readers with SO_REUSEPORT, recvmmsg() batches; a larger receive buffer is not available: rcvbuf ${fmtBytes(rcvbuf)} is already the most the kernel gives (SO_RCVBUF is capped at INT_MAX / 2, doubled).`} ${confirm}`;
  // A member of a group that is not read drops whatever its size: its reader comes first.
  if (members.length) return `${readers} If it is read and only bursts overflow it, give it a larger receive buffer: ${code}; ${cap}. ${who ? `${who} ` : ''}${confirm}`;
  return `Give the socket a larger receive buffer: ${code}; ${cap}. ${who ? `${who} ` : ''}${readers} ${confirm}`;
}

/** What the host counters say besides full buffers: InCsumErrors, MemErrors and the rest of InErrors (a filter). */
interface OtherCauses {
  csum: number;
  mem: number;
  other: number;
}

function otherCauses(win: readonly Snapshot[]): OtherCauses | null {
  const ie = udpRise(win, 'InErrors');
  if (!ie) return null;
  const rb = udpRise(win, 'RcvbufErrors')?.delta ?? 0;
  const csum = udpRise(win, 'InCsumErrors')?.delta ?? 0;
  const mem = udpRise(win, 'MemErrors')?.delta ?? 0;
  // RcvbufErrors, MemErrors and InCsumErrors are each also counted in InErrors; the rest is a socket filter or another sk_drops drop.
  return { csum, mem, other: Math.max(0, ie.delta - rb - csum - mem) };
}

/**
 * The fix when the drops are not a full buffer: a socket filter, bad checksums or host-wide UDP memory,
 * those the counters show (all three when they show none apart).
 */
function notBufferFix(ctx: RuleContext, families: readonly Family[], causes: OtherCauses | null, alone = true): string {
  const on = onHost(ctx);
  const sec = families.map((f) => SECTION[f]);
  const known = causes != null && causes.csum + causes.mem + causes.other > 0;
  const parts = [
    ...(!known || causes!.other > 0 ? [`A socket filter (SO_ATTACH_FILTER/SO_ATTACH_BPF, as DNS and game servers attach to drop junk) discards datagrams and counts them in InErrors and the socket's drops: check the application's filter and ${on}bpftool prog.`] : []),
    ...(!known || causes!.csum > 0 ? [`Bad checksums (${sec.map((x) => `${x}InCsumErrors`).join(', ')}) come from a NIC, driver or path that corrupts datagrams: ${on}ethtool -S IFACE.`] : []),
    ...(!known || causes!.mem > 0 ? [`Memory errors (${sec.map((x) => `${x}MemErrors`).join(', ')}) mean UDP memory for the whole host (net.ipv4.udp_mem, pages; /proc/net/sockstat UDP mem) ran out: raise udp_mem or find the socket holding memory (${on}ss -uam, largest r).`] : []),
  ];
  return `${alone ? 'A larger receive buffer will not help.' : 'a larger buffer does not stop these.'} ${parts.join(' ')} ${confirmOn(ctx)}nstat -az ${sec.map((x) => `${x}InErrors ${x}RcvbufErrors ${x}InCsumErrors ${x}MemErrors`).join(' ')}; ss -uam shows d rising with r at 0 for a filter`;
}

const udpReceiveErrors: Rule = {
  id: 'udp-receive-errors',
  severities: ['warning'],
  scope: 'host',
  topic: 'udp',
  summary:
    "Udp or Udp6 RcvbufErrors or InErrors (/proc/net/snmp, /proc/net/snmp6) rose in at least two intervals of the window by udpErrorsMin or more. RcvbufErrors: a socket's receive buffer is full; InErrors without RcvbufErrors are split into bad checksums (InCsumErrors), host UDP memory (MemErrors) and the rest (a socket filter): no bigger buffer is prescribed for those. Names the sockets whose drops rose; under --port, says when the port's sockets are not the ones dropping. Needs history.",
  thresholds: ['udpErrorsMin', 'windowSeconds'],
  evaluate(ctx) {
    const win = windowOf(ctx);
    const min = th(ctx, 'udpErrorsMin');
    const rbAll = udpRise(win, 'RcvbufErrors');
    const ieAll = udpRise(win, 'InErrors');
    const rb = sustained(rbAll, min);
    const ie = sustained(ieAll, min);
    const r = rb ?? ie;
    if (!r) return [];
    const families = (['ipv4', 'ipv6'] as const).filter((f) => (rbAll?.byFamily[f] ?? 0) > 0 || (ieAll?.byFamily[f] ?? 0) > 0);
    const rbD = rbAll?.delta ?? 0;
    const causesSeen = otherCauses(win);
    const { csum: csD, mem: memD, other } = causesSeen ?? { csum: 0, mem: 0, other: 0 };
    const causes = [
      ...(rbD > 0 ? [`RcvbufErrors +${rbD}: a socket's receive buffer was full`] : []),
      ...(memD > 0 ? [`MemErrors +${memD}: UDP memory for the whole host (net.ipv4.udp_mem) ran out`] : []),
      ...(csD > 0 ? [`InCsumErrors +${csD}: datagrams with a bad checksum`] : []),
      ...(other > 0 ? [`+${other} other InErrors: not a full buffer (a socket filter, or another drop counted in the socket's drops)`] : []),
    ];
    const fam = families.length === 1 && families[0] === 'ipv6' ? ' (IPv6)' : families.length === 2 ? ' (IPv4 and IPv6)' : '';
    const what = rb
      ? `RcvbufErrors +${rb.delta} in ${fmtSeconds(rb.seconds)} (${fmtRate(rb.perSecond)}); datagrams are dropped because a receive buffer is full${causes.length > 1 ? `, and ${causes.filter((c) => !c.startsWith('RcvbufErrors')).join('; ')}` : ''}`
      : `InErrors +${ie!.delta} in ${fmtSeconds(ie!.seconds)} (${fmtRate(ie!.perSecond)}) with RcvbufErrors steady: no receive buffer is full; ${causes.join('; ') || 'the cause is not counted apart'}`;
    const counters = families.length ? families : (['ipv4'] as Family[]);
    const perFamily = counters
      .map((f) => `${SECTION[f]} RcvbufErrors ${rbAll?.byFamily[f] ? `+${rbAll.byFamily[f]}` : 'steady'}, InErrors ${ieAll?.byFamily[f] ? `+${ieAll.byFamily[f]}` : 'steady'}`)
      .join('; ');
    // The sockets whose drops rose in the window (an old non-zero counter is no evidence). Under --port the
    // snapshot may hold only that port: say when its sockets are not the ones dropping.
    const dropping = droppingSockets(win, ctx.snapshot.sockets, 1);
    const onPort = ctx.port !== undefined ? dropping.filter((d) => d.s.local.port === ctx.port) : dropping;
    const elsewhere = ctx.port !== undefined ? dropping.filter((d) => d.s.local.port !== ctx.port) : [];
    const portUdp = ctx.port !== undefined ? ctx.snapshot.sockets.filter((s) => s.protocol === 'udp' && s.local.port === ctx.port) : [];
    const listed = onPort.slice(0, 3).map((d) => udpDetail(d.s, d.t));
    let where = listed.length ? `; sockets dropping: ${listed.join('; ')}` : '';
    let message = `UDP receive errors are rising${fam}: ${what}`;
    let fix = rb ? rmemFix(ctx, onPort.length === 1 ? onPort[0].s : undefined, counters) : notBufferFix(ctx, counters, causesSeen);
    // Both at once: the buffer for the RcvbufErrors, and the rest for the other InErrors.
    if (rb && (other > 0 || csD > 0 || memD > 0)) fix += `. The other InErrors: ${notBufferFix(ctx, counters, causesSeen, false)}`;
    if (ctx.port !== undefined && onPort.length === 0) {
      const seen = portUdp.map((s) => ({ s, t: dropTrend(win, s) }));
      // Only counters seen in two samples or more can say a socket did not drop: without them (a source
      // without socket memory, a socket bound during the window) nothing is concluded about the port.
      const blind = seen.filter((x) => x.t == null);
      const rose = seen.filter((x) => x.t != null && x.t.delta > 0);
      const clear = portUdp.length > 0 && blind.length === 0 && rose.length === 0;
      const state =
        portUdp.length === 0
          ? `no UDP socket is bound to port ${ctx.port}`
          : clear
            ? `the UDP sockets on port ${ctx.port} are not dropping (their drop counters did not rise)`
            : rose.length
              ? `the drop counter of ${rose.length === 1 ? 'a UDP socket' : `${rose.length} UDP sockets`} on port ${ctx.port} rose in only one interval (${rose.map((x) => udpDetail(x.s, x.t!)).slice(0, 3).join('; ')})`
              : `the drop counters of ${blind.length === portUdp.length ? `the UDP socket${portUdp.length === 1 ? '' : 's'}` : `${blind.length} of the ${portUdp.length} UDP sockets`} on port ${ctx.port} are not visible to this source, so whether ${blind.length === 1 ? 'it drops' : 'they drop'} is not known`;
      const concluded = portUdp.length === 0 || clear;
      // The commands read where this snapshot was read: a remote one's --host (netlink is this machine's).
      const again = ctx.repeat ?? '';
      const remote = ctx.snapshot.source === 'remote';
      message += concluded ? `; ${state}: the drops are elsewhere on this host` : `; ${state}`;
      where = `; ${state}${elsewhere.length ? `; dropping elsewhere: ${elsewhere.slice(0, 3).map((d) => udpDetail(d.s, d.t)).join('; ')}` : ''}`;
      if (concluded)
        fix = `Nothing to change on port ${ctx.port} for this. Find the socket that drops: sockscope analyze${again} --samples 5 (without --port) names it, or ${onHost(ctx)}ss -uam (skmem d = drops) and sockscope${again} --udp; then ${rb ? 'give that socket a larger receive buffer or read it faster' : 'see to its filter, checksums or udp_mem as below'}. ${confirmOn(ctx)}${nstatFor(counters)}`;
      else
        fix = `See whether port ${ctx.port} is the one dropping: ${onHost(ctx)}ss -uam 'sport = :${ctx.port}' (skmem d = drops, run it twice) or sockscope analyze --port ${ctx.port}${remote ? again : ''} --samples 5${remote ? '' : ' --source netlink'} (its drop counters); without --port, sockscope analyze${again} --samples 5 names the sockets that drop. If it is this port: ${fix}`;
    }
    return [
      {
        id: this.id,
        severity: 'warning',
        scope: 'host',
        message,
        evidence: `${perFamily} over ${win.length} samples${causes.length ? ` (${causes.join('; ')})` : ''}; net.core.rmem_max ${ctx.snapshot.sysctls['net.core.rmem_max'] ?? 'unknown'}, net.core.rmem_default ${ctx.snapshot.sysctls['net.core.rmem_default'] ?? 'unknown'}${where}`,
        fix,
      },
    ];
  },
};

const udpSocketDrops: Rule = {
  id: 'udp-socket-drops',
  severities: ['warning'],
  scope: 'socket',
  topic: 'udp',
  summary:
    "A UDP socket's drop counter (skmem d, sk_drops) rose in at least two intervals of the window. Its receive buffer overflows, unless its queue stayed empty or the host's RcvbufErrors did not rise with it: then a socket filter, bad checksums or host UDP memory drop the datagrams, and no bigger buffer is prescribed. Names the port, process, address, inode and fd (several sockets can share a port). Needs history and the counter (netlink, ss -m, or the drops column of /proc/net/udp).",
  thresholds: ['udpErrorsMin', 'windowSeconds'],
  evaluate(ctx) {
    const win = windowOf(ctx);
    if (win.length < 3) return [];
    const min = th(ctx, 'udpErrorsMin');
    const out: Recommendation[] = [];
    for (const { s, t } of droppingSockets(win, ctx.snapshot.sockets, min)) {
      const p = uniqueProcesses([s.processes]);
      const fam = familyOf(s);
      // The host counter of the socket's family: a drop for a full buffer is always counted there.
      // A dual-stack [::] socket's IPv4 datagrams are counted in Udp, its IPv6 ones in Udp6.
      const counted: Family[] = fam === 'ipv6' && s.local.address === '::' && s.v6only !== true ? ['ipv4', 'ipv6'] : [fam];
      // A drop for a full buffer is always counted in RcvbufErrors: where the host counters are known they
      // decide. The queue alone cannot: a burst can fill it and the reader drain it between two samples.
      const hostRb = udpRise(win, 'RcvbufErrors');
      const hostKnown = hostRb != null && counted.every((f) => hostRb.byFamily[f] !== undefined);
      const hostSteady = hostKnown && counted.every((f) => hostRb!.byFamily[f] === 0);
      const emptyQueue = t.maxQueue === 0;
      const notBuffer = hostSteady || (!hostKnown && emptyQueue);
      const why = notBuffer
        ? `, but not for a full buffer: ${[...(emptyQueue ? [`its queue stayed empty (${s.skmem ? `0 B of rcvbuf ${fmtBytes(s.skmem.rcvbuf)}` : 'Recv-Q 0'})`] : []), ...(hostSteady ? [`${counted.map((f) => SECTION[f]).join(' and ')} RcvbufErrors did not rise`] : [])].join(' and ')}`
        : emptyQueue
          ? `, its receive buffer overflows in bursts (its queue was empty at every sample, but ${counted.map((f) => SECTION[f]).join(' and ')} RcvbufErrors rose)`
          : ', its receive buffer overflows';
      const shared = sameAddress(s, ctx.snapshot.sockets);
      out.push({
        id: this.id,
        severity: 'warning',
        scope: 'socket',
        protocol: 'udp',
        port: s.local.port,
        ...(p.length === 1 ? { pid: p[0].pid } : {}),
        message: `UDP socket on port ${s.local.port}${p.length ? ` (${describeProcesses(p)})` : ''} is dropping datagrams: +${t.delta} in ${fmtSeconds(t.seconds)}${why} (socket ${socketIdentity(s)})`,
        evidence: udpDetail(s) + (shared.length ? `; ${shared.length} other socket(s) are bound to ${fmtEndpoint(s.local)}` : ''),
        fix: notBuffer ? notBufferFix(ctx, counted, otherCauses(win)) : rmemFix(ctx, s, counted),
      });
    }
    return out;
  },
};

export const udpRules: readonly Rule[] = [udpReceiveErrors, udpSocketDrops];
