// Pure parsers for /proc/net/netstat, /proc/net/snmp (header/value line pairs) and /proc/net/sockstat.

/**
 * Parses the paired-line format of /proc/net/netstat and /proc/net/snmp:
 *   TcpExt: SyncookiesSent SyncookiesRecv ...
 *   TcpExt: 0 0 ...
 * into { TcpExt: { SyncookiesSent: 0, ... } }. Mismatched or truncated pairs are skipped.
 */
export function parseNetstatCounters(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const lines = text.split('\n').filter((l) => l.trim() !== '');
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
