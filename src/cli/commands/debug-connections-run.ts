// `sockscope debug-connections --address HOST:PORT [--udp]`: resolve, route, connect or send a datagram (TLS, request/reply), existing sockets, verdict.
// The implementation: debug-connections.ts defines the command (flags, help) and loads this module when it runs.
// The probe (collect/connect-probe.ts) gathers and interprets everything; this file only formats its result.
import { createSource, type SourceChoice } from '../../collect/index.js';
import { probeConnections, type ProbeResult } from '../../collect/connect-probe.js';
import type { DatagramProbe } from '../../collect/datagram-probe.js';
import { closedAfterText, formatHostPort, memberQueueText, parseHostPort, queueText, type ExistingSockets, type QueueMember } from '../../knowledge/interpret-connect.js';
import { escapeControl, jsonText } from '../../model/escape.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { printJson } from '../options.js';
import type { Args } from './debug-connections.js';

function ms(n: number): string {
  return n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`;
}

/**
 * The retransmits of the existing sockets: a total only where the source gives one (tcp_info), never 0 for unknown.
 * Nothing when every socket is in TIME_WAIT: no source has their tcp_info, so there is no count to show.
 */
function retransText(e: ExistingSockets): string | undefined {
  if (e.total - (e.states.TIME_WAIT ?? 0) <= 0) return undefined;
  const unknown = e.retransUnknown ?? 0;
  const now = e.retransNow ? ` (the sockets retrying now have resent ${e.retransNow} times: /proc/net/tcp's retrnsmt)` : '';
  if (unknown === 0) return `${e.retransTotal} retransmits`;
  if (unknown >= e.total - (e.states.TIME_WAIT ?? 0)) return `total retransmits unknown with this source${now}`;
  return `${e.retransTotal} retransmits, and unknown on ${unknown} socket(s)${now}`;
}

/** Sockets closed by their program, and, for a local server, what its ends of them are (a close() leak, or never accepted). */
function closedText(e: ExistingSockets): string {
  const closed = Object.entries(e.closedByProgram ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  if (!closed) return '';
  const o = e.otherEnds;
  const ends: string[] = [];
  if (o?.unclosed) ends.push(`${o.unclosed} accepted by ${escapeControl(o.by ?? 'a process sockscope cannot see')} and never closed (CLOSE_WAIT: it does not close() connections whose client has closed)`);
  if (o?.unaccepted) ends.push(`${o.unaccepted} never accepted, still in the accept queue of the listener that took them (an earlier probe to a server that does not accept leaves one)`);
  // Not in the count before it (no program has them), but in the summary's count of sockets holding ports.
  const n = Object.values(e.closedByProgram ?? {}).reduce((a, b) => a + b, 0);
  const only2 = e.closedByProgram?.FIN_WAIT2 === n;
  const orphanNote = e.closedByProgram?.FIN_WAIT2 ? ` (${only2 ? '' : 'FIN_WAIT2: '}the server has not closed its end; an earlier probe leaves one when the server never accepts)` : '';
  return `; ${e.total ? 'also ' : ''}${n} closed by their program ${n === 1 ? 'still holds its' : 'still hold their'} local port${n === 1 ? '' : 's'}: ${closed}${o ? `; their other ends, on this host at ${escapeControl(o.at)}: ${ends.join('; ')}` : orphanNote}`;
}

/** TIME_WAIT against the ephemeral port range: only the sockets whose local port is in it (never more than its size). */
function portRangeText(e: ExistingSockets): string {
  const r = e.portRange;
  if (!r) return '';
  const tw = r.timeWait ?? e.timeWait;
  return `; TIME_WAIT ${tw} of ${r.size} ephemeral ports (${r.low}-${r.high})${e.timeWait > tw ? ` (${e.timeWait - tw} more with a local port outside the range)` : ''}`;
}

/** The existing line: this host's other sockets to the destination. */
function existingLine(e: ExistingSockets): string {
  const states = Object.entries(e.states).map(([k, v]) => `${k} ${v}`).join(', ');
  const retrans = retransText(e);
  return (
    `${e.total === 0 ? `no other ${e.closedByProgram ? 'open ' : ''}${e.udpConnected ? 'TCP ' : ''}sockets from this host to it` : `${e.total} socket(s): ${states}`}${e.udpConnected ? `; UDP: ${e.udpConnected} socket(s) connected to it` : ''}${e.avgRttMs !== undefined ? `; rtt avg ${e.avgRttMs.toFixed(2)} ms, max ${e.maxRttMs!.toFixed(2)} ms` : ''}${retrans ? `; ${retrans}` : ''}` +
    closedText(e) +
    portRangeText(e)
  );
}

/** --udp: the datagram's lines (sent, what came back). The reply is the peer's text, escaped. */
function datagramLines(d: DatagramProbe): string[] {
  const what = d.sent ? `${d.sent} bytes` : 'an empty datagram';
  const from = d.local ? ` from ${escapeControl(d.local)}` : ''; // an IPv6 zone names an interface: untrusted text
  // The UDP socket's connect() failed: nothing was sent (a link-local address without its zone, a rejecting route).
  if (!d.ok && d.failedCall === 'connect') return [`  connect:  UDP connect() before sending ${what}: ${d.errno} after ${ms(d.ms)} (${escapeControl(d.message ?? '')}); nothing was sent`];
  // EMSGSIZE after the send (no failedCall): it left, and a router's fragmentation needed came back (datagram-size.ts).
  if (!d.ok && d.errno === 'EMSGSIZE' && d.failedCall === undefined)
    return [`  sendto:   ${what}${from}: sent, then EMSGSIZE after ${ms(d.ms)} (a router's ICMP fragmentation needed: larger than the path MTU${d.pathMtu !== undefined ? `, ${d.pathMtu} bytes` : ''})`];
  if (!d.ok) return [`  sendto:   ${what}${from}: ${d.errno} after ${ms(d.ms)} (${d.errno === 'ECONNREFUSED' ? 'an ICMP port unreachable came back' : escapeControl(d.message ?? '')})`];
  const lines = [`  sendto:   ${what}${from}: sent, no ICMP error ${d.reply !== undefined ? `(reply after ${ms(d.ms)})` : `within ${ms(d.ms)}`}`];
  if (d.reply !== undefined) lines.push(`  reply:    ${d.replyBytes} bytes: ${escapeControl(d.reply.slice(0, 200))}${d.reply.length > 200 ? '...' : ''}`);
  else lines.push('  reply:    (nothing)');
  if (d.matched !== undefined) lines.push(`  expect:   ${d.matched ? 'matched' : 'NOT matched'}`);
  return lines;
}

/** --udp: this host's UDP sockets connected to the destination (TCP sockets are not read). */
function udpExistingLine(e: ExistingSockets): string {
  if (e.udpConnected === undefined) return "this host's UDP sockets to it are unknown";
  return e.udpConnected ? `${e.udpConnected} UDP socket(s) on this host connected to it` : 'no UDP socket on this host is connected to it';
}

/** Members of a SO_REUSEPORT group with their queues; the names are the system's text, escaped. */
function membersText(members: readonly QueueMember[]): string {
  return members.map((m) => memberQueueText({ ...m, by: escapeControl(m.by) })).join('; ');
}

/** The accepted line of a connection waiting in a listener's queue. */
function notAcceptedLine(na: NonNullable<ProbeResult['addresses'][number]['notAccepted']>): string {
  if (na.members)
    return `  accepted: no: it waits in the accept queue of one of the ${na.groupSize ?? na.members.length} SO_REUSEPORT listeners on ${escapeControl(na.listener)}, which one cannot be told: ${membersText(na.members)}`;
  const who = [na.by ? escapeControl(na.by) : undefined, na.groupSize ? `1 of ${na.groupSize} SO_REUSEPORT listeners there` : undefined].filter(Boolean).join('; ');
  return `  accepted: no: it waits in the accept queue of ${escapeControl(na.listener)}${who ? ` (${who})` : ''}: ${queueText(na)}`;
}

/** Human report of a probe. */
export function formatProbe(r: ProbeResult): string {
  const out: string[] = [];
  // Addresses may carry an IPv6 zone (%IFACE): an interface name, untrusted text, escaped as in every other line.
  out.push(escapeControl(formatHostPort(r.host, r.port)));
  if (r.resolution.error) out.push(`resolve: failed (${r.resolution.error}${r.resolution.timedOut ? ': no answer from the resolver' : ''}) after ${ms(r.resolution.ms)}`);
  else out.push(`resolve: ${escapeControl(r.resolution.addresses.join(', '))}${r.resolution.ms ? ` (${ms(r.resolution.ms)})` : ' (literal address)'}`);
  for (const a of r.addresses) {
    out.push('');
    out.push(escapeControl(formatHostPort(a.address, r.port)));
    out.push(`  route:    ${escapeControl(a.route.description)}`); // names an interface: untrusted text
    if (a.datagram) out.push(...datagramLines(a.datagram));
    else if (a.connect.ok) out.push(`  connect:  ok in ${ms(a.connect.ms)}${a.connect.local ? ` (from ${escapeControl(a.connect.local)})` : ''}`);
    else out.push(`  connect:  ${a.connect.errno} after ${ms(a.connect.ms)} (${escapeControl(a.connect.message ?? '')})`); // Node's message names the address when errno has no text
    if (a.notAccepted) out.push(notAcceptedLine(a.notAccepted));
    const ow = a.othersWaiting;
    if (ow) out.push(`  others:   ${ow.members.length} of the ${ow.groupSize} SO_REUSEPORT listeners on ${escapeControl(ow.listener)} ${ow.members.length > 1 ? 'hold' : 'holds'} connections nobody accepted for half a second: ${membersText(ow.members)}`);
    if (a.diagnosis) {
      out.push(`  meaning:  ${escapeControl(a.diagnosis.summary)}`); // names processes and interfaces: untrusted text
      if (a.diagnosis.meaning) out.push(`            ${a.diagnosis.meaning}`);
    }
    if (a.tls) {
      if (!a.tls.ok) {
        // An alert after the handshake (TLS 1.3: a client certificate required) comes with the server's certificate.
        const after = a.tls.protocol ? ` after a ${a.tls.protocol} handshake in ${ms(a.tls.handshakeMs ?? 0)}` : '';
        out.push(`  tls:      failed${after}: ${a.tls.explanation ?? escapeControl(a.tls.error ?? 'unknown error')}`);
        if (a.tls.error && a.tls.explanation) out.push(`  detail:   ${escapeControl(a.tls.error)}`); // the library's words, as evidence
      } else out.push(`  tls:      ${a.tls.protocol} ${a.tls.cipher} in ${ms(a.tls.handshakeMs ?? 0)}; ${a.tls.authorized ? 'certificate verifies' : `certificate does NOT verify (${a.tls.authorizationError})`}`);
      if (a.tls.subject !== undefined || a.tls.ok) {
        out.push(`  subject:  ${escapeControl(a.tls.subject ?? '-')}`);
        out.push(`  issuer:   ${escapeControl(a.tls.issuer ?? '-')}`);
        out.push(`  expires:  ${a.tls.validTo} (${a.tls.expired ? 'EXPIRED' : `${a.tls.daysLeft} days left`})`);
        if (a.tls.altNames) out.push(`  names:    ${escapeControl(a.tls.altNames)}`);
        if (a.tls.nameMismatch) out.push(`  name:     does NOT match: ${escapeControl(a.tls.nameMismatch)}`); // the certificate's names: the server's text
      }
      if (a.tls.closedAfterHandshake) out.push(`  then:     the handshake completed, then the server ${closedAfterText(a.tls.closedAfterHandshake, a.tls.closeError)}`);
    }
    if (a.exchange) {
      const x = a.exchange;
      out.push(`  sent:     ${x.failedStep === 'write' && x.error ? `nothing: the write failed (${escapeControl(x.error)})` : jsonText(x.sent)}`);
      // A read that failed (a reset while waiting for the reply) is said on the reply line, as --json's failedStep 'read'.
      // A TLS error: its plain words and its code (the library's whole text is on the detail: line).
      const why = x.error && x.explanation ? `: ${x.explanation} (${escapeControl(x.error.split(':')[0])})` : x.error ? ` with ${escapeControl(x.error)}` : '';
      const readFailed = x.failedStep === 'read' && x.error ? `; the read failed${why}` : '';
      // The byte count: the text shown is cut at 200 characters (JSON's at 4096), and escapes stand for bytes.
      const size = x.receivedBytes ? ` (${x.receivedBytes} byte${x.receivedBytes === 1 ? '' : 's'})` : '';
      out.push(`  reply:    ${x.received ? escapeControl(x.received.slice(0, 200)) : '(nothing)'}${x.received.length > 200 ? '...' : ''}${size}${readFailed}`);
      if (x.ok !== undefined) out.push(`  expect:   ${x.ok ? 'matched' : `NOT matched${x.error ? ` (${x.explanation ?? escapeControl(x.error.trim())})` : ''}`}`);
    }
    out.push(`  existing: ${r.protocol === 'udp' ? udpExistingLine(a.existing) : existingLine(a.existing)}`);
  }
  if (r.existingNote) out.push(`\nnote: ${escapeControl(r.existingNote)}`); // an error's message: may quote a path or an address
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
  if (a.udp && a.tls) throw new UsageError('--tls applies to TCP only: --udp sends plain datagrams (DTLS is not supported)');
  const source = createSource((a.source ?? 'auto') as SourceChoice);
  const r = await probeConnections({ host: hp.host, port: hp.port, timeoutMs, tls: a.tls, send: a.send, expect: a.expect, udp: a.udp, source });
  if (a.json) printJson(r);
  else process.stdout.write(formatProbe(r));
  // The verdict decides nothing about the exit code: the diagnosis itself succeeded.
}
