// Library API for buffer sizing: sizeBuffers() returns the `sockscope buffers --json` document.
// It runs the buffers command's buffersReport with the caller's configuration only (`options.config`: the
// default read size and the thresholds; DEFAULT_CONFIG without it), never the config files or
// DEFAULT_BUFFER_SIZE, as every library function (api/config.ts). Every rule about the input is checked here
// first, with the field names; a UsageError out of buffersReport would be a rule missed here, still bad input.
import { z } from 'zod';
import type { BuffersReport } from '../advise/buffers-report.js';
import { parseBandwidth, parseDurationMs, UnitError } from '../advise/units.js';
import { buffersReport } from '../cli/commands/buffers.js';
import { UsageError } from '../cli/errors.js';
import { collectorOf, libraryConfig, settingOrigin, type LibraryOptions } from './config.js';
import { collecting, detached, InvalidInputError, parseInput } from './errors.js';

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

/** buffersReport's rules about which fields go together, with the field names (it says --socket-fd, --rtt...). */
function checkCombination(o: z.output<typeof SizeBuffersInputSchema>): void {
  const perConn = o.port !== undefined || o.peerPort !== undefined || o.pid !== undefined;
  const fail = (path: string, message: string): never => {
    throw new InvalidInputError(message, [{ path, message }]);
  };
  if (o.socketFd !== undefined && o.pid === undefined) fail('socketFd', 'socketFd needs pid');
  if (o.pid !== undefined && o.socketFd === undefined) fail('pid', 'pid needs socketFd');
  if (o.rtt !== undefined && o.bandwidth === undefined) fail('rtt', 'rtt needs bandwidth');
  if (o.bandwidth !== undefined && o.rtt === undefined && !perConn) fail('bandwidth', "bandwidth needs rtt (or port, peerPort or pid + socketFd to use each connection's rtt)");
  if (!perConn && o.bandwidth === undefined) fail('', 'give port (or peerPort, or pid + socketFd), or bandwidth and rtt');
}

/** A unit the parser refuses, as an input error on its field. */
function parsed<T>(field: 'bandwidth' | 'rtt', parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    // The parser's message starts with the field ("bandwidth: ...", "rtt must be..."); the path says it already.
    if (e instanceof UnitError) throw new InvalidInputError(e.message, [{ path: field, message: e.message.replace(new RegExp(`^${field}(?::\\s*|\\s+)`), '') }]);
    throw e;
  }
}

/**
 * Buffer sizing: BDP vs SO_RCVBUF/SO_SNDBUF vs sysctl caps, for a link and/or live connections. Bad input or
 * options: InvalidInputError; no such pid/fd or a collector failure: CollectorError / NoSuchSocketError.
 * `options.config`: bufferSize (the read size the report compares with), thresholds and source (the collector
 * when the input names none), as for analyze().
 */
export async function sizeBuffers(input: SizeBuffersInput, options?: LibraryOptions): Promise<BuffersReport> {
  const o = parseInput(SizeBuffersInputSchema, input, 'sizeBuffers');
  checkCombination(o);
  const config = libraryConfig(options, 'sizeBuffers');
  const bandwidth = o.bandwidth === undefined ? undefined : { text: o.bandwidth, bytesPerSecond: parsed('bandwidth', () => parseBandwidth(o.bandwidth!, 'bandwidth')) };
  const rtt = o.rtt === undefined ? undefined : parsed('rtt', () => parseDurationMs(o.rtt!, 'rtt'));
  const settings = { defaults: { bufferSize: config.bufferSize, ...settingOrigin(options, 'bufferSize') }, thresholds: config.thresholds };
  try {
    return detached(await collecting(() => buffersReport({ port: o.port, peerPort: o.peerPort, pid: o.pid, fd: o.socketFd, bandwidth, rtt, source: collectorOf(o.source, config) }, settings)));
  } catch (e) {
    if (e instanceof UsageError) throw new InvalidInputError(e.message, [{ path: '', message: e.message }]);
    throw e;
  }
}
