// The duplicate address detection state of one IPv6 address in `ip -6 -o addr show to ADDR/128` output:
//   3: a    inet6 fd78::1/64 scope global tentative \       valid_lft forever preferred_lft forever
// "dadfailed" (another host on the link has it; the kernel keeps it tentative too), "tentative" (DAD still running),
// else usable. Pure.

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
