// HOST:PORT as people type it and as reports write it (debug-connections, try, the library's inputs).
import { isIP } from 'node:net';

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
    if (close < 0 || t[close + 1] !== ':') return { error: `'${text}' is not HOST:PORT; write IPv6 addresses as [::1]:8080` };
    host = t.slice(1, close);
    portText = t.slice(close + 2);
    if (isIP(host.replace(/%.*$/, '')) !== 6) return { error: `'${host}' in brackets is not an IPv6 address` };
  } else {
    const c = t.lastIndexOf(':');
    if (c <= 0) return { error: `'${text}' is not HOST:PORT (e.g. example.com:443, 10.0.0.1:80, [::1]:8080)` };
    host = t.slice(0, c);
    portText = t.slice(c + 1);
    if (host.includes(':')) return { error: `'${text}': write IPv6 addresses in brackets, as [${host}]:${portText}` };
    if (!/^[A-Za-z0-9._-]+$/.test(host)) return { error: `'${host}' is not a host name or an IP address` };
  }
  const low = port.allowZero ? 0 : 1;
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < low || Number(portText) > 65535)
    return { error: `port must be ${low}-65535${port.why ? ` ${port.why}` : ''}, got '${portText}'` };
  return { host, port: Number(portText) };
}

/** HOST:PORT as people write it: [::1]:80 for IPv6, host:80 otherwise. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
