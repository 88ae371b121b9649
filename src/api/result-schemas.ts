// Zod schemas of the task operations' results that had only TypeScript types (the `errno`, `options` and
// `generate-server` --json documents) and of the task failure document, so that automation can validate what
// `sockscope task` prints at run time (product.md: "schema exported by the library"). analyze and
// analyze-states have theirs in report/schema.ts (their types are inferred from them). Each schema is held equal
// to the type it describes at compile time (Same and Covers below): a field, optional or not, added to one and not
// the other fails `tsc`, so the two cannot drift apart.
import { z } from 'zod';
import type { BuffersReport } from '../advise/buffers-report.js';
import type { GenerateResult } from '../codegen/render.js';
import { HANDLERS, PLATFORMS, PROFILES, SERVER_TYPES } from '../codegen/options.js';
import { GEN_LANGUAGES } from '../codegen/languages.js';
import { ERRNO_PLATFORMS, type ErrnoLookup } from '../knowledge/errno.js';
import type { SocketOptionInfo } from '../knowledge/socket-options.js';
import type { GenerateServerReport } from './generate.js';
import type { InspectOptionsReport } from './inspect.js';
import type { TaskDocument, TaskFailure, TaskOperation } from './task.js';
import { AnalyzeReportSchema, StatesReportSchema } from '../report/schema.js';
import { TCP_STATES, type Socket } from '../model/socket.js';
import type { TcpInfoStruct } from '../collect/getsockopt-decode.js';
import type { ProbeResult } from '../collect/connect-probe.js';

/** Compile-time check: a schema's output type and the type are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// Same alone cannot see an optional field on one side only ({a} and {a; x?} are assignable both ways), and zod
// strips a key its schema lacks: so each pair is also checked key by key, both ways (Covers below), down
// through objects, arrays and unions. Missing<S, T> is the paths ('.located.choice') of T's keys S lacks.
type Prim = string | number | boolean | bigint | symbol | null | undefined | ((...a: never[]) => unknown);
/** Every key of any member of a union (keyof of a union is only the keys all members share). */
type AnyKey<S> = S extends unknown ? keyof S : never;
/** S[K] over the members of S that have K. */
type ValueAt<S, K extends PropertyKey> = S extends unknown ? (K extends keyof S ? S[K] : never) : never;
type Missing<S, T, P extends string = ''> = T extends unknown
  ? [T] extends [Prim]
    ? never
    : unknown extends T
      ? never
      : T extends readonly (infer TE)[]
        ? [S] extends [readonly (infer SE)[]]
          ? Missing<NonNullable<SE>, NonNullable<TE>, `${P}[]`>
          : never
        : [S] extends [object]
          ? { [K in keyof T & string]-?: K extends AnyKey<S> ? Missing<NonNullable<ValueAt<S, K>>, NonNullable<T[K]>, `${P}.${K}`> : `${P}.${K}` }[keyof T & string]
          : never
  : never;
/** true when schema output S and type T have the same keys at every level; otherwise the error names the paths. */
export type Covers<S, T> = [Missing<S, T> | Missing<T, S>] extends [never] ? true : { missingOnOneSide: Missing<S, T> | Missing<T, S> };

const Platform = z.enum(ERRNO_PLATFORMS);
const PerPlatform = z.object({ linux: z.string().nullable(), macos: z.string().nullable(), windows: z.string().nullable() });

/** One error across platforms (an entry of `errno --json`'s `matches`). */
export const ErrnoExplanationSchema = z.object({
  name: z.string(),
  kind: z.enum(['kernel-internal', 'resolver']).optional(),
  libuv: z.number().int().optional(),
  message: z.string(),
  aliases: z.array(z.string()),
  numbers: z.object({ linux: z.number().int().nullable(), freebsd: z.number().int().nullable(), macos: z.number().int().nullable() }),
  aliasNumbers: z.array(z.object({ name: z.string(), freebsd: z.number().int().optional(), macos: z.number().int().optional() })).optional(),
  windows: z.object({ name: z.string(), number: z.number().int(), title: z.string(), message: z.string() }).nullable(),
  meaning: z.string(),
  socketRelevant: z.boolean(),
  calls: z.array(z.string()),
  causes: z.array(z.string()),
  fixes: z.array(z.string()),
  node: PerPlatform,
  python: PerPlatform,
});

/** `sockscope errno CODE --json`, the `errno` task's result, explainErrno()'s return. */
export const ErrnoLookupSchema = z.object({
  query: z.string(),
  matchedBy: z.enum(['name', 'number', 'python-class', 'message']),
  platform: Platform.nullable(),
  matches: z.array(ErrnoExplanationSchema),
  readings: z.array(z.object({ platform: Platform, name: z.string() })),
  onPlatform: z
    .object({
      platform: Platform,
      name: z.string(),
      number: z.number().int().nullable(),
      elsewhere: z.array(z.object({ platform: Platform, name: z.string(), number: z.number().int() })),
    })
    .optional(),
  resolverReading: z.object({ name: z.string(), number: z.number().int(), source: z.enum(['glibc', 'libuv']) }).optional(),
});
const errnoSame: Same<z.infer<typeof ErrnoLookupSchema>, ErrnoLookup> = true;
const errnoKeys: Covers<z.infer<typeof ErrnoLookupSchema>, ErrnoLookup> = true;

const ForeignOptionSchema = z.object({
  name: z.string().nullable(),
  value: z.number().int().optional(),
  note: z.string().optional(),
  variants: z.array(z.string()).optional(),
  related: z.array(z.string()).optional(),
});
const NamedNumber = z.object({ name: z.string(), linux: z.number().int() });

/** `sockscope options NAME --json`, the `options` task's result, describeOption()'s return. */
export const SocketOptionInfoSchema = z.object({
  name: z.string(),
  level: z.enum(['SOL_SOCKET', 'IPPROTO_TCP', 'IPPROTO_IP', 'IPPROTO_IPV6']),
  linux: z.number().int(),
  type: z.enum(['int', 'bool', 'linger', 'timeval', 'string', 'tcp_info']),
  size: z.number().int(),
  unit: z.string().optional(),
  appliesTo: z.enum(['any', 'tcp', 'udp', 'ip', 'ipv6', 'stream']),
  readOnly: z.boolean().optional(),
  readClears: z.boolean().optional(),
  privilege: z.string().optional(),
  sinceLinux: z.string().optional(),
  default: z.string(),
  sysctls: z.array(z.string()).optional(),
  summary: z.string(),
  details: z.string(),
  platforms: z.object({ freebsd: ForeignOptionSchema, macos: ForeignOptionSchema, windows: ForeignOptionSchema }),
  aliases: z.array(z.string()).optional(),
  linuxRelated: z.array(NamedNumber.extend({ note: z.string() })).optional(),
  ipv6: NamedNumber.optional(),
  ipv6Alias: NamedNumber.optional(),
  seeAlso: z.array(z.string()).optional(),
});
const optionSame: Same<z.infer<typeof SocketOptionInfoSchema>, SocketOptionInfo> = true;
const optionKeys: Covers<z.infer<typeof SocketOptionInfoSchema>, SocketOptionInfo> = true;

/** The resolved generator options (`options` of generate-server --json): every option decided. */
export const GeneratorOptionsSchema = z.object({
  type: z.enum(SERVER_TYPES),
  language: z.enum(GEN_LANGUAGES),
  ioModel: z.string(),
  handler: z.enum(HANDLERS),
  port: z.number().int(),
  bindAddress: z.string(),
  ipv6: z.boolean(),
  dualStack: z.boolean(),
  backlog: z.number().int(),
  bufferSize: z.number().int(),
  sndbuf: z.number().int().nullable(),
  rcvbuf: z.number().int().nullable(),
  nonBlocking: z.boolean(),
  tcpNodelay: z.boolean(),
  quickack: z.boolean(),
  reusePort: z.boolean(),
  keepalive: z.object({ idle: z.number().int(), interval: z.number().int(), count: z.number().int() }).nullable(),
  maxConnections: z.number().int(),
  idleTimeoutMs: z.number().int(),
  gracefulShutdownMs: z.number().int(),
  comments: z.boolean(),
  profile: z.enum(PROFILES),
  platform: z.enum(PLATFORMS),
});

/** `sockscope generate-server --json`, the generate tasks' result (`written`: the paths, when files were written). */
export const GenerateServerReportSchema = z.object({
  files: z.array(z.object({ path: z.string(), content: z.string() })),
  buildCommand: z.string().nullable(),
  runCommand: z.string(),
  options: GeneratorOptionsSchema,
  written: z.array(z.string()).optional(),
});
const generateSame: Same<z.infer<typeof GenerateServerReportSchema>, GenerateServerReport> = true;
const generateKeys: Covers<z.infer<typeof GenerateServerReportSchema>, GenerateServerReport> = true;
const renderSame: Same<z.infer<typeof GenerateServerReportSchema.shape.options>, GenerateResult['options']> = true;
const renderKeys: Covers<z.infer<typeof GenerateServerReportSchema.shape.options>, GenerateResult['options']> = true;

const Int = z.number().int();
const Triple = z.tuple([Int, Int, Int]);

const SysctlAdviceSchema = z.object({ name: z.string(), current: z.string().nullable(), recommended: z.string(), ok: z.boolean(), line: z.string() });

/** The buffers and sysctls for one bandwidth-delay product (`link` and `connectionPlan` of buffers --json). */
export const BufferPlanSchema = z.object({
  bandwidthBytesPerSecond: z.number(),
  rttMs: z.number(),
  bdpBytes: Int,
  soRcvbuf: Int,
  soSndbuf: Int,
  allocatedBytes: Int,
  autotuneMax: Int,
  sysctls: z.array(SysctlAdviceSchema),
  notes: z.array(z.string()),
});

/** `sockscope buffers --json`, the `buffers` task's result, sizeBuffers()'s return. */
export const BuffersReportSchema = z.object({
  host: z.string().nullable(),
  kernel: z.string().nullable(),
  source: z.string().nullable(),
  time: z.string().nullable(),
  selection: z.string().nullable(),
  caps: z.object({
    rmemMax: Int.nullable(),
    wmemMax: Int.nullable(),
    rmemDefault: Int.nullable(),
    wmemDefault: Int.nullable(),
    tcpRmem: Triple.nullable(),
    tcpWmem: Triple.nullable(),
    moderateRcvbuf: z.boolean().nullable().optional(),
  }),
  link: BufferPlanSchema.extend({ bandwidth: z.string(), sysctlFile: z.string(), code: z.object({ c: z.string(), python: z.string(), node: z.string() }) }).nullable(),
  connections: z.array(
    z.object({
      local: z.string(),
      peer: z.string(),
      state: z.string(),
      processes: z.array(z.object({ pid: Int, name: z.string() })),
      rttMs: z.number().nullable(),
      deliveryRate: z.number().nullable(),
      bandwidthBasis: z.number().nullable(),
      basis: z.enum(['target', 'delivery-rate', 'peer-delivery-rate', 'unknown']),
      bdpBytes: Int.nullable(),
      bdpLowerBound: z.boolean(),
      rcvbuf: Int.nullable(),
      sndbuf: Int.nullable(),
      rwndLimitedPct: z.number().nullable(),
      sndbufLimitedPct: z.number().nullable(),
      recommendedRcvbuf: Int.nullable(),
      recommendedSndbuf: Int.nullable(),
      verdict: z.string(),
    }),
  ),
  connectionPlan: BufferPlanSchema.nullable(),
  defaults: z.object({ bufferSize: Int, origin: z.string(), detail: z.string().optional() }),
  notes: z.array(z.string()),
});
const buffersSame: Same<z.infer<typeof BuffersReportSchema>, BuffersReport> = true;
const buffersKeys: Covers<z.infer<typeof BuffersReportSchema>, BuffersReport> = true;

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
      rwndLimitedUs: z.number().optional(),
      sndbufLimitedUs: z.number().optional(),
      busyUs: z.number().optional(),
      congestion: z.string().optional(),
      lastSendMs: z.number().optional(),
      lastRecvMs: z.number().optional(),
      lastAckMs: z.number().optional(),
      rcvSpace: z.number().optional(),
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
});
const tcpInfoSame: Same<z.infer<typeof TcpInfoStructSchema>, TcpInfoStruct> = true;
const tcpInfoKeys: Covers<z.infer<typeof TcpInfoStructSchema>, TcpInfoStruct> = true;

/** `sockscope inspect-options --json`, the `inspect-options` task's result, inspectOptions()'s return. */
export const InspectOptionsReportSchema = z.object({
  pid: Int.nullable(),
  threadOf: Int.optional(),
  fd: Int.nullable(),
  process: z.object({ name: z.string().optional(), uid: Int.optional() }),
  inode: Int.optional(),
  method: z.enum(['pidfd_getfd', 'fallback']),
  methodNote: z.string().optional(),
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
  sysctls: z.record(z.string(), z.unknown()),
  extraSysctls: z.record(z.string(), z.string().nullable()),
  kernel: z.string(),
  unusual: z.array(z.string()),
  located: z.object({ how: z.string(), others: Int, holders: z.array(z.object({ pid: Int, name: z.string(), fd: Int })), choice: z.string().optional() }).optional(),
  /** A TCP listener on [::] only: the IPv4 listeners on its port ("0.0.0.0:80"; empty: none). */
  ipv4Listeners: z.array(z.string()).optional(),
});
const inspectSame: Same<z.infer<typeof InspectOptionsReportSchema>, InspectOptionsReport> = true;
const inspectKeys: Covers<z.infer<typeof InspectOptionsReportSchema>, InspectOptionsReport> = true;

const QueueMemberSchema = z.object({ by: z.string(), pid: Int.optional(), pending: Int, backlog: Int.optional() });
const Category = z.enum(['refused', 'reset', 'timeout', 'unreachable', 'ports-exhausted', 'dns', 'permission', 'other']);

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
          handshakeMs: n.optional(),
        })
        .optional(),
      datagram: z
        .object({
          ok: z.boolean(),
          ms: n,
          errno: z.string().optional(),
          message: z.string().optional(),
          local: z.string().optional(),
          sent: Int,
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
        .object({ sent: z.string(), received: z.string(), ok: z.boolean().optional(), error: z.string().optional(), failedStep: z.enum(['write', 'read']).optional(), ms: n })
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
        portRange: z.object({ low: Int, high: Int, size: Int }).optional(),
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

/** What `sockscope task` prints when the task failed (exit 1 or 2); error.code as README lists them. */
export const TaskFailureSchema = z.object({
  ok: z.literal(false),
  operation: z.enum(['analyze', 'analyze-states', 'generate-server', 'generate', 'inspect-options', 'debug-connections', 'errno', 'options', 'buffers']).optional(),
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
});
const failureSame: Same<z.infer<typeof TaskFailureSchema>, TaskFailure> = true;
const failureKeys: Covers<z.infer<typeof TaskFailureSchema>, TaskFailure> = true;

/** The result schema of each task operation (the matching command's --json document). */
export const TASK_RESULT_SCHEMAS = {
  analyze: AnalyzeReportSchema,
  'analyze-states': StatesReportSchema,
  'generate-server': GenerateServerReportSchema,
  generate: GenerateServerReportSchema,
  'inspect-options': InspectOptionsReportSchema,
  'debug-connections': ProbeResultSchema,
  errno: ErrnoLookupSchema,
  options: SocketOptionInfoSchema,
  buffers: BuffersReportSchema,
} satisfies Record<TaskOperation, z.ZodType>;

const success = <Op extends TaskOperation>(operation: Op) => z.object({ ok: z.literal(true), operation: z.literal(operation), result: TASK_RESULT_SCHEMAS[operation] });

/** Everything `sockscope task` prints (and executeTask's document): a success, its result checked by operation, or a failure. */
export const TaskDocumentSchema = z.union([
  z.discriminatedUnion('operation', [
    success('analyze'),
    success('analyze-states'),
    success('generate-server'),
    success('generate'),
    success('inspect-options'),
    success('debug-connections'),
    success('errno'),
    success('options'),
    success('buffers'),
  ]),
  TaskFailureSchema,
]);
const documentSame: Same<z.infer<typeof TaskDocumentSchema>, TaskDocument> = true;
const documentKeys: Covers<z.infer<typeof TaskDocumentSchema>, TaskDocument> = true;

void [errnoKeys, optionKeys, generateKeys, renderKeys, buffersKeys, socketKeys, tcpInfoKeys, inspectKeys, probeKeys, failureKeys, documentKeys,
  documentSame, errnoSame, optionSame, generateSame, renderSame, buffersSame, socketSame, tcpInfoSame, inspectSame, probeSame, failureSame];
