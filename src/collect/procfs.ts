// The procfs collector: reads /proc/net/{tcp,tcp6,udp,udp6,unix} (one read each) and parses them with src/parse.
import { readFile } from 'node:fs/promises';
import type { Protocol, Socket } from '../model/socket.js';
import type { Snapshot } from '../model/snapshot.js';
import { hasLinkLocalAddress } from '../model/socket.js';
import { decodeUtf8Lines } from '../model/escape.js';
import { parseProcNet, type ProcNetKind } from '../parse/procfs-net.js';
import { parseProcUnix } from '../parse/proc-unix.js';
import { type AttributeFn } from './attribution.js';
// Registers the shared cached attributor when this collector is used on its own.
import './processes.js';
import { logOsCall } from './debug.js';
import { assembleSnapshot, attributeOwners } from './assemble.js';
import { readHostInfo, type HostInfo } from './host.js';
import { ALL_PROTOCOLS, CollectorError, DEFAULT_TIMEOUT_MS, listenersOnlyForDirection, portFilterOf, type CollectOptions, type SocketSource } from './source.js';
import { checkUnixNames, kernelUnixSockets, type KernelUnixSockets } from './unix-newline-names.js';

const FILES: Record<Protocol, string[]> = { tcp: ['tcp', 'tcp6'], udp: ['udp', 'udp6'], unix: ['unix'] };

/**
 * Reads one /proc file; when it does not exist (no IPv6, no unix support, /proc not mounted) the ENOENT error,
 * returned (the caller decides whether that is a failure); CollectorError otherwise.
 */
async function readNetFile(path: string): Promise<string | NodeJS.ErrnoException> {
  const t0 = performance.now();
  try {
    // Unix socket paths are bytes: one that is not UTF-8 keeps them (decodeUtf8Lines), as netlink and ss do,
    // instead of U+FFFD. The other files are ASCII.
    const text = path.endsWith('/unix') ? decodeUtf8Lines(await readFile(path)) : await readFile(path, 'utf8');
    logOsCall('read', path, performance.now() - t0, text.length);
    return text;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    logOsCall('read', path, performance.now() - t0, 0, `error=${code}`);
    if (code === 'ENOENT') return e as NodeJS.ErrnoException;
    throw new CollectorError(path, `cannot read (${code})`, e);
  }
}

/**
 * The note for link-local IPv6 addresses shown without their zone: `what` names the text without an
 * interface field (also netstat's, which reads the same files).
 */
export function linkLocalNote(what: string): string {
  return `${what} no interface field: link-local IPv6 addresses (fe80::/10) are shown without their %interface (fe80::1, not fe80::1%eth0); --source netlink or ss shows it`;
}

/** The note for unix sockets read from /proc/net/unix (or netstat -x, which reads it): no queue lengths. */
export function unixQueuesNote(what: string): string {
  return `${what} no queue lengths: Recv-Q and Send-Q of unix sockets are unknown and shown as 0, except a unix listener's accept queue, counted from its waiting connections; --source netlink or ss shows them`;
}

export interface ProcfsSourceOptions {
  /** Root of the proc filesystem (tests use a fixture tree). */
  procRoot?: string;
  /** Process attribution (default: the shared cached attributor). */
  attribute?: AttributeFn | null;
  /** Host facts (default: readHostInfo(procRoot)). */
  hostInfo?: () => Promise<HostInfo>;
  /**
   * The kernel's unix sockets, to check /proc/net/unix's names against (checkUnixNames); default: a netlink
   * unix_diag dump when procRoot is this process's /proc, none (null) for another root.
   */
  kernelUnix?: KernelUnixSockets | null;
}

/** Reads sockets from /proc/net: works wherever /proc is mounted, without any tool; no tcp_info, no listen backlogs. */
export class ProcfsSource implements SocketSource {
  readonly name = 'procfs' as const;
  private readonly root: string;
  constructor(private readonly opts: ProcfsSourceOptions = {}) {
    this.root = opts.procRoot ?? '/proc';
  }

  async collect(opts: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const filtered = opts.port !== undefined || opts.peerPort !== undefined;
    // A unix socket has no port: with a port filter /proc/net/unix is not read (as netlink does not dump them).
    const protocols = (opts.protocols ?? ALL_PROTOCOLS).filter((p) => !(filtered && p === 'unix'));
    const scope = opts.processes ?? 'listeners';
    const kinds = protocols.flatMap((p) => FILES[p]);
    const [texts, host] = await Promise.all([
      Promise.all(kinds.map((k) => readNetFile(`${this.root}/net/${k}`))),
      this.opts.hostInfo ? this.opts.hostInfo() : readHostInfo(this.root),
    ]);
    const notes: string[] = [];
    let sockets: Socket[] = [];
    let linkLocal = false;
    const onLinkLocal = () => {
      linkLocal = true;
    };
    let unix = false;
    kinds.forEach((k, i) => {
      const text = texts[i];
      if (typeof text !== 'string') {
        // The ENOENT as the cause: a /proc that is not there does not come back by retrying (export's lastingFailure).
        if (k === 'tcp' || k === 'udp') throw new CollectorError(`${this.root}/net/${k}`, 'missing (is /proc mounted?)', text);
        if (k !== 'unix') notes.push(`${this.root}/net/${k} is missing: IPv6 is disabled on this host`);
        return;
      }
      const parsed = k === 'unix' ? parseProcUnix(text) : parseProcNet(text, k as ProcNetKind, k.endsWith('6') ? { onLinkLocal } : {});
      if (k === 'unix') unix = parsed.length > 0;
      for (const s of parsed) sockets.push(s);
    });
    if (unix) {
      // A name with a newline can make up rows in /proc/net/unix: where the kernel lists one, its unix rows instead.
      const kernel = this.opts.kernelUnix !== undefined ? this.opts.kernelUnix : this.opts.procRoot === undefined ? kernelUnixSockets : null;
      const checked = await checkUnixNames(sockets, '/proc/net/unix', kernel, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      sockets = checked.sockets;
      if (checked.note) notes.push(checked.note);
      if (checked.fromKernel) unix = false;
    }
    const keep = portFilterOf(opts);
    if (keep) {
      sockets = sockets.filter(keep);
      // The link-local socket may have been left out: look again in what is left (a port's sockets).
      if (linkLocal) linkLocal = sockets.some(hasLinkLocalAddress);
    }
    if (!listenersOnlyForDirection(opts) && sockets.some((s) => s.state === 'LISTEN' && s.protocol === 'tcp')) {
      notes.push('procfs cannot see listen backlogs (Send-Q of LISTEN sockets); use --source ss or netlink for backlog advice');
    }
    if (linkLocal) notes.push(linkLocalNote('/proc/net/tcp6 and udp6 have'));
    if (unix) notes.push(unixQueuesNote('/proc/net/unix has'));
    let attribution: Snapshot['attribution'] = { scope: 'none', complete: true, hiddenProcesses: 0 };
    if (scope !== 'none') {
      // Tests inject their own attributor; otherwise the shared cache.
      if (this.opts.attribute !== undefined) {
        attribution = this.opts.attribute
          ? await this.opts.attribute(sockets, scope, { reach: opts.attribution })
          : { scope: 'none', complete: false, hiddenProcesses: 0, note: 'process attribution is not available in this build' };
      } else attribution = await attributeOwners(sockets, scope, { reach: opts.attribution });
    }
    return assembleSnapshot({ time, startedAt: t0, host, source: 'procfs', sockets, attribution, notes });
  }
}
