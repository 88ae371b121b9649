// Shared flag definitions and validation for CLI commands (bad values are UsageErrors: exit 2).
import type { Argv } from 'yargs';
import { jsonText } from '../model/escape.js';
import { UsageError } from './errors.js';
import { givenOnce } from './given-once.js';

/** Whether --NAME was typed on the command line (--NAME, --no-NAME, --NAME=VALUE): yargs fills defaults, which are no flag. */
export function flagTyped(raw: readonly string[], name: string): boolean {
  return raw.some((a) => a === `--${name}` || a === `--no-${name}` || a.startsWith(`--${name}=`));
}

/** Parses a TCP/UDP port flag strictly: an integer 1-65535 or a UsageError naming the flag (or saying it was given twice). */
export function parsePort(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(givenOnce(flag, value, 'one port')).trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`--${flag} must be a port number 1-65535, got "${text}"`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw new UsageError(`--${flag} must be a port number 1-65535, got ${text}`);
  return n;
}

/**
 * Parses an integer flag strictly: digits only (a sign for negatives), min..max; the message quotes what was typed.
 * Given more than once, the message says so and that it takes `what` (one number, one port).
 */
export function parseIntFlag(flag: string, value: unknown, min: number, max: number, what = 'one number'): number | undefined {
  if (value === undefined) return undefined;
  const text = String(givenOnce(flag, value, what)).trim();
  // yargs' type 'number' would turn "abc" into NaN and lose the text: integer flags are strings coerced here.
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${flag} must be an integer ${min}-${max}, got "${text}"`);
  return n;
}

/** parseIntFlag as a yargs `coerce`. */
export function intFlag(flag: string, min: number, max: number, what?: string): (value: unknown) => number | undefined {
  return (value) => parseIntFlag(flag, value, min, max, what);
}

/** --port and --peer-port, validated; at most one of them. */
export function withPortFlags<T>(y: Argv<T>) {
  return y
    .option('port', { type: 'string', describe: 'Sockets whose LOCAL port is P (what this host serves on P)', coerce: (v: unknown) => parsePort('port', v) })
    .option('peer-port', { type: 'string', describe: "This host's outgoing connections to peer port P", coerce: (v: unknown) => parsePort('peer-port', v) })
    .conflicts('port', 'peer-port');
}

/** --json */
export function withJsonFlag<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', default: false, describe: 'Print one JSON document' });
}

/** Writes one JSON document to stdout (every command's --json goes through here). */
export function printJson(doc: unknown): void {
  process.stdout.write(`${jsonText(doc)}\n`);
}

/**
 * A command's own message for its missing positional arguments. yargs checks their number before any of the
 * command's code runs, and its message names none ("Not enough non-option arguments: got 1, need at least 2");
 * main.ts's .fail() asks the command instead, with the words given after the command name. The message names
 * the missing argument, what it takes and an example (exit 2).
 */
export interface NamesMissingPositionals {
  missingPositionals(words: readonly string[]): string | undefined;
}
