// Pure parser for /proc/net/unix (net/unix/af_unix.c unix_seq_show).
import type { Socket, SocketState } from '../model/socket.js';

/** __SO_ACCEPTCON in the Flags column: the socket is listening. */
const SO_ACCEPTCON = 0x10000;
const TYPES: Record<number, Socket['unixType']> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };
/**
 * The St column as the TCP names ss uses. unix_seq_show prints SS_CONNECTED (3) or SS_UNCONNECTED (1)
 * for a socket with a struct socket, and for one without it SS_CONNECTING (2) when it is established:
 * a connection waiting in a listener's accept queue, not accepted yet (inode 0, the listener's name;
 * parseProcUnix counts those in the listener's Recv-Q), else SS_DISCONNECTING (4).
 */
const STATES: Record<number, SocketState> = { 1: 'CLOSE', 2: 'SYN_SENT', 3: 'ESTABLISHED', 4: 'CLOSING' };

// "%pK: %08X %08X %08X %04X %02X %5lu" then, when bound, one space and the name byte by byte.
const LINE = /^([0-9A-Fa-f]+): ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{2}) +(\d+)(?: (.*))?$/s;

/**
 * Parses one line; null for the header and malformed lines. The path is everything after the inode and
 * one space, so spaces inside it are kept; abstract names start with '@' (the kernel prints their NUL
 * bytes as '@'); unnamed sockets get address ''. /proc/net/unix has no queue lengths: Recv-Q and
 * Send-Q are 0 and marked unknown (sendQUnknown; recvQUnknown except on a listener, whose accept queue
 * parseProcUnix counts).
 */
export function parseProcUnixLine(line: string): Socket | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const flags = Number.parseInt(m[4], 16);
  const type = TYPES[Number.parseInt(m[5], 16)];
  const st = Number.parseInt(m[6], 16);
  let state = STATES[st];
  if (flags & SO_ACCEPTCON) state = 'LISTEN';
  if (!state) return null;
  const sock: Socket = {
    protocol: 'unix',
    state,
    local: { address: m[8] ?? '', port: 0 },
    peer: { address: '', port: 0 },
    recvQ: 0,
    sendQ: 0,
    inode: Number(m[7]),
    processes: [],
  };
  if (type) sock.unixType = type;
  markUnixQueuesUnknown(sock);
  return sock;
}

/**
 * /proc/net/unix and netstat -x print no queue lengths: Send-Q is unknown, and Recv-Q too except on a
 * listener, whose accept queue is counted from the connections waiting in it (foldUnixAcceptQueues).
 */
export function markUnixQueuesUnknown(sock: Socket): void {
  sock.sendQUnknown = true;
  if (sock.state !== 'LISTEN') sock.recvQUnknown = true;
}

/** True for an entry that is a connection waiting in a unix listener's accept queue (see STATES). */
function waitingConnection(s: Socket): boolean {
  return s.protocol === 'unix' && s.state === 'SYN_SENT' && s.inode === 0 && s.local.address !== '';
}

/**
 * Counts the connections waiting in unix listeners' accept queues as the listeners' Recv-Q, as
 * unix_diag (netlink, ss) does, instead of as sockets: /proc/net/unix, and netstat -x which reads it,
 * list each as an entry of its own (SYN_SENT here, CONNECTING in netstat, inode 0) carrying the
 * listener's name. An entry is folded into the one listener of that name; when none or several
 * listeners have it (one unlinked and bound again), it stays as it is. Returns `sockets` itself
 * when there is nothing to fold.
 */
export function foldUnixAcceptQueues(sockets: Socket[]): Socket[] {
  if (!sockets.some(waitingConnection)) return sockets;
  const listeners = new Map<string, Socket | null>();
  for (const s of sockets) {
    if (s.protocol !== 'unix' || s.state !== 'LISTEN' || s.local.address === '') continue;
    listeners.set(s.local.address, listeners.has(s.local.address) ? null : s);
  }
  return sockets.filter((s) => {
    if (!waitingConnection(s)) return true;
    const l = listeners.get(s.local.address);
    if (!l) return true;
    l.recvQ++;
    return false;
  });
}

/**
 * Parses the whole file; a last line without its newline is treated as truncated and skipped. The
 * kernel prints names byte for byte, so a name with a newline goes on over the next lines: a line
 * that is not an entry continues the name of the entry before it. Waiting connections are counted in
 * their listener's Recv-Q (foldUnixAcceptQueues). A line that continues a name and looks like an entry
 * cannot be told from one (the address field is all zeros under kptr_restrict, the name is last and of
 * any bytes): such a name can add entries. The collectors check the names against the kernel's list
 * (collect/unix-newline-names.ts) and take its rows when one holds a newline.
 */
export function parseProcUnix(text: string): Socket[] {
  const lines = text.split('\n');
  lines.pop(); // after the last newline: '' or a line cut short
  const out: Socket[] = [];
  let last: Socket | null = null;
  for (const line of lines) {
    const s = parseProcUnixLine(line);
    if (s) {
      out.push(s);
      last = s;
    } else if (last !== null && last.local.address !== '') {
      last.local.address += `\n${line}`;
    }
  }
  return foldUnixAcceptQueues(out);
}
