// The schema of `sockscope try OP ADDRESS --json` (try-run.ts prints it), held equal to its TypeScript type at
// compile time as result-schemas.ts holds the others (Same and Covers, schema-check.ts).
import { z } from 'zod';
import type { Covers, Same } from './schema-check.js';
import { IcmpReportSchema, ProbeResultSchema } from './socket-schemas.js';
import type { TryCallResult, TryOp } from '../collect/try-call.js';
import type { TryContext, TryInterpretation } from '../knowledge/interpret-try.js';
import type { LocalListener } from '../knowledge/connect-listeners.js';

const Int = z.number().int();
const Holder = z.object({ pid: Int, name: z.string(), fd: Int.optional() });
const RouteSchema = z.object({ ok: z.boolean().nullable(), type: z.string().optional(), via: z.string().optional(), dev: z.string().optional(), src: z.string().optional(), text: z.string(), error: z.string().optional() });
const LocalListenerSchema: z.ZodType<LocalListener> = z.lazy(() =>
  z.object({ local: z.string(), pending: Int, backlog: Int.optional(), by: z.string().optional(), pid: Int.optional(), groupSize: Int.optional(), candidates: z.array(LocalListenerSchema).optional() }),
);
const UdpReadingSchema = z.object({
  address: z.string(),
  port: Int,
  peer: z.string().optional(),
  owners: z.array(Holder),
  uid: Int.optional(),
  inode: Int.optional(),
  device: z.string().optional(),
  queued: Int,
  rcvbuf: Int.optional(),
  dropsBefore: Int.optional(),
  drops: Int.optional(),
});

/** `sockscope try OP ADDRESS --json`: the call's steps, the host facts around it, and their interpretation. */
export const TryReportSchema = z.object({
  op: z.enum(['bind', 'listen', 'connect', 'sendto']),
  address: z.string(),
  call: z.object({
    op: z.enum(['bind', 'listen', 'connect', 'sendto']),
    address: z.string(),
    port: Int,
    family: z.enum(['inet', 'inet6']),
    ok: z.boolean(),
    steps: z.array(z.object({ call: z.string(), ok: z.boolean(), errno: z.string().optional(), message: z.string().optional(), ms: z.number() })),
    failedCall: z.string().optional(),
    errno: z.string().optional(),
    message: z.string().optional(),
    local: z.string().optional(),
    connectMs: z.number().optional(),
    timedOut: z.boolean().optional(),
    sent: Int.optional(),
    /** A failed connect or sendto: the ICMP error queued on the socket; null when none was (a refused connect was a reset). */
    icmp: IcmpReportSchema.nullable().optional(),
  }),
  context: z.object({
    op: z.enum(['bind', 'listen', 'connect', 'sendto']),
    target: z.string(),
    port: Int,
    ok: z.boolean(),
    errno: z.string().optional(),
    failedCall: z.string().optional(),
    reuseaddr: z.boolean().optional(),
    reuseport: z.boolean().optional(),
    v6only: z.boolean().optional(),
    bindv6only: Int.nullable().optional(),
    udp: z.boolean().optional(),
    reuseaddrWouldWork: z.boolean().optional(),
    backlogRequested: Int.optional(),
    backlogEffective: Int.optional(),
    somaxconn: Int.nullable().optional(),
    unprivilegedPortStart: Int.nullable().optional(),
    uid: Int,
    hasNetBindService: z.boolean().optional(),
    holders: z.array(z.object({ state: z.string(), local: z.string(), peer: z.string().optional(), processes: z.array(Holder), uid: Int.optional(), inode: Int.optional(), device: z.string().optional(), scopeId: Int.optional(), peerEnd: z.object({ local: z.string(), state: z.string(), processes: z.array(Holder), uid: Int.optional() }).optional() })),
    hiddenProcesses: Int.optional(),
    hiddenNote: z.string().optional(),
    hostAddresses: z.array(z.string()).optional(),
    local: z.string().optional(),
    connectMs: z.number().optional(),
    timeoutMs: z.number().optional(),
    sent: Int.optional(),
    udpSockets: z.array(UdpReadingSchema).optional(),
    /** Port 0 or a sendto's automatic bind with no free ephemeral port: the range and how much of it the protocol holds. */
    ephemeral: z
      .object({
        protocol: z.enum(['tcp', 'udp']),
        low: Int,
        high: Int,
        size: Int,
        ports: Int.optional(),
        sockets: Int.optional(),
        boundOnly: Int.optional(),
        top: z.array(z.object({ pid: Int, name: z.string(), ports: Int })).optional(),
        reserved: z.string().optional(),
      })
      .optional(),
    /** A listed IPv6 address bind() refused (EADDRNOTAVAIL): its duplicate address detection state, as ip -6 addr says. */
    addressState: z.object({ state: z.enum(['tentative', 'dadfailed', 'ok']), dev: z.string().optional() }).optional(),
    connectFacts: z
      .object({
        route: RouteSchema.optional(),
        existing: ProbeResultSchema.shape.addresses.element.shape.existing.optional(),
        listener: LocalListenerSchema.optional(),
        listeners: z
          .array(z.object({ address: z.string(), port: Int, pending: Int, backlog: Int.optional(), owners: z.array(Holder), inode: Int.optional(), uid: Int.optional(), device: z.string().optional() }))
          .readonly()
          .optional(),
        resolved: z.object({ host: z.string(), addresses: z.array(z.string()).readonly() }).optional(),
        neighbour: z.object({ address: z.string(), dev: z.string().optional(), lladdr: z.string().optional(), state: z.string() }).optional(),
        routeLine: z.string().optional(),
        twReuse: Int.nullable().optional(),
        finTimeout: Int.nullable().optional(),
        unknownZone: z.string().optional(),
        udpSockets: z.array(UdpReadingSchema).readonly().optional(),
        datagram: z.boolean().optional(),
        datagramCall: z.enum(['connect', 'send']).optional(),
        icmp: IcmpReportSchema.nullable().optional(),
        noSourceFamily: z.object({ family: z.union([z.literal(4), z.literal(6)]), disabled: z.boolean().nullable() }).optional(),
        loopbackV6Disabled: z.literal(true).optional(),
      })
      .optional(),
  }),
  interpretation: z.object({ ok: z.boolean(), summary: z.string(), details: z.array(z.string()), nextSteps: z.array(z.string()) }),
  resolved: z.array(z.string()).optional(),
});
/** The `sockscope try --json` document (try-run.ts prints it). */
export interface TryReport {
  op: TryOp;
  address: string;
  call: TryCallResult;
  context: TryContext;
  interpretation: TryInterpretation;
  resolved?: string[];
}
type TryOut = z.infer<typeof TryReportSchema>;
type FactsOut = NonNullable<TryOut['context']['connectFacts']>;
type Facts = NonNullable<TryContext['connectFacts']>;
const trySame: Same<TryOut, TryReport> = true;
// Key by key in three parts: LocalListener is recursive (candidates), which Covers cannot walk; its schema is typed
// z.ZodType<LocalListener> instead.
const tryKeys: Covers<Omit<TryOut, 'context'>, Omit<TryReport, 'context'>> = true;
const contextKeys: Covers<Omit<TryOut['context'], 'connectFacts'>, Omit<TryContext, 'connectFacts'>> = true;
const factsKeys: Covers<Omit<FactsOut, 'listener'>, Omit<Facts, 'listener'>> = true;

void [trySame, tryKeys, contextKeys, factsKeys];
