// CollectOptions.detailsFor on netlink: the TCP dump without tcp_info, and a second dump, filtered in the
// kernel on the scope's port, with it. The monitor's port view shows one port's sockets; asking tcp_info of
// every socket of the host cost a parsed tcp_info object per socket (about 240 bytes on the heap, kept by
// every snapshot the rules' history holds whole), netlink bytes, and the kernel's work of filling it.
import type { Socket } from '../model/socket.js';
import type { DetailsScope } from './source.js';

/** The scope that applies: TCP is dumped, details are asked, and the dumps are not already filtered on a port. */
export function scopeOfDetails(opts: { details?: boolean; detailsFor?: DetailsScope; protocols?: readonly string[] }, filtered: boolean): DetailsScope | undefined {
  const scope = opts.details === true && !filtered ? opts.detailsFor : undefined;
  if (!scope || scope.protocol !== 'tcp' || (opts.protocols && !opts.protocols.includes('tcp'))) return undefined;
  return scope;
}

/**
 * Gives each socket of `all` in the scope the tcp_info and socket memory of the same socket (its cookie) in
 * `detailed`. A socket opened between the two dumps is only in `detailed`: it is left out (it is in the next
 * poll's dump); one closed between them keeps no details. Returns how many sockets were given details.
 */
export function overlayDetails(all: Socket[], detailed: readonly Socket[], scope: DetailsScope): number {
  if (detailed.length === 0) return 0;
  const byCookie = new Map<string, Socket>();
  for (const d of detailed) if (d.cookie !== undefined) byCookie.set(d.cookie, d);
  let given = 0;
  for (const s of all) {
    if (s.protocol !== 'tcp' || s.cookie === undefined) continue;
    if (s.local.port !== scope.port && s.peer.port !== scope.port) continue;
    const d = byCookie.get(s.cookie);
    if (!d) continue;
    if (d.tcpInfo) s.tcpInfo = d.tcpInfo;
    if (d.skmem) s.skmem = d.skmem;
    given++;
  }
  return given;
}
