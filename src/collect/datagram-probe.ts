// debug-connections --udp: one datagram to each address of the destination, from a connect()ed UDP socket, with this
// host's UDP sockets on the port read around it; interpreted in src/knowledge/datagram-diagnosis.ts.
import { createSocket as createDgram } from 'node:dgram';
import { describeRoute, errnoMessage, type ExistingSockets } from '../knowledge/interpret-connect.js';
import { datagramVerdict, diagnoseDatagram, type DatagramDiagnosis } from '../knowledge/datagram-diagnosis.js';
import type { UdpSocketReading } from '../knowledge/udp-delivery.js';
import { formatHostPort, ipFamily } from '../knowledge/host-port.js';
import { bareAddress, hostAddresses, isLocalDestination, listenerReading, routeFacts, udpConnectedCount, udpDropsBefore, udpPortReadings, unknownZone } from './connect-facts.js';
import { icmpOnRetry, icmpRetryWanted } from './connect-explain.js';
import type { ProbeOptions, ProbeResult } from './connect-probe.js';
import { connectHost, routeTo } from './destination.js';
import { pathMtu } from './path-mtu.js';
import { logOsCall } from './debug.js';
import { msSince, replyText, unescapeText } from './probe-text.js';
import type { CollectOptions, SocketSource } from './source.js';

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
  /** The call that returned `errno` at once: the UDP socket's connect() (nothing sent) or the send; absent for an error that came later (an ICMP error). */
  failedCall?: 'connect' | 'send';
  /** The datagram's size in bytes (0: an empty datagram, when no --send was given); also when `failedCall` says nothing was sent. */
  sent: number;
  /**
   * The path MTU the kernel holds for the address (IP_MTU / IPV6_MTU), read when the datagram does not fit the smallest
   * MTU (1280) or an EMSGSIZE came back after the send (an ICMP fragmentation needed: it left, a router dropped it).
   */
  pathMtu?: number;
  /** What came back: the first datagram, or every one until --expect matched. Absent when nothing did. */
  reply?: string;
  replyBytes?: number;
  /** Whether the reply contains --expect (absent without --expect, or without a reply). */
  matched?: boolean;
  /** This host: its UDP sockets on the port, with their drop counters before and after the datagram. */
  udpSockets?: UdpSocketReading[];
}

/**
 * Sends `payload` from a connect()ed UDP socket and waits up to `timeoutMs` for a reply (until one contains `expect`,
 * when given) or an error: an ICMP port unreachable arrives as ECONNREFUSED on the socket (measured: Node's dgram
 * emits it as an 'error' from recvmsg). Neither within the wait: ok, nothing received.
 */
export function udpExchange(address: string, port: number, payload: Buffer, expect: Buffer | undefined, timeoutMs: number): Promise<Omit<DatagramProbe, 'udpSockets' | 'matched' | 'reply'> & { received?: Buffer }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const family = ipFamily(address) === 6 ? 'udp6' : 'udp4';
    const s = createDgram(family);
    let received: Buffer | undefined;
    let local: string | undefined;
    let done = false;
    const finish = (r: { ok: boolean; errno?: string; message?: string; failedCall?: 'connect' | 'send' }) => {
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
      if (e) return finish({ ok: false, errno: code ?? 'EIO', message: (code && errnoMessage(code)) || e.message, failedCall: 'connect' });
      const a = s.address();
      local = formatHostPort(a.address, a.port);
      s.send(payload, (e) => {
        if (e) finish({ ok: false, errno: (e as NodeJS.ErrnoException).code ?? 'EIO', message: ((e as NodeJS.ErrnoException).code && errnoMessage((e as NodeJS.ErrnoException).code!)) || e.message, failedCall: 'send' });
      });
    });
  });
}

/**
 * `source` whose collect() is run once for each distinct set of options and its snapshot (or error) reused: for the
 * readings of a probe that do not depend on the address (the same query for every address).
 */
function collectedOnce(source: SocketSource): SocketSource {
  const taken = new Map<string, ReturnType<SocketSource['collect']>>();
  return {
    name: source.name,
    collect(opts?: CollectOptions) {
      const key = JSON.stringify(opts ?? {});
      let snap = taken.get(key);
      if (!snap) taken.set(key, (snap = source.collect(opts)));
      return snap;
    },
  };
}

/**
 * debug-connections --udp: one datagram to each address, one after another. For this host, the port's UDP sockets
 * are read before and after (which one received it, and whether its drop counter rose), and its TCP listeners when
 * it was refused; for every address, this host's UDP sockets connected to it.
 */
export async function probeDatagrams(o: ProbeOptions, result: ProbeResult, addresses: readonly { address: string; family: 4 | 6 }[], source: SocketSource): Promise<ProbeResult> {
  result.protocol = 'udp';
  const payload = Buffer.from(o.send !== undefined ? unescapeText(o.send) : '', 'utf8');
  const expect = o.expect !== undefined ? unescapeText(o.expect) : undefined;
  const outcomes: { address: string; diagnosis: DatagramDiagnosis }[] = [];
  // The UDP sockets connected to the port and the port's TCP listeners are the same reading for every address: taken
  // at their first use, then reused. The port's UDP sockets are read around each datagram (its drop counters).
  const shared = collectedOnce(source);
  let thisHost: string[] | undefined;
  for (const a of addresses) {
    const route = await routeTo(a.address);
    const local = isLocalDestination(a.address, route);
    const before = local ? await udpDropsBefore(o.port, source, o.timeoutMs) : undefined;
    const x = await udpExchange(a.address, o.port, payload, expect !== undefined ? Buffer.from(expect, 'utf8') : undefined, o.timeoutMs);
    const bare = bareAddress(a.address);
    // A failed send: the next hop's neighbour entry and a rejecting route's line, as for a connect (routeFacts runs `ip`
    // only for the errnos and routes they explain). Node's dgram socket gives the errno of an ICMP error, not who sent
    // it: one more datagram on sockscope's own socket (IP_RECVERR) reads the error and its sender, kept only when that
    // send ends with the same errno (as for a connect, connect-explain.ts; not after an unanswered ARP/NDP lookup).
    // Nothing came back from another host: the next hop's neighbour entry says whether it even left (no ARP/NDP answer).
    const facts = x.errno ? await routeFacts(a.address, route, x.errno) : !local && !x.received ? await routeFacts(a.address, route, 'ETIMEDOUT') : undefined;
    // EMSGSIZE after the send (not from it): the datagram left with DF set (Linux's default for UDP, IP_PMTUDISC_WANT)
    // and a router's ICMP fragmentation needed (packet too big) came back. The kernel now holds the smaller path MTU
    // and would fragment a second datagram, so the second one is sent with IP_PMTUDISC_PROBE (whole, DF set) to read
    // the router's error again. A datagram larger than the smallest MTU: the path MTU says whether it left in fragments.
    const tooBig = x.errno === 'EMSGSIZE' && x.failedCall === undefined;
    const mtu = tooBig || payload.length + (a.family === 6 && !/^::ffff:/i.test(a.address) ? 48 : 28) > 1280 ? pathMtu(a.address, o.port) : undefined;
    const icmp = tooBig
      ? await icmpOnRetry({ op: 'sendto', address: a.address, port: o.port, payload, pmtuProbe: true }, x.errno!, x.ms, o.timeoutMs)
      : x.errno && icmpRetryWanted(x.errno, facts?.neighbour)
        ? await icmpOnRetry({ op: 'sendto', address: a.address, port: o.port, payload }, x.errno, x.ms, o.timeoutMs)
        : undefined;
    const udpSockets = local ? await udpPortReadings(source, o.port, o.timeoutMs, before) : undefined;
    const tcp = local && x.errno === 'ECONNREFUSED' ? await listenerReading(shared, o.port, o.timeoutMs) : undefined;
    const connected = await udpConnectedCount(shared, bare, o.port, o.timeoutMs);
    const reply = x.received ? replyText(x.received) : undefined;
    const matched = x.received && expect !== undefined ? x.received.includes(Buffer.from(expect, 'utf8')) : undefined;
    const zone = unknownZone(a.address);
    const datagram: DatagramProbe = {
      ok: x.ok,
      ms: x.ms,
      ...(x.errno ? { errno: x.errno, message: x.message } : {}),
      ...(x.local ? { local: x.local } : {}),
      ...(x.failedCall ? { failedCall: x.failedCall } : {}),
      sent: x.sent,
      ...(mtu !== undefined ? { pathMtu: mtu } : {}),
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
      ...(x.failedCall ? { failedCall: x.failedCall } : {}),
      ...(x.received ? { replied: x.received.length } : {}),
      ...(expect !== undefined ? { expect, matched: matched === true } : {}),
      request: o.send !== undefined,
      sent: x.sent,
      ...(mtu !== undefined ? { pathMtu: mtu } : {}),
      ...(udpSockets ? { udpSockets } : {}),
      ...(tcp ? { tcpListeners: tcp.length } : {}),
      ...(zone !== undefined ? { unknownZone: zone } : {}),
      ...facts,
      ...(icmp !== undefined ? { icmp, hostAddresses: (thisHost ??= hostAddresses()) } : {}),
    });
    const existing: ExistingSockets = { total: 0, states: {}, retransTotal: 0, timeWait: 0, ...(connected !== undefined ? { udpConnected: connected } : {}) };
    result.addresses.push({
      address: a.address,
      family: a.family,
      route: { ...route, description: describeRoute(route) },
      connect: { ok: x.ok, ms: x.ms, ...(x.errno ? { errno: x.errno, message: x.message } : {}), ...(x.local ? { local: x.local } : {}) },
      ...(icmp !== undefined ? { icmp } : {}),
      datagram,
      diagnosis,
      existing,
    });
    outcomes.push({ address: a.address, diagnosis });
  }
  result.verdict = datagramVerdict(o.host, o.port, outcomes);
  return result;
}
