// Where a debug-connections or `try` destination is: the addresses a name resolves to (getaddrinfo), the route to
// each one (ip route get), and an address in the form Node's connect takes its zone.
import { lookup } from 'node:dns/promises';
import { isLinkLocal } from '../model/socket.js';
import { parseIpRouteGet, unknownRoute, type RouteInfo } from '../parse/ip-route.js';
import { bareAddress, ipFamily, withoutZone, zoneOf } from '../knowledge/host-port.js';
import { zoneInterface } from './connect-facts.js';
import { logOsCall } from './debug.js';
import { run } from './exec.js';
import { msSince } from './probe-text.js';

/**
 * Every A/AAAA the system resolver returns (getaddrinfo: /etc/hosts, then DNS), in its order. With `timeoutMs`,
 * a resolver that does not answer in time gives EAI_AGAIN with timedOut (getaddrinfo itself cannot be cancelled).
 */
export async function resolveAll(host: string, timeoutMs?: number): Promise<{ addresses: { address: string; family: 4 | 6 }[]; ms: number; error?: string; timedOut?: boolean }> {
  const t0 = performance.now();
  const family = ipFamily(host);
  if (family) return { addresses: [{ address: host, family }], ms: 0 };
  let timer: NodeJS.Timeout | undefined;
  // getaddrinfo cannot be cancelled, and its thread holds Node at exit until the resolver gives up (glibc:
  // 5 s x 2 attempts per nameserver). RES_OPTIONS, read by glibc when a thread's resolver starts, bounds that
  // wait for this lookup (a thread whose resolver already started keeps its options); restored once it settles.
  const previous = process.env.RES_OPTIONS;
  if (timeoutMs !== undefined) process.env.RES_OPTIONS = `${previous ?? ''} timeout:${Math.max(1, Math.ceil(timeoutMs / 1000))} attempts:1`.trim();
  try {
    const pending = lookup(host, { all: true, verbatim: true });
    const restore = () => {
      if (timeoutMs === undefined) return;
      if (previous === undefined) delete process.env.RES_OPTIONS;
      else process.env.RES_OPTIONS = previous;
    };
    pending.then(restore, restore); // also keeps a late failure after the timeout from being an unhandled rejection
    const expired = new Promise<never>((_, reject) => {
      if (timeoutMs !== undefined) timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'EAI_AGAIN', timedOut: true })), timeoutMs);
    });
    const r = await Promise.race([pending, expired]);
    const ms = msSince(t0);
    logOsCall('dns', `lookup ${host}`, ms, undefined, `${r.length} addresses`);
    const seen = new Set<string>();
    return { addresses: r.filter((a) => !seen.has(a.address) && seen.add(a.address)).map((a) => ({ address: a.address, family: a.family as 4 | 6 })), ms };
  } catch (e) {
    const ms = msSince(t0);
    const code = (e as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
    // glibc's own give-up (RES_OPTIONS above: ceil(timeout) s per nameserver, never before the timeout) races the timer
    // for a whole-second --timeout: its EAI_AGAIN at or after the timeout is the same "no answer within the timeout".
    const timedOut = (e as { timedOut?: boolean }).timedOut === true || (code === 'EAI_AGAIN' && timeoutMs !== undefined && performance.now() - t0 >= timeoutMs - 1);
    logOsCall('dns', `lookup ${host}`, ms, undefined, `error=${code}${timedOut ? ' (timeout)' : ''}`);
    return { addresses: [], ms, error: code, ...(timedOut ? { timedOut } : {}) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `ip route get ADDRESS`, parsed; unknown (ok null, with the reason) when ip cannot run: never a guessed route. The
 * route of the address the kernel routes: an IPv4-mapped one through the IPv4 table (`ip route get ::ffff:127.0.0.1`
 * reads the IPv6 table and answers its default route), a link-local one through the interface its zone names
 * (`oif`: ip rejects "fe80::1%eth0", and without it the kernel picks any link). A zone that names no interface
 * has no route (connect() fails with EINVAL: there is no scope id).
 */
export async function routeTo(address: string): Promise<RouteInfo> {
  const a = bareAddress(address);
  const zone = zoneOf(address);
  let oif: string[] = [];
  if (zone !== undefined && isLinkLocal(a)) {
    const dev = zoneInterface(zone);
    if (dev === undefined) {
      const error = `no interface ${zone} on this host (the zone after % names none)`;
      return { ok: false, type: 'none', text: error, error };
    }
    oif = ['oif', dev];
  }
  try {
    const r = await run('ip', ['route', 'get', a, ...oif], { timeoutMs: 5000 });
    return parseIpRouteGet(r.stdout, r.stderr, r.exitCode);
  } catch (e) {
    return unknownRoute((e as Error).message);
  }
}

/**
 * The address as Node's connect takes it: a numeric zone ("fe80::1%2") by its interface's name, since libuv reads
 * the zone with if_nametoindex only (measured: "fe80::2%2" gave EINVAL where "fe80::2%va", interface 2, connected).
 */
export function connectHost(address: string): string {
  const zone = zoneOf(address);
  const name = zone !== undefined && /^\d+$/.test(zone) ? zoneInterface(zone) : undefined;
  return name !== undefined ? `${withoutZone(address)}%${name}` : address;
}
