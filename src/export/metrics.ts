// Turns a snapshot and its recommendations into Prometheus metrics (prom-client registry). Pure apart from the registry.
import { Counter, Gauge, Registry } from 'prom-client';
import { acceptQueueIsFull } from '../advise/rules/accept-queue.js';
import { HEALTH_CHECKS } from '../advise/rules/index.js';
import type { Recommendation } from '../advise/types.js';
import { isServedLocalPort, summarizePorts } from '../model/aggregate.js';
import { escapeControl } from '../model/escape.js';
import { TCP_STATES, type Socket } from '../model/socket.js';
import { ephemeralRange, sysctlInt, type AttributionInfo, type Snapshot } from '../model/snapshot.js';
import { KernelCounters } from './kernel-counters.js';
import { MAX_PEER_PORT_SERIES, namedPeerPorts } from './peer-ports.js';
import { addTo, seriesAddress } from './series-labels.js';
import { UdpPortMetrics } from './udp-ports.js';

export { MAX_PEER_PORT_SERIES } from './peer-ports.js';

/**
 * How long a TCP listener on a port in the ephemeral range must have been seen before its port gets series
 * of its own. A listen() on port 0 (test suites, language servers, debuggers, DevTools) gets an ephemeral
 * port: 40 listeners of 3 s each made 705 port-labelled series in 23 s of scrapes (review-churn #6), each
 * one stale in Prometheus after its listener closed. A service that stays (gRPC's 50051 is in Linux's
 * default range 32768-60999) gets its series once it has listened this long, counted from when this
 * exporter first saw it, so also for that long after the exporter starts.
 */
export const EPHEMERAL_LISTENER_MIN_AGE_MS = 120_000;

export interface SocketMetricsOptions {
  /** Overrides EPHEMERAL_LISTENER_MIN_AGE_MS (tests). */
  ephemeralListenerMinAgeMs?: number;
}

/**
 * The sockscope_hidden_processes sample of a collection, undefined when there is none: no attribution at all, or
 * attribution incomplete without a count (a collector that can only say it sees this user's processes alone, as ss
 * -p and netstat -p do without the shared /proc attributor).
 */
export function hiddenProcessesSample(a: AttributionInfo): number | undefined {
  return a.scope === 'none' || (!a.complete && a.hiddenProcesses === 0) ? undefined : a.hiddenProcesses;
}

/** Every id a health line can carry (each check's "normal" id and its otherIds). */
const HEALTH_IDS: ReadonlySet<string> = new Set(HEALTH_CHECKS.flatMap((c) => [c.id, ...(c.otherIds ?? [])]));

/** The exporter's metrics; `update` replaces every value with those of a new snapshot. */
export class SocketMetrics {
  readonly registry = new Registry();
  private readonly sockets: Gauge;
  private readonly backlog: Gauge;
  private readonly acceptQueue: Gauge;
  private readonly listenSockets: Gauge;
  private readonly listenFull: Gauge;
  private readonly fillMax: Gauge;
  private readonly recs: Gauge;
  private readonly duration: Gauge;
  private readonly lastSuccess: Gauge;
  private readonly sourceInfo: Gauge;
  private readonly hidden: Gauge;
  private readonly collections: Counter;
  private readonly errors: Counter;
  private readonly kernel: KernelCounters;
  private readonly udpPorts: UdpPortMetrics;
  private readonly ephemeralMinAgeMs: number;
  /** Since when (snapshot time) a TCP listener has been seen on each ephemeral-range port still listening. */
  private ephemeralListenersSince = new Map<number, number>();

  constructor(o: SocketMetricsOptions = {}) {
    this.ephemeralMinAgeMs = o.ephemeralListenerMinAgeMs ?? EPHEMERAL_LISTENER_MIN_AGE_MS;
    const registers = [this.registry];
    this.sockets = new Gauge({ name: 'sockscope_sockets', help: 'Sockets per protocol, local listening port and state; non-listening local ports, UDP ports in the ephemeral range (ip_local_port_range: clients\' sendto() sockets) and TCP listeners in that range seen for less than 2 minutes (listen() on port 0) are summed under port="other"; states are the kernel\'s: for UDP, CLOSE is a bound, unconnected socket (ss: UNCONN) and ESTABLISHED a connected one', labelNames: ['protocol', 'port', 'state'], registers });
    // Several listeners can share an address:port (SO_REUSEPORT): the queue gauges are their sums, and the
    // fullest one is exported apart, since the kernel spreads connections by hash, not by room left.
    const listenLabels = ['protocol', 'port', 'address'];
    this.backlog = new Gauge({ name: 'sockscope_listen_backlog', help: 'Listen backlog (Send-Q of LISTEN), summed over the TCP listeners on the address:port (several with SO_REUSEPORT)', labelNames: listenLabels, registers });
    this.acceptQueue = new Gauge({ name: 'sockscope_listen_accept_queue', help: 'Connections waiting for accept() (Recv-Q of LISTEN), summed over the TCP listeners on the address:port', labelNames: listenLabels, registers });
    this.listenSockets = new Gauge({ name: 'sockscope_listen_sockets', help: 'TCP listening sockets on the address:port (more than 1 with SO_REUSEPORT)', labelNames: listenLabels, registers });
    this.listenFull = new Gauge({ name: 'sockscope_listen_full_sockets', help: 'TCP listeners on the address:port whose accept queue is full (Recv-Q > backlog, as sk_acceptq_is_full in the kernel): the kernel drops the connections hashed to them', labelNames: listenLabels, registers });
    this.fillMax = new Gauge({ name: 'sockscope_listen_accept_queue_fill_max', help: 'Accept queue over its capacity (backlog + 1, what the kernel queues) of the fullest TCP listener on the address:port: 1 = full', labelNames: listenLabels, registers });
    this.recs = new Gauge({ name: 'sockscope_recommendation', help: `Live recommendations: the number of findings of each rule id, severity, local port (by number outside the ephemeral range, ip_local_port_range; inside it "other" where sockscope_sockets sums it under "other": UDP ports, TCP listeners seen for less than 2 minutes, ports without a listener) and destination port (peer_port, for findings about outgoing connections: bounded as port is, a destination port in the ephemeral range "other" unless sockscope_sockets names it, then the ${MAX_PEER_PORT_SERIES} with the most findings, the others summed under "other"); "" where a finding has none (both "" for host-wide ones); usually 1, more when a rule finds several things, such as processes near their fd limit`, labelNames: ['id', 'severity', 'port', 'peer_port'], registers });
    this.duration = new Gauge({ name: 'sockscope_collection_duration_seconds', help: 'How long the last collection took', registers });
    this.lastSuccess = new Gauge({ name: 'sockscope_last_collection_timestamp_seconds', help: 'Unix time of the last successful collection', registers });
    this.sourceInfo = new Gauge({ name: 'sockscope_source_info', help: 'The collector used (value is always 1)', labelNames: ['source', 'host'], registers });
    // Without root, other users' processes cannot be read: their sockets have no owner and the findings that
    // need a process's open files (process-near-fd-limit) cannot be made. Said, as --json says it, not lost.
    this.hidden = new Gauge({ name: 'sockscope_hidden_processes', help: "Processes of other users whose sockets and open files this exporter cannot read (run it as root to see them): findings that need them, such as process-near-fd-limit, are missing; absent when the collector cannot count them", registers });
    this.hidden.remove();
    this.collections = new Counter({ name: 'sockscope_collections_total', help: 'Collections attempted', registers });
    this.errors = new Counter({ name: 'sockscope_collection_errors_total', help: 'Collections that failed (the last good snapshot stays exported)', registers });
    // The kernel's TCP and UDP counters (absent until a collection reads them), then the per UDP port series.
    this.kernel = new KernelCounters(this.registry);
    // Nor are "when" and "how long" 0 before the first collection: a last collection at Unix time 0 fires
    // every staleness alert (time() - sockscope_last_collection_timestamp_seconds > N) at each restart.
    this.duration.remove();
    this.lastSuccess.remove();
    this.udpPorts = new UdpPortMetrics(this.registry);
  }

  /** Records a failed collection. */
  failed(): void {
    this.collections.inc();
    this.errors.inc();
  }

  /** Replaces every gauge with the values of `snap`; `recs` are the live findings (not the healthy lines). */
  update(snap: Snapshot, recs: readonly Recommendation[]): void {
    this.collections.inc();
    this.sockets.reset();
    this.backlog.reset();
    this.acceptQueue.reset();
    this.listenSockets.reset();
    this.listenFull.reset();
    this.fillMax.reset();
    this.recs.reset();
    this.sourceInfo.reset();
    const other: Record<string, Record<string, number>> = {};
    const somaxconn = sysctlInt(snap.sysctls, 'net.core.somaxconn');
    const ephemeral = ephemeralRange(snap);
    const since = new Map<number, number>();
    /** The `protocol|port`s sockscope_sockets names by number; every other port is "other" there. */
    const numbered = new Set<string>();
    // The TCP listeners by port, as sockets: a Listener record has no bound device (SO_BINDTODEVICE).
    const tcpListeners = new Map<number, Socket[]>();
    for (const s of snap.sockets) if (s.protocol === 'tcp' && s.state === 'LISTEN') addTo(tcpListeners, s.local.port, s);
    for (const p of summarizePorts(snap.sockets)) {
      let listening = p.listeners.length > 0;
      if (listening && p.port >= ephemeral[0] && p.port <= ephemeral[1]) {
        if (p.protocol === 'udp') {
          // An unconnected UDP socket looks like a server to the kernel, but one on an ephemeral port is
          // nearly always a client that sent without connect() (statsd, syslog, DNS clients): a series per
          // such port would be new at every client restart.
          listening = false;
        } else {
          // A TCP listener there was mostly given its port by listen() on port 0 and often lives seconds:
          // its port gets series once it has stayed (EPHEMERAL_LISTENER_MIN_AGE_MS).
          const first = Math.min(this.ephemeralListenersSince.get(p.port) ?? snap.time, snap.time);
          since.set(p.port, first);
          listening = snap.time - first >= this.ephemeralMinAgeMs;
        }
      }
      if (listening) numbered.add(`${p.protocol}|${p.port}`);
      for (const state of TCP_STATES) {
        const n = p.states[state];
        if (listening) {
          if (p.protocol === 'tcp' || n > 0) this.sockets.set({ protocol: p.protocol, port: String(p.port), state }, n);
        } else if (n > 0) {
          other[p.protocol] ??= {};
          other[p.protocol][state] = (other[p.protocol][state] ?? 0) + n;
        }
      }
      // A young ephemeral listener has no listen_* series either (a full queue there still shows in
      // sockscope_tcp_listen_overflows_total and sockscope_recommendation).
      if (listening && p.protocol === 'tcp') this.setListeners(tcpListeners.get(p.port) ?? [], somaxconn);
    }
    this.ephemeralListenersSince = since;
    this.udpPorts.update(snap, ephemeral);
    for (const [protocol, states] of Object.entries(other)) for (const [state, n] of Object.entries(states)) this.sockets.set({ protocol, port: 'other', state }, n);
    // `port` is the local port, as everywhere in sockscope; a destination port goes in peer_port.
    // Findings only (the server passes evaluateRules'): a health line is no series, whether "normal" (-ok), unknown
    // with this source (accept-queue-unknown: the listen series show the queue) or a level not held yet
    // (*-unsettled: once it holds it is its rule's finding, accept-queue-full ...).
    const live = recs.filter((r) => !(r.severity === 'info' && HEALTH_IDS.has(r.id)));
    // A local port outside the ephemeral range is a server's, named whether or not sockscope_sockets names it
    // now (its listener gone with 300 CLOSE_WAIT left, a UDP service socket connected to its client): the
    // rules' own rule, isServedLocalPort. In the range only where sockscope_sockets names it, else "other":
    // a listen(0) listener's accept-queue-full and a port-0 client UDP socket's udp-socket-drops made a
    // series per ephemeral port (10 and 7 in 40 s).
    const byNumber = (port: number, protocol: Recommendation['protocol']): boolean => {
      const protocols = protocol ? [protocol] : ['tcp', 'udp'];
      return isServedLocalPort(port, protocols.some((pr) => numbered.has(`${pr}|${port}`)), ephemeral);
    };
    const portLabel = (r: Recommendation): string => (r.port === undefined ? '' : byNumber(r.port, r.protocol) ? String(r.port) : 'other');
    // A destination port by the same rule: the clients of a listen(0) server name its port as their peer
    // port (close-wait-accumulating, send-q-persistent about outgoing groups), which made a peer_port series
    // per short-lived server (8 in 40 s, 41 in 8 minutes under a real Prometheus). In the range it is named
    // only where sockscope_sockets names that port (a listener of this host seen for 2 minutes).
    const named = namedPeerPorts(live, (r) => byNumber(r.peerPort!, r.protocol));
    for (const r of live) {
      const peer = r.peerPort === undefined ? '' : named.has(r.peerPort) ? String(r.peerPort) : 'other';
      // Findings of one rule, severity and port add up: two processes near their fd limit are 2, not 1.
      this.recs.inc({ id: r.id, severity: r.severity, port: portLabel(r), peer_port: peer }, 1);
    }
    this.duration.set(snap.durationMs / 1000);
    this.lastSuccess.set(snap.time / 1000);
    const hidden = hiddenProcessesSample(snap.attribution);
    if (hidden === undefined) this.hidden.remove();
    else this.hidden.set(hidden);
    // The hostname is untrusted text: a scrape read in a terminal must not carry its escape sequences.
    this.sourceInfo.set({ source: snap.source, host: escapeControl(snap.hostname) }, 1);
    this.kernel.update(snap);
  }

  /**
   * One series per (protocol, port, address) for a port's TCP listeners (LISTEN sockets): backlog and queue
   * summed, how many listeners there are, how many are full and the fullest one's fill. A label per listener
   * (inode, pid) would make new series at every restart; a set() per listener kept only the last one. A
   * listener bound to an interface (SO_BINDTODEVICE) has it in its address (seriesAddress).
   */
  private setListeners(listeners: readonly Socket[], somaxconn: number | null): void {
    const groups = new Map<string, Socket[]>();
    for (const l of listeners) addTo(groups, seriesAddress(l), l);
    for (const [address, group] of groups) {
      const labels = { protocol: 'tcp', port: String(group[0].local.port), address: escapeControl(address) };
      let queue = 0;
      let backlog: number | null = 0;
      let full = 0;
      let fill: number | null = null;
      for (const l of group) {
        // procfs and netstat cannot see a listener's backlog (sendQUnknown): null, not 0.
        const lb = l.sendQUnknown ? null : l.sendQ;
        queue += l.recvQ;
        backlog = backlog === null || lb === null ? null : backlog + lb;
        // Full as the accept-queue-full rule reads it (at somaxconn when procfs/netstat cannot see the backlog, whose fill is then not known).
        if (acceptQueueIsFull(l.recvQ, lb, somaxconn)) full++;
        // Over the queue's capacity, backlog + 1 (sk_acceptq_is_full: full when Recv-Q > backlog), so 1 is full
        // for every backlog, listen(fd, 0) holding its one connection included.
        if (lb !== null) fill = Math.max(fill ?? 0, l.recvQ / (lb + 1));
      }
      if (backlog !== null) this.backlog.set(labels, backlog);
      this.acceptQueue.set(labels, queue);
      this.listenSockets.set(labels, group.length);
      this.listenFull.set(labels, full);
      if (fill !== null) this.fillMax.set(labels, fill);
    }
  }

  /** The text exposition format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
