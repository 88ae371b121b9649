// Flags that mean something only beside another: given without it they changed nothing and were ignored without a
// word, where try's --backlog outside listen is refused. Each is refused (UsageError: exit 2) naming the flag and
// what it needs. Import-light: the commands' builders (loaded at start-up) call these from their yargs .check().
import { UsageError } from './errors.js';

/** The ssh flags, each for the ssh of a --host: without one, this host is read directly and they do nothing. */
const SSH_FLAGS: readonly (readonly [flag: string, what: string])[] = [
  ['ssh-config', 'the ssh config file (ssh -F) for the --host servers'],
  ['ssh-timeout', 'how long a --host may send nothing before it is given up'],
];

/** --ssh-config and --ssh-timeout without --host (analyze, analyze-states, the monitor). */
export function refuseSshFlagsWithoutHost(argv: Readonly<Record<string, unknown>>): void {
  if (argv.host !== undefined) return;
  for (const [flag, what] of SSH_FLAGS) {
    if (argv[flag] !== undefined) throw new UsageError(`--${flag} needs --host: it is ${what}; without --host this host is read directly`);
  }
}

/**
 * --sample-interval with one snapshot (--samples 1, the default): there is no time between snapshots to set.
 * A --samples that is not a number, or out of range (0), is left to its own parser (sampling.ts samplingOf), which says so.
 */
export function refuseSampleIntervalAlone(argv: Readonly<Record<string, unknown>>): void {
  if (argv['sample-interval'] === undefined) return;
  const samples = argv.samples ?? '1';
  if (typeof samples !== 'string' || !/^\s*\d+\s*$/.test(samples) || Number(samples) !== 1) return;
  throw new UsageError(`--sample-interval needs --samples 2 or more: it is the time between snapshots, and --samples ${Number(samples)}${argv.samples === undefined ? ' (the default)' : ''} takes one`);
}

/**
 * The monitor's --unix with --port: the collectors filter by local port, and a unix socket has none, so --unix
 * adds nothing there. Refused either way, in words that fit: alone it lists no socket at all; beside --tcp or
 * --udp the port's TCP/UDP sockets are listed as without it (`--tcp --unix --port 80` was told it lists none).
 */
export function refuseUnixWithPort(argv: Readonly<Record<string, unknown>>): void {
  if (argv.unix !== true || argv.port === undefined) return;
  const others = (['tcp', 'udp'] as const).filter((p) => argv[p] === true);
  if (others.length === 0) {
    throw new UsageError('--port applies to TCP and UDP sockets: a unix socket has no port, so --unix with --port lists none (drop --unix, or --port to list unix sockets)');
  }
  const kept = others.map((p) => `--${p}`).join(' ');
  throw new UsageError(`--unix adds nothing with --port (a unix socket has no port): ${kept} --port ${String(argv.port)} lists the port's ${others.map((p) => p.toUpperCase()).join(' and ')} sockets without it`);
}

/**
 * The monitor's --interval with --json: --json prints one snapshot and exits, so there is no refresh to set (a
 * stdout that is not a terminal also prints one, but the same command line refreshes in a terminal: not refused).
 */
export function refuseIntervalWithJson(argv: Readonly<Record<string, unknown>>): void {
  if (argv.json !== true || argv.interval === undefined) return;
  throw new UsageError('--interval sets the full-screen monitor\'s refresh: with --json it prints one snapshot and exits (drop --interval, or --json to watch)');
}
