// `sockscope try bind|listen|connect|sendto ADDRESS`: runs the socket call for real, closes at once, explains the result.
// The implementation: try.ts defines the command (flags, help) and loads this module when it runs.
import { isIP } from 'node:net';
import { createSource, type SourceChoice } from '../../collect/index.js';
import { runTry, type TryRun } from '../../collect/try-call-context.js';
import type { TryOp } from '../../collect/try-call.js';
import { parseHostPort } from '../../knowledge/interpret-connect.js';
import { ipFamily, zoneOf } from '../../knowledge/host-port.js';
import { holderAt, holderState, interpretTry, relevantHolders, type PortHolder, type TryInterpretation } from '../../knowledge/interpret-try.js';
import { escapeControl } from '../../model/escape.js';
import { localOwnerView, mustBeHeld, uidHidden } from '../../model/owner.js';
import { printJson } from '../options.js';
import { parseDuration } from '../duration.js';
import { CollectorError } from '../../collect/source.js';
import { UsageError } from '../errors.js';
import { resolveAddress } from '../resolve-address.js';
import type { Args } from './try.js';
import { OPS } from './try.js';

/** --timeout as milliseconds (100 ms to 5 min). */
export function parseDurationMs(flag: string, value: string): number {
  return parseDuration(flag, value, { minMs: 1, maxMs: 300_000 });
}

/** What the port of ADDRESS is for each op, said in the error when it is out of range. */
const PORT_RULE: Record<TryOp, { allowZero: boolean; why: string }> = {
  bind: { allowZero: true, why: 'for bind (0: the kernel picks a free port)' },
  listen: { allowZero: true, why: 'for listen (0: the kernel picks a free port)' },
  connect: { allowZero: false, why: "for connect (the server's port; nothing listens on port 0)" },
  sendto: { allowZero: false, why: "for sendto (the destination's port; nothing receives on port 0)" },
};

/** Parses ADDRESS for an op: bind/listen need an IP literal and take port 0-65535, connect/sendto a host and a port 1-65535. */
export function parseTryAddress(op: TryOp, text: string): { host: string; port: number } {
  const hp = parseHostPort(text, PORT_RULE[op]);
  if ('error' in hp) throw new UsageError(`ADDRESS: ${hp.error}`);
  // An IPv6 literal with a zone isIP refuses ('_', '@', '+' or a control character in it) goes on: its zone is
  // checked as a zone (resolve-address.ts).
  if ((op === 'bind' || op === 'listen') && !isIP(hp.host) && !(zoneOf(hp.host) !== undefined && ipFamily(hp.host) === 6)) throw new UsageError(`ADDRESS: ${op} needs an IP address (0.0.0.0, ::, 127.0.0.1...), got '${hp.host}'`);
  return hp;
}

/**
 * A holder's owner cell: its processes, "hidden uid N" when another user's process holds it out of sight (no
 * process seen, one must hold it, its uid is not one this user's attribution covers), "?" when one must hold it
 * (a socket file) and none was found (another PID namespace, a kernel socket), else "-": no process holds it
 * (TIME_WAIT, a connection still in the accept queue, an orphan), as in every table (model/owner.ts).
 */
function holderOwner(h: PortHolder): string {
  if (h.processes.length) return h.processes.map((p) => `${escapeControl(p.name)}/${p.pid}`).join(' ');
  if (!mustBeHeld(h)) return '-';
  return h.uid !== undefined && uidHidden(h.uid, localOwnerView()) ? `hidden uid ${h.uid}` : '?';
}

/** Human report. */
export function formatTry(r: TryRun, i: TryInterpretation): string {
  const out: string[] = [];
  // The call's steps, as --json has them (call.steps).
  for (const s of r.call.steps) out.push(`${s.ok ? 'ok  ' : 'FAIL'} ${s.call}${s.ok ? '' : ` -> ${s.errno} (${s.message})`}`);
  out.push('');
  out.push(`${i.ok ? 'Result' : 'Failed'}: ${escapeControl(i.summary)}`);
  for (const d of i.details) out.push(`  - ${escapeControl(d)}`);
  const all = relevantHolders(r.context.holders, r.context.target);
  const holders = all.filter((h) => h.state !== 'TIME_WAIT');
  const tw = all.length - holders.length;
  const elsewhere = r.context.holders.length - all.length;
  const udp = r.context.op === 'sendto' || r.context.udp === true;
  // A link-local holder's zone is an interface name: the system's text, escaped here as in the summary above.
  const line = (h: PortHolder) => `  ${holderState(h, udp).padEnd(11)} ${escapeControl(holderAt(h))}${h.peer ? ` -> ${escapeControl(h.peer)}` : ''}  ${holderOwner(h)}`;
  if ((!i.ok || r.context.op === 'listen') && (all.length || elsewhere)) {
    // As ss names them: a bound UDP socket is UNCONN, not the kernel's CLOSE.
    const host = escapeControl(r.context.target.replace(/:\d+$/, '')); // a zone may be an interface name
    out.push(`Sockets on ${host} port ${r.context.port}:${all.length ? '' : ' none'}`);
    for (const h of holders.slice(0, 10)) out.push(line(h));
    if (holders.length > 10) out.push(`  ... ${holders.length - 10} more`);
    if (tw) out.push(`  TIME_WAIT   ${tw} socket(s)`);
    // For bind they are no conflict; for sendto they are no receiver: a datagram goes to the address it is sent to.
    if (elsewhere && r.context.op === 'sendto') {
      const others = r.context.holders.filter((h) => !all.includes(h));
      out.push(`Sockets on other local addresses of port ${r.context.port} (they do not receive datagrams sent to ${host}):`);
      for (const h of others.slice(0, 10)) out.push(line(h));
      if (others.length > 10) out.push(`  ... ${others.length - 10} more`);
    } else if (elsewhere) out.push(`  (${elsewhere} more on other local addresses with the same port number: they do not conflict)`);
  }
  if (r.resolved && r.resolved.length > 1) out.push(`(the name also resolves to ${r.resolved.slice(1).join(', ')}; sockscope debug-connections tries every address)`);
  if (i.nextSteps.length) {
    out.push('Next steps:');
    for (const s of i.nextSteps) out.push(`  - ${escapeControl(s)}`); // may name processes and interfaces
  }
  return out.join('\n') + '\n';
}

export async function runTryCommand(a: Args): Promise<void> {
  const op = a.op as TryOp;
  if (!OPS.includes(op)) throw new UsageError(`op must be one of ${OPS.join(', ')}, got '${a.op}'`);
  const hp = parseTryAddress(op, a.address ?? '');
  if (a.backlog !== undefined && op !== 'listen') throw new UsageError('--backlog applies to listen only');
  // bind and listen return at once: no wait for --timeout to bound (it was taken and ignored).
  if (a.timeout !== undefined && (op === 'bind' || op === 'listen')) throw new UsageError('--timeout applies to connect and sendto only (bind and listen do not wait)');
  if (a.udp && op !== 'bind') throw new UsageError('--udp applies to bind only (sendto is always UDP; listen and connect are TCP)');
  // sendto waits for an ICMP error only: 1 s unless told (one after an unanswered ARP takes ~3 s: --timeout 4s).
  const timeoutMs = parseDurationMs('timeout', a.timeout ?? (op === 'sendto' ? '1s' : '3s'));
  // The zone of an IPv6 literal (checked before --v6only: only an IPv6 address has one) or the name resolved.
  const { address, all: resolved } = await resolveAddress(hp.host, {
    input: 'ADDRESS',
    notFound: (code) => `ADDRESS: '${hp.host}' does not resolve (${code})`,
    noAnswer: (why) => new CollectorError('resolve', why),
  });
  if (a.v6only !== undefined && ipFamily(address) !== 6) throw new UsageError('--v6only applies to IPv6 addresses only');
  const source = createSource((a.source ?? 'auto') as SourceChoice);
  const run = await runTry({
    op,
    host: hp.host,
    address,
    port: hp.port,
    reuseaddr: a.reuseaddr,
    reuseport: a.reuseport,
    udp: a.udp,
    v6only: a.v6only,
    backlog: a.backlog,
    timeoutMs,
    source,
    ...(resolved ? { resolved } : {}),
  });
  run.resolved = resolved;
  const i = interpretTry(run.context);
  if (a.json) printJson({ op, address: run.context.target, call: run.call, context: run.context, interpretation: i, ...(resolved ? { resolved } : {}) });
  else process.stdout.write(formatTry(run, i));
}
