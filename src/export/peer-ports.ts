// Which destination ports get a peer_port value of their own in sockscope_recommendation.
import type { Recommendation } from '../advise/types.js';

/**
 * How many destination ports get a peer_port value of their own in sockscope_recommendation (those with the
 * most findings, then the lowest); findings about other destination ports are summed under peer_port="other".
 * A client host's destinations are not bounded as its listening ports are: 3 SYN_SENT to each of 200 ports
 * made 200 series. Only ports `named` allows compete (a destination port in the ephemeral range is "other").
 */
export const MAX_PEER_PORT_SERIES = 10;

/** The destination ports of `recs` that get a peer_port value of their own (MAX_PEER_PORT_SERIES of those `named` allows). */
export function namedPeerPorts(recs: readonly Recommendation[], named: (r: Recommendation) => boolean): Set<number> {
  const counts = new Map<number, number>();
  for (const r of recs) if (r.peerPort !== undefined && named(r)) counts.set(r.peerPort, (counts.get(r.peerPort) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return new Set(ranked.slice(0, MAX_PEER_PORT_SERIES).map(([port]) => port));
}
