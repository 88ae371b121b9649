// Synthetic hosts for the monitor benchmark: N listening ports, each with M established connections.
import { unknownSysctls, type Snapshot } from '../../src/model/snapshot.js';
import type { Socket } from '../../src/model/socket.js';

/** `ports` listeners with `perPort` ESTABLISHED peers each: 10,000 x 9 gives 100,000 sockets on 10,000 ports. */
export function bigHost(ports: number, perPort: number): Socket[] {
  const out: Socket[] = [];
  let inode = 10_000;
  for (let i = 0; i < ports; i++) {
    const port = 1000 + i; // below the ephemeral range: every port is a served port
    const proc = [{ pid: 2000 + (i % 50), name: `svc${i % 50}`, fd: 3 + (i % 1000) }];
    out.push({ protocol: 'tcp', ipVersion: 4, state: 'LISTEN', local: { address: '0.0.0.0', port }, peer: { address: '0.0.0.0', port: 0 }, recvQ: 0, sendQ: 4096, processes: proc, inode: inode++ });
    for (let j = 0; j < perPort; j++) {
      out.push({
        protocol: 'tcp',
        ipVersion: 4,
        state: j % 7 === 6 ? 'TIME_WAIT' : 'ESTABLISHED',
        local: { address: '10.0.0.1', port },
        peer: { address: `10.${(j >> 8) & 255}.${j & 255}.${(i % 250) + 1}`, port: 40000 + ((i * perPort + j) % 20000) },
        recvQ: 0,
        sendQ: 0,
        processes: proc,
        inode: inode++,
      });
    }
  }
  return out;
}

export function benchSnapshot(sockets: Socket[], time: number): Snapshot {
  return {
    time,
    hostname: 'bench',
    kernel: '6.1.0',
    source: 'fixture',
    durationMs: 0,
    sockets,
    counters: {
      netstat: { TcpExt: { ListenOverflows: 0, ListenDrops: 0 } },
      snmp: { Tcp: { RetransSegs: 1000, OutSegs: 1_000_000 }, Udp: { RcvbufErrors: 0, InErrors: 0 } },
      sockstat: { TCP: { orphan: 0 } },
    },
    sysctls: { ...unknownSysctls(), 'net.core.somaxconn': '4096', 'net.ipv4.ip_local_port_range': '32768 60999' },
    attribution: { scope: 'listeners', complete: true, hiddenProcesses: 0 },
    notes: [],
  };
}

/** A copy of the sockets with one more ESTABLISHED connection on `port` (one visible row changes). */
export function withOneMore(sockets: Socket[], port: number): Socket[] {
  return [
    ...sockets,
    { protocol: 'tcp', ipVersion: 4, state: 'ESTABLISHED', local: { address: '10.0.0.1', port }, peer: { address: '10.99.99.99', port: 59999 }, recvQ: 0, sendQ: 0, processes: [], inode: 1 },
  ];
}
