// What the next hop's ARP/NDP entry says about a connect or a datagram that got no answer: never answered (the packet
// never left this host), or answered (it left, and was lost or rejected beyond).
import { isIP } from 'node:net';
import type { ConnectContext } from './connect-context.js';

/** The failed/incomplete neighbour states: no ARP/NDP answer. */
const NO_NEIGHBOUR = new Set(['INCOMPLETE', 'FAILED']);
/** States of an entry whose link-layer address is known. */
const NEIGHBOUR_KNOWN = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);

/** What the neighbour entry says about a connect (or a datagram: `datagram`) that got no answer (ETIMEDOUT, EHOSTUNREACH); undefined when it says nothing. */
export function neighbourFinding(ctx: ConnectContext, target: string): { summary: string; steps: string[]; answered: boolean } | undefined {
  const n = ctx.neighbour;
  if (!n || !ctx.route?.ok || ctx.route.type !== 'unicast') return undefined;
  const gateway = ctx.route.via !== undefined;
  const proto = isIP(n.address) === 6 ? 'NDP (neighbour discovery)' : 'ARP';
  const on = n.dev ? ` on ${n.dev}` : '';
  const sent = ctx.datagram ? 'the datagram' : 'the SYN';
  if (NO_NEIGHBOUR.has(n.state)) {
    const probe = isIP(n.address) === 6 ? `ndisc6 ${n.address}${n.dev ? ` ${n.dev}` : ''}` : `arping -c 3${n.dev ? ` -I ${n.dev}` : ''} ${n.address}`;
    return {
      answered: false,
      summary: gateway
        ? `${target}: no ${proto} reply from the gateway ${n.address}${on} (neighbour entry ${n.state}): ${sent} never left this host; the gateway is down or not on that link`
        : `${target}: no ${proto} reply from ${n.address}${on} (neighbour entry ${n.state}): ${sent} never left this host; no machine on that link has this address (down, unplugged, or another address)`,
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
