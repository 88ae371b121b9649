// Which sockets on a port can conflict with the address `sockscope try` binds: addresses compared without their
// zones, wildcards and IPv4-mapped forms, and a scoped (link-local) target against each socket's interface. Pure.
import { isLinkLocal } from '../model/socket.js';
import { endpointHost } from './host-port.js';
import type { PortHolder } from './interpret-try-types.js';

/** An endpoint's address without its zone, and the zone (an interface name or index) when it has one. */
export function splitZone(endpoint: string): { address: string; zone?: string } {
  const h = endpointHost(endpoint);
  const pct = h.indexOf('%');
  return pct < 0 ? { address: h.toLowerCase() } : { address: h.slice(0, pct).toLowerCase(), zone: h.slice(pct + 1) };
}

/**
 * Whether bind() uses an IPv6 address's zone (the kernel's __ipv6_addr_needs_scope_id): link-local unicast
 * (fe80::/10) and interface- or link-local multicast (ffX1::, ffX2::). Any other address's zone is ignored: the
 * socket is bound to no interface and conflicts with sockets on every one.
 */
function needsScope(address: string): boolean {
  return isLinkLocal(address) || /^ff[0-9a-f][12]:/i.test(address);
}

/** The target's address, and its zone when bind() uses it. */
function targetScope(target: string): { address: string; zone?: string } {
  const t = splitZone(target);
  return t.zone !== undefined && !needsScope(t.address) ? { address: t.address } : t;
}

/**
 * Whether a holder's interface can be the one `zone` (the target's, by name or index) names. Without a zone on
 * the target or an interface on the holder, it can (the kernel compares the interfaces only when both sockets
 * are bound to one); so it can when the two cannot be compared (an index against a name alone).
 */
function sameInterface(h: PortHolder, zone: string | undefined): boolean {
  if (zone === undefined) return true;
  const name = h.device ?? splitZone(h.local).zone;
  if (h.scopeId === undefined && name === undefined) return true;
  if (/^\d+$/.test(zone)) return h.scopeId !== undefined ? h.scopeId === Number(zone) : true;
  return name !== undefined && !/^\d+$/.test(name) ? name === zone : true;
}

function isAny(a: string): boolean {
  return a === '0.0.0.0' || a === '::' || a === '*' || a === '';
}

/** An IPv4 local address, plain or IPv4-mapped ("0.0.0.0", "::ffff:10.0.0.1"). */
export function isV4(a: string): boolean {
  return !a.includes(':') || a.startsWith('::ffff:');
}

/**
 * A holder's state as ss names it: a UDP socket is CLOSE in the kernel's table, which ss shows as UNCONN (bound,
 * not connected); a connected one as ESTAB. TCP states keep the kernel's names.
 */
export function holderState(h: PortHolder, udp: boolean): string {
  if (!udp) return h.state;
  return h.state === 'CLOSE' ? 'UNCONN' : h.state === 'ESTABLISHED' ? 'ESTAB' : h.state;
}

/** Whether two local addresses can conflict in bind(): equal, or either is a wildcard. */
function overlaps(a: string, b: string): boolean {
  return a === b || isAny(a) || isAny(b) || a === `::ffff:${b}` || b === `::ffff:${a}`;
}

/**
 * The holders whose local address can conflict with the target (the others share only the port number): the
 * addresses compared without their zones, and a scoped target ([fe80::5%eth0]:80) against the holder's interface
 * (scopeId, device): fe80::5 on another link is another address. A zone on an address that needs none ([::%lo])
 * is ignored, as bind() ignores it.
 */
export function relevantHolders(holders: readonly PortHolder[], target: string): PortHolder[] {
  const mine = targetScope(target);
  return holders.filter((h) => overlaps(splitZone(h.local).address, mine.address) && sameInterface(h, mine.zone));
}

/** Whether a holder is bound to the target's own address (not a wildcard), on the same interface when the target names one. */
export function sameAddress(h: PortHolder, target: string): boolean {
  const mine = targetScope(target);
  return splitZone(h.local).address === mine.address && sameInterface(h, mine.zone);
}
