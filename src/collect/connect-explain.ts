// The last pass of a debug-connections probe (connect-probe.ts ends with it, so the CLI, the library's
// debugConnection and task all get one diagnosis): re-reads the host around the outcome and interprets it again
// with everything known: who listens on the port and where, why no answer came (neighbour), which route refused,
// whether the connection was accepted, whether the exchange ended with a reset.
import { isIP } from 'node:net';
import { diagnoseConnectError, findLocalListener, formatHostPort, listenerFor, listenerOwners, portListeners, verdict, type AddressOutcome, type ConnectContext, type ExistingSockets } from '../knowledge/interpret-connect.js';
import { sysctlInt, type Snapshot } from '../model/snapshot.js';
import type { Socket } from '../model/socket.js';
import { bareAddress, isLocalDestination, peerSnapshot, portSnapshot, routeFacts, summarizeExisting } from './connect-facts.js';
import type { AddressProbe, ProbeResult } from './connect-probe.js';
import type { SocketSource } from './source.js';

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

/** Whether the exchange ended with a reset, and whether the request had been written before it (exchange's failedStep). */
function resetInExchange(a: Pick<AddressProbe, 'exchange'>): { sent: boolean; error: string } | undefined {
  const x = a.exchange;
  return x?.error && /^(ECONNRESET|EPIPE)\b/.test(x.error) ? { sent: x.failedStep !== 'write', error: x.error } : undefined;
}

/** How long a connection may wait in the listener's queue before the report says the server has not accepted it. */
const ACCEPT_GRACE_MS = 500;

/** Interprets the probe's outcome again with the host's facts; fills diagnosis, notAccepted, existing and the verdict in place. */
export async function explainProbe(r: ProbeResult, o: { expect?: string; timeoutMs: number; source: SocketSource }): Promise<ProbeResult> {
  if (r.addresses.length === 0) return r;
  const local = r.addresses.some((a) => isLocalDestination(a.address, a.route));
  const portSnap = local ? await portSnapshot(o.source, r.port, o.timeoutMs) : undefined;
  // Read again only to set apart sockets closed by their program (the probe's reading cannot tell them), or for tcp_tw_reuse.
  const peerSnap = r.addresses.some((a) => Object.keys(a.existing.states).some((st) => CLOSING.has(st)) || a.connect.errno === 'EADDRNOTAVAIL') ? await peerSnapshot(o.source, r.port, o.timeoutMs) : undefined;
  const sysctls = (peerSnap ?? portSnap)?.sysctls;
  const twReuse = sysctls ? sysctlInt(sysctls, 'net.ipv4.tcp_tw_reuse') : null;
  const own = new Set(r.addresses.flatMap((a) => {
    const e = a.connect.local ? splitEndpoint(a.connect.local) : undefined;
    return e ? [`${e.address}|${e.port}`] : [];
  }));
  const resolved = isIP(bareAddress(r.host)) ? undefined : { host: r.host, addresses: r.resolution.addresses };
  const outcomes: AddressOutcome[] = [];
  for (const a of r.addresses) {
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
      const queuedIn = (snap: { sockets: readonly Socket[] }) =>
        snap.sockets.some((s) => s.protocol === 'tcp' && s.local.port === r.port && s.peer.port === from.port && s.peer.address === from.address && ['ESTABLISHED', 'CLOSE_WAIT', 'SYN_RECV'].includes(s.state) && s.inode === 0);
      // A busy server may take a few milliseconds to accept: only one that still has not after a pause is said not to.
      let queued = queuedIn(portSnap);
      if (queued) {
        await new Promise((res) => setTimeout(res, ACCEPT_GRACE_MS));
        const again = await portSnapshot(o.source, r.port, o.timeoutMs);
        queued = again ? queuedIn(again) : queued;
      }
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
