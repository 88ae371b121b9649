// Synthetic sockets and snapshots for pure tests (rules, aggregation, printers). Reusable by any test.
import { unknownSysctls, type KernelCounters, type ProcessLimits, type Snapshot, type SysctlName, type Sysctls } from '../../src/model/snapshot.js';
import { normalizeAddress, type ProcessRef, type Socket, type SocketState } from '../../src/model/socket.js';

/** Sysctls of a stock modern kernel (Debian 12, 6.1). */
export const STOCK_SYSCTLS: Partial<Record<SysctlName, string>> = {
  'net.core.somaxconn': '4096',
  'net.ipv4.tcp_max_syn_backlog': '1024',
  'net.ipv4.ip_local_port_range': '32768 60999',
  'net.ipv4.tcp_fin_timeout': '60',
  'net.ipv4.tcp_tw_reuse': '2',
  'net.ipv4.tcp_syncookies': '1',
  'net.core.rmem_max': '212992',
  'net.core.wmem_max': '212992',
  'net.core.rmem_default': '212992',
  'net.core.wmem_default': '212992',
  'net.ipv4.tcp_rmem': '4096 131072 6291456',
  'net.ipv4.tcp_wmem': '4096 16384 4194304',
  'net.ipv4.tcp_max_tw_buckets': '262144',
  'net.ipv4.tcp_max_orphans': '262144',
  'fs.nr_open': '1048576',
};

/** "127.0.0.1:8080" / "[::1]:80" / "*:0" -> Endpoint. */
export function endpoint(text: string): { address: string; port: number; scope?: string } {
  const i = text.lastIndexOf(':');
  const host = text.slice(0, i);
  const port = Number(text.slice(i + 1));
  const n = normalizeAddress(host === '*' ? '0.0.0.0' : host);
  return { address: n.address, port: Number.isFinite(port) ? port : 0, ...(n.scope ? { scope: n.scope } : {}) };
}

/** A process reference; fd defaults to 3. */
export function proc(pid: number, name: string, fd = 3): ProcessRef {
  return { pid, name, fd };
}

/** One TCP socket: tcp('10.0.0.1:8080', '10.0.0.2:50000', 'ESTABLISHED', { recvQ: 10 }). */
export function tcp(local: string, peer: string, state: SocketState, extra: Partial<Socket> = {}): Socket {
  const l = endpoint(local);
  return { protocol: 'tcp', ipVersion: l.address.includes(':') ? 6 : 4, state, local: l, peer: endpoint(peer), recvQ: 0, sendQ: 0, processes: [], ...extra };
}

/** A TCP listener: backlog is Send-Q, acceptQueue is Recv-Q. */
export function listener(local: string, backlog: number, acceptQueue = 0, processes: ProcessRef[] = [], extra: Partial<Socket> = {}): Socket {
  return tcp(local, local.startsWith('[') ? '[::]:0' : '0.0.0.0:0', 'LISTEN', { sendQ: backlog, recvQ: acceptQueue, processes, ...extra });
}

/** A bound UDP socket. */
export function udp(local: string, extra: Partial<Socket> = {}): Socket {
  const l = endpoint(local);
  return { protocol: 'udp', ipVersion: 4, state: 'CLOSE', local: l, peer: { address: '0.0.0.0', port: 0 }, recvQ: 0, sendQ: 0, processes: [], ...extra };
}

/**
 * `n` connections on local `host:port` (incoming when a listener exists) from peers 10.1.0.x with ports from
 * 40000 up, all in `state`.
 */
export function incoming(n: number, local: string, state: SocketState, extra: Partial<Socket> = {}, peerHost = '10.1.0.2'): Socket[] {
  return Array.from({ length: n }, (_, i) => tcp(local, `${peerHost}:${40000 + i}`, state, extra));
}

/** `n` outgoing connections from `localHost` (ephemeral ports from 33000) to `peer`, in `state`. */
export function outgoing(n: number, localHost: string, peer: string, state: SocketState, extra: Partial<Socket> = {}): Socket[] {
  return outgoingFrom(33000, n, localHost, peer, state, extra);
}

/** As outgoing(), local ports from `firstPort` (inside the snapshot's ephemeral range, or they count as a served port's). */
export function outgoingFrom(firstPort: number, n: number, localHost: string, peer: string, state: SocketState, extra: Partial<Socket> = {}): Socket[] {
  return Array.from({ length: n }, (_, i) => tcp(`${localHost}:${firstPort + i}`, peer, state, extra));
}

export interface FakeSnapshotOptions {
  time?: number;
  sockets?: Socket[];
  sysctls?: Partial<Record<SysctlName, string | null>>;
  netstat?: Record<string, Record<string, number>> | null;
  snmp?: Record<string, Record<string, number>> | null;
  sockstat?: Record<string, Record<string, number>> | null;
  processLimits?: Record<number, ProcessLimits>;
  attributionComplete?: boolean;
}

/** A snapshot with stock sysctls and empty counters unless given. */
export function fakeSnapshot(o: FakeSnapshotOptions = {}): Snapshot {
  const sysctls: Sysctls = { ...unknownSysctls(), ...STOCK_SYSCTLS, ...o.sysctls } as Sysctls;
  const counters: KernelCounters = {
    netstat: o.netstat === undefined ? { TcpExt: { ListenOverflows: 0, ListenDrops: 0 } } : o.netstat,
    snmp: o.snmp === undefined ? { Tcp: { RetransSegs: 0, OutSegs: 0 }, Udp: { InErrors: 0, RcvbufErrors: 0 } } : o.snmp,
    sockstat: o.sockstat === undefined ? { TCP: { inuse: 0, orphan: 0, tw: 0 } } : o.sockstat,
  };
  return {
    time: o.time ?? 1_700_000_000_000,
    hostname: 'testhost',
    kernel: '6.1.0-test',
    source: 'fixture',
    durationMs: 1,
    sockets: o.sockets ?? [],
    counters,
    sysctls,
    attribution: { scope: 'all', complete: o.attributionComplete ?? true, hiddenProcesses: 0 },
    notes: [],
    ...(o.processLimits ? { processLimits: o.processLimits } : {}),
  };
}

/**
 * A history: one snapshot per step, `stepMs` apart (default 10 s), built by `make(i)` for i = 0..n-1.
 * Returns the snapshots oldest first; the last is the current one.
 */
export function fakeHistory(n: number, make: (i: number) => FakeSnapshotOptions, stepMs = 10_000, start = 1_700_000_000_000): Snapshot[] {
  return Array.from({ length: n }, (_, i) => fakeSnapshot({ ...make(i), time: start + i * stepMs }));
}
