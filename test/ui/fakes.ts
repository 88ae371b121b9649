// Fake SocketSource, snapshots and a manual scheduler for monitor tests (no OS access).
import type { CollectOptions, SocketSource } from '../../src/collect/source.js';
import { CollectorError } from '../../src/collect/source.js';
import { unknownSysctls, type Snapshot } from '../../src/model/snapshot.js';
import type { ProcessRef, Socket, SocketState } from '../../src/model/socket.js';
import type { Scheduler } from '../../src/ui/hooks/usePolling.js';

let inode = 1000;

export function listener(port: number, opts: { proc?: ProcessRef; backlog?: number; queued?: number; protocol?: 'tcp' | 'udp' } = {}): Socket {
  const protocol = opts.protocol ?? 'tcp';
  return {
    protocol,
    ipVersion: 4,
    state: protocol === 'tcp' ? 'LISTEN' : 'CLOSE',
    local: { address: '0.0.0.0', port },
    peer: { address: protocol === 'tcp' ? '0.0.0.0' : '*', port: 0 },
    recvQ: opts.queued ?? 0,
    sendQ: protocol === 'tcp' ? (opts.backlog ?? 128) : 0,
    processes: opts.proc ? [opts.proc] : [],
    inode: inode++,
  };
}

export function conn(localPort: number, peer: string, peerPort: number, state: SocketState = 'ESTABLISHED', proc?: ProcessRef, extra: Partial<Socket> = {}): Socket {
  return {
    protocol: 'tcp',
    ipVersion: 4,
    state,
    local: { address: '127.0.0.1', port: localPort },
    peer: { address: peer, port: peerPort },
    recvQ: 0,
    sendQ: 0,
    processes: proc ? [proc] : [],
    inode: state === 'TIME_WAIT' ? 0 : inode++,
    tcpInfo: state === 'ESTABLISHED' ? { rttUs: 1500, cwnd: 10, totalRetrans: 0, retrans: 0 } : undefined,
    ...extra,
  };
}

export function snapshot(sockets: Socket[], time = Date.UTC(2026, 0, 1, 12, 0, 0)): Snapshot {
  return {
    time,
    hostname: 'testhost',
    kernel: '6.1.0-test',
    source: 'fixture',
    durationMs: 1,
    sockets,
    counters: {
      netstat: { TcpExt: { ListenOverflows: 0, ListenDrops: 0 } },
      snmp: { Tcp: { RetransSegs: 0, OutSegs: 0 }, Udp: { RcvbufErrors: 0, InErrors: 0 } },
      sockstat: { TCP: { orphan: 0 } },
    },
    sysctls: { ...unknownSysctls(), 'net.ipv4.ip_local_port_range': '32768\t60999' },
    attribution: { scope: 'listeners', complete: true, hiddenProcesses: 0 },
    notes: [],
  };
}

/** Serves the snapshots of `next()` in turn; `failWith` makes the next collect throw. */
export class FakeSource implements SocketSource {
  readonly name = 'fixture' as const;
  calls = 0;
  lastOptions: CollectOptions | undefined;
  failWith: string | undefined;
  constructor(public next: (call: number) => Snapshot) {}
  async collect(opts?: CollectOptions): Promise<Snapshot> {
    this.calls++;
    this.lastOptions = opts;
    if (this.failWith) {
      const m = this.failWith;
      this.failWith = undefined;
      throw new CollectorError('ss', m);
    }
    return this.next(this.calls);
  }
}

/** A scheduler driven by the test: `fire()` runs the pending poll. */
export function manualScheduler(): Scheduler & { fire(): boolean; pending(): number } {
  let fns: Array<() => void> = [];
  return {
    schedule(fn) {
      fns.push(fn);
      return () => {
        fns = fns.filter((f) => f !== fn);
      };
    },
    fire() {
      const f = fns.shift();
      f?.();
      return !!f;
    },
    pending: () => fns.length,
  };
}

export const nginx: ProcessRef = { pid: 1234, name: 'nginx', fd: 6 };
export const pg: ProcessRef = { pid: 2222, name: 'postgres', fd: 5 };

/** A small web host: nginx on 80 with clients, postgres on 5432, an app connecting out to 5432. */
export function webHost(extraClients = 0): Socket[] {
  const s: Socket[] = [listener(80, { proc: nginx, backlog: 511, queued: 2 }), listener(5432, { proc: pg, backlog: 200 }), listener(53, { protocol: 'udp' })];
  for (let i = 0; i < 3 + extraClients; i++) s.push(conn(80, `10.0.0.${i + 1}`, 40000 + i, 'ESTABLISHED', nginx));
  s.push(conn(80, '10.0.0.9', 41000, 'TIME_WAIT'));
  s.push(conn(80, '10.0.0.9', 41001, 'CLOSE_WAIT', nginx, { recvQ: 0 }));
  s.push(conn(5432, '127.0.0.1', 50000, 'ESTABLISHED', pg));
  s.push(conn(50000, '127.0.0.1', 5432, 'ESTABLISHED', { pid: 3333, name: 'app', fd: 9 }));
  return s;
}

/** Waits until `pred` holds for the last frame (bounded: 10 s, room for a loaded machine; it returns as soon as it holds). */
export async function waitFor(frame: () => string | undefined, pred: (f: string) => boolean, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const f = frame() ?? '';
    if (pred(f)) return f;
    if (Date.now() > end) throw new Error(`timed out waiting; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
