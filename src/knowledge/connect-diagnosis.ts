// What a failed connect() means on this host: the errno read with the facts around it (route, neighbour entry,
// listeners on the port, existing sockets, tcp_tw_reuse). Errno meanings come from src/knowledge/errno.ts. The types
// are in connect-context.ts; the findings per cause beside this file: the neighbour entry (connect-neighbour.ts), ICMP
// rejects (connect-rejects.ts), local timeouts (connect-timeouts.ts), refusals and resets with this host's listeners
// (connect-refusal.ts). A datagram's outcome is read in datagram-diagnosis.ts, with where it went on this host in
// udp-delivery.ts.
import { isIP } from 'node:net';
import { icmpKind, icmpSender, tcpIcmpFinding } from './icmp-report.js';
import { explainErrno } from './errno.js';
import { isLinkLocal, isLoopback } from '../model/socket.js';
import { listenerOwners, memberName, reuseportGroup } from './connect-listeners.js';
import { isMulticast, REJECTING } from './connect-route.js';
import { bareAddress, formatHostPort } from './host-port.js';
import { refusedLocally, RESET_CAUSES } from './connect-refusal.js';
import { neighbourFinding } from './connect-neighbour.js';
import { icmpRejected, rejectedLocally } from './connect-rejects.js';
import { droppedLocally, queueFinding } from './connect-timeouts.js';
import type { ConnectContext, ConnectDiagnosis } from './connect-context.js';

/**
 * EINVAL for an IPv6 link-local address without its zone, or with a zone that names no interface: such an address
 * exists once per link, and without a scope id the kernel cannot tell which link (tcp_v6_connect fails at once, before
 * any route is looked up). The example names the interface the route to the address goes out of, when it is one.
 */
function linkLocalFinding(ctx: ConnectContext, target: string, bare: string): { summary: string; steps: string[] } | undefined {
  if (!isLinkLocal(bare) || (ctx.address.includes('%') && ctx.unknownZone === undefined)) return undefined;
  const dev = ctx.route?.ok && ctx.route.type === 'unicast' && ctx.route.dev ? ctx.route.dev : undefined;
  const example = formatHostPort(`${bare}%${dev ?? 'IFACE'}`, ctx.port);
  const steps = [`ip -br -6 addr show scope link   (the link-local addresses and their interfaces)`, `connect to ${example}${dev ? `   (${dev}: the interface the route to ${bare} goes out of)` : ''}`];
  if (ctx.unknownZone !== undefined)
    return {
      summary: `${target}: no interface ${ctx.unknownZone} on this host: the zone after % names the link of the link-local address ${bare} (fe80::/10); with none, connect() has no scope id and fails with EINVAL`,
      steps: ['ip -br link   (the interfaces of this host: a zone is one of their names or indexes)', ...steps],
    };
  return { summary: `${target}: ${bare} is an IPv6 link-local address (fe80::/10): connect needs its scope id, the interface it is on, as in ${example}; without one the kernel fails connect() with EINVAL`, steps };
}

/**
 * What failed, for a sentence: the connect, or for a datagram (debug-connections --udp, try sendto) the UDP socket's
 * connect() or its send: `datagramCall` when the probe knows which (datagram-diagnosis.ts says the send-only ones).
 */
const failed = (ctx: ConnectContext, target: string) =>
  ctx.datagram
    ? `${target}: the datagram was not sent: the UDP socket's ${ctx.datagramCall === 'connect' ? 'connect()' : ctx.datagramCall === 'send' ? 'send' : 'connect() or its send'}`
    : `connect to ${target}`;

/**
 * How long sockets closed by their program keep their local ports, by state, after "; ". An orphaned FIN_WAIT2
 * socket is destroyed tcp_fin_timeout after its close, whether or not the peer ever closes its end; FIN_WAIT1,
 * CLOSING and LAST_ACK wait for the peer to acknowledge their FIN (CLOSING and LAST_ACK: the peer has closed).
 */
export function closedLife(states: Readonly<Record<string, number>>, finName: string): string {
  const parts: string[] = [];
  const n2 = states.FIN_WAIT2 ?? 0;
  if (n2) parts.push(`${n2 === 1 ? 'the one' : `the ${n2}`} in FIN_WAIT2 ${n2 === 1 ? 'waits' : 'wait'} for a FIN the peer has not sent, and the kernel frees ${n2 === 1 ? 'it' : 'each'} ${finName} after its close even if the peer never sends one`);
  const acking = Object.entries(states).filter(([k, v]) => v > 0 && k !== 'FIN_WAIT2');
  const m = acking.reduce((a, [, v]) => a + v, 0);
  if (m) parts.push(`${m === 1 ? 'the one' : `the ${m}`} in ${acking.map(([k]) => k).join(', ')} ${m === 1 ? 'waits' : 'wait'} for the peer to acknowledge ${m === 1 ? 'its' : 'their'} FIN: freed when it does, or when the kernel gives up resending it (net.ipv4.tcp_orphan_retries)`);
  return parts.join('; ');
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
  const bare = bareAddress(ctx.address);
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
  if (errno === 'ENETUNREACH' && !ctx.datagram && (isMulticast(bare) || bare === '255.255.255.255' || ctx.route?.type === 'broadcast' || ctx.route?.type === 'multicast')) {
    const kind = isMulticast(bare) || ctx.route?.type === 'multicast' ? 'multicast' : 'broadcast';
    return d(
      'unreachable',
      `${target}: ${bare} is a ${kind} address: TCP connects to one host only, and Linux fails connect() to a ${kind} address with ENETUNREACH`,
      ["connect to the server's own (unicast) address", `to find servers by ${kind}, use UDP${kind === 'broadcast' ? ' (with SO_BROADCAST set)' : ''} and have them answer with their own address`],
      [],
    );
  }
  // An ICMP error read from the socket names what refused the connect, and who: decisive where it is a REJECT rule
  // (port unreachable or prohibited: a closed TCP port answers with a reset) or a router on the path.
  // This host's own addresses have findings of their own (refusedLocally, rejectedLocally) that name the listener and
  // read the same error; so does a peer whose neighbour entry answered (icmpRejected).
  // An unreachable that this host's kernel sent itself (no ARP/NDP answer) is the neighbour findings' to explain.
  const firewall = ctx.icmp && ['port-unreachable', 'admin-prohibited', 'prot-unreachable'].includes(icmpKind(ctx.icmp));
  const remote = ctx.icmp && ['destination', 'path'].includes(icmpSender(ctx.icmp, bare, ctx.hostAddresses));
  // For this host, refusedLocally and rejectedLocally explain ECONNREFUSED and EHOSTUNREACH; the other errnos an ICMP
  // error gives (EACCES for ICMPv6 admin-prohibited, ENOPROTOOPT for protocol unreachable) have no local finding.
  const localFinding = localTarget && (errno === 'ECONNREFUSED' || errno === 'EHOSTUNREACH');
  if (ctx.icmp && !ctx.datagram && !localFinding && (firewall || remote)) {
    const f = tcpIcmpFinding(ctx.icmp, target, bare, ctx.hostAddresses);
    if (f) return d(errno === 'ECONNREFUSED' ? 'refused' : 'unreachable', f.summary, f.steps);
  }
  switch (errno) {
    case 'ECONNREFUSED': {
      const here = localTarget ? refusedLocally(ctx, target) : undefined;
      if (here) return d('refused', here.summary, [...here.steps, `sockscope analyze --port ${ctx.port}   (the port's listeners, connections and owners)`]);
      // This host's UDP clients of the destination: the service on that port is probably UDP, which a TCP connect does not test.
      const udp = ctx.existing?.udpConnected;
      const udpNote = udp ? `; ${udp} UDP socket(s) on this host are connected to ${target}: if the service is UDP, a TCP connect does not test it` : '';
      // ctx.icmp null: the socket's error queue was read and held no ICMP error, so the refusal was a TCP reset.
      const how = ctx.icmp === null ? 'answered with a TCP reset (no ICMP error came back)' : 'was refused (a TCP reset or an ICMP port unreachable)';
      const firewall = ctx.icmp === null ? 'a REJECT rule with tcp-reset' : 'a REJECT rule: tcp-reset or ICMP port unreachable';
      return d('refused', `${target} ${how}: nothing listens there${localTarget ? ' (this host: check its listeners)' : `, or a firewall rejects it (${firewall})`}${udpNote}`, [
        ...(udp ? [`sockscope debug-connections --udp --address ${formatHostPort(ctx.address, ctx.port)}   (test it as UDP)`] : []),
        localTarget ? `sockscope analyze --port ${ctx.port}   (is anything listening on ${ctx.port}, and on which address?)` : `on the server: sockscope analyze --port ${ctx.port}, or ss -ltnp 'sport = :${ctx.port}'`,
        'check that the server listens on this address family and address (0.0.0.0 vs 127.0.0.1, :: vs IPv4 only)',
        "look for REJECT rules (iptables -S, nft list ruleset) on the way: --reject-with tcp-reset, or icmp-port-unreachable (iptables REJECT's default)",
      ]);
    }
    case 'ECONNRESET': {
      // connect() reports ECONNRESET only once the handshake is done: a reset answering the SYN is ECONNREFUSED.
      // In a SO_REUSEPORT group the member that took the connection is not known: every member is named.
      const group = localTarget && ctx.listeners ? reuseportGroup(ctx.listeners, bare) : [];
      const holder = group.length === 1 ? group[0] : undefined;
      const who = holder ? listenerOwners(holder) : group.length > 1 ? `one of the ${group.length} SO_REUSEPORT listeners there: ${group.map((l) => memberName(l, group)).join(', ')}` : undefined;
      return d(
        'reset',
        `${target} accepted the connection, then reset it${who ? ` (${who})` : ''} before anything was sent (so no request was left unread): an abortive close (SO_LINGER {1, 0}), a crash, or a server that turns clients away at once (connection limit, access list)`,
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
      const queue = queueFinding(ctx, target);
      if (queue) return d('timeout', queue.summary, queue.steps);
      // This host answers every SYN at once (SYN-ACK, or a reset): with no full queue, a rule here dropped it.
      if (localTarget) {
        const dropped = droppedLocally(ctx, target);
        return d('timeout', dropped.summary, dropped.steps);
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
      // ::1 with IPv6 off on lo alone (other interfaces keep theirs): lo has no ::1, so the kernel has no route to it.
      if (errno === 'ENETUNREACH' && ctx.loopbackV6Disabled)
        return d(
          'unreachable',
          `${ctx.datagram ? `${failed(ctx, target)} failed` : target}: IPv6 is disabled on lo (net.ipv6.conf.lo.disable_ipv6=1), so lo has no ::1 and the kernel has no route to it; other interfaces keep their IPv6 addresses`,
          ['sysctl -w net.ipv6.conf.lo.disable_ipv6=0   (gives lo its ::1 back)', 'or connect to 127.0.0.1 instead of ::1'],
          [],
        );
      // An address of this host: no ARP is involved, so the ICMP error came from a REJECT rule here.
      if (errno === 'EHOSTUNREACH' && localTarget) {
        const here = rejectedLocally(ctx, target);
        return d('unreachable', here.summary, here.steps);
      }
      const n = errno === 'EHOSTUNREACH' || errno === 'EHOSTDOWN' ? neighbourFinding(ctx, target) : undefined;
      if (n && !n.answered) return d('unreachable', n.summary, n.steps);
      // The neighbour answered: the packet left this host, and an ICMP error came back (a REJECT rule, or a router).
      if (n?.answered && errno === 'EHOSTUNREACH' && ctx.neighbour) {
        const r = icmpRejected(ctx, target, ctx.neighbour);
        return d('unreachable', r.summary, r.steps);
      }
      const hop = ctx.route?.via ?? bare;
      return d(
        'unreachable',
        `${target}: ${ctx.route?.ok === false ? `this host has no route (${ctx.route.error})` : errno === 'EHOSTUNREACH' ? 'a router or this host reported the host unreachable (no ARP/ND answer or ICMP host unreachable)' : 'no route to that network'}`,
        [
          `ip route get ${bare}`,
          ...(errno === 'EHOSTUNREACH' || errno === 'EHOSTDOWN' ? [`ip neigh show ${hop}   (INCOMPLETE/FAILED: no ARP/NDP answer from ${hop === bare ? 'it' : 'the gateway'})`] : []),
          // `ip route` lists the IPv4 table only: a host with an IPv4 default route and no IPv6 one looks fine there.
          `${v6 ? 'ip -6 route (is there a default IPv6 route?)' : 'ip route (is there a default route?)'}, ip -br link (is the interface up?)`,
          ...(v6 ? ['for IPv6 destinations, check that this host has global IPv6 connectivity'] : []),
        ],
      );
    }
    case 'EADDRNOTAVAIL': {
      // No address of the destination's family on this host: nothing to connect from, however many ports are free.
      const none = ctx.noSourceFamily;
      if (none) {
        const fam = `IPv${none.family}`;
        const why = none.disabled ? 'IPv6 is disabled (net.ipv6.conf.all.disable_ipv6=1)' : `no ${fam} address is configured on any interface`;
        const other = none.family === 6 ? (isLoopback(bare) ? '127.0.0.1 instead of ::1' : "an IPv4 address of the destination (a name's A record)") : 'an IPv6 address of the destination';
        return d(
          'unreachable',
          `${target}: this host has no ${fam} address to connect from: ${why}`,
          [
            `ip -${none.family} addr   (no address listed: nothing to connect from)`,
            ...(none.family === 6 ? ['sysctl net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.lo.disable_ipv6   (1: IPv6 off; sysctl -w NAME=0 turns it on)'] : []),
            `or connect to ${other}`,
          ],
          [],
        );
      }
      const ex = ctx.existing;
      const range = ex?.portRange;
      // Sockets closed by their program (FIN_WAIT2, LAST_ACK...: no file left) hold their ports until the kernel frees them.
      const closedStates = Object.entries(ex?.closedByProgram ?? {});
      const closedN = closedStates.reduce((n, [, v]) => n + v, 0);
      const total = (ex?.total ?? 0) + closedN;
      const [used, tw] = [range?.used !== undefined ? range.used + (range.closed ?? 0) : total, range?.timeWait ?? ex?.timeWait ?? 0];
      const full = ex && range ? used >= range.size : undefined;
      const ports = range ? `${ex && used !== total ? `; ${used} of them with a local port in the range` : ''}) against ${range.size} ephemeral ports (${range.low}-${range.high})` : ')';
      const closedText = closedN ? `, ${closedN} closed by their program: ${closedStates.map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
      const finWait2 = ex?.closedByProgram?.FIN_WAIT2 ?? 0;
      const fin = ctx.finTimeout;
      const finName = `net.ipv4.tcp_fin_timeout${fin !== undefined && fin !== null ? ` (${fin} s)` : ''}`;
      const life = closedN ? `; ${closedLife(ex?.closedByProgram ?? {}, finName)}` : '';
      // A local server that never closes the connections its clients closed (CLOSE_WAIT): each client close leaves a
      // FIN_WAIT2 socket that holds its port until tcp_fin_timeout ends it (the server's end stays in CLOSE_WAIT).
      const o = ex?.otherEnds;
      const blame =
        closedN && o?.unclosed
          ? `; ${o.by ?? 'the server'} holds ${o.unclosed} of them: it accepted them and never closed its end (CLOSE_WAIT on ${o.at}, a close() leak)${finWait2 ? `, so each connection its clients close holds a port for ${finName}` : ''}`
          : '';
      const steps = ['reuse connections (HTTP keep-alive, a connection pool) instead of one connection per request'];
      // tcp_tw_reuse lets connect() take a TIME_WAIT port only when there are some; 2 (the default) already does so for loopback.
      if (ex && tw > 0) {
        if (ctx.twReuse === 1 || (ctx.twReuse === 2 && isLoopback(bare))) steps.push(`net.ipv4.tcp_tw_reuse=${ctx.twReuse} already lets connect() reuse the ${tw} TIME_WAIT ports${ctx.twReuse === 2 ? ' (loopback)' : ''}`);
        else steps.push(`sysctl -w net.ipv4.tcp_tw_reuse=1   (${tw} TIME_WAIT sockets to ${target}; ${ctx.twReuse === 2 ? 'now 2: reused for loopback only' : ctx.twReuse === 0 ? 'now 0: never reused' : 'lets connect() reuse their ports'})`);
      }
      // The lever for ports held by FIN_WAIT2 sockets whose program closed them: how long the kernel keeps them.
      if (finWait2 && (fin === undefined || fin === null || fin > 15))
        steps.push(
          fin !== undefined && fin !== null
            ? `sysctl -w net.ipv4.tcp_fin_timeout=15   (now ${fin} s: how long a FIN_WAIT2 socket whose program closed it holds its local port)`
            : 'sysctl net.ipv4.tcp_fin_timeout   (how long a FIN_WAIT2 socket whose program closed it holds its local port: lower it to free them sooner)',
        );
      steps.push('widen net.ipv4.ip_local_port_range, or add source addresses');
      steps.push('if the program bind()s a local port before connect(): a bound port whose 4-tuple (source and destination address and port) an existing socket already uses gives EADDRNOTAVAIL too; let the kernel choose it (no bind(), or IP_BIND_ADDRESS_NO_PORT)');
      const summary = !ex
        ? `no free local port for a new connection to ${target}: the ephemeral port range is used up for this destination, or a local port bound before connect() is already used with it`
        : full === false
          ? `no free local port for a new connection to ${target}: only ${total} sockets to it (${ex.timeWait} in TIME_WAIT${closedText}${ports}, so ports held by bind() elsewhere (listeners, clients that bind before connect) take the rest, or the local port was bound and its 4-tuple is in use${life}${blame}`
          : `no free local port for a new connection to ${target}: ${total} sockets to it already (${ex.timeWait} in TIME_WAIT${closedText}${ports}${life}${blame}`;
      return d('ports-exhausted', summary, steps);
    }
    case 'EACCES':
    case 'EPERM':
      // Never the errno table's fixes here: they are about bind() to a privileged port.
      return d(
        'permission',
        `${ctx.datagram ? `${target}: the datagram` : `connect to ${target}`} was refused by this host's policy: ${errno === 'EPERM' ? 'a firewall rule in OUTPUT that drops (a locally sent packet dropped by iptables/nft gives EPERM) or a BPF cgroup connect hook' : `a security module (SELinux, AppArmor)${ctx.route?.ok ? '' : ', a prohibit route or rule'} or a BPF cgroup connect hook`}`,
        [
          'iptables -S OUTPUT; nft list ruleset   (an OUTPUT DROP/REJECT rule)',
          ...(ctx.route?.ok ? [] : [`ip route get ${bare}; ip rule   (a prohibit route or rule gives EACCES)`]),
          ...(errno === 'EACCES' ? ['ausearch -m avc -ts recent, or journalctl -k   (a security module denial)'] : []),
        ],
        [],
      );
    case 'EINVAL': {
      const linkLocal = linkLocalFinding(ctx, target, bare);
      if (linkLocal) return d('other', linkLocal.summary, linkLocal.steps, []);
      return d('other', `${failed(ctx, target)} failed with EINVAL`, [`ip route get ${bare}   (a blackhole route or rule makes connect() fail with EINVAL)`, matchStep], []);
    }
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
      return d('other', `${failed(ctx, target)} failed with ${errno}`, knownFixes.slice(0, 3));
  }
}

