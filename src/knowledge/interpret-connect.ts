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
  /** 'local', 'unicast', 'unreachable', 'blackhole', 'prohibit'..., or 'unknown'. */
  type?: string;
  via?: string;
  dev?: string;
  src?: string;
  /** The raw first line (or ip's error message). */
  text: string;
  error?: string;
}

/** Parses the output (or error) of `ip route get ADDRESS`. */
export function parseIpRouteGet(stdout: string, stderr = '', exitCode = 0): RouteInfo {
  const line = stdout.split('\n')[0]?.trim() ?? '';
  if (exitCode !== 0 || line === '') {
    const err = stderr.trim().replace(/^RTNETLINK answers:\s*/, '') || 'no route';
    return { ok: false, text: stderr.trim() || 'ip route get failed', error: err };
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

/** One line: how the route goes. */
export function describeRoute(r: RouteInfo): string {
  if (r.ok === null) return `unknown: ${r.error}`;
  if (!r.ok) return `no usable route: ${r.error}`;
  if (r.type === 'local') return `local address (delivered on ${r.dev ?? 'lo'})`;
  return `${r.via ? `via gateway ${r.via}` : 'directly connected'}${r.dev ? ` on ${r.dev}` : ''}${r.src ? `, source ${r.src}` : ''}`;
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
}

/** An interpreted connect error. */
export interface ConnectDiagnosis {
  errno: string;
  /** Short category: refused, timeout, unreachable, no-route, ports-exhausted, dns, other. */
  category: 'refused' | 'timeout' | 'unreachable' | 'ports-exhausted' | 'dns' | 'permission' | 'other';
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

/** What a connect() errno means for this destination, with next steps. */
export function diagnoseConnectError(
  errno: string,
  ctx: { address: string; port: number; timeoutMs?: number; route?: RouteInfo; existing?: ExistingSockets; listener?: LocalListener },
): ConnectDiagnosis {
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
  const localTarget = ctx.route?.type === 'local';
  switch (errno) {
    case 'ECONNREFUSED':
      return {
        errno,
        category: 'refused',
        summary: `${target} answered with a reset: nothing listens there${localTarget ? ' (this host: check its listeners)' : ', or a firewall rejects with tcp-reset'}`,
        meaning,
        causes: knownCauses,
        nextSteps: [
          localTarget ? `sockscope analyze --port ${ctx.port}   (is anything listening on ${ctx.port}, and on which address?)` : `on the server: sockscope analyze --port ${ctx.port}, or ss -ltnp 'sport = :${ctx.port}'`,
          'check that the server listens on this address family and address (0.0.0.0 vs 127.0.0.1, :: vs IPv4 only)',
          'look for REJECT --reject-with tcp-reset rules (iptables -S, nft list ruleset) on the way',
        ],
      };
    case 'ETIMEDOUT': {
      // The kernel drops a SYN while the listener's accept queue is full (Recv-Q > backlog): a local, visible cause.
      const l = ctx.listener;
      if (l && l.pending > l.backlog)
        return {
          errno,
          category: 'timeout',
          summary: `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms: the accept queue of the listener ${l.local} on this host is full (${l.pending} waiting for accept(), backlog ${l.backlog}), so the kernel drops new SYNs`,
          meaning,
          causes: knownCauses,
          nextSteps: [
            `sockscope analyze --port ${ctx.port}   (which process owns the listener, and is it calling accept()?)`,
            'make the server accept faster (more workers, no blocking work in the accept loop), or raise its listen() backlog and net.core.somaxconn',
            'nstat -az TcpExtListenOverflows TcpExtListenDrops (SYNs dropped because the queue was full)',
          ],
        };
      return {
        errno,
        category: 'timeout',
        summary: `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms: SYNs are dropped (a firewall that drops, a host that is down, or a broken path)`,
        meaning,
        causes: knownCauses,
        nextSteps: [
          `ping ${ctx.address} and traceroute -T -p ${ctx.port} ${ctx.address} (does the path end somewhere?)`,
          'check firewalls and security groups for a DROP rule on the port',
          `if the server is reachable but slow to accept: on the server, nstat -az TcpExtListenOverflows TcpExtListenDrops`,
        ],
      };
    }
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return {
        errno,
        category: 'unreachable',
        summary: `${target}: ${ctx.route?.ok === false ? `this host has no route (${ctx.route.error})` : errno === 'EHOSTUNREACH' ? 'a router or this host reported the host unreachable (no ARP/ND answer or ICMP host unreachable)' : 'no route to that network'}`,
        meaning,
        causes: knownCauses,
        nextSteps: [`ip route get ${ctx.address}`, 'ip route (is there a default route?), ip -br link (is the interface up?)', 'for IPv6 destinations, check that this host has global IPv6 connectivity'],
      };
    case 'EADDRNOTAVAIL': {
      const ex = ctx.existing;
      const ports = ex?.portRange ? ` against ${ex.portRange.size} ephemeral ports (${ex.portRange.low}-${ex.portRange.high})` : '';
      return {
        errno,
        category: 'ports-exhausted',
        summary: `no free local port for a new connection to ${target}: ${ex ? `${ex.total} sockets to it already (${ex.timeWait} in TIME_WAIT)${ports}` : 'the ephemeral port range is used up for this destination'}`,
        meaning,
        causes: knownCauses,
        nextSteps: [
          'reuse connections (HTTP keep-alive, a connection pool) instead of one connection per request',
          'sysctl -w net.ipv4.tcp_tw_reuse=1 (reuse TIME_WAIT ports for outgoing connections)',
          'widen net.ipv4.ip_local_port_range, or add source addresses',
        ],
      };
    }
    case 'EACCES':
    case 'EPERM':
      return {
        errno,
        category: 'permission',
        summary: `connect to ${target} was refused by this host's policy (a local firewall rule, or a broadcast address without SO_BROADCAST)`,
        meaning,
        causes: knownCauses,
        nextSteps: ['iptables -S OUTPUT / nft list ruleset (an OUTPUT REJECT/DROP rule)', ...knownFixes.slice(0, 1)],
      };
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
      return { errno, category: 'other', summary: `connect to ${target} failed with ${errno}`, meaning, causes: knownCauses, nextSteps: knownFixes.slice(0, 3) };
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
    if (o.expect && !o.expect.ok)
      problems.push(
        o.expect.replied === false
          ? `${o.address} sent nothing back (expected "${o.expect.wanted}")${o.expect.error ? `: ${o.expect.error}` : ''}`
          : `the reply from ${o.address} does not contain "${o.expect.wanted}"`,
      );
  }
  if (existing && existing.portRange && existing.timeWait > existing.portRange.size * 0.5)
    problems.push(`${existing.timeWait} TIME_WAIT sockets to this destination use over half of the ${existing.portRange.size} ephemeral ports`);
  if (down.length === 0 && problems.length === 0) {
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
  let summary: string;
  if (up.length === 0) {
    const all = (c: string) => down.every((o) => o.diagnosis?.category === c);
    const what = all('refused') ? 'refuses connections' : all('ports-exhausted') ? 'cannot be connected to from this host' : 'is not reachable';
    summary = `${hp} ${what}: ${down.map(why).join('; ')}`;
  } else if (down.length > 0) {
    summary = `${hp} is reachable on ${up.map((o) => o.address).join(', ')} but not on ${down.map((o) => o.address).join(', ')}: clients that try the failing address first wait or fail (${down.map((o) => o.diagnosis?.errno ?? '?').join(', ')})`;
  } else summary = `${hp} accepts TCP connections, but ${problems.join('; ')}`;
  if (up.length > 0 && problems.length > 0 && down.length > 0) summary += `; also ${problems.join('; ')}`;
  if (problems.some((p) => /TLS|certificate/.test(p))) steps.push(`openssl s_client -connect ${hp} -servername ${host}`);
  if (problems.some((p) => p.includes('TIME_WAIT'))) steps.push('reuse connections (keep-alive, pooling); consider net.ipv4.tcp_tw_reuse=1');
  return { ok: false, summary, nextSteps: steps };
}
