// HOST:PORT as people type it and as reports write it (debug-connections, try, the library's inputs).
import { isIP, SocketAddress } from 'node:net';
import { briefText } from '../model/input-error.js';
import { normalizeAddress } from '../model/socket.js';

/** A piece of the input as an error quotes it: cut short (briefText), so that a megabyte of text is not echoed whole. */
const q = (s: string): string => briefText(s);

/** The longest host name (RFC 1035: 253 characters written without the trailing dot, 254 with it). */
const HOST_NAME_MAX = 254;

/**
 * HOST:PORT as typed: 10.0.0.1:80, [::1]:8080, example.com:443. Returns an error sentence instead of throwing.
 * The port is 1-65535 (a peer's port); `port.allowZero` accepts 0 too (a local port for bind: the kernel picks one),
 * and `port.why` is said after the range in the error ("for connect (the server's port...)").
 */
export function parseHostPort(text: string, port: { allowZero?: boolean; why?: string } = {}): { host: string; port: number } | { error: string } {
  const t = text.trim();
  let host: string;
  let portText: string;
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close > 0 && close === t.length - 1 && isIPv6Text(t.slice(1, close))) return { error: `'${q(text)}' has no port: write ${q(t)}:PORT (e.g. ${q(t)}:8080)` };
    if (close < 0 || t[close + 1] !== ':') return { error: `'${q(text)}' is not HOST:PORT; write IPv6 addresses as [::1]:8080` };
    host = t.slice(1, close);
    portText = t.slice(close + 2);
    if (ipFamily(host) !== 6) return { error: `'${q(host)}' in brackets is not an IPv6 address` };
  } else {
    const c = t.lastIndexOf(':');
    if (c <= 0) return { error: `'${q(text)}' is not HOST:PORT (e.g. example.com:443, 10.0.0.1:80, [::1]:8080)` };
    host = t.slice(0, c);
    portText = t.slice(c + 1);
    if (host.includes(':')) return { error: unbracketed(text, t, host, portText) };
    if (!/^[A-Za-z0-9._-]+$/.test(host)) return { error: `'${q(host)}' is not a host name or an IP address` };
    // A DNS name is at most 253 characters (RFC 1035): a longer one resolves nowhere, and a report naming it
    // repeated it in every line (a megabyte "host" made a 6 MB debug-connections document).
    if (host.length > HOST_NAME_MAX) return { error: `'${q(host)}' is not a host name: ${host.length} characters, at most ${HOST_NAME_MAX}` };
  }
  const low = port.allowZero ? 0 : 1;
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < low || Number(portText) > 65535)
    return { error: `port must be ${low}-65535${port.why ? ` ${port.why}` : ''}, got '${q(portText)}'` };
  return { host, port: Number(portText) };
}

/** Whether the text is an IPv6 address, with an optional %zone (that has no ':' in it). */
function isIPv6Text(t: string): boolean {
  const m = /^([^%]*)(?:%([^:]+))?$/.exec(t);
  return m !== null && isIP(m[1]) === 6;
}

/**
 * The error for IPv6 written without brackets. The last group cannot be taken for the port when the whole text is an
 * address ("fe80::1" is not "fe80:" port 1): the port is missing, or, when the text without its last group is an
 * address too ("::1:8080"), which was meant cannot be told.
 */
function unbracketed(text: string, t: string, host: string, portText: string): string {
  if (isIPv6Text(t)) {
    if (isIPv6Text(host) && /^\d{1,5}$/.test(portText))
      return `'${q(text)}' is ambiguous: it is an IPv6 address as written, or ${q(host)} and port ${q(portText)}; write [${q(host)}]:${q(portText)} for that port, or [${q(t)}]:PORT for that address`;
    return `'${q(text)}' is an IPv6 address without a port: write it in brackets with the port, as [${q(t)}]:PORT (e.g. [${q(t)}]:8080)`;
  }
  if (isIPv6Text(host)) return `'${q(text)}': write IPv6 addresses in brackets, as [${q(host)}]:${q(portText)}`;
  return `'${q(text)}' is not HOST:PORT (e.g. example.com:443, 10.0.0.1:80, [::1]:8080)`;
}

/**
 * An endpoint as sockscope writes it ("[::1]:80", "[fe80::1%eth0]:80", "10.0.0.1:80") split into its host (without the
 * brackets, with its zone) and its port (absent when it is not a number, as "*"); a text with no port is all host.
 */
export function splitEndpoint(endpoint: string): { host: string; port?: number } {
  const m = /^\[(.*)\]:([^:]*)$/.exec(endpoint) ?? /^([^:]*):([^:]*)$/.exec(endpoint);
  if (!m) return { host: endpoint };
  return /^\d+$/.test(m[2]) ? { host: m[1], port: Number(m[2]) } : { host: m[1] };
}

/** An endpoint's host: "[::1]:80" -> "::1", "[fe80::1%eth0]:80" -> "fe80::1%eth0", "10.0.0.1:80" -> "10.0.0.1". */
export function endpointHost(endpoint: string): string {
  return splitEndpoint(endpoint).host;
}

/**
 * The address a destination is in the kernel's tables and in every source's socket list, to compare with them: without
 * its zone ("fe80::1%eth0" -> "fe80::1": sockets are reported without it), IPv6 in its canonical form (getaddrinfo
 * gives a literal back as typed: "0:0:0:0:0:0:0:1" -> "::1", "FD00::AB" -> "fd00::ab", as inet_ntop writes sockets), and
 * an IPv4-mapped address as the IPv4 address it is ("::ffff:127.0.0.1", "::ffff:7f00:1" -> "127.0.0.1": an AF_INET6
 * socket reaches it over IPv4, through the IPv4 routes and listeners, and normalizeAddress reports such sockets as IPv4).
 */
export function bareAddress(a: string): string {
  const b = withoutZone(a);
  return normalizeAddress(isIP(b) === 6 ? new SocketAddress({ address: b, family: 'ipv6' }).address : b).address;
}

/** An address without its zone ("fe80::1%eth0" -> "fe80::1"), otherwise as written. */
export function withoutZone(a: string): string {
  return a.replace(/%.*$/, '');
}

/** The family of an IP literal, with or without a zone (4 or 6); 0 for a name. */
export function ipFamily(a: string): 0 | 4 | 6 {
  return isIP(withoutZone(a)) as 0 | 4 | 6;
}

/** The zone of an IPv6 address ("fe80::1%eth0" -> "eth0"); undefined when it has none. */
export function zoneOf(a: string): string | undefined {
  const i = a.indexOf('%');
  return i >= 0 && i < a.length - 1 ? a.slice(i + 1) : undefined;
}

/** HOST:PORT as people write it: [::1]:80 for IPv6, host:80 otherwise. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
