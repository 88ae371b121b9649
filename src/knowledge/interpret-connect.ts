// Pure interpretation for debug-connections and `try`: address parsing, `ip route get` parsing, what a connect
// error means on this host, and a verdict with next steps. Errno meanings come from src/knowledge/errno.ts.
import { isIP } from 'node:net';
import { explainErrno } from './errno.js';

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

/** The C library's message for an errno name ("Connection refused"), from the errno table. */
export function errnoMessage(name: string): string | undefined {
  try {
    return explainErrno(name).matches[0]?.message;
  } catch {
    return undefined;
  }
}

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

/** What a route type that rejects traffic means, in a few words. */
const REJECTING: Record<string, string> = {
  blackhole: 'a blackhole route discards traffic to it',
  prohibit: 'a prohibit route forbids traffic to it',
  unreachable: 'an unreachable route rejects traffic to it',
  throw: 'a throw route ends the lookup without a route',
  none: 'no route to it',
};

/** One line: how the route goes. */
export function describeRoute(r: RouteInfo): string {
  if (r.ok === null) return `unknown: ${r.error}`;
  if (!r.ok) return `no usable route: ${r.type && REJECTING[r.type] && r.type !== 'none' ? `${REJECTING[r.type]} (${r.error})` : r.error}`;
  if (r.type === 'local') return `local address (delivered on ${r.dev ?? 'lo'})`;
  if (r.type === 'broadcast') return `broadcast address${r.dev ? ` of the network on ${r.dev}` : ''} (not one host)`;
  if (r.type === 'multicast') return `multicast address${r.dev ? ` (on ${r.dev})` : ''} (not one host)`;
  return `${r.via ? `via gateway ${r.via}` : 'directly connected'}${r.dev ? ` on ${r.dev}` : ''}${r.src ? `, source ${r.src}` : ''}`;
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

/** IPv4 224.0.0.0/4 or IPv6 ff00::/8: a group, not a host. */
export function isMulticast(address: string): boolean {
  const a = address.replace(/%.*$/, '').toLowerCase();
  if (isIP(a) === 4) return Number(a.split('.')[0]) >= 224 && Number(a.split('.')[0]) <= 239;
  return isIP(a) === 6 && a.startsWith('ff');
}

/** This host's existing TCP sockets to one destination, summarized. */
export interface ExistingSockets {
  total: number;
  states: Record<string, number>;
  /** Average smoothed RTT over sockets that report it, in ms. */
  avgRttMs?: number;
  maxRttMs?: number;
  /** Sum of total retransmits over the sockets. */
  retransTotal: number;
  timeWait: number;
  /** Size of net.ipv4.ip_local_port_range (the cap on connections to one destination from one source address). */
  portRange?: { low: number; high: number; size: number };
  /**
   * Sockets left out of `total` and `states`: closed by their program (no file left, inode 0) and waiting for the
   * peer's FIN or last ACK (FIN_WAIT1, FIN_WAIT2, CLOSING, LAST_ACK), such as the probe of an earlier run.
   */
  closedByProgram?: Record<string, number>;
}

/** An interpreted connect error. */
export interface ConnectDiagnosis {
  errno: string;
  /** Short category: refused, reset (accepted, then reset), timeout, unreachable, ports-exhausted, dns, permission, other. */
  category: 'refused' | 'reset' | 'timeout' | 'unreachable' | 'ports-exhausted' | 'dns' | 'permission' | 'other';
  summary: string;
  /** From the errno knowledge. */
  meaning?: string;
  causes: string[];
  nextSteps: string[];
}

/** A listener on this host that takes connections for the destination: its accept queue (Recv-Q) and backlog (Send-Q). */
export interface LocalListener {
  local: string;
  pending: number;
  backlog: number;
}

/** A TCP listener on this host on the destination's port, at whatever address, with the processes that hold it. */
export interface PortListener {
  /** As the kernel reports it: 0.0.0.0, ::, 127.0.0.1, ::1 ('*' from some sources). */
  address: string;
  port: number;
  /** Connections waiting for accept() (Recv-Q). */
  pending: number;
  /** listen() backlog (Send-Q); undefined when the source cannot see it. */
  backlog?: number;
  owners: { pid: number; name: string }[];
  /** The owner's uid when its processes are not visible. */
  uid?: number;
  /** SO_BINDTODEVICE: takes connections arriving on this interface only. */
  device?: string;
}

/** TCP listeners in a snapshot on `port`, for the interpretation (any address). */
export function portListeners(
  sockets: readonly { protocol: string; state: string; local: { address: string; port: number }; recvQ: number; sendQ: number; sendQUnknown?: boolean; processes: readonly { pid: number; name: string }[]; uid?: number; boundDevice?: string }[],
  port: number,
): PortListener[] {
  return sockets
    .filter((s) => s.protocol === 'tcp' && s.state === 'LISTEN' && s.local.port === port)
    .map((s) => ({
      address: s.local.address,
      port,
      pending: s.recvQ,
      ...(s.sendQUnknown ? {} : { backlog: s.sendQ }),
      owners: [...new Map(s.processes.map((p) => [p.pid, { pid: p.pid, name: p.name }])).values()],
      ...(s.processes.length === 0 && s.uid !== undefined ? { uid: s.uid } : {}),
      ...(s.boundDevice ? { device: s.boundDevice } : {}),
    }));
}

/** "python3/4242", or who it could be when the processes are hidden. */
export function listenerOwners(l: PortListener): string {
  if (l.owners.length) return l.owners.map((p) => `${p.name}/${p.pid}`).join(', ');
  return l.uid !== undefined ? `a process of uid ${l.uid} (not visible to this user)` : 'a process sockscope cannot see';
}

/** Whether a listener bound to `listening` takes a connection to `target` (same address, or the family's wildcard). */
function takes(listening: string, target: string): boolean {
  const t = target.replace(/%.*$/, '').toLowerCase();
  const l = listening.toLowerCase();
  if (l === t || l === `::ffff:${t}`) return true;
  return isIP(t) === 6 ? l === '::' || l === '*' : l === '0.0.0.0' || l === '*' || l === '::';
}

/** Among this host's listeners on the port, the one a connect to `address` reaches (exact address first, then a wildcard). */
export function listenerFor(listeners: readonly PortListener[], address: string): PortListener | undefined {
  const a = address.replace(/%.*$/, '').toLowerCase();
  return listeners.find((l) => l.address.toLowerCase() === a) ?? listeners.find((l) => takes(l.address, a));
}

function isLoopback(a: string): boolean {
  return a === '::1' || /^127\./.test(a);
}

/**
 * The listener on this host that a connect to (address, port) reaches: same address first, then a wildcard
 * (0.0.0.0, ::, *); among several (SO_REUSEPORT) the one whose accept queue is full. Call it only for local destinations.
 */
export function findLocalListener(
  sockets: readonly { protocol: string; state: string; local: { address: string; port: number }; recvQ: number; sendQ: number; sendQUnknown?: boolean }[],
  address: string,
  port: number,
): LocalListener | undefined {
  const want = address.replace(/%.*$/, '').toLowerCase();
  const v6 = isIP(want) === 6;
  const wild = v6 ? ['::', '*'] : ['0.0.0.0', '::', '*'];
  const listeners = sockets.filter((s) => s.protocol === 'tcp' && s.state === 'LISTEN' && s.local.port === port && !s.sendQUnknown);
  const exact = listeners.filter((s) => s.local.address.toLowerCase() === want);
  const group = exact.length ? exact : listeners.filter((s) => wild.includes(s.local.address));
  const l = group.find((s) => s.recvQ > s.sendQ) ?? group[0];
  return l ? { local: formatHostPort(l.local.address, l.local.port), pending: l.recvQ, backlog: l.sendQ } : undefined;
}

/** Everything a connect outcome is interpreted with; only errno, address and port are required. */
export interface ConnectContext {
  address: string;
  port: number;
  timeoutMs?: number;
  route?: RouteInfo;
  existing?: ExistingSockets;
  /** The listener a timed-out local connect reaches (its accept queue). */
  listener?: LocalListener;
  /** Set only when the destination is this host: every TCP listener on `port`, at any address, with its owners. */
  listeners?: readonly PortListener[];
  /** The name as typed and every address it resolved to (names only, not literals). */
  resolved?: { host: string; addresses: readonly string[] };
  /** The next hop's ARP/NDP entry (the address itself when directly connected), read after the attempt. */
  neighbour?: NeighbourEntry;
  /** The route that rejected the connect, as `ip route show match` names it ("blackhole 10.50.0.0/16"). */
  routeLine?: string;
  /** net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only (the default). */
  twReuse?: number | null;
}

/** Why a server resets a connection it has just accepted (connect() got ECONNRESET, or the first read or write did). */
const RESET_CAUSES = [
  'the server closed the new connection with SO_LINGER {1, 0}: an abortive close sends a reset instead of a FIN',
  'the server process crashed or was killed with the connection open',
  'the server, or a proxy in front of it, turns clients away at once: a connection limit, an access list, TCP wrappers',
];

/** The failed/incomplete neighbour states: no ARP/NDP answer. */
const NO_NEIGHBOUR = new Set(['INCOMPLETE', 'FAILED']);
/** States of an entry whose link-layer address is known. */
const NEIGHBOUR_KNOWN = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);

/** What the neighbour entry says about a connect that got no answer (ETIMEDOUT, EHOSTUNREACH); undefined when it says nothing. */
function neighbourFinding(ctx: ConnectContext, target: string): { summary: string; steps: string[]; answered: boolean } | undefined {
  const n = ctx.neighbour;
  if (!n || !ctx.route?.ok || ctx.route.type !== 'unicast') return undefined;
  const gateway = ctx.route.via !== undefined;
  const proto = isIP(n.address) === 6 ? 'NDP (neighbour discovery)' : 'ARP';
  const on = n.dev ? ` on ${n.dev}` : '';
  if (NO_NEIGHBOUR.has(n.state)) {
    const probe = isIP(n.address) === 6 ? `ndisc6 ${n.address}${n.dev ? ` ${n.dev}` : ''}` : `arping -c 3${n.dev ? ` -I ${n.dev}` : ''} ${n.address}`;
    return {
      answered: false,
      summary: gateway
        ? `${target}: no ${proto} reply from the gateway ${n.address}${on} (neighbour entry ${n.state}): the SYN never left this host; the gateway is down or not on that link`
        : `${target}: no ${proto} reply from ${n.address}${on} (neighbour entry ${n.state}): the SYN never left this host; no machine on that link has this address (down, unplugged, or another address)`,
      steps: [
        `ip neigh show ${n.address}   (INCOMPLETE/FAILED: no ${proto} answer)`,
        `${probe}   (does anything on the link answer for ${n.address}?)`,
        `ip -br addr show${n.dev ? ` dev ${n.dev}` : ''}   (is ${n.address} in the subnet of that interface, and is it the right link?)`,
      ],
    };
  }
  // A static entry (PERMANENT, NOARP) was never answered: it only says where the frames go.
  const known = n.state === 'PERMANENT' || n.state === 'NOARP' ? `has a static ${proto} entry` : `answers ${proto}`;
  if (NEIGHBOUR_KNOWN.has(n.state))
    return {
      answered: true,
      summary: gateway
        ? `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms: the gateway ${n.address} ${known}${on}, so the SYNs leave this host and are lost beyond it (a firewall that drops, a host that is down, or a broken path)`
        : `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms: ${n.address} ${known}${on}${n.lladdr ? ` (${n.lladdr})` : ''}, so the SYNs reach the link, but it sends no SYN-ACK: a firewall on it drops port ${ctx.port}, it has no route back to this host, or it is overloaded`,
      steps: [],
    };
  return undefined;
}

/** Where else on this host the port is listened on, for a refused local connect; undefined when the listeners are unknown. */
function refusedLocally(ctx: ConnectContext, target: string): { summary: string; steps: string[] } | undefined {
  if (!ctx.listeners) return undefined;
  const t = ctx.address.replace(/%.*$/, '');
  const v6 = isIP(t) === 6;
  const P = ctx.port;
  const at = (l: PortListener) => `${listenerOwners(l)} listens on ${formatHostPort(l.address, P)}${l.device ? ` (bound to device ${l.device})` : ''}`;
  if (ctx.listeners.length === 0)
    return {
      summary: `${target} answered with a reset: nothing listens there, nor on port ${P} at any other address of this host`,
      steps: [`start the server, or check which port it listens on: ss -ltnp   (no TCP listener on port ${P} now)`],
    };
  const here = ctx.listeners.filter((l) => takes(l.address, t));
  if (here.length) {
    const l = here[0];
    if (!v6 && here.every((x) => x.address === '::'))
      return {
        summary: `${target}: ${at(l)}, but for IPv6 only (IPV6_V6ONLY=1, or net.ipv6.bindv6only=1), so an IPv4 connection to ${t} is refused`,
        steps: [
          `connect over IPv6: ${formatHostPort(isLoopback(t) ? '::1' : "this host's IPv6 address", P)}`,
          `or have the server clear IPV6_V6ONLY before bind() (one [::] socket then takes IPv4 too), or also listen on 0.0.0.0:${P}`,
          'sysctl net.ipv6.bindv6only   (1 makes every [::] socket IPv6-only unless the program clears IPV6_V6ONLY)',
        ],
      };
    if (l.device)
      return { summary: `${target}: ${at(l)}: it takes connections arriving on ${l.device} only (SO_BINDTODEVICE)`, steps: [`connect to an address that arrives on ${l.device}, or have the server not bind to a device`] };
    return {
      summary: `${target}: ${at(l)}, which takes this connection, yet it was refused: a firewall rule on this host rejected it with a reset (REJECT --reject-with tcp-reset), or the listener closed just now`,
      steps: ['iptables -S; nft list ruleset   (a REJECT with tcp-reset for this port)', `ss -ltnp 'sport = :${P}'   (is the listener still there?)`],
    };
  }
  // Listeners elsewhere: say where, and why the connect did not reach them.
  const others = ctx.listeners.slice(0, 3);
  const named = ctx.resolved !== undefined && !isIP(ctx.resolved.host);
  let why = '';
  // A loopback listener takes only connections made to loopback: no name should resolve there but localhost.
  const loopbackOnly = !isLoopback(t) && others.every((l) => isLoopback(l.address));
  if (loopbackOnly) why = ` (loopback only: it takes connections to ${others[0].address} from this host, not to ${t})`;
  else if (named && others.some((l) => !ctx.resolved!.addresses.some((a) => takes(l.address, a))))
    why = `; ${ctx.resolved!.host} resolved only to ${ctx.resolved!.addresses.join(', ')}`;
  else if (isLoopback(t) && !v6 && others.some((l) => /^127\./.test(l.address)))
    why = ` (all of 127.0.0.0/8 reaches this host, but a listener takes only the address it bound)`;
  else if (others.every((l) => l.address === '0.0.0.0') && v6) why = ' (IPv4 only)';
  const steps: string[] = [];
  for (const l of others) {
    const a = l.address === '0.0.0.0' || l.address === '*' ? (isLoopback(t) ? '127.0.0.1' : "this host's IPv4 address") : l.address === '::' ? (isLoopback(t) ? '::1' : "this host's IPv6 address") : l.address;
    steps.push(`connect to ${formatHostPort(a, P)} instead`);
  }
  if (named && why && !loopbackOnly) {
    const want = others.find((l) => !takes(l.address, t))?.address;
    if (want && isLoopback(want) && /^localhost$/i.test(ctx.resolved!.host)) steps.push(`add \`${want} localhost\` to /etc/hosts   (getent ahosts localhost shows what it resolves to now)`);
    else if (want && !isLoopback(want) && !['0.0.0.0', '::', '*'].includes(want)) steps.push(`make ${ctx.resolved!.host} resolve to ${want} too (/etc/hosts or DNS; getent ahosts ${ctx.resolved!.host})`);
  }
  const crossFamily = others.some((l) => (isIP(l.address) === 6) !== v6);
  steps.push(
    crossFamily
      ? `or have the server listen on every address of both families: bind [::]:${P} with IPV6_V6ONLY off`
      : `or have the server listen on ${formatHostPort(t, P)} too, or on every address (${v6 ? '[::]' : '0.0.0.0'}:${P})`,
  );
  return { summary: `nothing listens on ${target}, but ${others.map(at).join('; ')}${why}`, steps };
}

/** What a connect() errno means for this destination, with next steps. */
export function diagnoseConnectError(errno: string, ctx: ConnectContext): ConnectDiagnosis {
  const target = formatHostPort(ctx.address, ctx.port);
  let meaning: string | undefined;
  let knownCauses: string[] = [];
  let knownFixes: string[] = [];
  try {
    const e = explainErrno(errno).matches[0];
    if (e) {
      meaning = e.meaning;
      knownCauses = e.causes;
      knownFixes = e.fixes;
    }
  } catch {
    /* not in the table (e.g. ENOTFOUND from the resolver) */
  }
  const bare = ctx.address.replace(/%.*$/, '');
  const v6 = isIP(bare) === 6;
  const localTarget = ctx.route?.type === 'local' || ctx.listeners !== undefined;
  const d = (category: ConnectDiagnosis['category'], summary: string, nextSteps: string[], causes = knownCauses): ConnectDiagnosis => ({ errno, category, summary, meaning, causes, nextSteps });
  const matchStep = `ip ${v6 ? '-6 ' : ''}route show match ${bare}   (the routes that cover ${bare}; ip rule lists policy rules, which can reject too)`;
  // A route (or rule) that rejects: the kernel fails connect() at once with the errno of the route type.
  const rejecting = ctx.route?.ok === false && ctx.route.type && ['blackhole', 'prohibit', 'unreachable', 'throw'].includes(ctx.route.type) ? ctx.route.type : undefined;
  if (rejecting && ['EINVAL', 'EACCES', 'EHOSTUNREACH', 'ENETUNREACH'].includes(errno)) {
    // `ip route show match` reads the main table: its line names the route only when its type is the one that answered.
    const line = ctx.routeLine?.startsWith(`${rejecting} `) ? ctx.routeLine : undefined;
    const named = line ? ` (${line})` : ctx.routeLine !== undefined ? ' (not in the main table: an ip rule or another table)' : '';
    return d(
      'unreachable',
      `${target}: ${REJECTING[rejecting]} on this host${named}, so connect() fails with ${errno} at once and nothing is sent`,
      [matchStep, line ? `ip route del ${line.split(/\s+/).slice(0, 2).join(' ')}   (if that route is not meant to be there)` : 'ip rule; ip route show table all   (where the rejecting route or rule is)'],
      [],
    );
  }
  // TCP connects to one host: the kernel refuses broadcast and multicast destinations (ENETUNREACH).
  if (errno === 'ENETUNREACH' && (isMulticast(bare) || bare === '255.255.255.255' || ctx.route?.type === 'broadcast' || ctx.route?.type === 'multicast')) {
    const kind = isMulticast(bare) || ctx.route?.type === 'multicast' ? 'multicast' : 'broadcast';
    return d(
      'unreachable',
      `${target}: ${bare} is a ${kind} address: TCP connects to one host only, and Linux fails connect() to a ${kind} address with ENETUNREACH`,
      ["connect to the server's own (unicast) address", `to find servers by ${kind}, use UDP${kind === 'broadcast' ? ' (with SO_BROADCAST set)' : ''} and have them answer with their own address`],
      [],
    );
  }
  switch (errno) {
    case 'ECONNREFUSED': {
      const here = localTarget ? refusedLocally(ctx, target) : undefined;
      if (here) return d('refused', here.summary, [...here.steps, `sockscope analyze --port ${ctx.port}   (the port's listeners, connections and owners)`]);
      return d('refused', `${target} answered with a reset: nothing listens there${localTarget ? ' (this host: check its listeners)' : ', or a firewall rejects with tcp-reset'}`, [
        localTarget ? `sockscope analyze --port ${ctx.port}   (is anything listening on ${ctx.port}, and on which address?)` : `on the server: sockscope analyze --port ${ctx.port}, or ss -ltnp 'sport = :${ctx.port}'`,
        'check that the server listens on this address family and address (0.0.0.0 vs 127.0.0.1, :: vs IPv4 only)',
        'look for REJECT --reject-with tcp-reset rules (iptables -S, nft list ruleset) on the way',
      ]);
    }
    case 'ECONNRESET': {
      // connect() reports ECONNRESET only once the handshake is done: a reset answering the SYN is ECONNREFUSED.
      const holder = localTarget ? ctx.listeners && listenerFor(ctx.listeners, bare) : undefined;
      const who = holder ? listenerOwners(holder) : undefined;
      return d(
        'reset',
        `${target} accepted the connection, then reset it${who ? ` (${who})` : ''}: an abortive close (SO_LINGER {1, 0}), a crash, or a server that turns clients away at once (connection limit, access list)`,
        [
          holder?.owners.length
            ? `look at ${who}: its logs, and what it does with a new connection (strace -f -e trace=accept4,setsockopt,close -p ${holder.owners[0].pid})`
            : "look at the server's logs: the handshake completed (a reset answering the SYN would be ECONNREFUSED), then it reset the connection",
          'if a proxy or load balancer is in front: its limits (max connections) and the health of its backends',
        ],
        RESET_CAUSES,
      );
    }
    case 'ETIMEDOUT': {
      // The kernel drops a SYN while the listener's accept queue is full (Recv-Q > backlog): a local, visible cause.
      const l = ctx.listener;
      if (l && l.pending > l.backlog) {
        const owner = ctx.listeners?.find((x) => formatHostPort(x.address, x.port) === l.local);
        const who = owner?.owners.length ? listenerOwners(owner) : undefined;
        return d(
          'timeout',
          `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms: the accept queue of the listener ${l.local} on this host is full (${l.pending} waiting for accept(), backlog ${l.backlog}), so the kernel drops new SYNs${who ? `: ${who} is not accepting fast enough` : ''}`,
          [
            who
              ? `${who} is not calling accept() fast enough: see what it does (strace -f -p ${owner!.owners[0].pid} -e trace=accept,accept4,poll,epoll_wait)`
              : `sockscope analyze --port ${ctx.port}   (which process owns the listener, and is it calling accept()?)`,
            'make the server accept faster (more workers, no blocking work in the accept loop), or raise its listen() backlog and net.core.somaxconn',
            'nstat -az TcpExtListenOverflows TcpExtListenDrops (SYNs dropped because the queue was full)',
          ],
        );
      }
      const n = neighbourFinding(ctx, target);
      if (n && !n.answered) return d('unreachable', n.summary, n.steps);
      return d('timeout', n?.summary ?? `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms: SYNs are dropped (a firewall that drops, a host that is down, or a broken path)`, [
        `ping ${bare} and traceroute -T -p ${ctx.port} ${bare} (does the path end somewhere?)`,
        'check firewalls and security groups for a DROP rule on the port',
        `if the server is reachable but slow to accept: on the server, nstat -az TcpExtListenOverflows TcpExtListenDrops`,
      ]);
    }
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN': {
      const n = errno === 'EHOSTUNREACH' || errno === 'EHOSTDOWN' ? neighbourFinding(ctx, target) : undefined;
      if (n && !n.answered) return d('unreachable', n.summary, n.steps);
      const hop = ctx.route?.via ?? bare;
      return d(
        'unreachable',
        `${target}: ${ctx.route?.ok === false ? `this host has no route (${ctx.route.error})` : errno === 'EHOSTUNREACH' ? 'a router or this host reported the host unreachable (no ARP/ND answer or ICMP host unreachable)' : 'no route to that network'}`,
        [
          `ip route get ${bare}`,
          ...(errno === 'EHOSTUNREACH' || errno === 'EHOSTDOWN' ? [`ip neigh show ${hop}   (INCOMPLETE/FAILED: no ARP/NDP answer from ${hop === bare ? 'it' : 'the gateway'})`] : []),
          'ip route (is there a default route?), ip -br link (is the interface up?)',
          ...(v6 ? ['for IPv6 destinations, check that this host has global IPv6 connectivity'] : []),
        ],
      );
    }
    case 'EADDRNOTAVAIL': {
      const ex = ctx.existing;
      const range = ex?.portRange;
      const full = ex && range ? ex.total >= range.size : undefined;
      const ports = range ? ` against ${range.size} ephemeral ports (${range.low}-${range.high})` : '';
      const steps = ['reuse connections (HTTP keep-alive, a connection pool) instead of one connection per request'];
      // tcp_tw_reuse lets connect() take a TIME_WAIT port only when there are some; 2 (the default) already does so for loopback.
      if (ex && ex.timeWait > 0) {
        if (ctx.twReuse === 1 || (ctx.twReuse === 2 && isLoopback(bare))) steps.push(`net.ipv4.tcp_tw_reuse=${ctx.twReuse} already lets connect() reuse the ${ex.timeWait} TIME_WAIT ports${ctx.twReuse === 2 ? ' (loopback)' : ''}`);
        else steps.push(`sysctl -w net.ipv4.tcp_tw_reuse=1   (${ex.timeWait} TIME_WAIT sockets to ${target}; ${ctx.twReuse === 2 ? 'now 2: reused for loopback only' : ctx.twReuse === 0 ? 'now 0: never reused' : 'lets connect() reuse their ports'})`);
      }
      steps.push('widen net.ipv4.ip_local_port_range, or add source addresses');
      steps.push('if the program bind()s a local port before connect(): a bound port whose 4-tuple (source and destination address and port) an existing socket already uses gives EADDRNOTAVAIL too; let the kernel choose it (no bind(), or IP_BIND_ADDRESS_NO_PORT)');
      const summary = !ex
        ? `no free local port for a new connection to ${target}: the ephemeral port range is used up for this destination, or a local port bound before connect() is already used with it`
        : full === false
          ? `no free local port for a new connection to ${target}: only ${ex.total} sockets to it (${ex.timeWait} in TIME_WAIT)${ports}, so ports held by bind() elsewhere (listeners, clients that bind before connect) take the rest, or the local port was bound and its 4-tuple is in use`
          : `no free local port for a new connection to ${target}: ${ex.total} sockets to it already (${ex.timeWait} in TIME_WAIT)${ports}`;
      return d('ports-exhausted', summary, steps);
    }
    case 'EACCES':
    case 'EPERM':
      // Never the errno table's fixes here: they are about bind() to a privileged port.
      return d(
        'permission',
        `connect to ${target} was refused by this host's policy: ${errno === 'EPERM' ? 'a firewall rule in OUTPUT that drops (a locally sent packet dropped by iptables/nft gives EPERM) or a BPF cgroup connect hook' : `a security module (SELinux, AppArmor)${ctx.route?.ok ? '' : ', a prohibit route or rule'} or a BPF cgroup connect hook`}`,
        [
          'iptables -S OUTPUT; nft list ruleset   (an OUTPUT DROP/REJECT rule)',
          ...(ctx.route?.ok ? [] : [`ip route get ${bare}; ip rule   (a prohibit route or rule gives EACCES)`]),
          ...(errno === 'EACCES' ? ['ausearch -m avc -ts recent, or journalctl -k   (a security module denial)'] : []),
        ],
        [],
      );
    case 'EINVAL':
      return d('other', `connect to ${target} failed with EINVAL`, [`ip route get ${bare}   (a blackhole route or rule makes connect() fail with EINVAL)`, matchStep], []);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return {
        errno,
        category: 'dns',
        summary: errno === 'EAI_AGAIN' ? 'the name could not be resolved now (DNS server unreachable or timing out)' : 'the name does not resolve (no A or AAAA record)',
        causes: [],
        nextSteps: ['getent ahosts NAME (what this host resolves)', 'cat /etc/resolv.conf; resolvectl status', 'check the spelling and the search domains'],
      };
    default:
      return d('other', `connect to ${target} failed with ${errno}`, knownFixes.slice(0, 3));
  }
}

/**
 * A failed TLS handshake in plain words, from Node's error code and OpenSSL's reason (measured on Node 20 against
 * loopback listeners: an HTTP or banner server gives ERR_SSL_WRONG_VERSION_NUMBER, an echo server
 * ERR_SSL_UNEXPECTED_MESSAGE, a server that closes gives ECONNRESET "disconnected before secure TLS connection").
 * Written to follow "the TLS handshake failed: ".
 */
export function explainTlsFailure(code: string | undefined, message: string): string {
  const m = `${code ?? ''} ${message}`.toLowerCase();
  if (/wrong_version_number|wrong version number|packet_length_too_long|packet length too long/.test(m))
    return 'the server answered in something other than TLS (wrong version number: it probably speaks plain TCP/HTTP on this port)';
  if (/unexpected_message|unexpected message/.test(m))
    return 'the server answered with something that is not a TLS handshake (unexpected message: an echo service or another protocol on this port?)';
  if (/certificate_required|certificate required/.test(m)) return 'the server requires a client certificate (mutual TLS)';
  if (/unrecognized_name|unrecognized name/.test(m)) return 'the server does not know this server name (SNI): connect by the name the service is configured for';
  if (/protocol_version|unsupported_protocol|unsupported protocol|protocol version/.test(m))
    return 'no TLS version in common with the server (it may offer only TLS 1.0/1.1, which Node no longer enables by default)';
  if (/handshake_failure|handshake failure/.test(m))
    return 'the server refused the handshake with an alert (no cipher or TLS version in common, or it needs another server name or a client certificate)';
  if (code === 'ECONNRESET' || /disconnected before secure tls connection/.test(m))
    return 'the server closed the connection without a TLS answer (no TLS on this port, or it rejected the ClientHello: server name, TLS version)';
  return `the handshake failed (${code ?? 'error'})`;
}

/** The per-address outcome a verdict is built from. */
export interface AddressOutcome {
  address: string;
  connected: boolean;
  connectMs?: number;
  diagnosis?: ConnectDiagnosis;
  tls?: { ok: boolean; error?: string; expired?: boolean; daysLeft?: number; handshakeFailed?: boolean };
  /** replied: whether anything came back at all; error: why the exchange ended without the expected text. */
  expect?: { ok: boolean; wanted: string; replied?: boolean; error?: string };
  /** Reset by the peer after connect() succeeded; `sent`: whether the request had been written; `by`: the listener's owners (local). */
  reset?: { sent: boolean; error: string; by?: string; pid?: number };
  /** Local destination: the kernel completed the handshake, but no process has accepted the connection. */
  notAccepted?: { listener: string; pending: number; backlog?: number; by?: string; pid?: number };
}

/** One verdict for the whole destination: what works, what does not, what to do next. */
export function verdict(host: string, port: number, outcomes: readonly AddressOutcome[], existing?: ExistingSockets): { ok: boolean; summary: string; nextSteps: string[] } {
  const hp = formatHostPort(host, port);
  if (outcomes.length === 0) return { ok: false, summary: `${host} does not resolve to any address`, nextSteps: [`getent ahosts ${host}`] };
  const up = outcomes.filter((o) => o.connected);
  const down = outcomes.filter((o) => !o.connected);
  const steps: string[] = [];
  const problems: string[] = [];
  for (const o of up) {
    if (o.tls && !o.tls.ok && o.tls.handshakeFailed) problems.push(`the TLS handshake with ${o.address} failed: ${o.tls.error}`);
    else if (o.tls && !o.tls.ok) problems.push(`the certificate of ${o.address} does not verify: ${o.tls.error}${/SELF_SIGNED/.test(o.tls.error ?? '') ? ' (self-signed)' : ''}`);
    else if (o.tls?.expired) problems.push(`the certificate on ${o.address} has expired`);
    else if (o.tls?.daysLeft !== undefined && o.tls.daysLeft < 14) problems.push(`the certificate on ${o.address} expires in ${o.tls.daysLeft} day(s)`);
    if (o.reset) {
      problems.push(`${o.address} reset the connection ${o.reset.sent ? 'after the request was sent' : 'before the request could be sent'}${o.reset.by ? ` (${o.reset.by})` : ''}: an abortive close (SO_LINGER {1, 0}) or a crash (${o.reset.error})`);
      steps.push(o.reset.pid ? `look at ${o.reset.by}: its logs, and how it closes connections (strace -f -e trace=setsockopt,close,shutdown -p ${o.reset.pid})` : "look at the server's logs: it reset the connection instead of answering");
    } else if (o.expect && !o.expect.ok)
      problems.push(
        o.expect.replied === false
          ? `${o.address} sent nothing back (expected "${o.expect.wanted}")${o.expect.error ? `: ${o.expect.error}` : ''}`
          : `the reply from ${o.address} does not contain "${o.expect.wanted}"`,
      );
  }
  // Not accepted: the kernel answered the handshake for the listener, the application never took the connection.
  const waiting = up.filter((o) => o.notAccepted);
  for (const o of waiting) {
    const n = o.notAccepted!;
    steps.push(
      n.pid
        ? `${n.by} is not calling accept() on ${n.listener}: see what it does (strace -f -p ${n.pid} -e trace=accept,accept4,poll,epoll_wait)`
        : `sockscope analyze --port ${port}   (which process owns the listener ${n.listener}, and is it calling accept()?)`,
    );
  }
  const full = waiting.find((o) => o.notAccepted!.backlog !== undefined && o.notAccepted!.pending > o.notAccepted!.backlog);
  if (full) steps.push(`the queue of ${full.notAccepted!.listener} is now over its backlog: the kernel drops the next SYNs and those clients time out`);
  else if (waiting.length) steps.push('once the queue holds more than the backlog, the kernel drops new SYNs and clients time out');
  if (existing && existing.portRange && existing.timeWait > existing.portRange.size * 0.5)
    problems.push(`${existing.timeWait} TIME_WAIT sockets to this destination use over half of the ${existing.portRange.size} ephemeral ports`);
  if (down.length === 0 && problems.length === 0 && waiting.length === 0) {
    const fastest = Math.min(...up.map((o) => o.connectMs ?? Infinity));
    return { ok: true, summary: `${hp} accepts connections on ${up.length === 1 ? 'its address' : `all ${up.length} addresses`} (fastest connect ${fastest.toFixed(1)} ms)`, nextSteps: [] };
  }
  for (const o of down) if (o.diagnosis) for (const s of o.diagnosis.nextSteps) if (!steps.includes(s)) steps.push(s);
  // A diagnosis summary starts with the address it is about; keep that only when there are several.
  const why = (o: AddressOutcome) => {
    const t = formatHostPort(o.address, port);
    const s = o.diagnosis?.summary ?? `${t} failed`;
    if (outcomes.length > 1) return s;
    return s.startsWith(`${t}: `) ? s.slice(t.length + 2) : s.startsWith(`${t} `) ? s.slice(t.length + 1) : s;
  };
  const unaccepted = waiting
    .map((o) => {
      const n = o.notAccepted!;
      return `${outcomes.length > 1 ? `on ${o.address} ` : ''}the kernel completed the TCP handshake, but ${n.by ?? 'the application'} has not accepted the connection: the listener ${n.listener} has ${n.pending} waiting for accept() (Recv-Q ${n.pending}${n.backlog !== undefined ? `, backlog ${n.backlog}` : ''})`;
    })
    .join('; ');
  let summary: string;
  if (up.length === 0) {
    const all = (c: string) => down.every((o) => o.diagnosis?.category === c);
    const what = all('refused') ? 'refuses connections' : all('reset') ? 'accepts connections, then resets them' : all('ports-exhausted') ? 'cannot be connected to from this host' : 'is not reachable';
    summary = `${hp} ${what}: ${down.map(why).join('; ')}`;
  } else if (down.length > 0) {
    summary = `${hp} is reachable on ${up.map((o) => o.address).join(', ')} but not on ${down.map((o) => o.address).join(', ')}: clients that try the failing address first wait or fail (${down.map((o) => o.diagnosis?.errno ?? '?').join(', ')})`;
    if (unaccepted) summary += `; ${unaccepted}`;
  } else if (unaccepted) summary = `${hp}: ${unaccepted}${problems.length ? `; also ${problems.join('; ')}` : ''}`;
  else summary = `${hp} accepts TCP connections, but ${problems.join('; ')}`;
  if (up.length > 0 && problems.length > 0 && down.length > 0) summary += `; also ${problems.join('; ')}`;
  if (problems.some((p) => /TLS|certificate/.test(p))) steps.push(`openssl s_client -connect ${hp} -servername ${host}`);
  if (problems.some((p) => p.includes('TIME_WAIT'))) steps.push('reuse connections (keep-alive, pooling); consider net.ipv4.tcp_tw_reuse=1');
  return { ok: false, summary, nextSteps: steps };
}
