// Zod schemas of the JSON documents `analyze` and `analyze-states` print (exported by the library).
import { z } from 'zod';
import { TCP_STATES } from '../model/socket.js';

export const SeveritySchema = z.enum(['info', 'warning', 'critical']);

export const RecommendationSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  severity: SeveritySchema,
  scope: z.enum(['host', 'port', 'socket']),
  protocol: z.enum(['tcp', 'udp', 'unix']).optional(),
  port: z.number().int().optional(),
  peerPort: z.number().int().optional(),
  pid: z.number().int().optional(),
  /** With several --host flags: which host the finding is about. */
  host: z.string().optional(),
  message: z.string(),
  evidence: z.string(),
  fix: z.string(),
});

const StatesSchema = z.object(Object.fromEntries(TCP_STATES.map((s) => [s, z.number().int().min(0)])) as Record<(typeof TCP_STATES)[number], z.ZodNumber>);

const ProcessSchema = z.object({ pid: z.number().int(), name: z.string(), fd: z.number().int().optional() });

export const ListenerSchema = z.object({
  address: z.string(),
  port: z.number().int(),
  protocol: z.enum(['tcp', 'udp']),
  backlog: z.number().int().nullable(),
  /** TCP: connections waiting for accept(). UDP: bytes of datagrams waiting to be read (the same as recvQBytes; kept for compatibility). */
  acceptQueue: z.number().int(),
  /** UDP only: bytes of datagrams waiting to be read. */
  recvQBytes: z.number().int().optional(),
  /** UDP only: the receive buffer the kernel applies (skmem rb, twice the SO_RCVBUF asked for); null without socket memory (procfs, netstat). */
  rcvbuf: z.number().int().nullable().optional(),
  /** UDP only: datagrams the kernel dropped on this socket since it was opened (sk_drops); null when the source cannot see it (netstat). */
  drops: z.number().int().nullable().optional(),
  process: ProcessSchema.nullable(),
  processes: z.array(ProcessSchema),
  /** True when no process is shown because another user's process holds the listener out of sight (not run as root); false when none is known to. */
  ownerHidden: z.boolean(),
  /** The listener's uid, when the source shows it. */
  uid: z.number().int().optional(),
  /** The device the listener is bound to (SO_BINDTODEVICE), when it is and the source shows it (netlink, ss): the tables print `address%device`. */
  device: z.string().optional(),
  /**
   * Listeners on '::' only: IPV6_V6ONLY, true (IPv6 clients only) or false (IPv4 clients too), null when the
   * source cannot tell (procfs, netstat).
   */
  v6only: z.boolean().nullable().optional(),
});

export const PeerSchema = z.object({ address: z.string(), count: z.number().int() });

/** A connected UDP socket (connect(): ss lists it as ESTAB), which no listener row shows. */
export const UdpConnectedSchema = z.object({
  /** Local and peer endpoint as printed ("127.0.0.1:5000", "[::1]:5000"). */
  local: z.string(),
  peer: z.string(),
  /** Bytes of datagrams waiting to be read, and waiting to be sent. */
  recvQ: z.number().int(),
  sendQ: z.number().int(),
  /** The receive buffer the kernel applies (skmem rb); null without socket memory (procfs, netstat). */
  rcvbuf: z.number().int().nullable(),
  /** Datagrams the kernel dropped on this socket since it was opened (sk_drops); null when the source cannot see it. */
  drops: z.number().int().nullable(),
  process: ProcessSchema.nullable(),
  /** True when no process is shown because another user's process holds it out of sight (not run as root). */
  ownerHidden: z.boolean(),
  uid: z.number().int().optional(),
});
export type UdpConnected = z.infer<typeof UdpConnectedSchema>;

/** `sockscope analyze --json` */
export const AnalyzeReportSchema = z.object({
  host: z.string(),
  kernel: z.string(),
  source: z.string(),
  sourceNote: z.string().optional(),
  time: z.string(),
  port: z.number().int().nullable(),
  peerPort: z.number().int().nullable(),
  total: z.number().int(),
  states: StatesSchema,
  udpSockets: z.number().int(),
  listeners: z.array(ListenerSchema),
  /** Connected UDP sockets of the scope (all of them, though at most 20 are listed in udpConnected, fullest first). */
  udpConnectedCount: z.number().int(),
  udpConnected: z.array(UdpConnectedSchema),
  processes: z.array(ProcessSchema),
  /**
   * Whose owners `processes` lists: 'all', of every socket of the report (with --port or --peer-port, or a
   * source that names every owner anyway: ss -p); 'listeners', of its listeners and unconnected UDP sockets
   * only (the whole-host analyze looks only those up: at 100,000 sockets every owner would cost more than
   * the rest; a worker holding connections is named with --port); 'none', no owner was looked up.
   */
  processesOf: z.enum(['all', 'listeners', 'none']),
  /** Uids whose processes hold sockets of the report out of sight (another user's, not run as root), ascending. */
  hiddenOwnerUids: z.array(z.number().int()),
  peerCount: z.number().int(),
  topPeers: z.array(PeerSchema),
  /** Bytes of data queued in the report's sockets but listeners (queueBytes: a TCP FIN or SYN, one sequence number in Recv-Q or Send-Q, is not counted). */
  queues: z.object({ recvQ: z.number().int(), sendQ: z.number().int() }),
  recommendations: z.array(RecommendationSchema),
  notes: z.array(z.string()),
});
export type AnalyzeReport = z.infer<typeof AnalyzeReportSchema>;

/** `sockscope analyze-states --json` */
export const StatesReportSchema = z.object({
  host: z.string(),
  source: z.string(),
  time: z.string(),
  port: z.number().int().nullable(),
  peerPort: z.number().int().nullable(),
  states: StatesSchema,
  recommendation: z.string(),
  recommendations: z.array(RecommendationSchema),
  notes: z.array(z.string()),
});
export type StatesReport = z.infer<typeof StatesReportSchema>;
