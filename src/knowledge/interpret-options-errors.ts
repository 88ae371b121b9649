// The socket errors and failed handshakes interpret-options.ts explains: a pending SO_ERROR (what sent it, and that
// reading it consumed it) and a connect() whose SYNs go unanswered (tcp_info in SYN_SENT).
import { escapeControl } from '../model/escape.js';
import { LINUX_ERRNOS } from './generated/errno-tables.js';
import type { OptionContext } from './interpret-options.js';

/** The Linux name of an errno number (111 -> ECONNREFUSED), from the errno tables `sockscope errno` reads. */
export function linuxErrnoName(n: number): string | undefined {
  return LINUX_ERRNOS.find((e) => e.number === n)?.name;
}

/**
 * What a pending socket error came from, for the errors the kernel leaves there: on a connected UDP socket an
 * ICMP error for an earlier datagram (icmp_err_convert[]), on TCP the failed connect or the dead connection.
 */
function errorCause(name: string, c: OptionContext): string | undefined {
  const peer = c.peer ? escapeControl(c.peer) : 'the peer';
  if (c.protocol === 'udp') {
    if (name === 'ECONNREFUSED') return `an ICMP port unreachable came back for an earlier datagram: nothing listened on UDP ${peer}`;
    if (name === 'EHOSTUNREACH' || name === 'ENETUNREACH') return `an ICMP ${name === 'EHOSTUNREACH' ? 'host' : 'network'} unreachable came back for an earlier datagram to ${peer}`;
    if (name === 'EMSGSIZE') return `an earlier datagram to ${peer} was larger than the path MTU (ICMP fragmentation needed)`;
    return undefined;
  }
  if (c.protocol === 'tcp') {
    if (name === 'ECONNREFUSED') return `${peer} answered the connect with a reset: nothing listens there`;
    if (name === 'ETIMEDOUT') return `the connect or the retransmissions to ${peer} timed out`;
    if (name === 'ECONNRESET') return `${peer} reset the connection`;
    if (name === 'EHOSTUNREACH' || name === 'ENETUNREACH') return `an ICMP ${name === 'EHOSTUNREACH' ? 'host' : 'network'} unreachable came back from the path to ${peer}`;
  }
  return undefined;
}

/**
 * A pending error read with getsockopt(SO_ERROR). Reading it cleared it (sock_error() swaps sk_err for 0), on
 * the socket itself, not on the duplicate fd: the owning process will not see it. Measured on a connected
 * UDP socket after an ICMP port unreachable: SO_ERROR read through a dup gave 111, then recv() on the
 * original fd gave EAGAIN; without that read, recv() fails with ECONNREFUSED.
 */
export function pendingError(v: number, c: OptionContext): { meaning: string; unusual: string } {
  const name = linuxErrnoName(v);
  const message = LINUX_ERRNOS.find((e) => e.number === v)?.message;
  const named = name ? `${name} (${v}${message ? `, ${message}` : ''})` : `errno ${v}`;
  const cause = name ? errorCause(name, c) : undefined;
  return {
    meaning: `pending error ${named}${cause ? `: ${cause}` : ''}`,
    unusual:
      `SO_ERROR held ${named}, and reading it here consumed it: the owning process will not see it. ` +
      `Its next call that reports the error (send or recv, or its own getsockopt(SO_ERROR) after a non-blocking connect) would have failed with ${name ?? `errno ${v}`}; now it will not`,
  };
}

/**
 * tcp_info of a connect() still waiting for the SYN-ACK: its retransmissions are SYNs nobody answered, not data lost
 * on a path (there is no connection, and no RTT sample yet). Measured on 6.18 (review s23 #3): a connect() to a
 * loopback listener with listen(0) and its one queue place taken read 6 retransmissions after 8 s: the full accept
 * queue drops the SYN (ListenOverflows) without a reset.
 */
export function synSentInfo(retrans: number, c: OptionContext): { meaning: string; unusual?: string } {
  const peer = c.peer ? escapeControl(c.peer) : 'the peer';
  const meaning = `kernel TCP state SYN_SENT: connect() has sent its SYN to ${peer} and waits for the SYN-ACK${retrans > 0 ? `; the SYN was retransmitted ${retrans} time(s)` : ''}`;
  if (retrans === 0) return { meaning };
  return {
    meaning,
    unusual:
      `the SYN to ${peer} was sent ${retrans + 1} times and not answered: no SYN-ACK and no reset came back. ` +
      `Check the server's accept queue (a full one drops SYNs: sockscope analyze --port there, nstat TcpExtListenOverflows), a firewall that drops the SYN, ` +
      `and whether the host is up and routed; connect() fails with ETIMEDOUT once net.ipv4.tcp_syn_retries run out`,
  };
}
