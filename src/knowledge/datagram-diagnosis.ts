// What became of a datagram debug-connections --udp sent: answered, refused (ICMP port unreachable), dropped or
// queued by a socket of this host (udp-delivery.ts), or unconfirmed; and one verdict over every address.
import { diagnoseConnectError } from './connect-diagnosis.js';
import { neighbourFinding } from './connect-neighbour.js';
import type { ConnectContext, ConnectDiagnosis } from './connect-context.js';
import { bareAddress, formatHostPort } from './host-port.js';
import { udpIcmpFinding } from './icmp-report.js';
import { fragmentedNote, pathMtuExceeded, sendFailed } from './datagram-size.js';
import { udpBoundText, udpDelivery, udpElsewhere, udpOwners, udpSendInstead, type UdpSocketReading } from './udp-delivery.js';

/**
 * Everything one datagram's outcome (debug-connections --udp) is interpreted with. As for a connect: `icmp`, the ICMP
 * error read on a second send from sockscope's own socket (datagram-probe.ts; absent when not read, no koffi, and the
 * wording is then the errno's) with `hostAddresses`; `neighbour` and `routeLine` (connect-facts.ts routeFacts) after a
 * failed send, and `neighbour` after one to another host that nothing answered (no ARP/NDP answer: it never left).
 */
export interface DatagramContext extends Pick<ConnectContext, 'address' | 'port' | 'route' | 'unknownZone' | 'icmp' | 'hostAddresses' | 'neighbour' | 'routeLine' | 'noSourceFamily' | 'loopbackV6Disabled'> {
  timeoutMs: number;
  /** The send or an ICMP error after it (ECONNREFUSED: port unreachable); undefined when neither failed. */
  errno?: string;
  /** The call that returned `errno` at once: the UDP socket's connect() or its send (absent: an error that came later). */
  failedCall?: 'connect' | 'send';
  /** The datagram's size in bytes (data only). */
  sent?: number;
  /** The path MTU the kernel holds for the address (IP_MTU), when read: a large datagram, or EMSGSIZE after the send. */
  pathMtu?: number;
  /** Bytes that came back (the first datagram, or all until `expect` matched); undefined when nothing came back. */
  replied?: number;
  /** The text the reply had to contain, and whether it did. */
  expect?: string;
  matched?: boolean;
  /** Whether a request was given (--send): without one an empty datagram is sent, which few services answer. */
  request: boolean;
  /** This host: its UDP sockets on the port, with drop counters read before and after (connect-facts.ts udpPortReadings). */
  udpSockets?: readonly UdpSocketReading[];
  /** This host: how many TCP listeners the port has (a TCP service tested with --udp). */
  tcpListeners?: number;
}

/**
 * A datagram's outcome interpreted, as a ConnectDiagnosis: `errno` only when the send or an ICMP error failed it, and
 * whether it is a success (answered, or delivered to a socket here).
 */
export type DatagramDiagnosis = Omit<ConnectDiagnosis, 'errno'> & { errno?: string; ok: boolean };

/**
 * What became of one datagram sent to HOST:PORT (debug-connections --udp): answered, refused, dropped, queued, or
 * unconfirmed; a datagram larger than the path MTU the kernel holds is said to have left in fragments.
 */
export function diagnoseDatagram(ctx: DatagramContext): DatagramDiagnosis {
  const target = formatHostPort(ctx.address, ctx.port);
  const bare = bareAddress(ctx.address);
  // EMSGSIZE that came after the send returned: the datagram left, and a router's ICMP fragmentation needed (packet
  // too big) came back (Linux's UDP default, IP_PMTUDISC_WANT, sets DF). Only the send's own EMSGSIZE is the size limit.
  if (ctx.errno === 'EMSGSIZE' && ctx.failedCall === undefined) return { ok: false, errno: ctx.errno, category: 'other', causes: [], ...pathMtuExceeded(target, bare, ctx.sent ?? 0, ctx.icmp, ctx.pathMtu) };
  const d = outcome(ctx, target, bare);
  const frag = ctx.failedCall === undefined && ctx.sent !== undefined ? fragmentedNote(bare, ctx.sent, ctx.pathMtu) : undefined;
  if (!frag) return d;
  return { ...d, summary: d.summary + frag.note, nextSteps: d.ok || d.category === 'refused' ? d.nextSteps : [...d.nextSteps, frag.step] };
}

function outcome(ctx: DatagramContext, target: string, bare: string): DatagramDiagnosis {
  const P = ctx.port;
  const local = ctx.udpSockets !== undefined;
  const tcp = ctx.tcpListeners ? ` (a TCP listener is on port ${P}: debug-connections without --udp tests it)` : '';
  const out = (ok: boolean, category: ConnectDiagnosis['category'], summary: string, nextSteps: string[], causes: string[] = []): DatagramDiagnosis => ({ ok, ...(ctx.errno ? { errno: ctx.errno } : {}), category, summary, causes, nextSteps });
  const icmp = ctx.errno && ctx.icmp ? udpIcmpFinding(ctx.icmp, target, ctx) : undefined;
  if (icmp) return out(false, ctx.errno === 'ECONNREFUSED' ? 'refused' : 'unreachable', icmp.summary, icmp.steps);
  if (ctx.errno === 'ECONNREFUSED') {
    if (local) {
      const elsewhere = udpElsewhere(ctx.udpSockets!, bare);
      if (elsewhere.length) {
        return out(
          false,
          'refused',
          `${target}: an ICMP port unreachable came back: nothing receives on UDP ${target}, but ${elsewhere.slice(0, 3).map(udpBoundText).join('; ')}${tcp}`,
          udpSendInstead(elsewhere, ctx.address, P, 'sockscope debug-connections --udp --address'),
        );
      }
      return out(false, 'refused', `${target}: an ICMP port unreachable came back: no UDP socket is bound to port ${P} on this host${tcp}`, [`start the server, or check which port it is bound to: ss -lunp   (no UDP socket on port ${P} now)`]);
    }
    return out(false, 'refused', `${target}: an ICMP port unreachable came back: nothing receives on UDP port ${P} there, or a firewall rejects it (REJECT --reject-with icmp-port-unreachable)`, [
      `on the server: ss -lunp 'sport = :${P}'   (is a socket bound to the port, on that address?)`,
      'look for REJECT rules on the way (iptables -S, nft list ruleset)',
    ]);
  }
  if (ctx.errno) {
    // The send failed at once (a rejecting route, no route, EACCES...): the same reasons as a connect.
    // The next hop's neighbour entry and the rejecting route's line; with the ICMP error read (icmpFinding had no
    // sentence of its own for it), its sender too.
    const read: Partial<ConnectContext> = {
      ...(ctx.neighbour ? { neighbour: ctx.neighbour } : {}),
      ...(ctx.routeLine !== undefined ? { routeLine: ctx.routeLine } : {}),
      // EADDRNOTAVAIL with no address of the family to send from (IPv6 disabled): not a port range used up.
      ...(ctx.noSourceFamily ? { noSourceFamily: ctx.noSourceFamily } : {}),
      ...(ctx.loopbackV6Disabled ? { loopbackV6Disabled: true as const } : {}),
      ...(ctx.icmp !== undefined ? { icmp: ctx.icmp, ...(ctx.hostAddresses ? { hostAddresses: ctx.hostAddresses } : {}), ...(ctx.udpSockets ? { udpSockets: ctx.udpSockets } : {}) } : {}),
    };
    const d = diagnoseConnectError(ctx.errno, { address: ctx.address, port: P, timeoutMs: ctx.timeoutMs, datagram: true, ...(ctx.failedCall ? { datagramCall: ctx.failedCall } : {}), ...(ctx.route ? { route: ctx.route } : {}), ...(ctx.unknownZone !== undefined ? { unknownZone: ctx.unknownZone } : {}), ...read });
    return { ...d, ...(ctx.failedCall === 'send' ? sendFailed(ctx.errno, target, bare) : undefined), ok: false };
  }
  if (ctx.replied !== undefined) {
    if (ctx.expect !== undefined && !ctx.matched)
      return out(false, 'other', `${target} answered (${ctx.replied} bytes), but the reply does not contain "${ctx.expect}"`, ['check the request (--send) and what the service answers to it']);
    return out(true, 'other', `${target} answered with ${ctx.replied} bytes${ctx.expect !== undefined ? ` containing "${ctx.expect}"` : ''}`, []);
  }
  const waited = `within ${ctx.timeoutMs} ms`;
  if (local) {
    const delivery = udpDelivery(ctx.udpSockets!, bare);
    if (!delivery)
      return out(false, 'other', `${target}: no UDP socket on this host receives it, yet no ICMP port unreachable came back ${waited}: a firewall rule on this host drops it (iptables -S; nft list ruleset)`, ['iptables -S; nft list ruleset   (a DROP rule for this port)', `ss -lunp 'sport = :${P}'`]);
    if (delivery.dropped.length) return out(false, 'other', `${target}: ${delivery.summary}`, delivery.steps);
    const steps: string[] = [];
    const asked = ctx.request || ctx.expect !== undefined;
    if (!asked) steps.push('to see it answer: --send a request the service understands, and --expect text of its reply');
    return out(
      !asked,
      'other',
      `${target}: ${delivery.summary}${asked ? `; no reply came ${waited}: the program has not read it yet, or does not answer this request` : '; it was an empty datagram, which most services do not answer'}`,
      asked && delivery.receivers[0]?.owners[0] ? [`see what ${udpOwners(delivery.receivers[0])} does with it (strace -f -p ${delivery.receivers[0].owners[0].pid} -e trace=recvfrom,recvmsg,sendto,sendmsg)`] : steps,
    );
  }
  // An unanswered ARP/NDP lookup gives EHOSTUNREACH only after about 3 s: within a shorter wait, the entry tells.
  const n = neighbourFinding({ ...ctx, datagram: true }, target);
  if (n && !n.answered) return out(false, 'unreachable', n.summary, n.steps);
  return out(
    false,
    'timeout',
    `${target}: no reply and no ICMP error ${waited}: UDP gives no delivery confirmation, so the server may have received it and not answered${ctx.request ? ' (it ignores this request?)' : ' (an empty datagram: most services do not answer one; --send a request it understands)'}, or a firewall dropped it on the way`,
    [`tcpdump -ni any udp port ${P}   (does the datagram leave, and does anything come back?)`, `on the server: ss -uam 'sport = :${P}'   (is a socket bound there, and does its drop counter d rise?)`],
  );
}

/** One verdict over every address a datagram was sent to (debug-connections --udp). */
export function datagramVerdict(host: string, port: number, outcomes: readonly { address: string; diagnosis: DatagramDiagnosis }[]): { ok: boolean; summary: string; nextSteps: string[] } {
  const hp = formatHostPort(host, port);
  if (outcomes.length === 0) return { ok: false, summary: `${host} does not resolve to any address`, nextSteps: [`getent ahosts ${host}`] };
  const steps: string[] = [];
  for (const o of outcomes) for (const s of o.diagnosis.nextSteps) if (!steps.includes(s)) steps.push(s);
  const why = (o: (typeof outcomes)[number]) => {
    const t = formatHostPort(o.address, port);
    const s = o.diagnosis.summary;
    return outcomes.length === 1 && s.startsWith(`${t}: `) ? s.slice(t.length + 2) : outcomes.length === 1 && s.startsWith(`${t} `) ? s.slice(t.length + 1) : s;
  };
  const ok = outcomes.every((o) => o.diagnosis.ok);
  return { ok, summary: `${hp} (UDP): ${outcomes.map(why).join('; ')}`, nextSteps: steps };
}
