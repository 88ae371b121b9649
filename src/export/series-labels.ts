// Helpers the exporter's series share: a socket's address label and grouping.
import type { Socket } from '../model/socket.js';

/**
 * A socket's address label: with its IPv6 zone, and a device bound with SO_BINDTODEVICE (netlink and ss name it;
 * procfs, netstat do not) after it as a zone: 0.0.0.0%lo and 0.0.0.0%eth1 on one port are two services (a DHCP
 * server's socket per interface), not an SO_REUSEPORT group to sum. A link-local zone is already its device.
 */
export function seriesAddress(s: Socket): string {
  const a = s.local.scope ? `${s.local.address}%${s.local.scope}` : s.local.address;
  return s.boundDevice && !s.local.scope ? `${a}%${s.boundDevice}` : a;
}

/** Adds `v` to the group `k` of `m`. */
export function addTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const g = m.get(k);
  if (g) g.push(v);
  else m.set(k, [v]);
}
