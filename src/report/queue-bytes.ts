// The bytes of a socket's queues, as analyze's header sums them: a TCP Recv-Q and Send-Q are sequence-number
// differences (rcv_nxt - copied_seq, write_seq - snd_una, in procfs, netlink and ss alike), and a SYN and a FIN
// each take one sequence number, so they count as 1 there without being a byte of data.
import type { Socket } from '../model/socket.js';

/** States that received the peer's FIN: while the program has not read to end of file, Recv-Q counts it (+1). */
const FIN_RECEIVED = new Set(['CLOSE_WAIT', 'LAST_ACK', 'CLOSING']);
/** States whose own FIN is sent and not yet acknowledged (or not yet sent, queued behind data): Send-Q counts it. */
const FIN_UNACKED = new Set(['FIN_WAIT1', 'LAST_ACK', 'CLOSING']);
/** States whose SYN (SYN_SENT) or SYN-ACK (SYN_RECV, a full socket: TCP Fast Open) is not acknowledged: Send-Q counts it. */
const SYN_UNACKED = new Set(['SYN_SENT', 'SYN_RECV']);

/**
 * Recv-Q and Send-Q of `s` in bytes of data: for TCP the FIN or SYN a queue counts is taken off (a Recv-Q
 * of 1 in CLOSE_WAIT is the unread FIN, 0 bytes; a Send-Q of 1 in SYN_SENT is the SYN). A queue of 0 holds
 * none (the FIN was read, or acknowledged). Other protocols' queues are bytes already.
 */
export function queueBytes(s: Socket): { recvQ: number; sendQ: number } {
  if (s.protocol !== 'tcp') return { recvQ: s.recvQ, sendQ: s.sendQ };
  const fin = FIN_RECEIVED.has(s.state) && s.recvQ > 0 ? 1 : 0;
  const ctl = (FIN_UNACKED.has(s.state) || SYN_UNACKED.has(s.state)) && s.sendQ > 0 ? 1 : 0;
  return { recvQ: s.recvQ - fin, sendQ: s.sendQ - ctl };
}
