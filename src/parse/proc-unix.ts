// Pure parser for /proc/net/unix (net/unix/af_unix.c unix_seq_show).
import type { Socket, SocketState } from '../model/socket.js';

/** __SO_ACCEPTCON in the Flags column: the socket is listening. */
const SO_ACCEPTCON = 0x10000;
const TYPES: Record<number, Socket['unixType']> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };
/** socket->state (SS_UNCONNECTED=1, SS_CONNECTING=2, SS_CONNECTED=3, SS_DISCONNECTING=4) as the TCP names ss uses. */
const STATES: Record<number, SocketState> = { 1: 'CLOSE', 2: 'SYN_SENT', 3: 'ESTABLISHED', 4: 'CLOSING' };

// "%pK: %08X %08X %08X %04X %02X %5lu" then, when bound, one space and the name byte by byte.
const LINE = /^([0-9A-Fa-f]+): ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{2}) +(\d+)(?: (.*))?$/s;

/**
 * Parses one line; null for the header and malformed lines. The path is everything after the inode and
 * one space, so spaces inside it are kept; abstract names start with '@' (the kernel prints their NUL
 * bytes as '@'); unnamed sockets get address ''.
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
  if (state === 'LISTEN') sock.sendQUnknown = true; // /proc/net/unix has no queues at all
  return sock;
}

/** Parses the whole file; a last line without its newline is treated as truncated and skipped. */
export function parseProcUnix(text: string): Socket[] {
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  const out: Socket[] = [];
  for (const line of lines) {
    const s = parseProcUnixLine(line);
    if (s) out.push(s);
  }
  return out;
}
