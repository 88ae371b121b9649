// Pure interpretation for debug-connections and `try`: the verdict over every address, TLS failures in plain words,
// errno messages. The parts live in files named for their job, re-exported here for existing importers:
// host-port.ts, ../parse/ip-route.ts, connect-route.ts, connect-listeners.ts, connect-context.ts, connect-diagnosis.ts (and its findings).
import { explainErrno } from './errno.js';
import type { ConnectDiagnosis, ExistingSockets } from './connect-context.js';
import { formatHostPort, ipFamily } from './host-port.js';
import { memberQueueText, queueText, type QueueMember } from './connect-listeners.js';

/** The exchange's error when the peer sends its FIN before the text --expect waits for (connect-probe.ts exchange). */
export const PEER_CLOSED_BEFORE_REPLY = 'the peer closed the connection before the expected reply';

export { parseHostPort, formatHostPort } from './host-port.js';
export { parseIpRouteGet, unknownRoute, parseRouteMatch, parseIpNeigh, type RouteInfo } from '../parse/ip-route.js';
export { describeRoute } from './connect-route.js';
export { portListeners, listenerOwners, findLocalListener, reuseportGroup, memberName, memberKey, memberReached, takes, asMember, queueText, memberQueueText, type LocalListener, type PortListener, type QueueMember } from './connect-listeners.js';
export { diagnoseConnectError } from './connect-diagnosis.js';
export type { ConnectContext, ConnectDiagnosis, ExistingSockets } from './connect-context.js';

/** The C library's message for an errno name ("Connection refused"), from the errno table. */
export function errnoMessage(name: string): string | undefined {
  try {
    return explainErrno(name).matches[0]?.message;
  } catch {
    return undefined;
  }
}

/**
 * A failed TLS handshake in plain words, from Node's error code and OpenSSL's reason (measured on Node 20 against
 * loopback listeners: an HTTP or banner server gives ERR_SSL_WRONG_VERSION_NUMBER, an echo server
 * ERR_SSL_UNEXPECTED_MESSAGE, a server that closes gives ECONNRESET "disconnected before secure TLS connection").
 * Written to follow "the TLS handshake failed: ".
 */
export function explainTlsFailure(code: string | undefined, message: string): string {
  const m = `${code ?? ''} ${message}`.toLowerCase();
  if (/wrong_version_number|wrong version number|packet_length_too_long|packet length too long/.test(m))
    return 'the server answered in something other than TLS (wrong version number: it probably speaks plain TCP/HTTP on this port)';
  if (/unexpected_message|unexpected message/.test(m))
    return 'the server answered with something that is not a TLS handshake (unexpected message: an echo service or another protocol on this port?)';
  if (/certificate_required|certificate required/.test(m)) return 'the server requires a client certificate (mutual TLS)';
  if (/unrecognized_name|unrecognized name/.test(m)) return 'the server does not know this server name (SNI): connect by the name the service is configured for';
  if (/protocol_version|unsupported_protocol|unsupported protocol|protocol version/.test(m))
    return 'no TLS version in common with the server (it may offer only TLS 1.0/1.1, which Node no longer enables by default)';
  if (/handshake_failure|handshake failure/.test(m))
    return 'the server refused the handshake with an alert (no cipher or TLS version in common, or it needs another server name or a client certificate)';
  if (code === 'ECONNRESET' || /disconnected before secure tls connection/.test(m))
    return 'the server closed the connection without a TLS answer (no TLS on this port, or it rejected the ClientHello: server name, TLS version)';
  return `the handshake failed (${code ?? 'error'})`;
}

/** "reset the connection (ECONNRESET) without a TLS alert: ...", after "the handshake completed, then the server ". */
export function closedAfterText(how: 'reset' | 'closed', error?: string): string {
  const code = error?.split(':')[0];
  return `${how === 'reset' ? `reset the connection${code ? ` (${code})` : ''}` : 'closed the connection'} without a TLS alert, before any request: an abortive close (SO_LINGER {1, 0}), a crash, or a server that drops this client (one it rejects without saying why)`;
}

/** The per-address outcome a verdict is built from. */
export interface AddressOutcome {
  address: string;
  connected: boolean;
  connectMs?: number;
  diagnosis?: ConnectDiagnosis;
  /** nameMismatch: the certificate is not for the name connected to, in plain words (said also when the chain does not verify). */
  /** closedAfterHandshake: the handshake completed, then the server reset or closed the connection without an alert (closeError: the socket's error). */
  tls?: { ok: boolean; error?: string; expired?: boolean; daysLeft?: number; handshakeFailed?: boolean; nameMismatch?: string; closedAfterHandshake?: 'reset' | 'closed'; closeError?: string };
  /** replied: whether anything came back at all; error: why the exchange ended without the expected text. */
  expect?: { ok: boolean; wanted: string; replied?: boolean; error?: string };
  /** Reset by the peer after connect() succeeded; `sent`: whether the request had been written; `by`: the listener's owners (local). */
  reset?: { sent: boolean; error: string; by?: string; pid?: number };
  /**
   * Local destination: the kernel completed the handshake, but no process has accepted the connection. `groupSize`:
   * SO_REUSEPORT listeners at the address; `members`: set instead of `by` when which one's queue holds it cannot be told.
   */
  notAccepted?: { listener: string; pending: number; backlog?: number; by?: string; pid?: number; groupSize?: number; members?: readonly QueueMember[] };
  /** The probe was taken, but other SO_REUSEPORT members hold connections nobody accepted for half a second (AddressProbe.othersWaiting). */
  othersWaiting?: { listener: string; groupSize: number; members: readonly QueueMember[] };
  /**
   * Refused, and the port looks like a UDP service's: UDP sockets are bound to it on this host (and no TCP listener),
   * or this host's UDP sockets are connected to the destination. The verdict then says TCP was refused, not the service.
   */
  udpService?: boolean;
  /** Local destination: connections this host's clients closed that the server accepted and has not closed (CLOSE_WAIT), at `at` (their local end). */
  unclosed?: { count: number; at: string; by?: string; pid?: number };
}

/** One verdict for the whole destination: what works, what does not, what to do next. */
export function verdict(host: string, port: number, outcomes: readonly AddressOutcome[], existing?: ExistingSockets): { ok: boolean; summary: string; nextSteps: string[] } {
  const hp = formatHostPort(host, port);
  if (outcomes.length === 0) return { ok: false, summary: `${host} does not resolve to any address`, nextSteps: [`getent ahosts ${host}`] };
  const up = outcomes.filter((o) => o.connected);
  const down = outcomes.filter((o) => !o.connected);
  const steps: string[] = [];
  const problems: string[] = [];
  for (const o of up) {
    if (o.tls && !o.tls.ok && o.tls.handshakeFailed) problems.push(`the TLS handshake with ${o.address} failed: ${o.tls.error}`);
    else if (o.tls && !o.tls.ok && o.tls.nameMismatch && o.tls.error === 'ERR_TLS_CERT_ALTNAME_INVALID') problems.push(`the certificate of ${o.address} does not match the name: ${o.tls.nameMismatch}`);
    else if (o.tls && !o.tls.ok) problems.push(`the certificate of ${o.address} does not verify: ${o.tls.error}${/SELF_SIGNED/.test(o.tls.error ?? '') ? ' (self-signed)' : ''}${o.tls.nameMismatch ? `, and ${o.tls.nameMismatch}` : ''}`);
    else if (o.tls?.expired) problems.push(`the certificate on ${o.address} has expired`);
    else if (o.tls?.daysLeft !== undefined && o.tls.daysLeft < 14) problems.push(`the certificate on ${o.address} expires in ${o.tls.daysLeft} day(s)`);
    if (o.tls?.closedAfterHandshake) problems.push(`the TLS handshake with ${o.address} completed, then the server ${closedAfterText(o.tls.closedAfterHandshake, o.tls.closeError)}`);
    if (o.reset) {
      // Closing with received data unread makes the kernel send a reset instead of a FIN: the commonest cause, first.
      const causes = o.reset.sent
        ? 'it closed the connection with the request still unread (it did not read it, or closed after an error: the kernel then resets instead of sending a FIN), an abortive close (SO_LINGER {1, 0}) or a crash'
        : 'an abortive close (SO_LINGER {1, 0}) or a crash';
      problems.push(`${o.address} reset the connection ${o.reset.sent ? 'after the request was sent' : 'before the request could be sent'}${o.reset.by ? ` (${o.reset.by})` : ''}: ${causes} (${o.reset.error})`);
      steps.push(o.reset.pid ? `look at ${o.reset.by}: its logs, whether it reads the request before close(), and how it closes connections (strace -f -e trace=read,recvfrom,setsockopt,close,shutdown -p ${o.reset.pid})` : "look at the server's logs: it reset the connection instead of answering");
      // Counted by the kernel of the server's host: TCPAbortOnClose for a close with unread data, TCPAbortOnData for SO_LINGER {1, 0}.
      if (o.reset.sent) steps.push('nstat -az TcpExtTCPAbortOnClose TcpExtTCPAbortOnData   (on the server, across a retry: the first counts closes with unread data, the second SO_LINGER {1, 0} closes)');
    } else if (o.expect && !o.expect.ok) {
      const silent = o.expect.replied === false;
      // A FIN before the expected text (connect-probe.ts exchange): no later answer can come.
      const closed = o.expect.error === PEER_CLOSED_BEFORE_REPLY;
      problems.push(silent ? `${o.address} sent nothing back (expected "${o.expect.wanted}")${o.expect.error ? `: ${o.expect.error}` : ''}` : `the reply from ${o.address} does not contain "${o.expect.wanted}"`);
      // The connection works: what is left is the request and the text expected of its answer (the reply is shown).
      for (const s of [
        silent && closed
          ? `${o.address} closed the connection without answering: it read the request and rejected it (one it does not understand or allow); check the server's logs and the request it expects`
          : silent
            ? 'nothing came back to the request: the service may wait for another request or a complete one (a line ending: CRLF for HTTP, SMTP, Redis), or answer later (a longer --timeout)'
            : 'what came back (reply:, --json exchange.received) is what the server answers to this request: check the protocol the service on this port speaks and the request it expects',
        `--send the request the service expects (line endings matter: CRLF for HTTP, SMTP, Redis), and --expect text its answer contains`,
        // Over TLS nc would send plain text into the handshake: s_client does the TLS (-quiet: no certificate dump, and it
        // keeps reading after the input ends; -servername as the probe's SNI, none for an IP address).
        o.tls
          ? `compare by hand: openssl s_client -connect ${formatHostPort(o.address, port)}${ipFamily(host) ? '' : ` -servername ${host}`} -quiet   (type the request, read what comes back; add -crlf to send CRLF line endings: HTTP, SMTP, Redis)`
          : `compare by hand: nc ${o.address} ${port}   (type the request, read what comes back)`,
      ])
        if (!steps.includes(s)) steps.push(s);
    }
  }
  // Not accepted: the kernel answered the handshake for the listener, the application never took the connection.
  const waiting = up.filter((o) => o.notAccepted);
  for (const o of waiting) {
    const n = o.notAccepted!;
    const pids = (n.members ?? []).flatMap((m) => (m.pid !== undefined ? [m.pid] : []));
    steps.push(
      n.members && pids.length
        ? `${n.members.map((m) => m.by).join(', ')} ${n.members.length > 1 ? 'hold' : 'holds'} connections on ${n.listener} that nobody has accepted: see what ${n.members.length > 1 ? 'each' : 'it'} does (strace -f ${pids.map((p) => `-p ${p}`).join(' ')} -e trace=accept,accept4,poll,epoll_wait)`
        : n.pid
          ? `${n.by} is not calling accept() on ${n.listener}: see what it does (strace -f -p ${n.pid} -e trace=accept,accept4,poll,epoll_wait)`
          : `sockscope analyze --port ${port}   (which process owns the listener ${n.listener}, and is it calling accept()?)`,
    );
  }
  const full = waiting.find((o) => o.notAccepted!.backlog !== undefined && o.notAccepted!.pending > o.notAccepted!.backlog);
  if (full) steps.push(`the queue of ${full.notAccepted!.listener} is now over its backlog: the kernel drops the next SYNs and those clients time out`);
  else if (waiting.length) steps.push('once the queue holds more than the backlog, the kernel drops new SYNs and clients time out');
  // One stuck member of a SO_REUSEPORT group: this probe went to another, but the connections hashed to it hang.
  for (const o of up) {
    const w = o.othersWaiting;
    if (!w) continue;
    const queues = w.members.map(memberQueueText).join(', ');
    problems.push(`${w.members.length} of the ${w.groupSize} SO_REUSEPORT listeners on ${w.listener} ${w.members.length > 1 ? 'hold' : 'holds'} connections nobody accepted for half a second: ${queues}; the connections the kernel hashes to ${w.members.length > 1 ? 'them' : 'it'} wait (this probe went to another)`);
    const pids = w.members.flatMap((m) => (m.pid !== undefined ? [m.pid] : []));
    steps.push(pids.length ? `${w.members.map((m) => m.by).join(', ')}: see what ${w.members.length > 1 ? 'each' : 'it'} does instead of accept() (strace -f ${pids.map((p) => `-p ${p}`).join(' ')} -e trace=accept,accept4,poll,epoll_wait)` : `sockscope analyze --port ${port}   (the listeners of ${w.listener} and their owners)`);
  }
  // The mirror of this host's closed connections: the local server has not closed its ends (a close() leak).
  for (const o of outcomes) {
    const u = o.unclosed;
    if (!u) continue;
    problems.push(`${u.by ?? 'the server'} has not closed ${u.count} connection(s) on ${u.at} that their client (on this host) closed: ${u.count} CLOSE_WAIT, a close() leak that holds a file descriptor each`);
    steps.push(
      u.pid
        ? `${u.by}: find where it does not close() a connection after read() returns 0 (the client closed); ls /proc/${u.pid}/fd | wc -l grows with the leak`
        : `sockscope analyze --port ${port}   (which process holds the CLOSE_WAIT sockets on ${u.at})`,
    );
  }
  const twInRange = existing?.portRange ? (existing.portRange.timeWait ?? existing.timeWait) : 0;
  if (existing?.portRange && twInRange > existing.portRange.size * 0.5) problems.push(`${twInRange} TIME_WAIT sockets to this destination use over half of the ${existing.portRange.size} ephemeral ports`);
  if (down.length === 0 && problems.length === 0 && waiting.length === 0) {
    const fastest = Math.min(...up.map((o) => o.connectMs ?? Infinity));
    return { ok: true, summary: `${hp} accepts connections on ${up.length === 1 ? 'its address' : `all ${up.length} addresses`} (fastest connect ${fastest.toFixed(1)} ms)`, nextSteps: [] };
  }
  for (const o of down) if (o.diagnosis) for (const s of o.diagnosis.nextSteps) if (!steps.includes(s)) steps.push(s);
  // A diagnosis summary starts with the address it is about; keep that only when there are several.
  const why = (o: AddressOutcome) => {
    const t = formatHostPort(o.address, port);
    const s = o.diagnosis?.summary ?? `${t} failed`;
    if (outcomes.length > 1) return s;
    return s.startsWith(`${t}: `) ? s.slice(t.length + 2) : s.startsWith(`${t} `) ? s.slice(t.length + 1) : s;
  };
  const unaccepted = waiting
    .map((o) => {
      const n = o.notAccepted!;
      const on = outcomes.length > 1 ? `on ${o.address} ` : '';
      if (n.members)
        return `${on}the kernel completed the TCP handshake, but the connection has not been accepted (still queued half a second later): it waits in the queue of one of the ${n.groupSize ?? n.members.length} SO_REUSEPORT listeners on ${n.listener}, which one cannot be told; those holding connections nobody has accepted: ${n.members.map(memberQueueText).join(', ')}`;
      const group = n.groupSize ? ` (1 of the ${n.groupSize} SO_REUSEPORT listeners there; the kernel hashes each new connection to one of them)` : '';
      return `${on}the kernel completed the TCP handshake, but ${n.by ?? 'the application'} has not accepted the connection (still queued half a second later): the listener ${n.listener}${group} has ${n.pending} waiting for accept() (${queueText(n)})`;
    })
    .join('; ');
  let summary: string;
  if (up.length === 0) {
    const all = (c: string) => down.every((o) => o.diagnosis?.category === c);
    const what = all('refused') ? (down.some((o) => o.udpService) ? 'refuses TCP connections' : 'refuses connections') : all('reset') ? 'accepts connections, then resets them' : all('ports-exhausted') ? 'cannot be connected to from this host' : 'is not reachable';
    const whys = down.map(why);
    // One address "was refused (a TCP reset or an ICMP port unreachable): ...": the parenthesis follows "refuses connections".
    // The same for "was refused with an ICMP ... from H" and "answered with a TCP reset": "refuses connections with ...".
    const one = whys.length === 1 && what.startsWith('refuses') ? whys[0] : undefined;
    if (one?.startsWith('was refused (') || one?.startsWith('was refused with ')) summary = `${hp} ${what} ${one.slice('was refused '.length)}`;
    else if (one?.startsWith('answered with ')) summary = `${hp} ${what} ${one.slice('answered '.length)}`;
    else summary = `${hp} ${what}: ${whys.join('; ')}`;
  } else if (down.length > 0) {
    summary = `${hp} is reachable on ${up.map((o) => o.address).join(', ')} but not on ${down.map((o) => o.address).join(', ')}: clients that try the failing address first wait or fail (${down.map((o) => o.diagnosis?.errno ?? '?').join(', ')})`;
    if (unaccepted) summary += `; ${unaccepted}`;
  } else if (unaccepted) summary = `${hp}: ${unaccepted}${problems.length ? `; also ${problems.join('; ')}` : ''}`;
  else summary = `${hp} accepts TCP connections, but ${problems.join('; ')}`;
  if (up.length > 0 && problems.length > 0 && down.length > 0) summary += `; also ${problems.join('; ')}`;
  // Mutual TLS (explainTlsFailure's words): the connection works with a certificate the server trusts.
  if (problems.some((p) => p.includes('requires a client certificate')))
    steps.push(`connect with a client certificate the server trusts: openssl s_client -connect ${hp} -servername ${host} -cert CLIENT.crt -key CLIENT.key`);
  else if (problems.some((p) => /TLS|certificate/.test(p))) steps.push(`openssl s_client -connect ${hp} -servername ${host}`);
  // A failed connect's diagnosis (EADDRNOTAVAIL) already names both, with tcp_tw_reuse's current value: not said twice.
  if (problems.some((p) => p.includes('TIME_WAIT'))) {
    const reuse = !steps.some((s) => s.startsWith('reuse connections'));
    const tw = !steps.some((s) => s.includes('tcp_tw_reuse'));
    if (reuse || tw) steps.push([reuse ? 'reuse connections (keep-alive, pooling)' : '', tw ? 'consider net.ipv4.tcp_tw_reuse=1' : ''].filter(Boolean).join('; '));
  }
  return { ok: false, summary, nextSteps: steps };
}
