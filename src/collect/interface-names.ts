// Interface index <-> name in this process's network namespace, for IPv6 zones (fe80::1%eth0) and
// SO_BINDTODEVICE indexes: if_indextoname(3)/if_nametoindex(3), which ask the kernel through a socket of
// the current network namespace. /sys/class/net lists the interfaces of the namespace sysfs was mounted
// in: after `unshare -n` or `nsenter --net` (without `ip netns exec`, which remounts /sys) it named the
// host's interface 2 where ss named this namespace's. sysfs is read only when libc cannot answer.
import { readFileSync, readdirSync } from 'node:fs';
import { decodeUtf8 } from '../model/escape.js';
import { logOsCall } from './debug.js';
import { errnoName, lastErrno, libc } from './libc.js';

const IF_NAMESIZE = 16;
/** errnos meaning "no such interface here": an answer, not a reason to ask sysfs. */
const NO_SUCH = new Set(['ENXIO', 'ENODEV']);

/** The name of interface `index` in this network namespace; undefined when there is none. */
export function interfaceName(index: number): string | undefined {
  if (!Number.isInteger(index) || index <= 0 || index > 0xffffffff) return undefined;
  const l = libc();
  if (l) {
    const t0 = performance.now();
    const buf = Buffer.alloc(IF_NAMESIZE);
    const r = l.ifIndexToName(index, buf);
    const err = r ? undefined : errnoName(lastErrno());
    logOsCall('ffi', `if_indextoname(${index})`, performance.now() - t0, undefined, err ? `errno=${err}` : undefined);
    if (!err) {
      const nul = buf.indexOf(0);
      return decodeUtf8(buf.subarray(0, nul >= 0 ? nul : buf.length));
    }
    if (NO_SUCH.has(err)) return undefined;
  }
  return sysfsNames().get(index);
}

/** The index of interface `name` in this network namespace; undefined when there is none. */
export function interfaceIndex(name: string): number | undefined {
  if (!/^[^/\0]+$/.test(name) || name === '.' || name === '..') return undefined;
  const l = libc();
  if (l) {
    const t0 = performance.now();
    const n = Number(l.ifNameToIndex(Buffer.from(`${name}\0`, 'utf8')));
    const err = n > 0 ? undefined : errnoName(lastErrno());
    logOsCall('ffi', `if_nametoindex(${name})`, performance.now() - t0, undefined, err ? `errno=${err}` : undefined);
    if (!err) return n;
    if (NO_SUCH.has(err)) return undefined;
  }
  try {
    const n = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** index -> name from /sys/class/net (the mount namespace's view; the fallback only). */
function sysfsNames(): Map<number, string> {
  const t0 = performance.now();
  const map = new Map<number, string>();
  try {
    for (const name of readdirSync('/sys/class/net')) {
      try {
        const idx = Number.parseInt(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8'), 10);
        if (Number.isInteger(idx)) map.set(idx, name);
      } catch {
        // an interface that went away meanwhile
      }
    }
  } catch {
    // unreadable sysfs: indexes stay numeric
  }
  logOsCall('read', '/sys/class/net/*/ifindex', performance.now() - t0, map.size);
  return map;
}
