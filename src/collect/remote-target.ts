// --host values as ssh takes them: parsed (refused when ssh would read them otherwise) and written back as one name.
import { isIPv6 } from 'node:net';

export interface RemoteTarget {
  /** user@host or host, as ssh takes it. */
  destination: string;
  port?: number;
}

/**
 * Parses --host values: user@server, server, user@server:2222, john@corp.example.com@server, ssh://user@server:2222, user@[::1]:2222,
 * and as ssh takes them an IPv6 address without brackets when there is no port (user@::1) and a
 * link-local one with its zone (user@[fe80::1%eth0]:22, fe80::1%eth0). Throws on anything else.
 */
export function parseRemoteTarget(text: string): RemoteTarget {
  let t = text.trim();
  if (t.startsWith('ssh://')) t = t.slice(6);
  const invalid = () => new Error(`invalid host "${text}" (expected user@server or server, optionally :port)`);
  if (t === '' || t.startsWith('-') || /[\s'"`$;&|<>\\]/.test(t)) throw invalid();
  const at = t.lastIndexOf('@');
  const user = at >= 0 ? t.slice(0, at) : undefined;
  // The user may hold an @ (AD/SSSD logins: john@corp.example.com@server; ssh splits at the last @).
  if (user !== undefined && !/^[A-Za-z0-9._-]+(@[A-Za-z0-9._-]+)*$/.test(user)) throw invalid();
  const rest = t.slice(at + 1);
  const dest = (host: string) => (user !== undefined ? `${user}@${host}` : host);
  // [v6]:port, or a bare IPv6 address (two colons or more: never host:port), either with a %zone.
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  const host6 = bracket ? bracket[1] : (rest.match(/:/g)?.length ?? 0) >= 2 ? rest : undefined;
  if (host6 !== undefined) {
    const pct = host6.indexOf('%');
    const zone = pct >= 0 ? host6.slice(pct + 1) : undefined;
    if (!isIPv6(pct >= 0 ? host6.slice(0, pct) : host6) || (zone !== undefined && !/^[A-Za-z0-9._-]+$/.test(zone))) throw invalid();
    return { destination: dest(host6), ...(bracket?.[2] ? { port: checkPort(bracket[2], text) } : {}) };
  }
  // Not a leading '-' (ssh refuses one: "hostname contains invalid characters"): root@-x and ssh://root@-x were
  // taken here and failed only when ssh ran (exit 1) where --host=-x is bad input (exit 2).
  const m = /^([A-Za-z0-9._][A-Za-z0-9._-]*)(?::(\d+))?$/.exec(rest);
  if (!m) throw invalid();
  return { destination: dest(m[1]), ...(m[2] ? { port: checkPort(m[2], text) } : {}) };
}

/** The target as one name for messages and reports: user@server:port, IPv6 in brackets (parseRemoteTarget reads it back). */
export function formatRemoteTarget(t: RemoteTarget): string {
  const at = t.destination.lastIndexOf('@');
  const host = t.destination.slice(at + 1);
  return `${t.destination.slice(0, at + 1)}${host.includes(':') ? `[${host}]` : host}${t.port ? `:${t.port}` : ''}`;
}

function checkPort(p: string, text: string): number {
  const n = Number(p);
  if (n < 1 || n > 65535) throw new Error(`invalid port in host "${text}"`);
  return n;
}
