// The ss (iproute2) collector: runs ss with an argument array and parses its output with
// src/parse/ss.ts while ss is still writing it.
import type { Protocol, Socket } from '../model/socket.js';
import type { Snapshot } from '../model/snapshot.js';
import { SsStreamParser } from '../parse/ss.js';
import { runStreaming, type StreamRunner } from './exec.js';
import { readHostInfo } from './host.js';
import { attributeWith } from './attribution.js';
import { assembleSnapshot } from './assemble.js';
import { ALL_PROTOCOLS, CollectorError, DEFAULT_TIMEOUT_MS, type CollectOptions, type SocketSource } from './source.js';

const PROTO_FLAGS: Record<Protocol, string> = { tcp: 't', udp: 'u', unix: 'x' };

/** The ss arguments for a request (exported for tests and the remote collector). */
export function ssArgs(opts: CollectOptions, withProcesses: boolean): string[] {
  const protos = opts.protocols ?? ALL_PROTOCOLS;
  const flags = `-${protos.map((p) => PROTO_FLAGS[p]).join('')}anOHe${withProcesses ? 'p' : ''}`;
  const args = [flags];
  if (opts.details) args.push('-i', '-m', '-o');
  else args.push('-o');
  // A filter keeps ss's own work small when one port is asked for.
  const filter: string[] = [];
  if (opts.port !== undefined) filter.push('sport', '=', `:${opts.port}`);
  if (opts.peerPort !== undefined) {
    if (filter.length) filter.push('or');
    filter.push('dport', '=', `:${opts.peerPort}`);
  }
  if (filter.length && !protos.includes('unix')) args.push(...filter);
  return args;
}

/** ss omits the Netid column when one socket type is asked for: the netid to assume then. */
export function impliedNetid(opts: CollectOptions): 'tcp' | 'udp' | undefined {
  const protos = opts.protocols ?? ALL_PROTOCOLS;
  return protos.length === 1 && protos[0] !== 'unix' ? (protos[0] as 'tcp' | 'udp') : undefined;
}

/** Reads sockets through `ss`. */
export class SsSource implements SocketSource {
  readonly name = 'ss' as const;
  constructor(
    private readonly ssPath = 'ss',
    private readonly runner: StreamRunner = runStreaming,
  ) {}

  async collect(opts: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const scope = opts.processes ?? 'listeners';
    // ss -p walks every /proc/PID/fd on each call; the shared attributor caches instead, so ss -p is
    // only the fallback when the attributor is unavailable.
    const attribute = await attributeWith();
    const useSsProcesses = scope !== 'none' && !attribute;
    // Parsed chunk by chunk as ss writes (on the other core while ss formats the rest): at 100,000
    // sockets the whole text is never held, and little is left to parse when ss exits.
    const parser = new SsStreamParser(impliedNetid(opts));
    const [res, host] = await Promise.all([
      this.runner(this.ssPath, ssArgs(opts, useSsProcesses), { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, onStdout: (chunk) => parser.push(chunk) }),
      readHostInfo(),
    ]);
    if (res.exitCode !== 0) throw new CollectorError('ss', `exited with ${res.exitCode}: ${res.stderr.trim().split('\n')[0] ?? ''}`);
    let sockets: Socket[] = parser.end();
    if (opts.port !== undefined || opts.peerPort !== undefined) {
      sockets = sockets.filter(
        (s) => s.protocol === 'unix' || (opts.port !== undefined && s.local.port === opts.port) || (opts.peerPort !== undefined && s.peer.port === opts.peerPort),
      );
    }
    let attribution: Snapshot['attribution'] = { scope, complete: true, hiddenProcesses: 0 };
    if (scope !== 'none') {
      if (attribute) attribution = await attribute(sockets, scope);
      else if (typeof process.getuid === 'function' && process.getuid() !== 0) {
        attribution = { scope: 'all', complete: false, hiddenProcesses: 0, note: "ss -p shows only this user's processes without root" };
      } else attribution = { scope: 'all', complete: true, hiddenProcesses: 0 };
    }
    return assembleSnapshot({ time, startedAt: t0, host, source: 'ss', sockets, attribution, notes: [] });
  }
}
