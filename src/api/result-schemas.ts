// Zod schemas of the task operations' results that had only TypeScript types (the `errno`, `options` and
// `generate-server` --json documents) and of the task failure document, so that automation can validate what
// `sockscope task` prints at run time (product.md: "schema exported by the library"). analyze and
// analyze-states have theirs in report/schema.ts (their types are inferred from them). Each schema is held equal
// to the type it describes at compile time (Same and Covers, schema-check.ts): a field, optional or not, added to one and not
// the other fails `tsc`, so the two cannot drift apart.
import { z } from 'zod';
import type { BuffersReport } from '../advise/buffers-report.js';
import type { GenerateResult } from '../codegen/render.js';
import { HANDLERS, PLATFORMS, PROFILES, SERVER_TYPES } from '../codegen/options.js';
import { GEN_LANGUAGES } from '../codegen/languages.js';
import { ERRNO_PLATFORMS, type ErrnoLookup } from '../knowledge/errno.js';
import type { SocketOptionInfo } from '../knowledge/socket-options.js';
import type { GenerateServerReport } from './generate.js';
import type { TaskDocument, TaskFailure, TaskOperation } from './task.js';
import { AnalyzeReportSchema, StatesReportSchema } from '../report/schema.js';
import type { Covers, Same } from './schema-check.js';
import { InspectOptionsReportSchema, ProbeResultSchema } from './socket-schemas.js';
import type { ForeignNameUse, OptionReport } from '../knowledge/socket-options.js';
import type { ConfigReport } from '../cli/commands/config.js';
import { ConfigSchema } from '../config/schema.js';
import { CONFIG_KEYS, type Config } from '../config/defaults.js';

export type { Covers } from './schema-check.js';
// The socket, inspect-options and debug-connections schemas live in socket-schemas.ts.
export { SocketSchema, TcpInfoStructSchema, InspectOptionsReportSchema, ProbeResultSchema } from './socket-schemas.js';
// `try --json`'s schema lives in try-schemas.ts.
export { TryReportSchema, type TryReport } from './try-schemas.js';

const Platform = z.enum(ERRNO_PLATFORMS);
const PerPlatform = z.object({ linux: z.string().nullable(), macos: z.string().nullable(), windows: z.string().nullable() });

/** One error across platforms (an entry of `errno --json`'s `matches`). */
export const ErrnoExplanationSchema = z.object({
  name: z.string(),
  kind: z.enum(['kernel-internal', 'resolver']).optional(),
  libuv: z.number().int().optional(),
  libuvWindows: z.number().int().optional(),
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
  libuvWindowsReading: z.object({ name: z.string(), number: z.number().int() }).optional(),
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

/** One entry of the socket option reference (`sockscope options --json` lists them; OptionReportSchema adds foreignName). */
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

/** `sockscope generate-server --json`, the generate tasks' result (`written`, `createdDirectories`: when files were written). */
export const GenerateServerReportSchema = z.object({
  files: z.array(z.object({ path: z.string(), content: z.string() })),
  buildCommand: z.string().nullable(),
  buildNote: z.string().nullable(),
  runCommand: z.string(),
  options: GeneratorOptionsSchema,
  written: z.array(z.string()).optional(),
  createdDirectories: z.array(z.string()).optional(),
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
      /** No process shown because another user's process holds it out of sight (as analyze's listeners); `uid` when the source shows it. */
      ownerHidden: z.boolean(),
      uid: Int.optional(),
      rttMs: z.number().nullable(),
      /** Which rtt rttMs is: this socket's, its local peer's (the sender's), or its receiver estimate (tcpi_rcv_rtt). */
      rttSource: z.enum(['rtt', 'peer-rtt', 'rcv-rtt']).nullable(),
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
      /** The delivery rate sample is old ('stale') or app-limited: it sizes nothing (absent when it is current). */
      rateSample: z.array(z.enum(['stale', 'app-limited'])).optional(),
    }),
  ),
  connectionPlan: BufferPlanSchema.nullable(),
  defaults: z.object({ bufferSize: Int, origin: z.string(), detail: z.string().nullable() }),
  notes: z.array(z.string()),
});
const buffersSame: Same<z.infer<typeof BuffersReportSchema>, BuffersReport> = true;
const buffersKeys: Covers<z.infer<typeof BuffersReportSchema>, BuffersReport> = true;


// The other reporting commands' --json documents (product.md: each has a schema the library exports): config,
// options (the list, and one entry with the foreignName note when NAME is another platform's name); try's is in
// try-schemas.ts.
const OriginSchema = z.object({ origin: z.enum(['default', 'user-file', 'project-file', 'env', 'flag']), detail: z.string().optional() });

/** `sockscope config --json`: the effective configuration, where each value came from, the files looked for. */
export const ConfigReportSchema = z.object({
  config: ConfigSchema,
  origins: z.object(Object.fromEntries(CONFIG_KEYS.map((k) => [k, OriginSchema])) as Record<keyof Config, typeof OriginSchema>),
  files: z.array(z.object({ kind: z.enum(['user-file', 'project-file']), path: z.string(), found: z.boolean(), unreadable: z.string().optional(), notLookedFor: z.string().optional() })),
  thresholds: z.array(z.object({ name: z.string(), value: z.number(), default: z.number(), origin: OriginSchema, description: z.string() })),
  keymap: z.array(z.object({ command: z.string(), keys: z.array(z.string()), default: z.array(z.string()), origin: OriginSchema, description: z.string() })),
});
const configSame: Same<z.infer<typeof ConfigReportSchema>, ConfigReport> = true;
const configKeys: Covers<z.infer<typeof ConfigReportSchema>, ConfigReport> = true;

/** `sockscope options --json`: every entry of the reference. */
export const OptionListSchema = z.object({ options: z.array(SocketOptionInfoSchema) });

/**
 * `sockscope options NAME --json`: the entry (SocketOptionInfoSchema), plus `foreignName` when NAME is another
 * platform's name or the IPv6 twin (TCP_MAXRT): whose name it is, said in words, and each entry it leads to.
 */
export const OptionReportSchema = SocketOptionInfoSchema.extend({
  foreignName: z
    .object({
      name: z.string(),
      note: z.string(),
      uses: z.array(z.object({ option: z.string(), platforms: z.array(z.enum(['freebsd', 'macos', 'windows', 'linux'])), relation: z.enum(['equivalent', 'variant', 'related', 'ipv6', 'mentioned']) })),
    })
    .optional(),
});
type ForeignUseOut = Omit<ForeignNameUse, 'option'> & { option: string };
const foreignSame: Same<NonNullable<z.infer<typeof OptionReportSchema>['foreignName']>['uses'][number], ForeignUseOut> = true;
const foreignKeys: Covers<NonNullable<z.infer<typeof OptionReportSchema>['foreignName']>['uses'][number], ForeignUseOut> = true;
const reportSame: Same<z.infer<typeof OptionReportSchema>, OptionReport> = true;
const reportKeys: Covers<z.infer<typeof OptionReportSchema>, OptionReport> = true;

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
  options: OptionReportSchema,
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

void [reportSame, reportKeys, configSame, configKeys, foreignSame, foreignKeys, errnoKeys, optionKeys, generateKeys, renderKeys, buffersKeys, failureKeys, documentKeys, documentSame, errnoSame, optionSame, generateSame, renderSame, buffersSame, failureSame];
