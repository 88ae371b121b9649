// debug-connections: resolves a name, and for every address takes the route, a timed TCP connect (optionally TLS
// and an application request), and this host's existing sockets to it. Interpretation lives in src/knowledge.
import { lookup } from 'node:dns/promises';
import { createSocket as createDgram } from 'node:dgram';
import { isIP, Socket as NetSocket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { decodeUtf8 } from '../model/escape.js';
import type { Snapshot } from '../model/snapshot.js';
import { describeRoute, diagnoseConnectError, errnoMessage, explainTlsFailure, parseIpRouteGet, reuseportGroup, unknownRoute, type ConnectDiagnosis, type ExistingSockets, type QueueMember, type RouteInfo } from '../knowledge/interpret-connect.js';
import { datagramVerdict, diagnoseDatagram, type DatagramDiagnosis, type UdpSocketReading } from '../knowledge/connect-diagnosis.js';
import { explainProbe, type ListenerReadings } from './connect-explain.js';
import { bareAddress, isLocalDestination, listenerReading, summarizeExisting, udpConnectedCount, udpDropsBefore, udpPortReadings, unknownZone, zoneInterface } from './connect-facts.js';
import { formatHostPort, zoneOf } from '../knowledge/host-port.js';
import { isLinkLocal } from '../model/socket.js';
import { logOsCall } from './debug.js';
import { run } from './exec.js';
import { createSource } from './index.js';
import type { SocketSource } from './source.js';

/** Milliseconds since t0, rounded to 0.01 ms (for reports and JSON). */
function msSince(t0: number): number {
  return Math.round((performance.now() - t0) * 100) / 100;
}

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

/**
 * One datagram sent to an address (debug-connections --udp) from a connect()ed UDP socket, which is how an ICMP port
 * unreachable becomes visible (ECONNREFUSED on the next receive). `ok`: sent, and no error came back.
 */
export interface DatagramProbe {
  ok: boolean;
  /** From the send to the reply, the error, or the end of the wait. */
  ms: number;
  errno?: string;
  message?: string;
  /** This end, as [::1]:48260. */
  local?: string;
  /** Bytes sent (0: an empty datagram, when no --send was given). */
  sent: number;
  /** What came back: the first datagram, or every one until --expect matched. Absent when nothing did. */
  reply?: string;
  replyBytes?: number;
  /** Whether the reply contains --expect (absent without --expect, or without a reply). */
  matched?: boolean;
  /** This host: its UDP sockets on the port, with their drop counters before and after the datagram. */
  udpSockets?: UdpSocketReading[];
}

export interface TlsResult {
  ok: boolean;
  /** Why the handshake failed, in plain words (explainTlsFailure). */
  explanation?: string;
  /** The TLS library's own error (code and OpenSSL text), kept as evidence. */
  error?: string;
  protocol?: string;
  cipher?: string;
  /** Whether the chain verifies against the system CAs and matches the name. */
  authorized?: boolean;
  authorizationError?: string;
  subject?: string;
  issuer?: string;
  validFrom?: string;
  validTo?: string;
  daysLeft?: number;
  expired?: boolean;
  altNames?: string;
  handshakeMs?: number;
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
  tls?: TlsResult;
  /** --udp: the datagram sent and what came of it (`connect` then says the same: ok when sent and not refused). */
  datagram?: DatagramProbe;
  /** failedStep: whether the write of the request or the reading of the reply failed (with `error`). */
  exchange?: { sent: string; received: string; ok?: boolean; error?: string; failedStep?: 'write' | 'read'; ms: number };
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
 * Every A/AAAA the system resolver returns (getaddrinfo: /etc/hosts, then DNS), in its order. With `timeoutMs`,
 * a resolver that does not answer in time gives EAI_AGAIN with timedOut (getaddrinfo itself cannot be cancelled).
 */
export async function resolveAll(host: string, timeoutMs?: number): Promise<{ addresses: { address: string; family: 4 | 6 }[]; ms: number; error?: string; timedOut?: boolean }> {
  const t0 = performance.now();
  const bare = host.replace(/%.*$/, '');
  if (isIP(bare)) return { addresses: [{ address: host, family: isIP(bare) as 4 | 6 }], ms: 0 };
  let timer: NodeJS.Timeout | undefined;
  // getaddrinfo cannot be cancelled, and its thread holds Node at exit until the resolver gives up (glibc:
  // 5 s x 2 attempts per nameserver). RES_OPTIONS, read by glibc when a thread's resolver starts, bounds that
  // wait for this lookup (a thread whose resolver already started keeps its options); restored once it settles.
  const previous = process.env.RES_OPTIONS;
  if (timeoutMs !== undefined) process.env.RES_OPTIONS = `${previous ?? ''} timeout:${Math.max(1, Math.ceil(timeoutMs / 1000))} attempts:1`.trim();
  try {
    const pending = lookup(host, { all: true, verbatim: true });
    const restore = () => {
      if (timeoutMs === undefined) return;
      if (previous === undefined) delete process.env.RES_OPTIONS;
      else process.env.RES_OPTIONS = previous;
    };
    pending.then(restore, restore); // also keeps a late failure after the timeout from being an unhandled rejection
    const expired = new Promise<never>((_, reject) => {
      if (timeoutMs !== undefined) timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'EAI_AGAIN', timedOut: true })), timeoutMs);
    });
    const r = await Promise.race([pending, expired]);
    const ms = msSince(t0);
    logOsCall('dns', `lookup ${host}`, ms, undefined, `${r.length} addresses`);
    const seen = new Set<string>();
    return { addresses: r.filter((a) => !seen.has(a.address) && seen.add(a.address)).map((a) => ({ address: a.address, family: a.family as 4 | 6 })), ms };
  } catch (e) {
    const ms = msSince(t0);
    const code = (e as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
    const timedOut = (e as { timedOut?: boolean }).timedOut === true;
    logOsCall('dns', `lookup ${host}`, ms, undefined, `error=${code}${timedOut ? ' (timeout)' : ''}`);
    return { addresses: [], ms, error: code, ...(timedOut ? { timedOut } : {}) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `ip route get ADDRESS`, parsed; unknown (ok null, with the reason) when ip cannot run: never a guessed route. The
 * route of the address the kernel routes: an IPv4-mapped one through the IPv4 table (`ip route get ::ffff:127.0.0.1`
 * reads the IPv6 table and answers its default route), a link-local one through the interface its zone names
 * (`oif`: ip rejects "fe80::1%eth0", and without it the kernel picks any link). A zone that names no interface
 * has no route (connect() fails with EINVAL: there is no scope id).
 */
export async function routeTo(address: string): Promise<RouteInfo> {
  const a = bareAddress(address);
  const zone = zoneOf(address);
  let oif: string[] = [];
  if (zone !== undefined && isLinkLocal(a)) {
    const dev = zoneInterface(zone);
    if (dev === undefined) {
      const error = `no interface ${zone} on this host (the zone after % names none)`;
      return { ok: false, type: 'none', text: error, error };
    }
    oif = ['oif', dev];
  }
  try {
    const r = await run('ip', ['route', 'get', a, ...oif], { timeoutMs: 5000 });
    return parseIpRouteGet(r.stdout, r.stderr, r.exitCode);
  } catch (e) {
    return unknownRoute((e as Error).message);
  }
}

/**
 * The address as Node's connect takes it: a numeric zone ("fe80::1%2") by its interface's name, since libuv reads
 * the zone with if_nametoindex only (measured: "fe80::2%2" gave EINVAL where "fe80::2%va", interface 2, connected).
 */
function connectHost(address: string): string {
  const zone = zoneOf(address);
  const name = zone !== undefined && /^\d+$/.test(zone) ? zoneInterface(zone) : undefined;
  return name !== undefined ? `${address.replace(/%.*$/, '')}%${name}` : address;
}

/** A TCP connect with a timeout; resolves with the connected socket (caller closes it) or the error code. */
export function tcpConnect(address: string, port: number, timeoutMs: number): Promise<{ ok: boolean; ms: number; errno?: string; message?: string; socket?: NetSocket; local?: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = new NetSocket();
    let done = false;
    const finish = (r: { ok: boolean; errno?: string; message?: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const ms = msSince(t0);
      logOsCall('net', `connect ${address}:${port}`, ms, undefined, r.errno ? `error=${r.errno}` : 'ok');
      if (!r.ok) s.destroy();
      // [::1]:48260, as every endpoint sockscope prints (splitEndpoint in connect-explain.ts reads it back).
      resolve({ ...r, ms, ...(r.ok ? { socket: s, local: formatHostPort(s.localAddress ?? '', s.localPort ?? 0) } : {}) });
    };
    const timer = setTimeout(() => finish({ ok: false, errno: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    s.once('connect', () => finish({ ok: true }));
    s.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, errno: e.code ?? 'EIO', message: (e.code && errnoMessage(e.code)) || e.message }));
    s.connect({ host: connectHost(address), port, family: isIP(address.replace(/%.*$/, '')) || undefined });
  });
}

function certName(c: PeerCertificate['subject'] | undefined): string | undefined {
  if (!c) return undefined;
  const parts = Object.entries(c as unknown as Record<string, string | string[]>).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`);
  return parts.length ? parts.join(', ') : undefined;
}

/** TLS handshake on a connected socket; reports the certificate whether or not it verifies. */
export function tlsHandshake(socket: NetSocket, servername: string | undefined, timeoutMs: number): Promise<{ result: TlsResult; tlsSocket?: NetSocket }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const t = tlsConnect({ socket, servername, rejectUnauthorized: false });
    const timer = setTimeout(() => {
      t.destroy();
      resolve({ result: { ok: false, explanation: `the server sent no TLS answer within ${timeoutMs} ms (is this port speaking TLS?)` } }); // no library error to keep
    }, timeoutMs);
    t.once('secureConnect', () => {
      clearTimeout(timer);
      const c = t.getPeerCertificate();
      const validTo = c?.valid_to ? new Date(c.valid_to) : undefined;
      const daysLeft = validTo ? Math.floor((validTo.getTime() - Date.now()) / 86_400_000) : undefined;
      const r: TlsResult = {
        ok: true,
        protocol: t.getProtocol() ?? undefined,
        cipher: t.getCipher()?.name,
        authorized: t.authorized,
        ...(t.authorizationError ? { authorizationError: String(t.authorizationError) } : {}),
        subject: certName(c?.subject),
        issuer: certName(c?.issuer),
        validFrom: c?.valid_from,
        validTo: c?.valid_to,
        daysLeft,
        expired: validTo ? validTo.getTime() < Date.now() : undefined,
        altNames: c?.subjectaltname,
        handshakeMs: msSince(t0),
      };
      logOsCall('net', `tls handshake ${servername ?? ''}`, r.handshakeMs!);
      resolve({ result: r, tlsSocket: t });
    });
    t.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // OpenSSL's text ends in a newline (and names its source file): trimmed, and shown apart from the explanation.
      resolve({ result: { ok: false, explanation: explainTlsFailure(e.code, e.message), error: `${e.code ? `${e.code}: ` : ''}${e.message.trim()}` } });
    });
  });
}

/** Turns \n, \r, \t and \\ in a command-line text into the characters. */
export function unescapeText(s: string): string {
  return s.replace(/\\([nrt\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c]!);
}

/** The reply as text for reports: UTF-8, bytes that are not as \xNN once escaped (decodeUtf8), at most 4096 UTF-16 units, no pair cut. */
function replyText(bytes: Buffer): string {
  const text = decodeUtf8(bytes);
  if (text.length <= 4096) return text;
  const last = text.charCodeAt(4095);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? 4095 : 4096);
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
    const finish = (error?: string, failedStep?: 'write' | 'read') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      const ok = wanted !== undefined ? matched() : undefined;
      resolve({ sent: send !== undefined ? unescapeText(send) : '', received: replyText(received), ...(ok !== undefined ? { ok } : {}), ...(error ? { error, ...(failedStep ? { failedStep } : {}) } : {}), ms: msSince(t0) });
    };
    const timer = setTimeout(() => finish(wanted !== undefined && !matched() ? `no matching reply within ${timeoutMs} ms` : undefined), timeoutMs);
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (received.length > 65536) finish();
      else if (matched()) finish();
      else if (wanted === undefined && received.length > 0) setTimeout(() => finish(), 50);
    });
    socket.once('end', () => finish(wanted !== undefined && !matched() ? 'the peer closed the connection before the expected reply' : undefined));
    // A failed write reaches its callback before the socket's 'error' event (Writable onwriteError): the error
    // handler waits a turn so that the step is known from the callback, not guessed from the message.
    socket.once('error', (e: NodeJS.ErrnoException) => setImmediate(() => finish(`${e.code ?? 'error'}: ${e.message}`, 'read')));
    if (send !== undefined)
      socket.write(unescapeText(send), (e?: Error | null) => {
        const code = (e as NodeJS.ErrnoException | null | undefined)?.code;
        // ERR_STREAM_DESTROYED: the socket was closed by a failed read while the request waited in Node's buffer.
        if (e && code !== 'ERR_STREAM_DESTROYED') finish(`${code ?? 'error'}: ${e.message}`, 'write');
      });
  });
}

/**
 * Sends `payload` from a connect()ed UDP socket and waits up to `timeoutMs` for a reply (until one contains `expect`,
 * when given) or an error: an ICMP port unreachable arrives as ECONNREFUSED on the socket (measured: Node's dgram
 * emits it as an 'error' from recvmsg). Neither within the wait: ok, nothing received.
 */
export function udpExchange(address: string, port: number, payload: Buffer, expect: Buffer | undefined, timeoutMs: number): Promise<Omit<DatagramProbe, 'udpSockets' | 'matched' | 'reply'> & { received?: Buffer }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const family = isIP(address.replace(/%.*$/, '')) === 6 ? 'udp6' : 'udp4';
    const s = createDgram(family);
    let received: Buffer | undefined;
    let local: string | undefined;
    let done = false;
    const finish = (r: { ok: boolean; errno?: string; message?: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const ms = msSince(t0);
      logOsCall('net', `udp send ${address}:${port}`, ms, payload.length, r.errno ? `error=${r.errno}` : received ? `reply ${received.length} bytes` : 'no reply');
      try {
        s.close();
      } catch {
        /* already closed */
      }
      resolve({ ...r, ms, sent: payload.length, ...(local ? { local } : {}), ...(received ? { received, replyBytes: received.length } : {}) });
    };
    const timer = setTimeout(() => finish({ ok: true }), timeoutMs);
    s.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, errno: e.code ?? 'EIO', message: (e.code && errnoMessage(e.code)) || e.message }));
    s.on('message', (m: Buffer) => {
      received = received ? Buffer.concat([received, m]) : m;
      if (expect === undefined || received.includes(expect) || received.length > 65536) finish({ ok: true });
    });
    // connect() of a UDP socket sends nothing, but fails at once where a TCP connect would (a rejecting route,
    // a link-local address without its zone): Node hands that error to the callback, not to 'error'.
    s.connect(port, connectHost(address), (e?: Error | null) => {
      const code = (e as NodeJS.ErrnoException | null | undefined)?.code;
      if (e) return finish({ ok: false, errno: code ?? 'EIO', message: (code && errnoMessage(code)) || e.message });
      const a = s.address();
      local = formatHostPort(a.address, a.port);
      s.send(payload, (e) => {
        if (e) finish({ ok: false, errno: (e as NodeJS.ErrnoException).code ?? 'EIO', message: ((e as NodeJS.ErrnoException).code && errnoMessage((e as NodeJS.ErrnoException).code!)) || e.message });
      });
    });
  });
}

/**
 * debug-connections --udp: one datagram to each address, one after another. For this host, the port's UDP sockets
 * are read before and after (which one received it, and whether its drop counter rose), and its TCP listeners when
 * it was refused; for every address, this host's UDP sockets connected to it.
 */
async function probeDatagrams(o: ProbeOptions, result: ProbeResult, addresses: readonly { address: string; family: 4 | 6 }[], source: SocketSource): Promise<ProbeResult> {
  result.protocol = 'udp';
  const payload = Buffer.from(o.send !== undefined ? unescapeText(o.send) : '', 'utf8');
  const expect = o.expect !== undefined ? unescapeText(o.expect) : undefined;
  const outcomes: { address: string; diagnosis: DatagramDiagnosis }[] = [];
  for (const a of addresses) {
    const route = await routeTo(a.address);
    const local = isLocalDestination(a.address, route);
    const before = local ? await udpDropsBefore(o.port, source, o.timeoutMs) : undefined;
    const x = await udpExchange(a.address, o.port, payload, expect !== undefined ? Buffer.from(expect, 'utf8') : undefined, o.timeoutMs);
    const bare = bareAddress(a.address);
    const udpSockets = local ? await udpPortReadings(source, o.port, o.timeoutMs, before) : undefined;
    const tcp = local && x.errno === 'ECONNREFUSED' ? await listenerReading(source, o.port, o.timeoutMs) : undefined;
    const connected = await udpConnectedCount(source, bare, o.port, o.timeoutMs);
    const reply = x.received ? replyText(x.received) : undefined;
    const matched = x.received && expect !== undefined ? x.received.includes(Buffer.from(expect, 'utf8')) : undefined;
    const datagram: DatagramProbe = {
      ok: x.ok,
      ms: x.ms,
      ...(x.errno ? { errno: x.errno, message: x.message } : {}),
      ...(x.local ? { local: x.local } : {}),
      sent: x.sent,
      ...(reply !== undefined ? { reply, replyBytes: x.replyBytes } : {}),
      ...(matched !== undefined ? { matched } : {}),
      ...(udpSockets ? { udpSockets } : {}),
    };
    const diagnosis = diagnoseDatagram({
      address: a.address,
      port: o.port,
      timeoutMs: o.timeoutMs,
      route,
      ...(x.errno ? { errno: x.errno } : {}),
      ...(x.received ? { replied: x.received.length } : {}),
      ...(expect !== undefined ? { expect, matched: matched === true } : {}),
      request: o.send !== undefined,
      ...(udpSockets ? { udpSockets } : {}),
      ...(tcp ? { tcpListeners: tcp.length } : {}),
      ...(unknownZone(a.address) !== undefined ? { unknownZone: unknownZone(a.address) } : {}),
    });
    const existing: ExistingSockets = { total: 0, states: {}, retransTotal: 0, timeWait: 0, ...(connected !== undefined ? { udpConnected: connected } : {}) };
    result.addresses.push({
      address: a.address,
      family: a.family,
      route: { ...route, description: describeRoute(route) },
      connect: { ok: x.ok, ms: x.ms, ...(x.errno ? { errno: x.errno, message: x.message } : {}), ...(x.local ? { local: x.local } : {}) },
      datagram,
      diagnosis,
      existing,
    });
    outcomes.push({ address: a.address, diagnosis });
  }
  result.verdict = datagramVerdict(o.host, o.port, outcomes);
  return result;
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
        const h = await tlsHandshake(sock, isIP(o.host) ? undefined : o.host, o.timeoutMs);
        probe.tls = h.result;
        if (h.tlsSocket) sock = h.tlsSocket;
      }
      if ((o.send !== undefined || o.expect !== undefined) && (!o.tls || probe.tls?.ok))
        probe.exchange = await exchange(sock, o.send, o.expect !== undefined ? unescapeText(o.expect) : undefined, o.timeoutMs);
      sock.destroy();
      c.socket!.destroy();
    }
    result.addresses.push(probe);
  }
  // The diagnoses and the verdict come from the host's facts read after the attempts (connect-explain.ts).
  return explainProbe(result, { expect: o.expect, timeoutMs: o.timeoutMs, source, readings });
}
