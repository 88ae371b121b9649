// Pure parsers of `ip` output read around a connect (collect/connect-facts.ts runs the commands): the route the
// kernel picks (ip route get), the route-table line that rejected it (ip route show match), the next hop's ARP/NDP
// entry (ip neigh show). Tested on captured outputs in test/knowledge/interpret-connect-facts.

/** Parsed `ip route get ADDRESS`. */
export interface RouteInfo {
  /** Whether there is a usable route; null when it is unknown (`ip route get` could not run: `error` says why). */
  ok: boolean | null;
  /**
   * 'local', 'unicast', 'broadcast', 'multicast', 'unreachable', 'blackhole', 'prohibit', 'throw', 'none' (no route
   * at all), or 'unknown'.
   */
  type?: string;
  via?: string;
  dev?: string;
  src?: string;
  /** The raw first line (or ip's error message). */
  text: string;
  error?: string;
}

/**
 * The route type behind the kernel's answer when `ip route get` fails: a route (or `ip rule`) of type blackhole
 * gives EINVAL, prohibit EACCES, unreachable EHOSTUNREACH, and no route at all ENETUNREACH (fib_props in
 * net/ipv4/fib_semantics.c, ip6_rt_type_to_error in net/ipv6/route.c). connect() fails with the same errno at once.
 */
const ROUTE_ERRORS: Record<string, string> = {
  'Invalid argument': 'blackhole',
  'Permission denied': 'prohibit',
  'No route to host': 'unreachable',
  'Network is unreachable': 'none',
};

/** Parses the output (or error) of `ip route get ADDRESS`. */
export function parseIpRouteGet(stdout: string, stderr = '', exitCode = 0): RouteInfo {
  const line = stdout.split('\n')[0]?.trim() ?? '';
  if (exitCode !== 0 || line === '') {
    const kernel = /^RTNETLINK answers:\s*(.*)$/m.exec(stderr.trim())?.[1]?.trim();
    const err = kernel || stderr.trim() || 'no route';
    const type = kernel ? ROUTE_ERRORS[kernel] : undefined;
    return { ok: false, ...(type ? { type } : {}), text: stderr.trim() || 'ip route get failed', error: err };
  }
  const tokens = line.split(/\s+/);
  const get = (k: string) => {
    const i = tokens.indexOf(k);
    return i >= 0 ? tokens[i + 1] : undefined;
  };
  const first = tokens[0];
  const type = ['local', 'unreachable', 'blackhole', 'prohibit', 'broadcast', 'multicast', 'throw'].includes(first) ? first : 'unicast';
  const r: RouteInfo = { ok: !['unreachable', 'blackhole', 'prohibit', 'throw'].includes(type), type, text: line };
  const via = get('via');
  const dev = get('dev');
  const src = get('src');
  if (via) r.via = via;
  if (dev) r.dev = dev;
  if (src) r.src = src;
  if (!r.ok) r.error = `route type ${type}`;
  return r;
}

/** The route when `ip route get` could not run (not installed, timed out): unknown, never assumed. */
export function unknownRoute(why: string): RouteInfo {
  const error = `could not run \`ip route get\` (${why})`;
  return { ok: null, type: 'unknown', text: error, error };
}

/**
 * The most specific line of `ip route show match ADDRESS` (every route of the main table that covers the address):
 * the route that rejected a connect, named ("blackhole 10.50.0.0/16"). Undefined when no line matches.
 */
export function parseRouteMatch(stdout: string): string | undefined {
  let best: { line: string; len: number } | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const t = line.split(/\s+/);
    const dest = /^(unicast|local|broadcast|multicast|blackhole|unreachable|prohibit|throw|anycast|nat)$/.test(t[0]) ? t[1] : t[0];
    if (!dest) continue;
    const len = dest === 'default' ? 0 : dest.includes('/') ? Number(dest.split('/')[1]) : dest.includes(':') ? 128 : 32;
    if (Number.isFinite(len) && (!best || len > best.len)) best = { line, len };
  }
  return best?.line;
}

/** A neighbour (ARP for IPv4, NDP for IPv6) entry: `ip neigh show ADDRESS`. */
export interface NeighbourEntry {
  address: string;
  dev?: string;
  lladdr?: string;
  /** The kernel's NUD state: REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED, PERMANENT, NOARP...; 'none' without an entry. */
  state: string;
}

/** Parses `ip neigh show ADDRESS` for one address (on `dev` when given); state 'none' when there is no entry. */
export function parseIpNeigh(stdout: string, address: string, dev?: string): NeighbourEntry {
  for (const raw of stdout.split('\n')) {
    const t = raw.trim().split(/\s+/);
    if (t[0]?.toLowerCase() !== address.toLowerCase()) continue;
    const at = (k: string) => (t.indexOf(k) >= 0 ? t[t.indexOf(k) + 1] : undefined);
    const d = at('dev');
    if (dev && d && d !== dev) continue;
    const states = t.slice(1).filter((x) => /^[A-Z_]{4,}$/.test(x));
    return { address, ...(d ?? dev ? { dev: d ?? dev } : {}), ...(at('lladdr') ? { lladdr: at('lladdr') } : {}), state: states[states.length - 1] ?? 'none' };
  }
  return { address, ...(dev ? { dev } : {}), state: 'none' };
}
