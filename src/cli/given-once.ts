// A flag given more than once: yargs joins the values into an array, which a parser would read as "1s,2s"
// (or --port 80 --port 81 as "80,81"). Import-light (duration.ts and options.ts, which every command loads at
// start-up, use it; so do the integer, port and size flags of generate-server).
import { UsageError } from './errors.js';

/** The flag's value, or a UsageError naming the flag and its values when it was given more than once ("it takes `what`"). */
export function givenOnce(flag: string, value: unknown, what: string): unknown {
  if (!Array.isArray(value)) return value;
  const times = value.length === 2 ? 'twice' : `${value.length} times`;
  throw new UsageError(`--${flag} given ${times} (${value.map((v) => `"${String(v)}"`).join(', ')}): it takes ${what}`);
}

/**
 * What a single-valued flag takes, in the words its own parser uses when it sees the flag twice; the check
 * on every command (main.ts) runs before the parsers that read a flag in the command's handler, so it says
 * the same. Flags not listed take "one value".
 */
const TAKES: Readonly<Record<string, string>> = {
  port: 'one port',
  'peer-port': 'one port',
  timeout: 'one duration',
  interval: 'one duration',
  'sample-interval': 'one duration',
  'ssh-timeout': 'one duration',
  listen: 'one HOST:PORT',
  output: 'one file',
  address: 'one HOST:PORT',
  'buffer-size': 'one size',
  sndbuf: 'one size',
  rcvbuf: 'one size',
  samples: 'one number',
  pid: 'one number',
  'socket-fd': 'one number',
  inode: 'one number',
  backlog: 'one number',
  'max-connections': 'one number',
  'idle-timeout': 'one number',
  'graceful-shutdown': 'one number',
};

/** What `flag` takes when given once ("one port", "one duration", ... or "one value"). */
export function takes(flag: string): string {
  return Object.hasOwn(TAKES, flag) ? TAKES[flag] : 'one value';
}
