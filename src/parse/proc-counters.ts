// Pure parsers for /proc/net/netstat, /proc/net/snmp (header/value line pairs), /proc/net/snmp6 (name value
// lines) and /proc/net/sockstat.

/**
 * Parses the paired-line format of /proc/net/netstat and /proc/net/snmp:
 *   TcpExt: SyncookiesSent SyncookiesRecv ...
 *   TcpExt: 0 0 ...
 * into { TcpExt: { SyncookiesSent: 0, ... } }. Mismatched or truncated pairs are skipped. Lines of
 * /proc/net/snmp6 after them (the remote script prints both files in one section) are read as
 * parseSnmp6 reads them: without this the IPv6 UDP counters of a remote host were never seen.
 */
export function parseNetstatCounters(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const all = text.split('\n').filter((l) => l.trim() !== '');
  const lines = all.filter((l) => l.includes(':'));
  if (lines.length < all.length) mergeInto(out, parseSnmp6(all.filter((l) => !l.includes(':')).join('\n')));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const head = lines[i];
    const vals = lines[i + 1];
    const hc = head.indexOf(':');
    const vc = vals.indexOf(':');
    if (hc <= 0 || vc <= 0) continue;
    const section = head.slice(0, hc);
    if (vals.slice(0, vc) !== section) {
      // out of step: resynchronise on the next line
      i -= 1;
      continue;
    }
    const names = head.slice(hc + 1).trim().split(/\s+/);
    const values = vals.slice(vc + 1).trim().split(/\s+/);
    if (names.length !== values.length) continue;
    const rec: Record<string, number> = {};
    names.forEach((n, j) => {
      const v = Number(values[j]);
      if (Number.isFinite(v)) rec[n] = v;
    });
    out[section] = { ...(out[section] ?? {}), ...rec };
  }
  return out;
}

/**
 * Parses /proc/net/snmp6, one "Name value" line per counter:
 *   Udp6InErrors      12
 *   Udp6RcvbufErrors  10
 * into { Udp6: { InErrors: 12, RcvbufErrors: 10 } }: the section is the name up to its first "6" followed by
 * a capital (Ip6, Icmp6, Udp6, UdpLite6), so that Udp6 reads as Udp does in /proc/net/snmp. IPv6 UDP drops
 * are counted only here, never in snmp's Udp line. Lines of another shape are skipped.
 */
export function parseSnmp6(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z][A-Za-z0-9]*?6)([A-Z][A-Za-z0-9]*)\s+(-?\d+)\s*$/.exec(line);
    if (!m) continue;
    const v = Number(m[3]);
    if (!Number.isFinite(v)) continue;
    (out[m[1]] ??= {})[m[2]] = v;
  }
  return out;
}

function mergeInto(out: Record<string, Record<string, number>>, add: Record<string, Record<string, number>>): void {
  for (const [section, rec] of Object.entries(add)) out[section] = { ...(out[section] ?? {}), ...rec };
}

/**
 * Parses /proc/net/sockstat (and sockstat6): "TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 105" ->
 * { TCP: { inuse: 1, orphan: 0, tw: 0, alloc: 1, mem: 105 } }.
 */
export function parseSockstat(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n')) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const section = line.slice(0, c).trim();
    const parts = line.slice(c + 1).trim().split(/\s+/);
    const rec: Record<string, number> = {};
    for (let j = 0; j + 1 < parts.length; j += 2) {
      const v = Number(parts[j + 1]);
      if (Number.isFinite(v)) rec[parts[j]] = v;
    }
    out[section] = rec;
  }
  return out;
}
