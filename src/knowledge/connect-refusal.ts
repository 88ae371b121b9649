// Refused and reset connects: what a refusal on this host means when the port is listened on elsewhere, or is a UDP
// service's, and why a server resets a connection it accepted. Used by connect-diagnosis.ts.
import { icmpText, rejectRuleCommand } from './icmp-report.js';
import { isIP } from 'node:net';
import { isLinkLocal, isLoopback } from '../model/socket.js';
import { listenerOwners, takes, type PortListener } from './connect-listeners.js';
import { bareAddress, formatHostPort } from './host-port.js';
import { udpReceivers, udpSocketName } from './udp-delivery.js';
import type { ConnectContext } from './connect-context.js';

/**
 * A refused TCP connect to this host where no TCP listener takes it, but UDP sockets are bound to the port (a DNS,
 * syslog, statsd... service): said, so that nobody is told to start a server that is running. Undefined otherwise.
 */
function udpInstead(ctx: ConnectContext, target: string): { summary: string; steps: string[] } | undefined {
  const t = bareAddress(ctx.address);
  const bound = (ctx.udpSockets ?? []).filter((s) => s.peer === undefined);
  if (bound.length === 0) return undefined;
  const here = udpReceivers(bound, t);
  const at = (here.length ? here : bound).slice(0, 3).map(udpSocketName).join('; ');
  const connected = ctx.existing?.udpConnected ? `; ${ctx.existing.udpConnected} UDP socket(s) on this host are connected to it` : '';
  const hp = formatHostPort(ctx.address, ctx.port);
  return {
    summary: `${target}: no TCP listener on port ${ctx.port}, but ${bound.length === 1 ? 'a UDP socket is' : 'UDP sockets are'} bound to it: ${at}${here.length ? '' : ` (not ${t}: datagrams to ${t} would not reach ${bound.length === 1 ? 'it' : 'them'})`}${connected}; a TCP connect does not reach UDP sockets`,
    steps: [`sockscope debug-connections --udp --address ${hp}   (send a datagram and see whether it is received, answered or dropped)`, `sockscope try sendto ${hp}`, `if the service should speak TCP too: start its TCP listener (ss -ltnp shows none on port ${ctx.port})`],
  };
}

/** Why a server resets a connection it has just accepted (connect() got ECONNRESET, or the first read or write did). */
export const RESET_CAUSES = [
  'the server closed the connection while data it had received was still unread (it did not read the request, or closed after an error): the kernel sends a reset instead of a FIN (a close right after connect() has nothing unread)',
  'the server closed the new connection with SO_LINGER {1, 0}: an abortive close sends a reset instead of a FIN',
  'the server process crashed or was killed with the connection open',
  'the server, or a proxy in front of it, turns clients away at once: a connection limit, an access list, TCP wrappers',
];

/** Where else on this host the port is listened on, for a refused local connect; undefined when the listeners are unknown. */
export function refusedLocally(ctx: ConnectContext, target: string): { summary: string; steps: string[] } | undefined {
  if (!ctx.listeners) return undefined;
  const t = bareAddress(ctx.address); // ::ffff:127.0.0.1 is an IPv4 connection, to IPv4 listeners and dual-stack [::] ones
  const v6 = isIP(t) === 6;
  const P = ctx.port;
  const at = (l: PortListener) => `${listenerOwners(l)} listens on ${formatHostPort(l.address, P)}${l.device ? ` (bound to device ${l.device})` : ''}`;
  // No TCP listener at all, but the port is a UDP service's: said instead of "start the server".
  const udp = ctx.listeners.length === 0 ? udpInstead(ctx, target) : undefined;
  if (udp) return udp;
  if (ctx.listeners.length === 0)
    return {
      // ctx.icmp null: the socket's error queue held no ICMP error (try reads it), so the answer was the kernel's reset.
      summary:
        ctx.icmp === null
          ? `${target} answered with a TCP reset (no ICMP error came back): nothing listens there, nor on port ${P} at any other address of this host`
          : ctx.icmp
            ? `${target} was refused with an ${icmpText(ctx.icmp)}: a REJECT rule on this host (with no listener the kernel resets, never ICMP); nothing listens there either, nor on port ${P} at any other address of this host`
            : `${target} was refused (a TCP reset or an ICMP port unreachable): nothing listens there, nor on port ${P} at any other address of this host (with no listener the kernel resets; an ICMP port unreachable would be a REJECT rule here)`,
      steps: [
        ...(ctx.icmp ? [`${rejectRuleCommand(ctx.icmp)}   (the rule on this host that answers tcp port ${P} with ICMP)`] : []),
        `start the server, or check which port it listens on: ss -ltnp   (no TCP listener on port ${P} now)`,
      ],
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
      summary: ctx.icmp
        ? `${target}: ${at(l)}, which takes this connection, yet it was refused with an ${icmpText(ctx.icmp)}: a REJECT rule on this host`
        : `${target}: ${at(l)}, which takes this connection, yet it was refused: a REJECT rule on this host (${ctx.icmp === null ? 'with tcp-reset: no ICMP error came back' : 'tcp-reset or ICMP port unreachable'}), or the listener closed just now`,
      steps: [`iptables -S; nft list ruleset   (a REJECT rule for tcp port ${P}: tcp-reset, or icmp-port-unreachable, iptables REJECT's default)`, `ss -ltnp 'sport = :${P}'   (is the listener still there?)`],
    };
  }
  // Listeners elsewhere: say where, and why the connect did not reach them.
  const others = ctx.listeners.slice(0, 3);
  const named = ctx.resolved !== undefined && !isIP(ctx.resolved.host);
  // A name that also resolves to other hosts' addresses names a service there: a listener of this host on an address
  // the name does not give is not it (no "connect to it instead", no "make the name resolve to it"). Needs this host's
  // addresses to tell.
  const mine = (a: string) => isLoopback(bareAddress(a)) || (ctx.hostAddresses ?? []).some((h) => bareAddress(h) === bareAddress(a));
  const away = named && ctx.hostAddresses ? ctx.resolved!.addresses.filter((a) => !mine(a)) : [];
  if (away.length && !others.some((l) => ctx.resolved!.addresses.some((a) => mine(a) && takes(l.address, a)))) {
    const name = ctx.resolved!.host;
    return {
      summary: `nothing listens on ${target}, an address of this host; ${name} also resolves to ${away.join(', ')}, not this host's, where the service presumably is (${others.map(at).join('; ')} here, an address ${name} does not resolve to)`,
      steps: [
        `connect to ${formatHostPort(away[0], P)}, ${name}'s address on another host${away.length > 1 ? ` (or ${away.slice(1).join(', ')})` : ''}; sockscope debug-connections --address ${formatHostPort(name, P)} tries every one`,
        `if ${name} should not resolve to ${t} on this host: /etc/hosts or DNS (getent ahosts ${name}); a client that tries ${t} first is refused before it tries the others`,
        `or, if this host should serve ${name} on ${t} too: have the server here listen on ${formatHostPort(isLinkLocal(t) ? ctx.address : t, P)}`,
      ],
    };
  }
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
      : `or have the server listen on ${formatHostPort(isLinkLocal(t) ? ctx.address : t, P)} too, or on every address (${v6 ? '[::]' : '0.0.0.0'}:${P})`, // a link-local bind needs its zone too
  );
  return { summary: `nothing listens on ${target}, but ${others.map(at).join('; ')}${why}`, steps };
}
