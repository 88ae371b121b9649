// What each socket state means and who has to act (shown in the socket view).
import type { Protocol, SocketState } from '../model/socket.js';

export interface StateMeaning {
  meaning: string;
  /** Who must do something for the socket to move on. */
  whoActs: string;
}

const TCP: Record<SocketState, StateMeaning> = {
  LISTEN: { meaning: 'Waiting for connections; completed handshakes wait in the accept queue (Recv-Q) up to the backlog (Send-Q).', whoActs: 'this process: accept() the queued connections' },
  SYN_SENT: { meaning: 'We sent a SYN and wait for the SYN-ACK.', whoActs: 'the peer (or the network): a stuck SYN_SENT means no answer (firewall, host down)' },
  SYN_RECV: { meaning: 'A SYN arrived and we answered SYN-ACK; waiting for the final ACK.', whoActs: 'the peer: many of these mean a SYN flood or a lossy path' },
  ESTABLISHED: { meaning: 'The connection is open; data flows both ways.', whoActs: 'both applications: read what arrives (Recv-Q) and the peer must read what we send (Send-Q)' },
  FIN_WAIT1: { meaning: 'We closed and sent a FIN; waiting for it to be acknowledged.', whoActs: "the peer's kernel (acknowledge the FIN)" },
  FIN_WAIT2: { meaning: 'Our FIN was acknowledged; waiting for the peer to close its side.', whoActs: 'the peer application: close() its socket (orphans time out after tcp_fin_timeout)' },
  TIME_WAIT: { meaning: 'We closed first; the kernel keeps the 4-tuple for 60 s to absorb late segments.', whoActs: 'nobody: the kernel removes it by itself (normal for the side that closes first)' },
  CLOSE: { meaning: 'Not connected.', whoActs: 'nobody' },
  CLOSE_WAIT: { meaning: 'The peer closed its side; our application has not closed this socket yet.', whoActs: 'THIS process: it must close() the socket (a leak if these accumulate)' },
  LAST_ACK: { meaning: 'The peer closed, then we closed; waiting for the ACK of our FIN.', whoActs: "the peer's kernel (acknowledge our FIN)" },
  CLOSING: { meaning: 'Both sides closed at once; waiting for the ACK of our FIN.', whoActs: "the peer's kernel" },
};

/**
 * A connection the kernel completed for a listener that has not accept()ed it: no socket file yet (inode 0).
 * Nothing is read from it until the listening process accepts it, whatever arrives (Recv-Q).
 */
const NOT_ACCEPTED: Partial<Record<SocketState, StateMeaning>> = {
  ESTABLISHED: {
    meaning: "The connection is open, but it waits in the listener's accept queue: no process holds it yet (no socket file, inode 0).",
    whoActs: 'the listening process: accept() it (until then nothing reads what arrives; a listener that stops accepting fills its queue)',
  },
  CLOSE_WAIT: {
    meaning: "The peer closed its side before this connection left the listener's accept queue: no process holds it yet (inode 0).",
    whoActs: 'the listening process: accept() it (then read the end of the stream and close() it)',
  },
};

/**
 * The meaning of a state for a protocol (UDP and unix sockets reuse some TCP names). `inode` 0 (known to have
 * no socket file) on an ESTABLISHED or CLOSE_WAIT TCP socket: still in the accept queue.
 */
export function stateMeaning(protocol: Protocol, state: SocketState, inode?: number): StateMeaning {
  if (protocol === 'tcp' && inode === 0 && NOT_ACCEPTED[state]) return NOT_ACCEPTED[state]!;
  if (protocol === 'udp') {
    if (state === 'ESTABLISHED') return { meaning: 'A connected UDP socket: it sends to and receives from one peer only.', whoActs: 'this process: read datagrams before the receive buffer fills (Recv-Q)' };
    return { meaning: 'A bound UDP socket receiving from anyone (UDP has no connection states).', whoActs: 'this process: read datagrams before the receive buffer fills (Recv-Q)' };
  }
  if (protocol === 'unix') {
    if (state === 'LISTEN') return TCP.LISTEN;
    if (state === 'ESTABLISHED') return { meaning: 'A connected unix socket.', whoActs: 'both processes: read what arrives' };
    return { meaning: 'An unconnected unix socket.', whoActs: 'nobody' };
  }
  return TCP[state];
}
