// The duplicate address detection state of one IPv6 address in `ip -6 -o addr show to ADDR/128` output:
//   3: a    inet6 fd78::1/64 scope global tentative \       valid_lft forever preferred_lft forever
// "dadfailed" (another host on the link has it; the kernel keeps it tentative too), "tentative" (DAD still running),
// else usable. Pure.
import { ipv6Hex } from './ipv6-text.js';

/** The state and interface of `address` (compared in canonical form by the caller's `same`), or undefined when not listed. */
export function parseIpv6AddrState(text: string, same: (listed: string) => boolean): { state: 'tentative' | 'dadfailed' | 'ok'; dev: string } | undefined {
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet6\s+([0-9A-Fa-f:.]+)(?:\/\d+)?\s(.*)$/.exec(line);
    if (!m || !same(m[2])) continue;
    const flags = m[3].split('\\')[0].split(/\s+/);
    const dev = m[1].replace(/@.*$/, '');
    return { state: flags.includes('dadfailed') ? 'dadfailed' : flags.includes('tentative') ? 'tentative' : 'ok', dev };
  }
  return undefined;
}

/**
 * The same state from /proc/net/if_inet6 (no ip needed; readable without root), one address a line:
 *   fd780000000000000000000000000001 03 40 00 40     veth1
 * address, interface index, prefix length, scope, flags (IFA_F_DADFAILED 0x08, IFA_F_TENTATIVE 0x40; hex), interface.
 * `dev`: only that interface's (a link-local address may be on several). Undefined when not listed.
 */
export function parseIfInet6State(text: string, address: string, dev?: string): { state: 'tentative' | 'dadfailed' | 'ok'; dev: string } | undefined {
  const hex = ipv6Hex(address);
  if (hex === undefined) return undefined;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[0].toLowerCase() !== hex || (dev !== undefined && f[5] !== dev)) continue;
    const flags = Number.parseInt(f[4], 16);
    if (Number.isNaN(flags)) continue;
    return { state: flags & 0x08 ? 'dadfailed' : flags & 0x40 ? 'tentative' : 'ok', dev: f[5] };
  }
  return undefined;
}
