// Pure netlink framing: message headers and rtattr walking (linux/netlink.h); shared by inet_diag and unix_diag.

// ---- netlink framing (linux/netlink.h) ----
export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP = 0x300;
export const SOCK_DIAG_BY_FAMILY = 20;

/** Both families: the first interface's TCP dump (TCPDIAG_GETSOCK, inet-diag-request.ts). */
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;


/** Aligns to the netlink 4-byte boundary (NLMSG_ALIGN / RTA_ALIGN / NLA_ALIGN). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** One netlink message inside a receive buffer: header fields plus where its payload lies. */
export interface NlMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Offset of the payload (after the 16-byte header) in the buffer. */
  offset: number;
  /** Payload length in bytes (nlmsg_len - 16). */
  length: number;
}

/** Result of walking one receive buffer. */
export interface NlWalk {
  messages: NlMessage[];
  /** NLMSG_DONE seen: the dump is complete. */
  done: boolean;
  /** Negative errno from NLMSG_ERROR (or a failed NLMSG_DONE); 0 when none. */
  error: number;
  /** Some message carried NLM_F_DUMP_INTR (the table changed during the dump; results may be inconsistent). */
  interrupted: boolean;
  /** Bytes at the end that did not form a whole message (a truncated buffer). */
  trailing: number;
}

/**
 * Splits a receive buffer into netlink messages (NLMSG_OK / NLMSG_NEXT). Stops at NLMSG_DONE or
 * NLMSG_ERROR; a message whose length is impossible or runs past `len` ends the walk (counted as trailing).
 */
export function walkNetlink(buf: Uint8Array, len: number = buf.length): NlWalk {
  const dv = new DataView(buf.buffer, buf.byteOffset, Math.min(len, buf.length));
  const end = dv.byteLength;
  const out: NlWalk = { messages: [], done: false, error: 0, interrupted: false, trailing: 0 };
  let off = 0;
  while (off + NLMSG_HDRLEN <= end) {
    const mlen = dv.getUint32(off, true);
    if (mlen < NLMSG_HDRLEN || off + mlen > end) break;
    const type = dv.getUint16(off + 4, true);
    const flags = dv.getUint16(off + 6, true);
    if (flags & NLM_F_DUMP_INTR) out.interrupted = true;
    if (type === NLMSG_DONE) {
      out.done = true;
      if (mlen >= NLMSG_HDRLEN + 4) {
        const e = dv.getInt32(off + NLMSG_HDRLEN, true);
        if (e < 0) out.error = e;
      }
      return out;
    }
    if (type === NLMSG_ERROR) {
      out.error = mlen >= NLMSG_HDRLEN + 4 ? dv.getInt32(off + NLMSG_HDRLEN, true) : -5; /* EIO */
      // error 0 is an ACK, not a failure; a dump never asks for ACKs, so treat it as the end.
      out.done = true;
      return out;
    }
    if (type !== NLMSG_NOOP && type !== NLMSG_OVERRUN) {
      out.messages.push({ type, flags, seq: dv.getUint32(off + 8, true), pid: dv.getUint32(off + 12, true), offset: off + NLMSG_HDRLEN, length: mlen - NLMSG_HDRLEN });
    }
    off += align4(mlen);
  }
  out.trailing = Math.max(0, end - off);
  return out;
}

/** One attribute (struct rtattr / nlattr): type with the NESTED and BYTEORDER flags masked off. */
export interface RtAttr {
  type: number;
  offset: number;
  length: number;
}

/** Walks the rtattrs in [start, end) of a buffer (RTA_OK / RTA_NEXT); stops at the first malformed one. */
export function walkAttrs(dv: DataView, start: number, end: number): RtAttr[] {
  const out: RtAttr[] = [];
  let off = start;
  while (off + 4 <= end) {
    const alen = dv.getUint16(off, true);
    if (alen < 4 || off + alen > end) break;
    out.push({ type: dv.getUint16(off + 2, true) & 0x3fff, offset: off + 4, length: alen - 4 });
    off += align4(alen);
  }
  return out;
}

/** A u64 little-endian field as a Number (exact below 2^53, which byte and time counters stay under). */
export function u64(dv: DataView, off: number): number {
  return dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 4294967296;
}
