// Why bind() or listen() failed with EADDRINUSE: a listener (and a dual-stack IPV6_V6ONLY conflict), a socket bound
// without listen(), connections that are not listening (orphans among them, and how to end them), or TIME_WAIT
// sockets and SO_REUSEADDR. Pure, as interpret-try.ts, which calls it.
import { closeWaitPeer, closeWaitStep, heldBy, holderAt, isOrphan, who } from './interpret-try-holder.js';
import { holderState, isV4 } from './interpret-try-address.js';
import { endpointHost } from './host-port.js';
import { ORPHAN_RETRIES } from '../model/socket.js';
import type { PortHolder, TryContext, TryInterpretation } from './interpret-try-types.js';

/** The sockets on the port whose address can conflict with the target, by kind. */
export interface HeldPort {
  listeners: PortHolder[];
  tw: PortHolder[];
  others: PortHolder[];
}

/** EADDRINUSE from bind() or listen(), explained by the sockets that hold the port; `details` holds the errno's meaning. */
export function addressInUse(c: TryContext, { listeners, tw, others }: HeldPort, details: string[]): TryInterpretation {
  const next: string[] = [];
  if (listeners.length) {
    const l = listeners[0];
    const udp = c.udp === true;
    const summary = `${udp ? 'UDP ' : ''}port ${c.port} is ${heldBy(l)}, ${udp ? 'bound' : l.state} on ${holderAt(l)}`;
    for (const x of listeners.slice(1)) details.push(`also ${holderState(x, udp)} on ${holderAt(x)}: ${who(x)}`);
    // A dual-stack conflict: [::] with IPV6_V6ONLY off also claims the IPv4 port, and the other way round.
    const mine = endpointHost(c.target);
    // Whether this socket had IPV6_V6ONLY off: set so, or left to net.ipv6.bindv6only (0 on most hosts, not all).
    const bindv6only = c.bindv6only === undefined ? 0 : c.bindv6only;
    const ownOff = c.v6only === false || (c.v6only === undefined && bindv6only !== 1);
    if (mine === '::' && ownOff && listeners.every((x) => isV4(endpointHost(x.local)))) {
      const why = c.v6only === false ? '--v6only=false' : bindv6only === 0 ? 'the default: net.ipv6.bindv6only=0' : 'the default unless net.ipv6.bindv6only=1';
      details.push(`${c.target} with IPV6_V6ONLY off (${why}) also takes IPv4 port ${c.port}, and ${l.local} already holds it; with IPV6_V6ONLY on the socket takes IPv6 only and does not conflict with it`);
      next.push(`sockscope try ${c.op} '[::]:${c.port}'${udp ? ' --udp' : ''} --v6only   (IPv6 only, beside the IPv4 socket)`);
    } else if (isV4(mine) && listeners.every((x) => endpointHost(x.local) === '::')) {
      // Its program's choice cannot be read here: said from this host's default.
      const why = bindv6only === 0 ? 'the default: net.ipv6.bindv6only=0' : bindv6only === 1 ? 'its program cleared it: net.ipv6.bindv6only=1 makes IPv6-only the default here' : 'the default unless net.ipv6.bindv6only=1';
      details.push(`the socket on ${l.local} has IPV6_V6ONLY off (${why}), so it holds IPv4 port ${c.port} too; had it set IPV6_V6ONLY, this IPv4 ${c.op} would not conflict with it`);
    }
    if (c.reuseport) details.push('SO_REUSEPORT only lets sockets share a port when every one of them set it before bind() and they run as the same user');
    next.push(`stop that process or use another port; sockscope analyze --port ${c.port} shows its connections`);
    if (!c.reuseport) next.push('if you meant to run several workers on one port: every socket must set SO_REUSEPORT (--reuseport), as the same user');
    return { ok: false, summary, details, nextSteps: next };
  }
  // A TCP socket bound without listen() or connect(): the kernel reports it in state CLOSE, peerless.
  const boundOnly = c.udp ? [] : others.filter((h) => h.state === 'CLOSE' && !h.peer);
  if (boundOnly.length) {
    const h = boundOnly[0];
    const summary = `port ${c.port} is ${heldBy(h)}: a TCP socket bound to ${holderAt(h)} that neither listens nor is connected (bind() without listen())`;
    for (const x of boundOnly.slice(1)) details.push(`also bound, not listening, on ${holderAt(x)}: ${who(x)}`);
    details.push('a bound socket keeps its port until it is closed, listening or not; ss -tan does not list it (ss -B does, iproute2 6.7+)');
    next.push('close that socket, or have the program call listen() on it (a program should bind only when it is about to listen)');
    return { ok: false, summary, details, nextSteps: next };
  }
  if (others.length) {
    const orphans = others.filter(isOrphan);
    const e = others.find((o) => !isOrphan(o)) ?? others[0]; // a held one, when there is one, is the example
    const summary = `port ${c.port} is in use by ${others.length} socket(s) that are not listening (${[...new Set(others.map((o) => o.state))].join(', ')}), e.g. ${holderAt(e)}${e.peer ? ` -> ${e.peer}` : ''} ${heldBy(e)}`;
    details.push('connections accepted by a listener that has exited (or outgoing connections that took this port) keep it busy until they close');
    if (orphans.length)
      details.push(
        orphans.length === others.length
          ? others.length === 1
            ? 'it is an orphan: closed by its program, held by no process, kept by the kernel until the connection ends'
            : `all ${others.length} of them are orphans: closed by their program, held by no process, kept by the kernel until the connection ends`
          : `${orphans.length} of them ${orphans.length === 1 ? 'is an orphan' : 'are orphans'}: closed by their program, held by no process, kept by the kernel until the connection ends`,
      );
    if (!c.reuseaddr) next.push('with SO_REUSEADDR (--reuseaddr) bind() may share the port with connections that are not listening');
    if (orphans.length < others.length) next.push(`close those connections, or wait for them to end (sockscope analyze --port ${c.port})`);
    // ss -K 'sport = :P' would also end live connections on other addresses of the port: only when every socket on the
    // port is an orphan (or TIME_WAIT); otherwise a filter that names the orphan's four-tuple.
    const wholePort = c.holders.every((h) => isOrphan(h) || h.state === 'TIME_WAIT');
    const o = orphans[0];
    // -t: without it ss -K also disconnects connected UDP sockets on the port, which holders (TCP) never listed.
    const tuple = o?.peer ? fourTuple(o.local, o.peer) : undefined;
    const kill =
      orphans.length !== others.length
        ? ''
        : wholePort
          ? `; as root, ss -K -t 'sport = :${c.port}' ends them at once`
          : tuple
            ? `; as root, ss -K -t with each one's four-tuple ends it at once, e.g. ss -K -t '${tuple}' (sport = :${c.port} alone would end other addresses' live connections too)`
            : '';
    // A FIN_WAIT2 orphan whose peer is here in CLOSE_WAIT: the process that has not closed that end is the cause.
    const stuck = orphans.find(closeWaitPeer);
    if (stuck) next.push(closeWaitStep(stuck));
    if (orphans.length) next.push(`wait: an orphan goes away on its own, in FIN_WAIT1, CLOSING or LAST_ACK once the peer acknowledges its FIN or after ${ORPHAN_RETRIES}, in FIN_WAIT2 after net.ipv4.tcp_fin_timeout (60 s)${kill}`);
    return { ok: false, summary, details, nextSteps: next };
  }
  if (tw.length) {
    if (!c.reuseaddr) {
      const would = c.reuseaddrWouldWork;
      const twNote = 'TIME_WAIT lasts 60 s on Linux (fixed; tcp_fin_timeout does not change it); a server restarted within that time hits this unless both it and the socket that left them set SO_REUSEADDR before bind()';
      if (would === false)
        return {
          ok: false,
          summary: `port ${c.port} has no listener, only ${tw.length} TIME_WAIT socket(s), and SO_REUSEADDR would NOT help (checked: a second bind with it failed too): the sockets that left them did not set SO_REUSEADDR, and Linux wants it on both`,
          details: [...details, twNote],
          nextSteps: ['wait up to 60 s for the TIME_WAIT sockets to expire', 'make the server that owned the port set SO_REUSEADDR before bind(), so its restarts are not blocked'],
        };
      return {
        ok: false,
        summary: `port ${c.port} has no listener, only ${tw.length} TIME_WAIT socket(s) from earlier connections; SO_REUSEADDR (--reuseaddr) lets this bind through${would ? ' (checked: a second bind with it succeeded)' : ''}`,
        details: [...details, twNote],
        nextSteps: ['set SO_REUSEADDR before bind() in the server (every server should)', ...(would ? [] : [`sockscope try bind ${c.target} --reuseaddr  (to confirm)`])],
      };
    }
    return {
      ok: false,
      summary: `port ${c.port} has only ${tw.length} TIME_WAIT socket(s), and SO_REUSEADDR was set, yet bind() failed: the sockets that left them did not set SO_REUSEADDR (Linux requires it on both sides)`,
      details,
      nextSteps: ['wait up to 60 s for TIME_WAIT to end', 'make the server that owned the port set SO_REUSEADDR too'],
    };
  }
  // The walk's own words: other users' processes, and the user's own undumpable ones said to be theirs.
  const note = c.hiddenNote ?? (c.hiddenProcesses ? `${c.hiddenProcesses} process${c.hiddenProcesses === 1 ? '' : 'es'} of other users ${c.hiddenProcesses === 1 ? 'is' : 'are'} hidden: run as root to see them` : undefined);
  const hidden = note ? ` (${note})` : '';
  return { ok: false, summary: `port ${c.port} is in use, but no socket on it is visible${hidden}`, details, nextSteps: [`sudo ss -${c.udp ? 'u' : 't'}anp 'sport = :${c.port}'`] };
}

/**
 * An ss filter for one connection: "src 127.0.0.1 and sport = :45000 and dst 127.0.0.1 and dport = :51234" (IPv6 in
 * brackets). ss cannot parse a zone in an address ("[fe80::1%eth0]"): a link-local one becomes "dev = eth0"; undefined
 * when the zone is no plain interface name (it is the system's text, and would stand in a shell command).
 */
function fourTuple(local: string, peer: string): string | undefined {
  const split = (e: string) => {
    const i = e.lastIndexOf(':');
    const host = e.slice(0, i);
    const zone = /%([^\]]*)\]?$/.exec(host)?.[1];
    return { host: host.replace(/%[^\]]*/, ''), port: e.slice(i + 1), zone };
  };
  const l = split(local);
  const p = split(peer);
  const zone = l.zone ?? p.zone;
  if (zone !== undefined && !/^[A-Za-z0-9_.-]{1,15}$/.test(zone)) return undefined;
  return `src ${l.host}${zone !== undefined ? ` and dev = ${zone}` : ''} and sport = :${l.port} and dst ${p.host} and dport = :${p.port}`;
}
