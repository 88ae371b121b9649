// A connect to this host that timed out: the accept queue of the listener it reached was full (the kernel drops the
// SYN), or nothing explains it there and a rule on this host dropped it (this host answers every SYN at once).
import { listenerOwners, memberQueueText, queueSuspect, type LocalListener } from './connect-listeners.js';
import { formatHostPort } from './host-port.js';
import type { ConnectContext } from './connect-context.js';

/**
 * A local connect that timed out while no accept queue explains it (queueFinding found none full): this host answers
 * a SYN at once, with a SYN-ACK from a listener with room or a reset when nothing listens, so a rule on this host
 * dropped it. The listener it would have reached is named with its queue.
 */
export function droppedLocally(ctx: ConnectContext, target: string): { summary: string; steps: string[] } {
  const P = ctx.port;
  const within = `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms`;
  const rule = `a DROP rule on this host (nft, or iptables INPUT/OUTPUT) drops tcp port ${P}`;
  const steps = [`nft list ruleset; iptables -S INPUT; iptables -S OUTPUT   (a DROP rule for tcp port ${P})`];
  const l = ctx.listener;
  if (l) {
    // Library callers may pass a listener without its owners: found among the listeners by address.
    const owner = l.by === undefined ? ctx.listeners?.find((x) => formatHostPort(x.address, x.port) === l.local) : undefined;
    const by = l.by ?? (owner?.owners.length ? listenerOwners(owner) : undefined);
    const room = l.backlog !== undefined ? `has room (${l.pending} waiting for accept(), backlog ${l.backlog})` : `holds no connection waiting for accept() (its backlog is unknown with this source)`;
    const who = l.groupSize
      ? `${l.groupSize} SO_REUSEPORT listeners listen on ${l.local} on this host${by ? ` (${by} among them)` : ''}, and none of their accept queues is full`
      : `${by ?? 'a listener'} listens on ${l.local} on this host, and its accept queue ${room}`;
    steps.push(`sockscope analyze --port ${P}   (the listener, its queue and its owner)`);
    return { summary: `${within}: ${who}, so the kernel would have answered the SYN: ${rule}`, steps };
  }
  if (ctx.listeners)
    return {
      summary: `${within}: nothing listens on ${target}, and this host answers a SYN to a port nobody listens on with a reset, not silence: ${rule}`,
      steps: [...steps, `ss -ltnp 'sport = :${P}'   (no listener takes ${target})`],
    };
  return {
    summary: `${within}: ${target} is this host, which answers a SYN at once (a SYN-ACK, or a reset when nothing listens): ${rule}, or a listener's accept queue is full`,
    steps: [...steps, `ss -ltn 'sport = :${P}'   (the listener's Recv-Q against its backlog, Send-Q)`, 'nstat -az TcpExtListenOverflows TcpExtListenDrops (SYNs dropped because the queue was full)'],
  };
}

/**
 * A local connect that timed out, explained by the accept queue of the listener it reached: over its backlog, or,
 * when the source cannot see the backlog (/proc/net/tcp, netstat), holding connections nobody has accepted (on this
 * host little else drops a SYN). In a SO_REUSEPORT group every member that could have dropped it is named.
 */
export function queueFinding(ctx: ConnectContext, target: string): { summary: string; steps: string[] } | undefined {
  const l = ctx.listener;
  if (!l || !queueSuspect(l)) return undefined;
  const P = ctx.port;
  const within = `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms`;
  // Library callers may pass a listener without its owners: found among the listeners by address, as before.
  const owner = l.by === undefined ? ctx.listeners?.find((x) => formatHostPort(x.address, x.port) === l.local) : undefined;
  const one = (x: LocalListener) => ({ by: x.by ?? (owner?.owners.length ? listenerOwners(owner) : undefined), pid: x.pid ?? owner?.owners[0]?.pid });
  const all = l.candidates ?? [l];
  const unknown = all.some((x) => x.backlog === undefined);
  const steps: string[] = [];
  for (const x of all.slice(0, 3)) {
    const o = one(x);
    if (o.by && o.pid !== undefined) steps.push(`${o.by} is not calling accept() fast enough: see what it does (strace -f -p ${o.pid} -e trace=accept,accept4,poll,epoll_wait)`);
  }
  if (steps.length === 0) steps.push(`sockscope analyze --port ${P}   (which process owns the listener, and is it calling accept()?)`);
  if (unknown) steps.push(`ss -ltn 'sport = :${P}'   (this source cannot see the backlog: the LISTEN line's Send-Q is the backlog, a Recv-Q above it is a full queue; or run with --source netlink)`);
  steps.push('make the server accept faster (more workers, no blocking work in the accept loop), or raise its listen() backlog and net.core.somaxconn');
  steps.push('nstat -az TcpExtListenOverflows TcpExtListenDrops (SYNs dropped because the queue was full)');
  if (unknown) steps.push(`if the queue is not full: a firewall rule on this host that drops port ${P} (iptables -S; nft list ruleset)`);
  if (all.length > 1) {
    const which = all.map(memberQueueText).join(', ');
    return {
      summary: unknown
        ? `${within}: ${all.length} of the ${l.groupSize ?? all.length} SO_REUSEPORT listeners on ${l.local} on this host hold connections nobody has accepted, and their backlogs are unknown with this source: ${which}; full accept queues, where the kernel drops new SYNs, are the likely cause; which one this SYN was hashed to cannot be told`
        : `${within}: the accept queues of ${all.length} of the ${l.groupSize ?? all.length} SO_REUSEPORT listeners on ${l.local} on this host are full, so the kernel drops the new SYNs it hashes to them: ${which}; which one this SYN went to cannot be told`,
      steps,
    };
  }
  const group = l.groupSize ? ` (1 of the ${l.groupSize} SO_REUSEPORT listeners there; the kernel hashes each new connection to one of them)` : '';
  const who = one(l).by;
  return {
    summary: unknown
      ? `${within}: the listener ${l.local} on this host${group} has ${l.pending} connection(s) waiting for accept(), and its backlog is unknown with this source: a full accept queue, where the kernel drops new SYNs, is the likely cause${who ? `: ${who} is not accepting fast enough` : ''}`
      : `${within}: the accept queue of the listener ${l.local} on this host${group} is full (${l.pending} waiting for accept(), backlog ${l.backlog}), so the kernel drops new SYNs${who ? `: ${who} is not accepting fast enough` : ''}`,
    steps,
  };
}
