// The IPv6 address text form, both ways: a typed literal to its 32 hex digits (what /proc/net/if_inet6 writes, and
// the 16 bytes a sockaddr_in6 holds), and eight hex groups to the RFC 5952 text ss and the kernel print. Pure; shared
// by the parsers (procfs-net, ip-addr-state) and the libc sockaddr codec in src/collect.

/** An IPv6 address (no zone or brackets; an IPv4 tail allowed) as 32 lowercase hex digits, as /proc/net/if_inet6 writes it; undefined when not one. */
export function ipv6Hex(address: string): string | undefined {
  let a = address.toLowerCase();
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (v4) {
    const b = v4.slice(2).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    a = `${v4[1]}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => g.padStart(4, '0')).join('');
}

/**
 * Joins eight hex groups (lowercase, no leading zeros: "0", "db8") into the RFC 5952 text form: the longest run of two
 * or more zero groups (the first of equal runs) as ::, and an IPv4-mapped address as ::ffff:a.b.c.d.
 */
export function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // Keep the embedded IPv4 of ::ffff:a.b.c.d readable (normalizeAddress unmaps it; people type it so).
  if (bestStart === 0 && bestLen === 5 && groups[5] === 'ffff') {
    const hi = Number.parseInt(groups[6], 16);
    const lo = Number.parseInt(groups[7], 16);
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}
