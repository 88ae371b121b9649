// The sockets of a process in another network namespace (a container, `ip netns exec`): sockscope's collectors list
// only their own namespace's, so ss runs in the process's one through nsenter --net=/proc/PID/ns/net, and the
// snapshot carries that namespace's sysctls (sysctlsFor, as inspect-options reads them) instead of sockscope's.
import type { Snapshot } from '../model/snapshot.js';
import { sysctlsFor } from './getsockopt-netns-sysctls.js';
import { runStreaming, type StreamRunner } from './exec.js';
import type { CollectOptions, SocketSource } from './source.js';
import { SsSource } from './ss.js';

/** Where pid's sockets are collected when its network namespace is not sockscope's. */
export type OtherNetns =
  /** A source listing that namespace's sockets, its sysctls in each snapshot; `note` says so. */
  | { kind: 'source'; source: SocketSource; netns: string; note: string }
  /** The namespace cannot be entered (not root): `message` says so and how to run sockscope there. */
  | { kind: 'unreachable'; netns: string | null; message: string };

/**
 * null when `pid` shares sockscope's network namespace (or whether it does cannot be read: /proc/PID/ns/net of
 * another user's process); otherwise a source for its namespace, or why there is none. `rerun` is the sockscope
 * command line to suggest running in that namespace when it cannot be entered from here.
 */
export async function otherNetnsOf(pid: number, rerun: string, procRoot = '/proc'): Promise<OtherNetns | null> {
  const ns = await sysctlsFor(procRoot, pid);
  if (!ns.other) return null;
  const nsPath = `${procRoot}/${pid}/ns/net`;
  const runThere = `run sockscope in that namespace: nsenter --net=${nsPath} ${rerun} (or ip netns exec NAME ${rerun} for a namespace ip netns lists)`;
  // sysctlsFor entered the namespace to read its sysctls (missing: it could not); ss needs the same.
  if (ns.missing) {
    const why = process.getuid?.() === 0 ? 'nsenter --net failed there' : 'entering a namespace needs root (CAP_SYS_ADMIN)';
    return { kind: 'unreachable', netns: ns.netns, message: `pid ${pid} is in another network namespace (${ns.netns}, ${nsPath}) than sockscope, whose collectors list only their own namespace's sockets, and its sockets and sysctls cannot be read there from here (${why}): ${runThere}` };
  }
  const runner: StreamRunner = (file, args, opts) => runStreaming('nsenter', [`--net=${nsPath}`, '--', file, ...args], opts);
  const ss = new SsSource('ss', runner, { split: false });
  const source: SocketSource = {
    name: 'ss',
    async collect(opts?: CollectOptions): Promise<Snapshot> {
      const snap = await ss.collect(opts);
      return { ...snap, sysctls: ns.sysctls };
    },
  };
  return {
    kind: 'source',
    source,
    netns: ns.netns!,
    note: `pid ${pid} is in another network namespace (${ns.netns}) than sockscope: its sockets were listed there (nsenter --net=${nsPath} ss), and the kernel caps are that namespace's sysctls, read there too.`,
  };
}
