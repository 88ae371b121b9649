// /proc/net/unix (read by the procfs source and by netstat -x) prints each unix socket's name raw, so a
// name with a newline goes on over the next lines, and those lines can be made to read as sockets of
// their owner's choosing: "\0x\n0000000000000000: 00000003 00000000 00000000 0001 02     0 /run/a.sock"
// is one more connection waiting in /run/a.sock's accept queue, and an unprivileged user can bind such
// names. The text cannot tell those lines from real ones (the kernel's address field is all zeros under
// kptr_restrict, the name is last and of any bytes). The kernel's own list (netlink unix_diag: each name
// with its length) can: where it answers and one of its names holds a newline, the unix rows are its.
import type { Socket } from '../model/socket.js';

/** The kernel's unix sockets (netlink unix_diag); undefined when it cannot be asked. Injected by tests. */
export type KernelUnixSockets = (timeoutMs: number) => Promise<Socket[] | undefined>;

/** One netlink unix_diag dump, without details (names, states, queues, inodes). */
export const kernelUnixSockets: KernelUnixSockets = async (timeoutMs) => {
  try {
    const { dumpSockets } = await import('./netlink-dumps.js');
    const r = await dumpSockets({ protocols: ['unix'], timeoutMs });
    // An interrupted dump may miss sockets; a kernel without unix_diag gives none (and says so in a note).
    if (r.interrupted || r.notes.some((n) => n.includes('unix'))) return undefined;
    return r.sockets;
  } catch {
    return undefined;
  }
};

/** What checkUnixNames decided: the sockets to show, and the note to add, if any. */
export interface UnixNamesCheck {
  sockets: Socket[];
  note?: string;
  /** The unix rows are the kernel's (queue lengths known: no "no queue lengths" note). */
  fromKernel: boolean;
}

/**
 * Checks the unix rows read from /proc/net/unix's text (`what`: "/proc/net/unix" or "netstat -x")
 * against the kernel's list. When a kernel name holds a newline the text's unix rows are replaced by the
 * kernel's (TCP and UDP rows stay: they come from other files); when the kernel cannot be asked, a note
 * says that such a name could have added rows. `kernel` null: not checked (a fixture tree, another
 * namespace's /proc). The dump runs after the text was read: a socket closed in between is not seen.
 */
export async function checkUnixNames(
  sockets: Socket[],
  what: string,
  kernel: KernelUnixSockets | null,
  timeoutMs: number,
  keep?: (s: Socket) => boolean,
): Promise<UnixNamesCheck> {
  if (kernel === null || !sockets.some((s) => s.protocol === 'unix')) return { sockets, fromKernel: false };
  const listed = await kernel(timeoutMs);
  if (listed === undefined) {
    return {
      sockets,
      fromKernel: false,
      note: `the kernel's unix socket list (netlink unix_diag) could not be read to check ${what}: it prints names raw, so a unix socket whose name holds a newline can add made-up unix rows (a listener, connections waiting in an accept queue); --source ss or netlink do not have this limit`,
    };
  }
  const n = listed.filter((s) => s.local.address.includes('\n')).length;
  if (n === 0) return { sockets, fromKernel: false };
  const unix = keep ? listed.filter(keep) : listed;
  return {
    sockets: sockets.filter((s) => s.protocol !== 'unix').concat(unix),
    fromKernel: true,
    note: `${n} unix socket${n === 1 ? ' has' : 's have'} a newline in ${n === 1 ? 'its' : 'their'} name: ${what} prints names raw, so such a name could make up unix rows there; the unix sockets are read from the kernel (netlink unix_diag) instead`,
  };
}
