// Zod schemas of what a collector sees of one socket (SocketSchema, TcpInfoStructSchema) and of the reports
// built on it: inspect-options (InspectOptionsReportSchema) and debug-connections (ProbeResultSchema). Each is
// held equal to its type at compile time (schema-check.ts). Re-exported by result-schemas.ts with the others.
import { z } from 'zod';
import type { InspectOptionsReport } from './inspect.js';
import { TCP_STATES, type Socket } from '../model/socket.js';
import type { TcpInfoStruct } from '../collect/getsockopt-decode.js';
import type { ProbeResult } from '../collect/connect-probe.js';
import type { Covers, Same } from './schema-check.js';

const Int = z.number().int();

const EndpointSchema = z.object({ address: z.string(), port: Int, scope: z.string().optional() });

/** One socket as a collector sees it (the model's Socket: snapshot().sockets, inspect-options' kernelView). */
export const SocketSchema = z.object({
  protocol: z.enum(['tcp', 'udp', 'unix']),
  host: z.string().optional(),
  ipVersion: z.union([z.literal(4), z.literal(6)]).optional(),
  state: z.enum(TCP_STATES),
  local: EndpointSchema,
  peer: EndpointSchema,
  unixType: z.enum(['stream', 'dgram', 'seqpacket']).optional(),
  recvQ: Int,
  sendQ: Int,
  sendQUnknown: z.boolean().optional(),
  recvQUnknown: z.boolean().optional(),
  timer: z.object({ name: z.enum(['on', 'keepalive', 'timewait', 'persist', 'unknown', 'off']), expiresMs: z.number(), retrans: Int.optional() }).optional(),
  uid: Int.optional(),
  inode: Int.optional(),
  peerInode: Int.optional(),
  cookie: z.string().optional(),
  processes: z.array(z.object({ pid: Int, name: z.string(), fd: Int })),
  tcpInfo: z
    .object({
      rttUs: z.number().optional(),
      rttVarUs: z.number().optional(),
      rtoMs: z.number().optional(),
      cwnd: z.number().optional(),
      ssthresh: z.number().optional(),
      mss: z.number().optional(),
      retrans: z.number().optional(),
      totalRetrans: z.number().optional(),
      bytesAcked: z.number().optional(),
      bytesReceived: z.number().optional(),
      bytesSent: z.number().optional(),
      deliveryRate: z.number().optional(),
      deliveryRateAppLimited: z.boolean().optional(),
      rwndLimitedUs: z.number().optional(),
      sndbufLimitedUs: z.number().optional(),
      busyUs: z.number().optional(),
      congestion: z.string().optional(),
      lastSendMs: z.number().optional(),
      lastRecvMs: z.number().optional(),
      lastAckMs: z.number().optional(),
      rcvSpace: z.number().optional(),
      rcvRttUs: z.number().optional(),
      sndWnd: z.number().optional(),
      rcvWnd: z.number().optional(),
      rcvOoopack: z.number().optional(),
      sndWscale: z.number().optional(),
      rcvWscale: z.number().optional(),
      windowScaling: z.boolean().optional(),
    })
    .optional(),
  skmem: z
    .object({
      rmemAlloc: Int,
      rcvbuf: Int,
      wmemAlloc: Int,
      sndbuf: Int,
      fwdAlloc: Int.optional(),
      wmemQueued: Int.optional(),
      optmem: Int.optional(),
      backlog: Int.optional(),
      drops: Int.optional(),
    })
    .optional(),
  drops: Int.optional(),
  boundDevice: z.string().optional(),
  v6only: z.boolean().optional(),
});
const socketSame: Same<z.infer<typeof SocketSchema>, Socket> = true;
const socketKeys: Covers<z.infer<typeof SocketSchema>, Socket> = true;

const n = z.number();
const numbers = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, z.number()])) as Record<K, z.ZodNumber>;
const optionalNumbers = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, z.number().optional()])) as Record<K, z.ZodOptional<z.ZodNumber>>;

/** struct tcp_info as getsockopt(TCP_INFO) decodes it (inspect-options' tcpInfo and its TCP_INFO reading). */
export const TcpInfoStructSchema = z.object({
  ...numbers(['retransmits', 'probes', 'backoff', 'sndWscale', 'rcvWscale', 'rtoUs', 'atoUs', 'sndMss', 'rcvMss', 'unacked', 'sacked', 'lost', 'retrans', 'lastDataSentMs', 'lastAckSentMs', 'lastDataRecvMs', 'lastAckRecvMs', 'pmtu', 'rcvSsthresh', 'rttUs', 'rttVarUs', 'sndSsthresh', 'sndCwnd', 'advmss', 'reordering', 'rcvRttUs', 'rcvSpace', 'totalRetrans', 'length'] as const),
  ...optionalNumbers(['bytesAcked', 'bytesReceived', 'segsOut', 'segsIn', 'notsentBytes', 'minRttUs', 'dataSegsIn', 'dataSegsOut', 'deliveryRate', 'busyTimeUs', 'rwndLimitedUs', 'sndbufLimitedUs', 'delivered', 'deliveredCe', 'bytesSent', 'bytesRetrans', 'dsackDups', 'reordSeen', 'rcvOoopack', 'sndWnd', 'rcvWnd'] as const),
  state: z.string(),
  caState: z.string(),
  options: z.array(z.string()),
  pacingRate: n.nullable().optional(),
  maxPacingRate: n.nullable().optional(),
  deliveryRateAppLimited: z.boolean().optional(),
});
const tcpInfoSame: Same<z.infer<typeof TcpInfoStructSchema>, TcpInfoStruct> = true;
const tcpInfoKeys: Covers<z.infer<typeof TcpInfoStructSchema>, TcpInfoStruct> = true;

/** `sockscope inspect-options --json`, the `inspect-options` task's result, inspectOptions()'s return. */
export const InspectOptionsReportSchema = z.object({
  pid: Int.nullable(),
  threadOf: Int.nullable(),
  fd: Int.nullable(),
  process: z.object({ name: z.string().optional(), uid: Int.optional() }),
  inode: Int.optional(),
  method: z.enum(['pidfd_getfd', 'fallback']),
  methodNote: z.string().nullable(),
  socket: z.object({
    family: z.enum(['inet', 'inet6', 'unix', 'other']).optional(),
    type: z.enum(['stream', 'dgram', 'seqpacket', 'raw', 'other']).optional(),
    protocol: z.enum(['tcp', 'udp', 'other']).optional(),
    local: z.string().optional(),
    peer: z.string().optional(),
    state: z.string().optional(),
  }),
  fdFlags: z.object({
    info: z
      .object({
        pos: n.optional(),
        flags: n.optional(),
        mntId: n.optional(),
        ino: n.optional(),
        flagNames: z.array(z.string()),
        nonblock: z.boolean(),
        cloexec: z.boolean(),
        other: z.record(z.string(), z.string()),
      })
      .optional(),
    source: z.string().optional(),
    missing: z.string().optional(),
  }),
  /** Each reading explained; `value` is the decoded value (number, boolean, string, {onoff, seconds}, {seconds, micros}, tcp_info). */
  options: z.array(
    z.object({
      name: z.string(),
      display: z.string(),
      meaning: z.string(),
      unusual: z.string().optional(),
      platformNotes: z.array(z.string()),
      summary: z.string().optional(),
      value: z.unknown().optional(),
      source: z.string().optional(),
      readAs: z.string().optional(),
      readFor: z.string().optional(),
      readBecause: z.string().optional(),
      missing: z.string().optional(),
    }),
  ),
  tcpInfo: TcpInfoStructSchema.optional(),
  kernelView: SocketSchema.optional(),
  kernelViewSource: z.string().optional(),
  missing: z.array(z.string()),
  netns: z.string().nullable(),
  sysctlsFrom: z.string(),
  sysctls: z.record(z.string(), z.unknown()),
  extraSysctls: z.record(z.string(), z.string().nullable()),
  kernel: z.string(),
  unusual: z.array(z.string()),
  located: z.object({ how: z.string(), others: Int, holders: z.array(z.object({ pid: Int, name: z.string(), fd: Int })), choice: z.string().optional() }).nullable(),
  /** A TCP listener on [::] only: the IPv4 listeners on its port ("0.0.0.0:80"; empty: none). */
  ipv4Listeners: z.array(z.string()).optional(),
});
const inspectSame: Same<z.infer<typeof InspectOptionsReportSchema>, InspectOptionsReport> = true;
const inspectKeys: Covers<z.infer<typeof InspectOptionsReportSchema>, InspectOptionsReport> = true;

const QueueMemberSchema = z.object({ by: z.string(), pid: Int.optional(), pending: Int, backlog: Int.optional() });
const Category = z.enum(['refused', 'reset', 'timeout', 'unreachable', 'ports-exhausted', 'dns', 'permission', 'other']);

/** An ICMP error read from a socket's error queue (IP_RECVERR), with the host that sent it (knowledge/icmp-report.ts). */
export const IcmpReportSchema = z.object({ version: z.union([z.literal(4), z.literal(6)]), type: Int, code: Int, from: z.string().optional(), mtu: Int.optional() });

/** `sockscope debug-connections --json`, the `debug-connections` task's result, debugConnection()'s return. */
export const ProbeResultSchema = z.object({
  host: z.string(),
  port: Int,
  protocol: z.literal('udp').optional(),
  timeoutMs: Int,
  resolution: z.object({ addresses: z.array(z.string()), ms: n, error: z.string().optional(), timedOut: z.boolean().optional() }),
  addresses: z.array(
    z.object({
      address: z.string(),
      family: z.union([z.literal(4), z.literal(6)]),
      route: z.object({ ok: z.boolean().nullable(), type: z.string().optional(), via: z.string().optional(), dev: z.string().optional(), src: z.string().optional(), text: z.string(), error: z.string().optional(), description: z.string() }),
      connect: z.object({ ok: z.boolean(), ms: n, errno: z.string().optional(), message: z.string().optional(), local: z.string().optional() }),
      /** A datagram's diagnosis (`ok`, errno when one came back) or a TCP connect's (errno always); in this order, so a datagram's keeps `ok`. */
      diagnosis: z
        .union([
          z.object({ ok: z.boolean(), errno: z.string().optional(), category: Category, summary: z.string(), meaning: z.string().optional(), causes: z.array(z.string()), nextSteps: z.array(z.string()) }),
          z.object({ errno: z.string(), category: Category, summary: z.string(), meaning: z.string().optional(), causes: z.array(z.string()), nextSteps: z.array(z.string()) }),
        ])
        .optional(),
      /** A refused or unreachable connect, or a datagram an ICMP error ended (--udp): the ICMP error read on a second attempt (IP_RECVERR) and who sent it; null: none came (a reset). */
      icmp: IcmpReportSchema.nullable().optional(),
      tls: z
        .object({
          ok: z.boolean(),
          explanation: z.string().optional(),
          error: z.string().optional(),
          protocol: z.string().optional(),
          cipher: z.string().optional(),
          authorized: z.boolean().optional(),
          authorizationError: z.string().optional(),
          subject: z.string().optional(),
          issuer: z.string().optional(),
          validFrom: z.string().optional(),
          validTo: z.string().optional(),
          daysLeft: n.optional(),
          expired: z.boolean().optional(),
          altNames: z.string().optional(),
          nameMismatch: z.string().optional(),
          handshakeMs: n.optional(),
          closedAfterHandshake: z.enum(['reset', 'closed']).optional(),
          closeError: z.string().optional(),
        })
        .optional(),
      datagram: z
        .object({
          ok: z.boolean(),
          ms: n,
          errno: z.string().optional(),
          message: z.string().optional(),
          local: z.string().optional(),
          failedCall: z.enum(['connect', 'send']).optional(),
          sent: Int,
          pathMtu: Int.optional(),
          reply: z.string().optional(),
          replyBytes: Int.optional(),
          matched: z.boolean().optional(),
          udpSockets: z
            .array(
              z.object({
                address: z.string(),
                port: Int,
                peer: z.string().optional(),
                owners: z.array(z.object({ pid: Int, name: z.string(), fd: Int.optional() })),
                uid: Int.optional(),
                inode: Int.optional(),
                device: z.string().optional(),
                queued: Int,
                rcvbuf: Int.optional(),
                dropsBefore: Int.optional(),
                drops: Int.optional(),
              }),
            )
            .optional(),
        })
        .optional(),
      exchange: z
        .object({ sent: z.string(), received: z.string(), receivedBytes: Int.optional(), truncated: z.boolean().optional(), ok: z.boolean().optional(), error: z.string().optional(), explanation: z.string().optional(), failedStep: z.enum(['write', 'read']).optional(), ms: n })
        .optional(),
      existing: z.object({
        total: Int,
        states: z.record(z.string(), Int),
        avgRttMs: n.optional(),
        maxRttMs: n.optional(),
        retransTotal: Int,
        retransUnknown: Int.optional(),
        retransNow: Int.optional(),
        timeWait: Int,
        portRange: z.object({ low: Int, high: Int, size: Int, used: Int.optional(), timeWait: Int.optional(), closed: Int.optional() }).optional(),
        closedByProgram: z.record(z.string(), Int).optional(),
        otherEnds: z.object({ at: z.string(), unclosed: Int, unaccepted: Int, by: z.string().optional(), pid: Int.optional() }).optional(),
        udpConnected: Int.optional(),
      }),
      notAccepted: z
        .object({
          listener: z.string(),
          pending: Int,
          backlog: Int.optional(),
          by: z.string().optional(),
          pid: Int.optional(),
          groupSize: Int.optional(),
          members: z.array(QueueMemberSchema).optional(),
        })
        .optional(),
      othersWaiting: z.object({ listener: z.string(), groupSize: Int, members: z.array(QueueMemberSchema) }).optional(),
    }),
  ),
  existingSource: z.string().optional(),
  existingNote: z.string().optional(),
  verdict: z.object({ ok: z.boolean(), summary: z.string(), nextSteps: z.array(z.string()) }),
});
const probeSame: Same<z.infer<typeof ProbeResultSchema>, ProbeResult> = true;
const probeKeys: Covers<z.infer<typeof ProbeResultSchema>, ProbeResult> = true;

void [socketKeys, tcpInfoKeys, inspectKeys, probeKeys, socketSame, tcpInfoSame, inspectSame, probeSame];
