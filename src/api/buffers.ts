// Library API for buffer sizing: sizeBuffers() returns the `sockscope buffers --json` document.
import { z } from 'zod';
import type { BuffersReport } from '../advise/buffers-report.js';
import { parseBandwidth, parseDurationMs, UnitError } from '../advise/units.js';
import { buffersReport } from '../cli/commands/buffers.js';
import { UsageError } from '../cli/errors.js';
import { InvalidInputError, parseInput } from './errors.js';

const Port = z.number().int().min(1).max(65535);

/**
 * A link (`bandwidth` + `rtt`, units required as on the command line: "10gbit", "80ms") and/or connections:
 * `port` (local), `peerPort`, or `pid` + `socketFd`. With connections, `bandwidth` alone uses each one's rtt.
 */
export const SizeBuffersInputSchema = z
  .object({
    bandwidth: z.string().trim().min(1).optional(),
    rtt: z.string().trim().min(1).optional(),
    port: Port.optional(),
    peerPort: Port.optional(),
    pid: z.number().int().min(1).optional(),
    socketFd: z.number().int().min(0).optional(),
    source: z.enum(['auto', 'netlink', 'ss', 'procfs', 'netstat']).optional(),
  })
  .strict()
  .refine((v) => !(v.port !== undefined && v.peerPort !== undefined), { message: 'give port or peerPort, not both' })
  .refine((v) => !(v.pid !== undefined && (v.port !== undefined || v.peerPort !== undefined)), { message: 'pid/socketFd cannot be combined with port or peerPort' });
export type SizeBuffersInput = z.input<typeof SizeBuffersInputSchema>;

const FLAG_FIELDS: Record<string, string> = { '--bandwidth': 'bandwidth', '--rtt': 'rtt', '--pid': 'pid', '--socket-fd': 'socketFd', '--port': 'port', '--peer-port': 'peerPort' };

/** CLI wording ("--rtt needs --bandwidth") -> field names ("rtt needs bandwidth"), so messages name what the caller wrote. */
function fieldWords(msg: string): string {
  return msg.replace(/--(bandwidth|rtt|pid|socket-fd|port|peer-port)\b/g, (f) => FLAG_FIELDS[f] ?? f);
}

/** Buffer sizing: BDP vs SO_RCVBUF/SO_SNDBUF vs sysctl caps, for a link and/or live connections. */
export async function sizeBuffers(input: SizeBuffersInput): Promise<BuffersReport> {
  const o = parseInput(SizeBuffersInputSchema, input, 'sizeBuffers');
  try {
    const bandwidth = o.bandwidth === undefined ? undefined : { text: o.bandwidth, bytesPerSecond: parseBandwidth(o.bandwidth, 'bandwidth') };
    const rtt = o.rtt === undefined ? undefined : parseDurationMs(o.rtt, 'rtt');
    return await buffersReport({ port: o.port, peerPort: o.peerPort, pid: o.pid, fd: o.socketFd, bandwidth, rtt, source: o.source });
  } catch (e) {
    if (e instanceof UnitError || e instanceof UsageError) {
      const msg = fieldWords(e.message);
      const field = /^(bandwidth|rtt|pid|socketFd|port|peerPort)\b/.exec(msg)?.[1] ?? '';
      throw new InvalidInputError(msg, [{ path: field, message: msg }]);
    }
    throw e;
  }
}
