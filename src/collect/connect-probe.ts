// debug-connections: resolves a name, and for every address takes the route, a timed TCP connect (optionally TLS,
// connect-tls.ts, and an application request), and this host's existing sockets to it; with --udp a datagram instead
// (datagram-probe.ts). Interpretation lives in src/knowledge.
import { Socket as NetSocket } from 'node:net';
import type { Snapshot } from '../model/snapshot.js';
import { describeRoute, diagnoseConnectError, errnoMessage, explainTlsFailure, PEER_CLOSED_BEFORE_REPLY, reuseportGroup, type ConnectDiagnosis, type ExistingSockets, type QueueMember, type RouteInfo } from '../knowledge/interpret-connect.js';
import type { DatagramDiagnosis } from '../knowledge/datagram-diagnosis.js';
import type { IcmpReport } from '../knowledge/icmp-report.js';
import { formatHostPort, ipFamily } from '../knowledge/host-port.js';
import { explainProbe, type ListenerReadings } from './connect-explain.js';
import { isTlsLibraryError, tlsHandshake, type TlsResult } from './connect-tls.js';
import { bareAddress, isLocalDestination, listenerReading, summarizeExisting } from './connect-facts.js';
import { probeDatagrams, type DatagramProbe } from './datagram-probe.js';
import { connectHost, resolveAll, routeTo } from './destination.js';
import { logOsCall } from './debug.js';
import { createSource } from './index.js';
import { msSince, replyFields, unescapeText } from './probe-text.js';
import type { SocketSource } from './source.js';

export type { TlsResult } from './connect-tls.js';

export interface ProbeOptions {
  host: string;
  port: number;
  timeoutMs: number;
  tls?: boolean;
  /** Text to send after connecting (and after the TLS handshake). */
  send?: string;
  /** Text the reply must contain. */
  expect?: string;
  /** Test UDP instead of TCP: one datagram (`send`, or an empty one) to each address (probeDatagrams). */
  udp?: boolean;
  source?: SocketSource;
}

/** A connection the probe made that no process has accepted: the kernel finished the handshake for the listener. */
export interface NotAccepted {
  /** The listener's address, as [::1]:8080. */
  listener: string;
  /** Its accept queue (Recv-Q) and backlog (Send-Q). */
  pending: number;
  backlog?: number;
  /** The listener's owners ("python3/4242") and the first one's pid. */
  by?: string;
  pid?: number;
  /** SO_REUSEPORT: how many listeners share the address and port (the kernel hashes each connection to one). */
  groupSize?: number;
  /**
   * Set when the member of the group whose queue holds the connection cannot be told (several hold connections and
   * their queues changed otherwise too): every member holding connections. `pending` is then their sum, `by` unset.
   */
  members?: QueueMember[];
}

export interface AddressProbe {
  address: string;
  family: 4 | 6;
  route: RouteInfo & { description: string };
  connect: { ok: boolean; ms: number; errno?: string; message?: string; local?: string };
  diagnosis?: ConnectDiagnosis | DatagramDiagnosis;
  /** A refused or unreachable connect: the ICMP error a second attempt on sockscope's own socket read (IP_RECVERR), null for none (a reset). */
  icmp?: IcmpReport | null;
  tls?: TlsResult;
  /** --udp: the datagram sent and what came of it (`connect` then says the same: ok when sent and not refused). */
  datagram?: DatagramProbe;
  /**
   * failedStep: whether the write of the request or the reading of the reply failed (with `error`); `explanation`: a
   * TLS error in plain words (explainTlsFailure), e.g. a TLS 1.3 server's alert for a missing client certificate.
   * `received` is the reply as text, at most 4096 characters; `receivedBytes` how many bytes were read (reading stops
   * past 64 KiB); `truncated` set when `received` holds less than all of them.
   */
  exchange?: { sent: string; received: string; receivedBytes?: number; truncated?: boolean; ok?: boolean; error?: string; explanation?: string; failedStep?: 'write' | 'read'; ms: number };
  existing: ExistingSockets;
  /** Connected, but the listener's process has not accepted the connection (JSON: addresses[].notAccepted). */
  notAccepted?: NotAccepted;
  /**
   * The probe was taken, but other members of its SO_REUSEPORT group hold connections that stayed unaccepted for half a
   * second: the connections the kernel hashes to them wait (one stuck worker of N). Each with its queue.
   */
  othersWaiting?: { listener: string; groupSize: number; members: QueueMember[] };
}

export interface ProbeResult {
  host: string;
  port: number;
  /** 'udp' with --udp (every address got a datagram, not a TCP connect); absent for TCP. */
  protocol?: 'udp';
  timeoutMs: number;
  /** timedOut: the resolver gave no answer within the timeout (its getaddrinfo thread may still be waiting). */
  resolution: { addresses: string[]; ms: number; error?: string; timedOut?: boolean };
  addresses: AddressProbe[];
  /** Which collector listed the existing sockets. */
  existingSource?: string;
  existingNote?: string;
  verdict: { ok: boolean; summary: string; nextSteps: string[] };
}

/**
 * How long a bare connect (no --tls, --send or --expect) is watched for a reset after it succeeded, before the server
 * is said to accept connections: a server that accepts and resets at once (SO_LINGER {1, 0}, a crash) resets about one
 * round trip after the handshake (the connect's own time), so twice the connect's time, at least RESET_WATCH_MIN_MS,
 * at most the timeout. Time the probe spent meanwhile (the listener reading after the connect) counts.
 */
export const RESET_WATCH_MIN_MS = 150;

/** A connect's outcome; for a connected socket, `resetWithin` tells whether the peer reset it within `ms` of the connect. */
export interface TcpConnectResult {
  ok: boolean;
  ms: number;
  errno?: string;
  message?: string;
  socket?: NetSocket;
  local?: string;
  /** The reset (ECONNRESET...) that came within `ms` of the connect, or undefined when none did (the socket is left open). */
  resetWithin?: (ms: number) => Promise<{ errno: string; message: string } | undefined>;
}

/** A TCP connect with a timeout; resolves with the connected socket (caller closes it) or the error code. */
export function tcpConnect(address: string, port: number, timeoutMs: number): Promise<TcpConnectResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = new NetSocket();
    let done = false;
    // An error after the connect: kept from the moment of the connect on, so that one before anyone asks is not lost.
    let late: { errno: string; message: string } | undefined;
    let connectedAt = 0;
    const resetWithin = (ms: number) =>
      new Promise<{ errno: string; message: string } | undefined>((res) => {
        if (late || s.destroyed) return res(late);
        const t = setTimeout(() => {
          s.off('error', onError);
          res(undefined);
        }, Math.max(0, connectedAt + ms - performance.now()));
        const onError = () => {
          clearTimeout(t);
          res(late);
        };
        s.once('error', onError);
      });
    const finish = (r: { ok: boolean; errno?: string; message?: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const ms = msSince(t0);
      logOsCall('net', `connect ${address}:${port}`, ms, undefined, r.errno ? `error=${r.errno}` : 'ok');
      if (!r.ok) s.destroy();
      // [::1]:48260, as every endpoint sockscope prints (splitEndpoint in knowledge/host-port.ts reads it back).
      resolve({ ...r, ms, ...(r.ok ? { socket: s, local: formatHostPort(s.localAddress ?? '', s.localPort ?? 0), resetWithin } : {}) });
    };
    const timer = setTimeout(() => finish({ ok: false, errno: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    s.once('connect', () => {
      connectedAt = performance.now();
      s.on('error', (e: NodeJS.ErrnoException) => {
        late ??= { errno: e.code ?? 'EIO', message: (e.code && errnoMessage(e.code)) || e.message };
        logOsCall('net', `after connect ${address}:${port}`, msSince(connectedAt), undefined, `error=${late.errno}`);
      });
      finish({ ok: true });
    });
    s.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, errno: e.code ?? 'EIO', message: (e.code && errnoMessage(e.code)) || e.message }));
    s.connect({ host: connectHost(address), port, family: ipFamily(address) || undefined });
  });
}

/**
 * Writes `send`, reads until `expect` appears, the peer closes, or the timeout. The reply is matched as
 * bytes against `expect` in UTF-8 (what a terminal sends when the user types it), so a character split
 * over two TCP segments still matches, and a latin1 0xE9 is not taken for "é".
 */
export function exchange(socket: NetSocket, send: string | undefined, expect: string | undefined, timeoutMs: number): Promise<NonNullable<AddressProbe['exchange']>> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const wanted = expect !== undefined ? Buffer.from(expect, 'utf8') : undefined;
    let received = Buffer.alloc(0);
    let done = false;
    const matched = () => wanted !== undefined && received.includes(wanted);
    let explanation: string | undefined;
    const finish = (error?: string, failedStep?: 'write' | 'read') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      const ok = wanted !== undefined ? matched() : undefined;
      resolve({ sent: send !== undefined ? unescapeText(send) : '', ...replyFields(received), ...(ok !== undefined ? { ok } : {}), ...(error ? { error, ...(explanation ? { explanation } : {}), ...(failedStep ? { failedStep } : {}) } : {}), ms: msSince(t0) });
    };
    // A TLS error (an alert from the server) is said in plain words too; OpenSSL's text ends in a newline (trimmed).
    const failedWith = (e: NodeJS.ErrnoException, step: 'write' | 'read') => {
      if (isTlsLibraryError(e.code)) explanation ??= explainTlsFailure(e.code, e.message);
      finish(`${e.code ?? 'error'}: ${e.message.trim()}`, step);
    };
    const timer = setTimeout(() => finish(wanted !== undefined && !matched() ? `no matching reply within ${timeoutMs} ms` : undefined), timeoutMs);
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (received.length > 65536) finish();
      else if (matched()) finish();
      else if (wanted === undefined && received.length > 0) setTimeout(() => finish(), 50);
    });
    socket.once('end', () => finish(wanted !== undefined && !matched() ? PEER_CLOSED_BEFORE_REPLY : undefined));
    // A failed write reaches its callback before the socket's 'error' event (Writable onwriteError): the error
    // handler waits a turn so that the step is known from the callback, not guessed from the message.
    socket.once('error', (e: NodeJS.ErrnoException) => setImmediate(() => failedWith(e, 'read')));
    if (send !== undefined)
      socket.write(unescapeText(send), (e?: Error | null) => {
        const code = (e as NodeJS.ErrnoException | null | undefined)?.code;
        // ERR_STREAM_DESTROYED: the socket was closed by a failed read while the request waited in Node's buffer.
        if (e && code !== 'ERR_STREAM_DESTROYED') failedWith(e, 'write');
      });
  });
}

/** Runs the whole probe. Connect attempts run one address after another (as a client would try them). */
export async function probeConnections(o: ProbeOptions): Promise<ProbeResult> {
  const res = await resolveAll(o.host, o.timeoutMs);
  const source = o.source ?? createSource('auto');
  const result: ProbeResult = {
    host: o.host,
    port: o.port,
    timeoutMs: o.timeoutMs,
    resolution: { addresses: res.addresses.map((a) => a.address), ms: res.ms, ...(res.error ? { error: res.error } : {}), ...(res.timedOut ? { timedOut: true } : {}) },
    addresses: [],
    verdict: { ok: false, summary: '', nextSteps: [] },
  };
  if (res.error || res.addresses.length === 0) {
    const d = diagnoseConnectError(res.error ?? 'ENOTFOUND', { address: o.host, port: o.port });
    result.verdict = { ok: false, summary: `${o.host} does not resolve: ${res.error ?? 'no addresses'} (${d.summary})`, nextSteps: d.nextSteps.map((s) => s.replace('NAME', o.host)) };
    return result;
  }
  if (o.udp) return probeDatagrams(o, result, res.addresses, source);
  let snap: Snapshot | undefined;
  try {
    snap = await source.collect({ protocols: ['tcp'], peerPort: o.port, details: true, processes: 'none', timeoutMs: o.timeoutMs + 5000 });
    result.existingSource = snap.source;
  } catch (e) {
    result.existingNote = `this host's existing sockets are unknown: ${(e as Error).message}`;
  }
  const readings = new Map<AddressProbe, ListenerReadings>();
  for (const a of res.addresses) {
    const route = await routeTo(a.address);
    // A local destination: its listeners just before the connect and, when several share the address (SO_REUSEPORT),
    // just after, so that the one whose queue the connection joined can be told (explainProbe).
    const before = isLocalDestination(a.address, route) ? await listenerReading(source, o.port, o.timeoutMs) : undefined;
    const c = await tcpConnect(a.address, o.port, o.timeoutMs);
    const after = before && c.ok && reuseportGroup(before, bareAddress(a.address)).length > 1 ? await listenerReading(source, o.port, o.timeoutMs) : undefined;
    const existing = summarizeExisting(snap?.sockets ?? [], bareAddress(a.address), o.port, snap);
    const probe: AddressProbe = {
      address: a.address,
      family: a.family,
      route: { ...route, description: describeRoute(route) },
      connect: { ok: c.ok, ms: c.ms, ...(c.errno ? { errno: c.errno, message: c.message } : {}), ...(c.local ? { local: c.local } : {}) },
      existing,
    };
    if (before) readings.set(probe, { before, ...(after ? { after } : {}) });
    if (c.ok) {
      let sock: NetSocket = c.socket!;
      if (o.tls) {
        const h = await tlsHandshake(sock, ipFamily(o.host) ? undefined : o.host, o.timeoutMs, o.host);
        probe.tls = h.result;
        if (h.tlsSocket) sock = h.tlsSocket;
      }
      // A connection the server reset or closed right after the TLS handshake has no exchange to run.
      if ((o.send !== undefined || o.expect !== undefined) && (!o.tls || (probe.tls?.ok && !probe.tls.closedAfterHandshake))) {
        probe.exchange = await exchange(sock, o.send, o.expect !== undefined ? unescapeText(o.expect) : undefined, o.timeoutMs);
        // A TLS alert during the exchange (one that came after the watch of tlsHandshake): the TLS session failed.
        const x = probe.exchange;
        if (probe.tls && x.explanation) probe.tls = { ...probe.tls, ok: false, explanation: x.explanation, ...(x.error ? { error: x.error } : {}) };
      } else if (!o.tls) {
        // Nothing else ran on the connection that a reset would end: watch it a little (RESET_WATCH_MIN_MS) so that a
        // server that accepts and resets at once is "accepted, then reset" (ECONNRESET, as when the reset beat Node's
        // connect event), not a server that accepts connections.
        const reset = await c.resetWithin!(Math.min(o.timeoutMs, Math.max(RESET_WATCH_MIN_MS, Math.ceil(2 * c.ms))));
        if (reset) probe.connect = { ok: false, ms: c.ms, errno: reset.errno, message: reset.message, ...(c.local ? { local: c.local } : {}) };
      }
      sock.destroy();
      c.socket!.destroy();
    }
    result.addresses.push(probe);
  }
  // The diagnoses and the verdict come from the host's facts read after the attempts (connect-explain.ts).
  return explainProbe(result, { expect: o.expect, timeoutMs: o.timeoutMs, source, readings });
}
