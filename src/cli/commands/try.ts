// `sockscope try bind|listen|connect|sendto ADDRESS`: runs the socket call for real, closes at once, explains the result.
import { isIP } from 'node:net';
import type { CommandModule } from 'yargs';
import { createSource, type SourceChoice } from '../../collect/index.js';
import { resolveOne, runTry, type TryRun } from '../../collect/try-call-context.js';
import type { TryOp } from '../../collect/try-call.js';
import { parseHostPort } from '../../knowledge/interpret-connect.js';
import { interpretTry, relevantHolders, type TryInterpretation } from '../../knowledge/interpret-try.js';
import { escapeControl } from '../../model/escape.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';

interface Args {
  op?: string;
  address?: string;
  reuseaddr?: boolean;
  reuseport?: boolean;
  udp?: boolean;
  backlog?: number;
  v6only?: boolean;
  timeout?: string;
  json?: boolean;
  source?: string;
}

const OPS: readonly TryOp[] = ['bind', 'listen', 'connect', 'sendto'];

/** --timeout as milliseconds (100 ms to 5 min). */
export function parseDurationMs(flag: string, value: string): number {
  return parseDuration(flag, value, { minMs: 1, maxMs: 300_000 });
}

/** Parses ADDRESS for an op: bind/listen need an IP literal (port 0 allowed), connect/sendto a host and a port 1-65535. */
export function parseTryAddress(op: TryOp, text: string): { host: string; port: number } {
  const t = text.trim();
  // Port 0 is meaningful for bind/listen (the kernel picks one): accept it there.
  const zero = /^(.*):0$/.exec(t);
  if (zero && (op === 'bind' || op === 'listen')) {
    const hp = parseHostPort(`${zero[1]}:1`);
    if ('error' in hp) throw new UsageError(`ADDRESS: ${hp.error}`);
    return { host: hp.host, port: 0 };
  }
  const hp = parseHostPort(t);
  if ('error' in hp) throw new UsageError(`ADDRESS: ${hp.error}`);
  if ((op === 'bind' || op === 'listen') && !isIP(hp.host)) throw new UsageError(`ADDRESS: ${op} needs an IP address (0.0.0.0, ::, 127.0.0.1...), got '${hp.host}'`);
  return hp;
}

/** Human report. */
export function formatTry(r: TryRun, i: TryInterpretation): string {
  const out: string[] = [];
  for (const s of r.call.steps) out.push(`${s.ok ? 'ok  ' : 'FAIL'} ${s.call}${s.ok ? '' : ` -> ${s.errno} (${s.message})`}`);
  out.push(`${r.call.steps.length && r.call.steps[0].ok ? 'ok  ' : '    '} close()`);
  out.push('');
  out.push(`${i.ok ? 'Result' : 'Failed'}: ${escapeControl(i.summary)}`);
  for (const d of i.details) out.push(`  - ${escapeControl(d)}`);
  const all = relevantHolders(r.context.holders, r.context.target);
  const holders = all.filter((h) => h.state !== 'TIME_WAIT');
  const tw = all.length - holders.length;
  const elsewhere = r.context.holders.length - all.length;
  if ((!i.ok || r.context.op === 'listen') && (all.length || elsewhere)) {
    out.push(`Sockets on ${r.context.target.replace(/:\d+$/, '')} port ${r.context.port}:`);
    for (const h of holders.slice(0, 10)) out.push(`  ${h.state.padEnd(11)} ${h.local}${h.peer ? ` -> ${h.peer}` : ''}  ${h.processes.map((p) => `${escapeControl(p.name)}/${p.pid}`).join(' ') || '-'}`);
    if (holders.length > 10) out.push(`  ... ${holders.length - 10} more`);
    if (tw) out.push(`  TIME_WAIT   ${tw} socket(s)`);
    if (elsewhere) out.push(`  (${elsewhere} more on other local addresses with the same port number: they do not conflict)`);
  }
  if (r.resolved && r.resolved.length > 1) out.push(`(the name also resolves to ${r.resolved.slice(1).join(', ')}; sockscope debug-connections tries every address)`);
  if (i.nextSteps.length) {
    out.push('Next steps:');
    for (const s of i.nextSteps) out.push(`  - ${s}`);
  }
  return out.join('\n') + '\n';
}

export const tryCommand: CommandModule<object, Args> = {
  command: 'try <op> <address>',
  describe: 'Run bind/listen/connect/sendto for real on this host (closed at once) and explain the result',
  builder: (y) =>
    y
      .positional('op', { type: 'string', choices: OPS as unknown as string[], describe: 'The call to make' })
      .positional('address', { type: 'string', describe: 'HOST:PORT (IPv6 as [::1]:8080); bind/listen need an IP' })
      .option('reuseaddr', { type: 'boolean', describe: 'Set SO_REUSEADDR (--no-reuseaddr sets it to 0 explicitly)' })
      .option('reuseport', { type: 'boolean', describe: 'Set SO_REUSEPORT' })
      .option('udp', { type: 'boolean', describe: 'bind a UDP socket instead of TCP (sendto is always UDP)' })
      .option('backlog', { type: 'number', describe: 'listen() backlog (default 511)' })
      .option('v6only', { type: 'boolean', describe: 'Set IPV6_V6ONLY on an IPv6 socket' })
      .option('timeout', { type: 'string', default: '3s', describe: 'connect timeout / how long sendto waits for an ICMP error' })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout' })
      .example('$0 try bind 0.0.0.0:8080', 'is port 8080 free? who holds it?')
      .example('$0 try listen 0.0.0.0:0 --backlog 65535', 'what backlog does the kernel really give?')
      .example('$0 try connect [::1]:5432 --timeout 1s', 'connect and explain the error'),
  handler: async (a) => {
    const op = a.op as TryOp;
    if (!OPS.includes(op)) throw new UsageError(`op must be one of ${OPS.join(', ')}, got '${a.op}'`);
    const hp = parseTryAddress(op, a.address ?? '');
    if (a.backlog !== undefined && (!Number.isInteger(a.backlog) || a.backlog < 0 || a.backlog > 2 ** 31 - 1)) throw new UsageError(`--backlog must be an integer 0-2147483647, got ${a.backlog}`);
    if (a.backlog !== undefined && op !== 'listen') throw new UsageError('--backlog applies to listen only');
    if (a.udp && op !== 'bind') throw new UsageError('--udp applies to bind only (sendto is always UDP; listen and connect are TCP)');
    const timeoutMs = parseDurationMs('timeout', a.timeout ?? '3s');
    let address = hp.host;
    let resolved: string[] | undefined;
    if (!isIP(address)) {
      try {
        const r = await resolveOne(address);
        address = r.address;
        resolved = r.all;
      } catch (e) {
        throw new UsageError(`ADDRESS: '${hp.host}' does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    if (a.v6only !== undefined && isIP(address) !== 6) throw new UsageError('--v6only applies to IPv6 addresses only');
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
      source: createSource((a.source ?? 'auto') as SourceChoice),
    });
    run.resolved = resolved;
    const i = interpretTry(run.context);
    if (a.json) process.stdout.write(JSON.stringify({ op, address: run.context.target, call: run.call, context: run.context, interpretation: i, ...(resolved ? { resolved } : {}) }, null, 2) + '\n');
    else process.stdout.write(formatTry(run, i));
  },
};
