// `sockscope options [NAME]`: the socket option reference (level, numbers, type, default, platform differences).
// The implementation: options.ts defines the command (flags, help) and loads this module when it runs.
import {
  SOCKET_OPTIONS,
  optionReport,
  OptionNameSchema,
  LINUX_LEVELS,
  OTHER_LEVELS,
  type SocketOptionInfo,
  type ForeignOption,
  type OptionReport,
} from '../../knowledge/socket-options.js';
import { InvalidInputError } from '../../model/input-error.js';
import { UsageError } from '../errors.js';
import { printJson } from '../options.js';
import { wrap } from './errno.js';
import type { Args } from './options.js';

const TYPE_TEXT: Record<SocketOptionInfo['type'], string> = {
  int: 'int',
  bool: 'int used as a boolean (0/1)',
  linger: 'struct linger { int l_onoff; int l_linger; }',
  timeval: 'struct timeval { tv_sec; tv_usec; }',
  string: 'char[]: a name ending in NUL',
  tcp_info: 'struct tcp_info',
};

/** BSD and Winsock headers write SOL_SOCKET option values in hex; protocol-level ones in decimal. */
const num = (name: string, n: number) => (n >= 0x10 && name.startsWith('SO_') ? `0x${n.toString(16)}` : String(n));
const hex = (n: number) => `0x${n.toString(16)}`;

/** The sockets an option applies to, as the reference prints them. */
const APPLIES_TO: Record<SocketOptionInfo['appliesTo'], string> = { any: 'every socket', tcp: 'TCP sockets', udp: 'UDP sockets', ip: 'IP sockets (IPv4 and IPv6)', ipv6: 'AF_INET6 sockets', stream: 'stream sockets' };

function foreign(label: string, f: ForeignOption, levelValue: number, width: number): string {
  const head = f.name ? `${f.name}${f.value !== undefined ? ` (${num(f.name, f.value)}${f.name.startsWith('SO_') ? `, level ${hex(levelValue)}` : ''})` : ''}` : 'no equivalent';
  const text = f.note ? `${head}: ${f.note}` : head;
  return wrap(text, width, '             ', `  ${label.padEnd(9)}  `);
}

/** The full entry for one option. */
export function formatOption(o: SocketOptionInfo, width = 100): string {
  const out: string[] = [];
  out.push(wrap(`${o.name}: ${o.summary}`, width, '  ', ''));
  out.push(`  level      ${o.level} (${LINUX_LEVELS[o.level]} on Linux), optname ${o.linux} on Linux`);
  if (o.ipv6) out.push(`  IPv6       on an AF_INET6 socket Linux uses ${o.ipv6.name} (IPPROTO_IPV6, optname ${o.ipv6.linux}) instead`);
  // A name's optlen on return is the bytes the kernel wrote (SO_BINDTODEVICE: strlen+1, 0 when not bound), not the buffer.
  const optlen = o.type === 'string' ? `pass ${o.size} bytes, optlen comes back as the bytes written` : `getsockopt optlen ${o.size}`;
  out.push(`  type       ${TYPE_TEXT[o.type]}${o.unit ? `, in ${o.unit}` : ''}; ${optlen}${o.readOnly ? '; read-only' : ''}`);
  out.push(wrap(o.default, width, '             ', '  default    '));
  out.push(`  applies to ${APPLIES_TO[o.appliesTo]}${o.sinceLinux ? `; Linux ${o.sinceLinux}+` : ''}`);
  if (o.privilege) out.push(`  privilege  setting needs ${o.privilege}`);
  if (o.sysctls?.length) out.push(`  sysctls    ${o.sysctls.join(', ')}`);
  if (o.readClears) out.push('  caution    reading it clears it (the owning process will not see the error)');
  out.push('');
  out.push(wrap(o.details, width, ''));
  out.push('');
  out.push('Other platforms:');
  out.push(foreign('FreeBSD', o.platforms.freebsd, OTHER_LEVELS.SOL_SOCKET, width));
  out.push(foreign('macOS', o.platforms.macos, OTHER_LEVELS.SOL_SOCKET, width));
  out.push(foreign('Windows', o.platforms.windows, OTHER_LEVELS.SOL_SOCKET, width));
  if (o.seeAlso?.length) out.push(`\nSee also: ${o.seeAlso.join(', ')}`);
  return `${out.join('\n')}\n`;
}

/** One line per option. */
export function formatOptionList(options: readonly SocketOptionInfo[], width = 100): string {
  const rows = options.map((o) => [o.name, o.level, String(o.linux), o.type, o.summary]);
  const head = ['NAME', 'LEVEL', 'LINUX', 'TYPE', 'WHAT IT DOES'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const used = w.slice(0, 4).reduce((a, b) => a + b + 2, 0);
  const fmt = (r: string[]) => {
    const lead = r.slice(0, 4).map((c, i) => c.padEnd(w[i])).join('  ') + '  ';
    const room = Math.max(20, width - used);
    return lead + (r[4].length > room ? `${r[4].slice(0, room - 1)}…` : r[4]);
  };
  return `${[head, ...rows].map(fmt).join('\n')}\n\n${options.length} options. \`sockscope options NAME\` shows one in full (types, defaults, Linux/BSD/macOS/Windows differences).\n`;
}

export async function runOptions(argv: Args): Promise<void> {
  const width = Math.min(100, process.stdout.columns || 100);
  if (argv.name === undefined) {
    if (argv.json) printJson({ options: SOCKET_OPTIONS });
    else process.stdout.write(formatOptionList(SOCKET_OPTIONS, width));
    return;
  }
  // describeOption checks the name with OptionNameSchema (the library's contract, in zod's words); on the command line
  // a name outside it is bad input, said with the argument and the rule.
  const name = String(argv.name).trim();
  if (name === '') throw new UsageError('NAME: empty option name; give one such as SO_REUSEADDR, or no NAME for the list');
  const max = OptionNameSchema.maxLength ?? 64;
  if (name.length > max) {
    const echo = `${[...name.slice(0, 64)].slice(0, 32).join('')}…`;
    // The limit counts UTF-16 units (the schema's); the message counts characters, as a user does.
    const chars = [...name].length;
    throw new UsageError(`NAME: option name too long: ${chars} characters${chars !== name.length ? ` (${name.length} UTF-16 units)` : ''}, at most ${max} (every option name is shorter); got ${JSON.stringify(echo)}`);
  }
  let o: OptionReport;
  try {
    o = optionReport(String(argv.name));
  } catch (err) {
    // UnknownOptionError, or any other refusal of the name: bad input (exit 2), not a failure of the tool.
    if (err instanceof InvalidInputError) throw new UsageError(err.message);
    throw err;
  }
  // Another platform's name (TCP_MAXRT) shows the Linux entry, first saying whose name it is. --json is the
  // same document as the options task's result and the library's describeOption() (optionReport).
  const note = o.foreignName?.note;
  if (argv.json) printJson(o);
  else process.stdout.write(`${note ? `${wrap(note, width, '')}\n\n` : ''}${formatOption(o, width)}`);
}
