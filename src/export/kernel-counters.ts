// The host's kernel counters (/proc/net/netstat, /proc/net/snmp, /proc/net/snmp6) as Prometheus counters.
import { Counter, type Registry } from 'prom-client';
import { counter, type Snapshot } from '../model/snapshot.js';

/** Kernel counters exported as Prometheus counters (mirrored, so they keep the kernel's monotonic value). */
const KERNEL_COUNTERS: { name: string; help: string; table: 'netstat' | 'snmp'; section: string; key: string }[] = [
  { name: 'sockscope_tcp_listen_overflows_total', help: 'TcpExt ListenOverflows: connections dropped because an accept queue was full', table: 'netstat', section: 'TcpExt', key: 'ListenOverflows' },
  { name: 'sockscope_tcp_listen_drops_total', help: 'TcpExt ListenDrops: SYNs dropped on listening sockets', table: 'netstat', section: 'TcpExt', key: 'ListenDrops' },
  { name: 'sockscope_tcp_timeouts_total', help: 'TcpExt TCPTimeouts: retransmission timeouts', table: 'netstat', section: 'TcpExt', key: 'TCPTimeouts' },
  { name: 'sockscope_tcp_retransmitted_segments_total', help: 'Tcp RetransSegs: segments retransmitted', table: 'snmp', section: 'Tcp', key: 'RetransSegs' },
  { name: 'sockscope_tcp_out_segments_total', help: 'Tcp OutSegs: segments sent', table: 'snmp', section: 'Tcp', key: 'OutSegs' },
];

/**
 * UDP counters, one series per family: IPv4 from /proc/net/snmp's Udp, IPv6 from /proc/net/snmp6's Udp6
 * (IPv6 drops are counted only there: an IPv6 socket dropping 400/s left the IPv4-only series flat).
 */
const UDP_COUNTERS: { name: string; help: string; key: string }[] = [
  { name: 'sockscope_udp_in_errors_total', help: 'Udp/Udp6 InErrors: datagrams that could not be delivered (full buffer, bad checksum, UDP memory, socket filter)', key: 'InErrors' },
  { name: 'sockscope_udp_receive_buffer_errors_total', help: 'Udp/Udp6 RcvbufErrors: datagrams dropped for a full receive buffer', key: 'RcvbufErrors' },
  { name: 'sockscope_udp_send_buffer_errors_total', help: 'Udp/Udp6 SndbufErrors: datagrams dropped for a full send buffer', key: 'SndbufErrors' },
  { name: 'sockscope_udp_checksum_errors_total', help: 'Udp/Udp6 InCsumErrors: datagrams dropped for a bad checksum (also counted in InErrors)', key: 'InCsumErrors' },
  { name: 'sockscope_udp_memory_errors_total', help: 'Udp/Udp6 MemErrors: datagrams dropped because UDP memory (net.ipv4.udp_mem) ran out (also counted in InErrors)', key: 'MemErrors' },
];
const UDP_FAMILIES = [
  { family: 'ipv4', section: 'Udp' },
  { family: 'ipv6', section: 'Udp6' },
] as const;

/** The TCP and UDP kernel counters, registered in `registry` (TCP first, then UDP, as they are listed). */
export class KernelCounters {
  private readonly kernel: { def: (typeof KERNEL_COUNTERS)[number]; metric: Counter }[];
  private readonly udpKernel: { def: (typeof UDP_COUNTERS)[number]; metric: Counter }[];

  constructor(registry: Registry) {
    const registers = [registry];
    // A value not known yet is no sample at all, not 0: prom-client exposes an unlabelled metric nobody set
    // as 0, and a kernel counter read as 0 until the first collection (or while its /proc file cannot be
    // read) then at its real 2,749 is a counter reset followed by a 2,749 rise to rate() and increase():
    // every exporter restart looked like a burst of overflows. Absent until a collection reads them.
    this.kernel = KERNEL_COUNTERS.map((def) => ({ def, metric: new Counter({ name: def.name, help: def.help, registers }) }));
    for (const k of this.kernel) k.metric.remove();
    this.udpKernel = UDP_COUNTERS.map((def) => ({ def, metric: new Counter({ name: def.name, help: def.help, labelNames: ['family'], registers }) }));
  }

  /** Sets every counter to its value in `snap`. */
  update(snap: Snapshot): void {
    for (const k of this.kernel) {
      const v = counter(snap.counters[k.def.table], k.def.section, k.def.key);
      // Unknown in this snapshot (its /proc file unreadable, a source or kernel without it): no sample, never
      // 0 and never the value of an older snapshot.
      if (v == null) {
        k.metric.remove();
        continue;
      }
      k.metric.reset();
      k.metric.inc(v);
    }
    for (const k of this.udpKernel) {
      k.metric.reset();
      for (const f of UDP_FAMILIES) {
        const v = counter(snap.counters.snmp, f.section, k.def.key);
        if (v != null) k.metric.inc({ family: f.family }, v);
      }
    }
  }
}
