// `sockscope buffers`: buffer sizing — BDP against SO_RCVBUF/SO_SNDBUF and the sysctl caps, per connection or for a link.
import { release } from 'node:os';
import type { CommandModule } from 'yargs';
import { loadCliConfig } from '../../config/resolve.js';
import type { SourceChoice } from '../../collect/index.js';
import type { BufferDefaults, BuffersReport } from '../../advise/buffers-report.js';
import { escapeControl } from '../../model/escape.js';
import type { Socket } from '../../model/socket.js';
import { parseBandwidth, parseDurationMs, UnitError } from '../../advise/units.js';
import { UsageError } from '../errors.js';
import { givenOnce } from '../given-once.js';
import { intFlag, printJson, withJsonFlag, withPortFlags } from '../options.js';
import { COMMAND_HEADS } from './heads.js';

interface Args {
  port?: number;
  'peer-port'?: number;
  pid?: number;
  'socket-fd'?: number;
  bandwidth?: { text: string; bytesPerSecond: number };
  rtt?: number;
  json: boolean;
  source: string;
}

function unit<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UnitError) throw new UsageError(e.message);
    throw e;
  }
}

export const buffersCommand: CommandModule<object, Args> = {
  ...COMMAND_HEADS.buffers,
  builder: (y) =>
    withJsonFlag(withPortFlags(y))
      .option('pid', { type: 'string', describe: 'With --socket-fd: the process owning the socket', coerce: intFlag('pid', 1, 2 ** 22) })
      .option('socket-fd', { type: 'string', describe: 'With --pid: the socket file descriptor', coerce: intFlag('socket-fd', 0, 2 ** 31 - 1) })
      .option('bandwidth', {
        type: 'string',
        // nargs 1: the next word is the value even when it starts with '-' ("-1gbit"); without it yargs
        // reads --bandwidth as empty and "-1gbit" as short flags, and the message could only say got "".
        nargs: 1,
        describe: 'Link bandwidth: 10gbit, 100mbit, 1.5gbit/s, 125MB/s (units required)',
        coerce: (v: unknown) => (v === undefined ? undefined : unit(() => ({ text: String(givenOnce('bandwidth', v, 'one value')).trim(), bytesPerSecond: parseBandwidth(String(v)) }))),
      })
      .option('rtt', { type: 'string', nargs: 1, describe: 'Round-trip time: 80ms, 250us, 1.2s (units required)', coerce: (v: unknown) => (v === undefined ? undefined : unit(() => parseDurationMs(String(givenOnce('rtt', v, 'one value'))))) })
      .conflicts('pid', ['port', 'peer-port'])
      // Descriptions as shell comments above the examples: one beside would split the example at 80 columns.
      .example('# BDP, SO_RCVBUF/SO_SNDBUF, sysctl lines and setsockopt code for a link\n$0 buffers --bandwidth 10gbit --rtt 80ms', '')
      .example('# rtt, delivery rate, BDP and buffers of each connection on local port 5201\n$0 buffers --port 5201', '')
      .example('# one socket of a process\n$0 buffers --pid 1234 --socket-fd 7', '') as never,
  handler: async (argv) => {
    // The command line applies the config files and DEFAULT_BUFFER_SIZE (the library applies only its caller's config).
    const loaded = await loadCliConfig();
    const settings = { defaults: { bufferSize: loaded.config.bufferSize, origin: loaded.origins.bufferSize.origin, detail: loaded.origins.bufferSize.detail }, thresholds: loaded.config.thresholds };
    let report: BuffersReport;
    try {
      report = await buffersReport({ port: argv.port, peerPort: argv['peer-port'], pid: argv.pid, fd: argv['socket-fd'], bandwidth: argv.bandwidth, rtt: argv.rtt, source: argv.source }, settings);
    } catch (e) {
      // A --pid/--socket-fd that names no socket: one line that starts with the flag, exit 1 (as inspect-options).
      const { NoSuchSocketError } = await import('../../collect/getsockopt-target.js');
      if (e instanceof NoSuchSocketError) {
        const { CollectorError } = await import('../../collect/source.js');
        throw new CollectorError(e.field === 'pid' ? '--pid' : '--socket-fd', e.detail);
      }
      throw e;
    }
    if (argv.json) printJson(report);
    else {
      // The printer loads by dynamic import, only when `buffers` prints text.
      const { formatBuffersReport } = await import('../../report/print-buffers.js');
      process.stdout.write(formatBuffersReport(report));
    }
  },
};

/** What `buffers` sizes: a link (bandwidth + rtt) and/or the connections on a port, to a peer port, or of pid/fd. */
export interface BuffersQuery {
  port?: number;
  peerPort?: number;
  pid?: number;
  fd?: number;
  bandwidth?: { text: string; bytesPerSecond: number };
  /** Round-trip time, ms. */
  rtt?: number;
  source?: string;
}

/** The configuration a report applies: the default read size (and where it came from) and the rules' thresholds. */
export interface BuffersSettings {
  defaults: BufferDefaults;
  thresholds?: Record<string, number>;
}

/**
 * The `buffers --json` document (also the library's sizeBuffers and the `buffers` task). Bad combinations are
 * UsageErrors. It reads no configuration: the command passes the config files' and environment's settings, the
 * library its caller's (api/buffers.ts).
 */
export async function buffersReport(argv: BuffersQuery, settings: BuffersSettings): Promise<BuffersReport> {
    const { port, pid, peerPort, fd } = argv;
    if ((pid === undefined) !== (fd === undefined)) throw new UsageError(pid === undefined ? '--socket-fd needs --pid' : '--pid needs --socket-fd');
    const perConn = port !== undefined || peerPort !== undefined || pid !== undefined;
    if (argv.rtt !== undefined && argv.bandwidth === undefined) throw new UsageError('--rtt needs --bandwidth');
    if (argv.bandwidth !== undefined && argv.rtt === undefined && !perConn) throw new UsageError('--bandwidth needs --rtt (or --port/--pid to use each connection\'s rtt)');
    if (!perConn && argv.bandwidth === undefined) throw new UsageError('give --port P (or --peer-port P, or --pid N --socket-fd FD), or --bandwidth and --rtt');
    const { buildBuffersReport } = await import('../../advise/buffers-report.js');
    const { defaults, thresholds } = settings;
    let report;
    if (perConn) {
      // Collectors load when the command runs, not at start-up.
      const [{ createSource }, { socketsOnPort, socketsToPeerPort }, { ephemeralRange }] = await Promise.all([import('../../collect/index.js'), import('../../model/aggregate.js'), import('../../model/snapshot.js')]);
      // A process in another network namespace: its sockets and sysctls are that namespace's (collected there).
      const other = pid !== undefined ? await (await import('../../collect/netns-source.js')).otherNetnsOf(pid, `sockscope buffers --pid ${pid} --socket-fd ${fd}`) : null;
      if (other?.kind === 'unreachable') {
        const { CollectorError } = await import('../../collect/source.js');
        throw new CollectorError('--pid', other.message);
      }
      const source = other?.kind === 'source' ? other.source : createSource((argv.source ?? 'auto') as SourceChoice);
      const opts = { protocols: ['tcp'] as const, processes: 'all' as const, details: true };
      // The other ends of loopback/local connections (local port P <-> peer port P) give the receiving
      // side's rate; they need tcp_info but no process attribution.
      // UDP sockets on the port (or the one behind --pid/--socket-fd): no BDP, but their rcvbuf against
      // rmem_max is the buffer question UDP has; `buffers --port P` on a UDP service said only "No TCP connections".
      const [snapshot, others, udpSnap] = await Promise.all([
        // --peer-port keeps the host's listeners, which tell an accepted connection from an outgoing one.
        source.collect({ ...opts, port, peerPort, ...(peerPort !== undefined ? { withListeners: true } : {}) }),
        port !== undefined || peerPort !== undefined ? source.collect({ ...opts, processes: 'none', port: peerPort, peerPort: port }) : undefined,
        port !== undefined || pid !== undefined ? source.collect({ protocols: ['udp'], processes: 'all', details: true, port }) : undefined,
      ]);
      const peerCandidates = [...snapshot.sockets, ...(others?.sockets ?? [])];
      const udpAll = (udpSnap?.sockets ?? []).filter((s) => s.protocol === 'udp');
      let sockets;
      let udpSockets: Socket[] = [];
      let selection: string;
      let unseen: string | undefined;
      if (pid !== undefined) {
        selection = `pid ${pid} fd ${fd}`;
        ({ sockets, unseen, udp: udpSockets = [] } = await socketsOfFd(snapshot.sockets, pid, fd!, udpAll));
      } else if (port !== undefined) {
        sockets = socketsOnPort(snapshot.sockets, port, 'tcp');
        udpSockets = udpAll.filter((s) => s.local.port === port);
        selection = `port ${port}`;
      } else {
        sockets = socketsToPeerPort(snapshot.sockets, peerPort!, 'tcp', undefined, ephemeralRange(snapshot));
        selection = `connections to port ${peerPort}`;
      }
      report = buildBuffersReport({ snapshot, sockets, peerCandidates, selection, unseen, bandwidth: argv.bandwidth, rttMs: argv.rtt, defaults, thresholds, udpSockets });
      if (other?.kind === 'source') report = { ...report, notes: [other.note, ...report.notes] };
    } else {
      // No snapshot: the caps, tcp_moderate_rcvbuf among them, come from this host's sysctls.
      const [{ capsFromSysctls }, { readSysctls, readHostname }] = await Promise.all([import('../../advise/buffers.js'), import('../../collect/host.js')]);
      const caps = capsFromSysctls(await readSysctls());
      // The caps are this host's: say which host and kernel, and when (source stays null: no collector ran).
      const host = { hostname: readHostname(), kernel: release(), time: new Date().toISOString() };
      report = buildBuffersReport({ bandwidth: argv.bandwidth, rttMs: argv.rtt, defaults, caps, thresholds, host });
    }
    return report;
}

/**
 * The socket behind --pid/--socket-fd, found by its inode (/proc/PID/fd/FD). Another user's process (or an
 * undumpable one of this user) cannot be read without root: then no socket, and `unseen` says why, as
 * inspect-options does for the same case (exit 0, the report explains). A missing process or fd, or an fd
 * that is neither TCP nor UDP, is a runtime failure (exit 1); a UDP socket comes back in `udp`.
 */
async function socketsOfFd(all: readonly Socket[], pid: number, fd: number, udp: readonly Socket[] = []): Promise<{ sockets: Socket[]; unseen?: string; udp?: Socket[] }> {
  const [{ readFdTarget, unreadableFdsText, zombieText }, { NoSuchSocketError }] = await Promise.all([import('../../collect/proc-pid.js'), import('../../collect/getsockopt-target.js')]);
  const uid = process.getuid?.() ?? 0;
  const t = readFdTarget('/proc', pid, fd, uid);
  // The same words as inspect-options (getsockopt-target.ts fdLinkInode); the command says --pid / --socket-fd.
  switch (t.kind) {
    case 'no-process':
      throw new NoSuchSocketError('pid', `no process with pid ${pid} (it may have exited)`);
    case 'zombie':
      throw new NoSuchSocketError('pid', zombieText(pid, t));
    case 'no-fd':
      throw new NoSuchSocketError('socketFd', `pid ${pid} has no fd ${fd} (ls -l /proc/${pid}/fd lists its fds)`);
    case 'not-socket':
      throw new NoSuchSocketError('socketFd', `fd ${fd} of pid ${pid} is not a socket (it is ${escapeControl(t.link)})`);
    case 'unreadable':
      return {
        sockets: [],
        unseen: `${unreadableFdsText(pid, t, uid)}, so which socket fd ${fd} is cannot be known: choose its connections with --port P or --peer-port P instead (every user sees their rtt and buffers; ss -tn lists the ports)${t.unseen ? '' : ', or run as root'}.`,
      };
    case 'socket': {
      const sockets = all.filter((s) => s.inode === t.inode);
      if (sockets.length > 0) return { sockets };
      // A UDP socket: reported (rcvbuf against the caps), not refused.
      const u = udp.filter((s) => s.inode === t.inode);
      if (u.length > 0) return { sockets: [], udp: u };
      throw new NoSuchSocketError('socketFd', `fd ${fd} of pid ${pid} is socket inode ${t.inode}, which is neither a TCP nor a UDP socket the collector lists (a unix or raw socket, or closed meanwhile): buffers sizes TCP connections and reports UDP sockets`);
    }
  }
}
