// `sockscope debug-connections --address HOST:PORT`: resolve, route, connect (TLS, request/reply), existing sockets, verdict.
// The implementation: debug-connections.ts defines the command (flags, help) and loads this module when it runs.
import { isIP } from 'node:net';
import { createSource, type SourceChoice } from '../../collect/index.js';
import { probeConnections, summarizeExisting, type AddressProbe, type ProbeResult } from '../../collect/connect-probe.js';
import { run } from '../../collect/exec.js';
import type { SocketSource } from '../../collect/source.js';
import {
  diagnoseConnectError,
  findLocalListener,
  formatHostPort,
  listenerFor,
  listenerOwners,
  parseHostPort,
  parseIpNeigh,
  parseRouteMatch,
  portListeners,
  verdict,
  type AddressOutcome,
  type ConnectContext,
  type ExistingSockets,
  type RouteInfo,
} from '../../knowledge/interpret-connect.js';
import { escapeControl, jsonText } from '../../model/escape.js';
import { sysctlInt, type Snapshot } from '../../model/snapshot.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { printJson } from '../options.js';
import type { Args } from './debug-connections.js';

// What the probe (collect/connect-probe.ts) does not gather, read after it for the interpretation: this host's
// listeners on the port and their owners (a local destination), the ARP/NDP entry of the next hop after no
// answer, the route table line that rejected the connect, the server side of the probe's own connection.

/** `ip ARGS` stdout; undefined when ip cannot run or fails (the interpretation then goes without). */
async function ipOutput(args: string[]): Promise<string | undefined> {
  try {
    const r = await run('ip', args, { timeoutMs: 3000 });
    return r.exitCode === 0 ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}

const bareAddress = (a: string) => a.replace(/%.*$/, '');

/** Whether a destination is this host: the route says local, or, the route unknown, a loopback address. */
export function isLocalDestination(address: string, route: RouteInfo): boolean {
  const a = bareAddress(address);
  return route.type === 'local' || (route.ok === null && (a === '::1' || /^127\./.test(a)));
}

/**
 * What `ip` adds to a failed connect: the ARP/NDP entry of the next hop after no answer (ETIMEDOUT, EHOSTUNREACH),
 * read right after the attempt, and the line of the route table that rejected it (blackhole, prohibit, unreachable).
 */
export async function routeFacts(address: string, route: RouteInfo, errno: string): Promise<Pick<ConnectContext, 'neighbour' | 'routeLine'>> {
  const a = bareAddress(address);
  const family = isIP(a) === 6 ? '-6' : '-4';
  const out: Pick<ConnectContext, 'neighbour' | 'routeLine'> = {};
  if (['ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN'].includes(errno) && route.ok && route.type === 'unicast') {
    const hop = bareAddress(route.via ?? a);
    const text = await ipOutput([family, 'neigh', 'show', hop, ...(route.dev ? ['dev', route.dev] : [])]);
    if (text !== undefined) out.neighbour = parseIpNeigh(text, hop, route.dev);
  }
  if (route.ok === false && route.type && route.type !== 'none') {
    const text = await ipOutput([family, 'route', 'show', 'match', a]);
    if (text !== undefined) out.routeLine = parseRouteMatch(text) ?? '';
  }
  return out;
}

/** One snapshot of the port on this host (listeners with owners, server sides of connections); undefined when unreadable. */
export async function portSnapshot(source: SocketSource, port: number, timeoutMs: number): Promise<Snapshot | undefined> {
  try {
    return await source.collect({ protocols: ['tcp'], port, processes: 'listeners', attribution: 'targeted', timeoutMs: timeoutMs + 5000 });
  } catch {
    return undefined; // unknown: the interpretation stays the generic one
  }
}

/** "127.0.0.1:48260", "::1:48260" (the probe's local endpoint) -> address and port. */
function splitEndpoint(e: string): { address: string; port: number } | undefined {
  const i = e.lastIndexOf(':');
  const port = Number(e.slice(i + 1));
  return i > 0 && Number.isInteger(port) ? { address: e.slice(0, i).replace(/^::ffff:(?=\d+\.)/, ''), port } : undefined;
}

/** States of a socket its program has closed while the peer has not yet (an orphan: no file, inode 0). */
const CLOSING = new Set(['FIN_WAIT1', 'FIN_WAIT2', 'CLOSING', 'LAST_ACK']);

/** This host's sockets to the destination after the probe: the probe's own left out, the ones closed by their program apart. */
function existingAfter(snap: Snapshot, address: string, port: number, own: ReadonlySet<string>): ExistingSockets {
  const to = snap.sockets.filter((s) => s.protocol === 'tcp' && s.peer.port === port && s.peer.address === address && !own.has(`${s.local.address}|${s.local.port}`));
  const closed = to.filter((s) => CLOSING.has(s.state) && s.inode === 0);
  const ex = summarizeExisting(to.filter((s) => !closed.includes(s)), address, port, snap);
  if (closed.length) {
    ex.closedByProgram = {};
    for (const s of closed) ex.closedByProgram[s.state] = (ex.closedByProgram[s.state] ?? 0) + 1;
  }
  return ex;
}

/** A connection the probe made that no process has accepted: the kernel finished the handshake for the listener. */
export interface NotAccepted {
  listener: string;
  pending: number;
  backlog?: number;
  by?: string;
  pid?: number;
}

/** The probe's report of one address, with what this pass adds (JSON: addresses[].notAccepted). */
export type ExplainedAddress = AddressProbe & { notAccepted?: NotAccepted };

/** Whether the exchange ended with a reset, and whether the request had been written before it. */
function resetInExchange(a: AddressProbe): { sent: boolean; error: string } | undefined {
  const e = a.exchange?.error;
  // Node names the failing syscall: "ECONNRESET: write ECONNRESET" when the reset was there before the request.
  return e && /^(ECONNRESET|EPIPE)\b/.test(e) ? { sent: !/\bwrite (ECONNRESET|EPIPE)\b/.test(e), error: e } : undefined;
}

/**
 * Re-reads the host around the probe's outcome and interprets it again with everything known: who listens on the
 * port and where, why no answer came (neighbour), which route refused, whether the connection was accepted.
 */
export async function explainProbe(r: ProbeResult, o: { expect?: string; timeoutMs: number; source: SocketSource }): Promise<ProbeResult> {
  if (r.addresses.length === 0) return r;
  const local = r.addresses.some((a) => isLocalDestination(a.address, a.route));
  const portSnap = local ? await portSnapshot(o.source, r.port, o.timeoutMs) : undefined;
  let peerSnap: Snapshot | undefined;
  // Read again only to set apart sockets closed by their program (the probe's reading cannot tell them), or for tcp_tw_reuse.
  if (r.addresses.some((a) => Object.keys(a.existing.states).some((st) => CLOSING.has(st)) || a.connect.errno === 'EADDRNOTAVAIL'))
    try {
      peerSnap = await o.source.collect({ protocols: ['tcp'], peerPort: r.port, details: true, processes: 'none', timeoutMs: o.timeoutMs + 5000 });
    } catch {
      /* the probe's reading stays */
    }
  const sysctls = (peerSnap ?? portSnap)?.sysctls;
  const twReuse = sysctls ? sysctlInt(sysctls, 'net.ipv4.tcp_tw_reuse') : null;
  const own = new Set(r.addresses.flatMap((a) => (a.connect.local && splitEndpoint(a.connect.local) ? [`${splitEndpoint(a.connect.local)!.address}|${splitEndpoint(a.connect.local)!.port}`] : [])));
  const resolved = isIP(bareAddress(r.host)) ? undefined : { host: r.host, addresses: r.resolution.addresses };
  const outcomes: AddressOutcome[] = [];
  for (const a of r.addresses as ExplainedAddress[]) {
    const bare = bareAddress(a.address);
    if (peerSnap) a.existing = existingAfter(peerSnap, bare, r.port, own);
    const listeners = portSnap && isLocalDestination(a.address, a.route) ? portListeners(portSnap.sockets, r.port) : undefined;
    const outcome: AddressOutcome = { address: a.address, connected: a.connect.ok, connectMs: a.connect.ms };
    if (!a.connect.ok && a.connect.errno) {
      const ctx: ConnectContext = {
        address: a.address,
        port: r.port,
        timeoutMs: r.timeoutMs,
        route: a.route,
        existing: a.existing,
        ...(listeners ? { listeners, listener: findLocalListener(portSnap!.sockets, bare, r.port) } : {}),
        ...(resolved ? { resolved } : {}),
        ...(await routeFacts(a.address, a.route, a.connect.errno)),
        twReuse,
      };
      a.diagnosis = diagnoseConnectError(a.connect.errno, ctx);
      outcome.diagnosis = a.diagnosis;
    }
    // As the probe builds its outcome (connect-probe.ts), plus a reset and a connection nobody accepted.
    if (a.tls) {
      const t = a.tls;
      outcome.tls = { ok: t.ok && t.authorized !== false, handshakeFailed: !t.ok, error: t.explanation ?? t.error ?? (t.authorized === false ? t.authorizationError : undefined), expired: t.expired, daysLeft: t.daysLeft };
    }
    if (a.exchange && o.expect !== undefined) outcome.expect = { ok: a.exchange.ok === true, wanted: o.expect, replied: a.exchange.received.length > 0, ...(a.exchange.error ? { error: a.exchange.error } : {}) };
    const holder = listeners ? listenerFor(listeners, bare) : undefined;
    const reset = resetInExchange(a);
    if (reset) outcome.reset = { ...reset, ...(holder?.owners.length ? { by: listenerOwners(holder), pid: holder.owners[0].pid } : {}) };
    const from = a.connect.ok && a.connect.local ? splitEndpoint(a.connect.local) : undefined;
    if (from && holder && holder.pending > 0 && portSnap) {
      // Not accepted yet: the server side exists (handshake done) but has no file (inode 0): it waits in the queue.
      const queued = portSnap.sockets.some((s) => s.protocol === 'tcp' && s.local.port === r.port && s.peer.port === from.port && s.peer.address === from.address && ['ESTABLISHED', 'CLOSE_WAIT', 'SYN_RECV'].includes(s.state) && s.inode === 0);
      if (queued) {
        a.notAccepted = { listener: formatHostPort(holder.address, r.port), pending: holder.pending, ...(holder.backlog !== undefined ? { backlog: holder.backlog } : {}), ...(holder.owners.length ? { by: listenerOwners(holder), pid: holder.owners[0].pid } : {}) };
        outcome.notAccepted = a.notAccepted;
      }
    }
    outcomes.push(outcome);
  }
  const allExisting = r.addresses.reduce<ExistingSockets | undefined>((acc, p) => (acc && acc.timeWait >= p.existing.timeWait ? acc : p.existing), undefined);
  r.verdict = verdict(r.host, r.port, outcomes, allExisting);
  return r;
}

function ms(n: number): string {
  return n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`;
}

/** The existing line: this host's other sockets to the destination. */
function existingLine(e: ExistingSockets): string {
  const states = Object.entries(e.states).map(([k, v]) => `${k} ${v}`).join(', ');
  const closed = Object.entries(e.closedByProgram ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  return (
    `${e.total === 0 ? 'no other sockets from this host to it' : `${e.total} socket(s): ${states}`}${e.avgRttMs !== undefined ? `; rtt avg ${e.avgRttMs.toFixed(2)} ms, max ${e.maxRttMs!.toFixed(2)} ms` : ''}${e.total ? `; ${e.retransTotal} retransmits` : ''}` +
    `${closed ? `; not counted, closed by their program and waiting for the peer to close: ${closed} (an earlier probe leaves one such socket)` : ''}` +
    `${e.portRange ? `; TIME_WAIT ${e.timeWait} of ${e.portRange.size} ephemeral ports (${e.portRange.low}-${e.portRange.high})` : ''}`
  );
}

/** Human report of a probe. */
export function formatProbe(r: ProbeResult): string {
  const out: string[] = [];
  out.push(formatHostPort(r.host, r.port));
  if (r.resolution.error) out.push(`resolve: failed (${r.resolution.error}${r.resolution.timedOut ? ': no answer from the resolver' : ''}) after ${ms(r.resolution.ms)}`);
  else out.push(`resolve: ${r.resolution.addresses.join(', ')}${r.resolution.ms ? ` (${ms(r.resolution.ms)})` : ' (literal address)'}`);
  for (const a of r.addresses) {
    out.push('');
    out.push(formatHostPort(a.address, r.port));
    out.push(`  route:    ${escapeControl(a.route.description)}`); // names an interface: untrusted text
    if (a.connect.ok) out.push(`  connect:  ok in ${ms(a.connect.ms)}${a.connect.local ? ` (from ${a.connect.local})` : ''}`);
    else out.push(`  connect:  ${a.connect.errno} after ${ms(a.connect.ms)} (${a.connect.message})`);
    const na = (a as ExplainedAddress).notAccepted;
    if (na) out.push(`  accepted: no: it waits in the accept queue of ${na.listener}${na.by ? ` (${escapeControl(na.by)})` : ''}: Recv-Q ${na.pending}${na.backlog !== undefined ? `, backlog ${na.backlog}` : ''}`);
    if (a.diagnosis) {
      out.push(`  meaning:  ${escapeControl(a.diagnosis.summary)}`); // names processes and interfaces: untrusted text
      if (a.diagnosis.meaning) out.push(`            ${a.diagnosis.meaning}`);
    }
    if (a.tls) {
      if (!a.tls.ok) {
        out.push(`  tls:      failed: ${a.tls.explanation ?? escapeControl(a.tls.error ?? 'unknown error')}`);
        if (a.tls.error && a.tls.explanation) out.push(`  detail:   ${escapeControl(a.tls.error)}`); // the library's words, as evidence
      } else {
        out.push(`  tls:      ${a.tls.protocol} ${a.tls.cipher} in ${ms(a.tls.handshakeMs ?? 0)}; ${a.tls.authorized ? 'certificate verifies' : `certificate does NOT verify (${a.tls.authorizationError})`}`);
        out.push(`  subject:  ${escapeControl(a.tls.subject ?? '-')}`);
        out.push(`  issuer:   ${escapeControl(a.tls.issuer ?? '-')}`);
        out.push(`  expires:  ${a.tls.validTo} (${a.tls.expired ? 'EXPIRED' : `${a.tls.daysLeft} days left`})`);
        if (a.tls.altNames) out.push(`  names:    ${escapeControl(a.tls.altNames)}`);
      }
    }
    if (a.exchange) {
      const reset = resetInExchange(a);
      out.push(`  sent:     ${reset && !reset.sent ? `nothing: the write failed (${escapeControl(reset.error)})` : jsonText(a.exchange.sent)}`);
      out.push(`  reply:    ${a.exchange.received ? escapeControl(a.exchange.received.slice(0, 200)) : '(nothing)'}${a.exchange.received.length > 200 ? '...' : ''}`);
      if (a.exchange.ok !== undefined) out.push(`  expect:   ${a.exchange.ok ? 'matched' : `NOT matched${a.exchange.error ? ` (${a.exchange.error})` : ''}`}`);
    }
    out.push(`  existing: ${existingLine(a.existing)}`);
  }
  if (r.existingNote) out.push(`\nnote: ${r.existingNote}`);
  out.push('');
  out.push(`Verdict: ${escapeControl(r.verdict.summary)}`);
  if (r.verdict.nextSteps.length) {
    out.push('Next steps:');
    for (const s of r.verdict.nextSteps) out.push(`  - ${escapeControl(s)}`);
  }
  return out.join('\n') + '\n';
}

export async function runDebugConnections(a: Args): Promise<void> {
  const hp = parseHostPort(a.address ?? '');
  if ('error' in hp) throw new UsageError(`--address: ${hp.error}`);
  const timeoutMs = parseDuration('timeout', a.timeout ?? '3s', { minMs: 1, maxMs: 300_000 });
  if (a.expect !== undefined && a.expect === '') throw new UsageError('--expect needs a non-empty text');
  const source = createSource((a.source ?? 'auto') as SourceChoice);
  const r = await explainProbe(await probeConnections({ host: hp.host, port: hp.port, timeoutMs, tls: a.tls, send: a.send, expect: a.expect, source }), { expect: a.expect, timeoutMs, source });
  if (a.json) printJson(r);
  else process.stdout.write(formatProbe(r));
  // The verdict decides nothing about the exit code: the diagnosis itself succeeded.
}
