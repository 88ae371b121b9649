// No free port left in the ephemeral range: a bind() of port 0 that fails with EADDRINUSE, or a sendto() on an
// unbound UDP socket whose automatic bind fails with EAGAIN (which the errno table calls "would block"). Said with
// net.ipv4.ip_local_port_range and how much of it the protocol's sockets hold (TryContext.ephemeral). Pure, as
// interpret-try.ts, which calls it.
import type { EphemeralUse, TryContext, TryInterpretation } from './interpret-try-types.js';

/** "N of the M ports of net.ipv4.ip_local_port_range (L-H) have a UDP socket on them", or the range alone. */
function rangeText(e: EphemeralUse | undefined, protocol: 'tcp' | 'udp'): string {
  const name = protocol === 'udp' ? 'UDP' : 'TCP';
  if (!e) return `every port of net.ipv4.ip_local_port_range is taken by a ${name} socket`;
  const range = `net.ipv4.ip_local_port_range (${e.low}-${e.high}, ${e.size} ports)`;
  if (e.ports === undefined) return `every port of ${range} is taken`;
  const rest = e.size - e.ports;
  return `${e.ports} of the ${e.size} ports of net.ipv4.ip_local_port_range (${e.low}-${e.high}) have a ${name} socket on them (${e.sockets ?? e.ports} socket(s))${rest > 0 ? `; the kernel found the other ${rest} taken too (${e.reserved ? `net.ipv4.ip_local_reserved_ports is ${e.reserved}, or ` : ''}sockets this view does not show)` : ''}`;
}

/** What the range's holders are, and the reserved ports, as details. */
function holderDetails(e: EphemeralUse | undefined): string[] {
  const out: string[] = [];
  if (e?.top?.length) out.push(`the processes holding the most of them: ${e.top.map((t) => `${t.name}/${t.pid} (${t.ports} port${t.ports === 1 ? '' : 's'})`).join(', ')}; a program that opens sockets and never closes them holds their ports until it exits`);
  if (e?.reserved) out.push(`net.ipv4.ip_local_reserved_ports = ${e.reserved}: the kernel never picks those ports for port 0`);
  return out;
}

/** The steps: list the holders, widen the range, or use a fixed port. */
function steps(e: EphemeralUse | undefined, protocol: 'tcp' | 'udp', fixed: string): string[] {
  const flag = protocol === 'udp' ? '-uanp' : '-tanp';
  const low = e?.low ?? 32768;
  const high = e?.high ?? 60999;
  // Wider than now: Linux's default when the range is narrower, else most of the unprivileged ports.
  const wider = high - low + 1 < 60999 - 32768 + 1 ? '32768 60999' : '1024 65535';
  const name = protocol === 'udp' ? 'UDP' : 'TCP';
  // ss -tan does not list a TCP socket bound without listen() or connect(); ss -B lists only those (iproute2 6.7+).
  const list = e?.boundOnly
    ? `ss ${flag} 'sport >= :${low} and sport <= :${high}'; ss -tBnp 'sport >= :${low} and sport <= :${high}'   (the TCP sockets holding the range, and their processes; ${e.boundOnly} of them are bound without listening, which ss -tan does not list and ss -B does, iproute2 6.7+)`
    : `ss ${flag} 'sport >= :${low} and sport <= :${high}'   (the ${name} sockets holding the range, and their processes)`;
  return [
    list,
    'close the sockets that hold them (a program that leaks sockets holds their ports until it exits)',
    `sysctl -w net.ipv4.ip_local_port_range="${wider}"   (a wider range; now ${e ? `"${e.low} ${e.high}", ${e.size} ports` : 'sysctl net.ipv4.ip_local_port_range'})`,
    fixed,
  ];
}

/** bind() or listen() of port 0 failed with EADDRINUSE: the kernel found no free port in the range. `details` holds the errno's meaning. */
export function portZeroExhausted(c: TryContext, details: string[]): TryInterpretation {
  const protocol = c.udp === true ? 'udp' : 'tcp';
  const e = c.ephemeral;
  const host = c.target.replace(/:\d+$/, '');
  const again = host.startsWith('[') ? `'${host}:PORT'` : `${host}:PORT`; // quoted for the shell: [::]:PORT is a glob
  return {
    ok: false,
    summary: `no free port for ${c.op === 'listen' ? 'bind + listen' : 'bind'} on ${c.target}: port 0 asks the kernel for a free port of the ephemeral range, and none is left: ${rangeText(e, protocol)}`,
    details: [...details, ...holderDetails(e)],
    nextSteps: steps(e, protocol, `or bind a fixed port outside the range: sockscope try ${c.op} ${again}${c.udp ? ' --udp' : ''}`),
  };
}

/**
 * sendto() on an unbound UDP socket failed with EAGAIN (EWOULDBLOCK): the kernel binds such a socket to a free
 * ephemeral port first (inet_autobind) and found none. Not "would block": the socket is a blocking one.
 */
export function autobindExhausted(c: TryContext): TryInterpretation {
  const e = c.ephemeral;
  return {
    ok: false,
    summary: `sendto ${c.target}: the socket had no local port yet, and the kernel's automatic bind found no free one: ${rangeText(e, 'udp')}`,
    details: [
      `${c.errno ?? 'EAGAIN'} here is not "would block" (the socket is a blocking one): a sendto() on an unbound UDP socket first binds it to a free ephemeral port, and fails with EAGAIN when none is left`,
      ...holderDetails(e),
    ],
    nextSteps: steps(e, 'udp', 'or bind the sending socket to a fixed port outside the range before sendto()'),
  };
}
