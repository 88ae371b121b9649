// `sockscope try bind|listen|connect|sendto ADDRESS`: runs the socket call for real, closes at once, explains the result.
import type { CommandModule } from 'yargs';
import type { TryOp } from '../../collect/try-call.js';
import { intFlag, type NamesMissingPositionals } from '../options.js';
import { COMMAND_HEADS } from './heads.js';

export interface Args {
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
export const OPS: readonly TryOp[] = ['bind', 'listen', 'connect', 'sendto'];

/** What `try` lacks, named (yargs said "Not enough non-option arguments: got 1, need at least 2"). */
export function tryMissing(a: { op?: unknown; address?: unknown }): string | undefined {
  const calls = OPS.join(', ');
  if (a.op === undefined) return `try needs a CALL (one of ${calls}) and an ADDRESS (HOST:PORT), e.g. sockscope try bind 0.0.0.0:8080`;
  if (a.address !== undefined) return undefined;
  const op = String(a.op);
  if ((OPS as readonly string[]).includes(op)) {
    const example = op === 'connect' || op === 'sendto' ? '127.0.0.1:8080' : '0.0.0.0:8080';
    return `try ${op} needs an ADDRESS: HOST:PORT (IPv6 as [::1]:8080${op === 'bind' || op === 'listen' ? '; bind and listen need an IP' : ''}), e.g. sockscope try ${op} ${example}`;
  }
  // One word that is not a call: an address given without the call, or a misspelt call.
  const address = /:\d+$/.test(op) ? op : '0.0.0.0:8080';
  return `try needs a CALL before the ADDRESS: one of ${calls}, got ${JSON.stringify(op)}; e.g. sockscope try ${address === op ? 'connect' : 'bind'} ${address}`;
}

export const tryCommand: CommandModule<object, Args> & NamesMissingPositionals = {
  ...COMMAND_HEADS.try,
  builder: (y) =>
    y
      .positional('op', { type: 'string', choices: OPS as unknown as string[], describe: 'The call to make' })
      .positional('address', { type: 'string', describe: 'HOST:PORT (IPv6 as [::1]:8080); bind/listen need an IP' })
      .option('reuseaddr', { type: 'boolean', describe: 'Set SO_REUSEADDR (--no-reuseaddr sets it to 0 explicitly)' })
      .option('reuseport', { type: 'boolean', describe: 'Set SO_REUSEPORT' })
      .option('udp', { type: 'boolean', describe: 'bind a UDP socket instead of TCP (sendto is always UDP)' })
      .option('backlog', { type: 'string', describe: 'listen() backlog (default 511)', coerce: intFlag('backlog', 0, 2 ** 31 - 1) })
      .option('v6only', { type: 'boolean', describe: 'Set IPV6_V6ONLY on an IPv6 socket' })
      .option('timeout', { type: 'string', nargs: 1, describe: 'connect timeout (default 3s) / how long sendto waits for an ICMP error (default 1s; one after an unanswered ARP takes ~3 s: use 4s)' })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout' })
      // Descriptions as shell comments above the examples: one beside would split the example at 80 columns.
      .example('# is port 8080 free? who holds it?\n$0 try bind 0.0.0.0:8080', '')
      .example('# what backlog does the kernel really give?\n$0 try listen 0.0.0.0:0 --backlog 65535', '')
      .example('# connect and explain the error\n$0 try connect [::1]:5432 --timeout 1s', ''),
  missingPositionals: (words) => tryMissing({ op: words[0], address: words[1] }),
  // The implementation (try-run.ts) loads when the command runs, not at start-up.
  handler: async (a) => (await import('./try-run.js')).runTryCommand(a),
};
