// `sockscope debug-connections --address HOST:PORT [--udp]`: resolve, route, connect or send a datagram (TLS, request/reply), existing sockets, verdict.
import type { CommandModule } from 'yargs';
import { COMMAND_HEADS } from './heads.js';

export interface Args {
  address?: string;
  tls?: boolean;
  send?: string;
  expect?: string;
  timeout?: string;
  udp?: boolean;
  json?: boolean;
  source?: string;
}

export const debugConnectionsCommand: CommandModule<object, Args> = {
  ...COMMAND_HEADS.debugConnections,
  builder: (y) =>
    y
      .option('address', { type: 'string', describe: 'HOST:PORT (IPv6 as [::1]:8080)', demandOption: true })
      .option('tls', { type: 'boolean', default: false, describe: 'Also do a TLS handshake and show the certificate' })
      .option('send', { type: 'string', describe: 'Text to send after connecting (\\n, \\r, \\t understood)' })
      .option('expect', { type: 'string', describe: 'Text the reply must contain' })
      .option('timeout', { type: 'string', nargs: 1, default: '3s', describe: 'Per-step timeout with its unit (3s, 500ms)' })
      .option('udp', {
        type: 'boolean',
        default: false,
        describe: 'Test UDP instead of TCP: send one datagram (--send, else an empty one) to each address; report a reply, an ICMP port unreachable, or on this host the socket that got it and whether it dropped it',
      })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout' })
      // Descriptions as shell comments above the examples: one beside would split the example at 80 columns.
      .example('# resolve, connect and check the certificate\n$0 debug-connections --address example.com:443 --tls', '')
      .example("# check an application reply (Redis takes a command ended by \\n)\n$0 debug-connections --address db:6379 --send 'PING\\n' --expect PONG", '')
      .example('# a UDP service: is the datagram received, refused or dropped?\n$0 debug-connections --udp --address 127.0.0.1:514', ''),
  // The implementation (debug-connections-run.ts) loads when the command runs, not at start-up.
  handler: async (a) => (await import('./debug-connections-run.js')).runDebugConnections(a),
};
