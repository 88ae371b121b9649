// Library API for one socket: inspectOptions() (real option values, as `sockscope inspect-options --json`) and
// debugConnection() (resolve, route, connect, TLS, reply, verdict, as `sockscope debug-connections --json`).
import { z } from 'zod';
import { createSource, type SourceChoice } from '../collect/index.js';
import { probeConnections, type ProbeResult } from '../collect/connect-probe.js';
import { resolveOptionNames, type InspectResult } from '../collect/getsockopt.js';
import { inspectJson, runInspect } from '../cli/commands/inspect-options-run.js';
import { UsageError } from '../cli/errors.js';
import type { OptionReportRow } from '../knowledge/interpret-options.js';
import { parseHostPort } from '../knowledge/interpret-connect.js';
import { OptionNameSchema } from '../knowledge/socket-options.js';
import { collecting, detached, InvalidInputError, parseInput } from './errors.js';

const SourceSchema = z.enum(['auto', 'netlink', 'ss', 'procfs', 'netstat']);

/** Which socket: `{pid, socketFd}`, or `{port}` (the listener on that local port), or `{inode}`; `options` limits what is read. */
export const InspectOptionsInputSchema = z
  .object({
    pid: z.number().int().min(1).max(2 ** 22).optional(),
    socketFd: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    inode: z.number().int().min(1).max(2 ** 53).optional(),
    /** Option names (SO_RCVBUF, TCP_NODELAY, nodelay...); default every option except SO_ERROR. */
    options: z.array(OptionNameSchema).min(1).optional(),
    source: SourceSchema.optional(),
  })
  .strict()
  .refine((v) => (v.pid === undefined) === (v.socketFd === undefined), { message: 'pid and socketFd go together', path: ['socketFd'] })
  .refine((v) => [v.pid !== undefined, v.port !== undefined, v.inode !== undefined].filter(Boolean).length === 1, {
    message: 'say which socket: {pid, socketFd}, or {port}, or {inode} (exactly one)',
  });
export type InspectOptionsInput = z.input<typeof InspectOptionsInputSchema>;

/** The `inspect-options --json` document. */
export type InspectOptionsReport = Omit<InspectResult, 'options' | 'sysctls' | 'threadOf' | 'methodNote'> & {
  /** When `pid` is a thread: the process it belongs to (Tgid); null otherwise. */
  threadOf: number | null;
  /** Why the duplicate could not be made (method 'fallback'); null when pidfd_getfd read the socket. */
  methodNote: string | null;
  /** Each reading explained; a row's readFor and readBecause say whose packets it is for and why it was read unasked. */
  options: OptionReportRow[];
  unusual: string[];
  sysctls: Record<string, unknown>;
  /** How --port / --inode found the socket; null for --pid/--socket-fd. */
  located: { how: string; others: number; holders: { pid: number; name: string; fd: number }[]; /** Several sockets matched: which one was chosen and why, and the others. */ choice?: string } | null;
  /** A TCP listener on [::] only: the IPv4 listeners on its port ("0.0.0.0:80"; empty: none), which say whether IPV6_V6ONLY leaves IPv4 clients without one. */
  ipv4Listeners?: string[];
};

/** Real option values of one socket (pidfd_getfd + getsockopt; the kernel's view without privilege), explained. */
export async function inspectOptions(input: InspectOptionsInput): Promise<InspectOptionsReport> {
  const o = parseInput(InspectOptionsInputSchema, input, 'inspectOptions');
  // An unknown option name is an UnknownOptionError at its place in the list (options[K]).
  if (o.options) resolveOptionNames(o.options);
  try {
    // Nothing listening on the port, no such pid/fd: CollectorError / NoSuchSocketError (code collector-error).
    const r = await collecting(() => runInspect({ pid: o.pid, 'socket-fd': o.socketFd, port: o.port, inode: o.inode, options: o.options?.join(','), source: o.source }));
    return detached(inspectJson(r));
  } catch (e) {
    if (e instanceof UsageError) throw new InvalidInputError(e.message, [{ path: '', message: e.message }]);
    throw e;
  }
}

/** `{address: 'HOST:PORT', udp?, tls?, send?, expect?, timeoutMs?}` (IPv6 as [::1]:8080; timeoutMs per step, default 3000). */
export const DebugConnectionInputSchema = z
  .object({
    address: z.string().trim().min(1),
    /** One datagram (`send`, or an empty one) instead of a TCP connect, as debug-connections --udp. */
    udp: z.boolean().optional(),
    tls: z.boolean().optional(),
    /** Text sent after connecting (\n, \r, \t understood). */
    send: z.string().optional(),
    /** Text the reply must contain. */
    expect: z.string().min(1).optional(),
    timeoutMs: z.number().int().min(1).max(300_000).default(3000),
    source: SourceSchema.optional(),
  })
  .strict()
  .refine((v) => !(v.udp && v.tls), { message: 'tls applies to TCP only: udp sends plain datagrams (DTLS is not supported)', path: ['tls'] });
export type DebugConnectionInput = z.input<typeof DebugConnectionInputSchema>;

/** Why a connection to HOST:PORT works or fails. The verdict is data: a refused port is a successful diagnosis. */
export async function debugConnection(input: DebugConnectionInput): Promise<ProbeResult> {
  const o = parseInput(DebugConnectionInputSchema, input, 'debugConnection');
  const hp = parseHostPort(o.address);
  if ('error' in hp) throw new InvalidInputError(`address: ${hp.error}`, [{ path: 'address', message: hp.error }]);
  const source = createSource((o.source ?? 'auto') as SourceChoice);
  return detached(await collecting(() => probeConnections({ host: hp.host, port: hp.port, timeoutMs: o.timeoutMs, tls: o.tls, send: o.send, expect: o.expect, udp: o.udp, source })));
}
