// The sockscope command line: yargs root. Each command lives in commands/<name>.ts and is listed in commands/index.ts.
import { getSystemErrorMap } from 'node:util';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { completeLine, completionCommand } from './completion.js';
import { UsageError } from './errors.js';
import { givenOnce, takes } from './given-once.js';
import type { NamesMissingPositionals } from './options.js';
import { CollectorError } from '../collect/source.js';
import { setDebugEnabled } from '../collect/debug.js';
import { effectiveSource, loadCliConfig } from '../config/resolve.js';
import { escapeMessage } from '../model/escape.js';

/** package.json's version, set by scripts/build.mjs (esbuild define). Without it (tsx) yargs looks package.json up itself. */
declare const __SOCKSCOPE_VERSION__: string | undefined;
const VERSION = typeof __SOCKSCOPE_VERSION__ === 'string' ? __SOCKSCOPE_VERSION__ : undefined;

/** Prints an error the way the CLI promises: one line, exit 2 for bad input, 1 for runtime failures. */
export function exitWithError(err: unknown): never {
  if (err instanceof UsageError) {
    process.stderr.write(`sockscope: ${escapeMessage(err.message)}\n`);
    process.exit(2);
  }
  if (err instanceof CollectorError) {
    process.stderr.write(`sockscope: ${escapeMessage(err.message)}\n`);
    process.exit(1);
  }
  const e = err as Error;
  process.stderr.write(`sockscope: ${escapeMessage(e?.message ?? String(err))}\n`);
  if (process.env.SOCKET_DEBUG === 'true' && e?.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}

/** Builds the yargs parser (exported so tests and completion can reuse it). */
export function buildCli(argv: string[]) {
  let cli = yargs(argv)
    .scriptName('sockscope')
    .usage('$0 [command] [options]\n\nLive socket monitor, socket diagnostics and server code generation.')
    .option('source', {
      type: 'string',
      choices: ['auto', 'netlink', 'ss', 'procfs', 'netstat'],
      // No `default`: a value yargs filled in could not be told from one typed, and it hid the config
      // file's `source` from every command. The middleware below resolves flag > config > auto.
      defaultDescription: 'auto',
      describe: 'Where socket data comes from (auto picks the first that works); unset: a config file\'s source',
      global: true,
    })
    .option('color', { type: 'boolean', default: true, describe: 'Colour output (--no-color or NO_COLOR turns it off)', global: true })
    // Before validation, so that `--json=maybe` is refused even where the rest would pass. yargs passes
    // the command's own parser as the second argument (its typings leave it out): its boolean options.
    .middleware(((_argv: unknown, y: unknown) => refuseBooleanValues(argv, y)) as never, true)
    // A single-valued flag given twice is an array here: refused before a handler reads it (after the flags'
    // own parsers, which say it in their words: "it takes one port").
    .check(((parsed: Record<string, unknown>, options: unknown) => refuseRepeatedFlags(parsed, options)) as never)
    // The effective config (files + env) decides OS-call logging; an invalid config is exit 2 for every command.
    // It also decides the collector: argv.source is --source when typed, else the config's `source` (else auto),
    // and argv.sourceFrom says which (sources.ts: a config file's choice does not apply to --host).
    // `task` loads it itself: its contract is one JSON document on stdout for every outcome, a bad config file
    // too ({ok: false, error: {code: 'config-error'}}, exit 2), which a failure here would print as a stderr line.
    .middleware(async (argv) => {
      if (argv._[0] === 'completion' || argv._[0] === 'task' || argv.getYargsCompletions) return;
      const loaded = await loadCliConfig();
      setDebugEnabled(loaded.config.debug);
      const chosen = effectiveSource(argv.source, loaded);
      argv.source = chosen.source;
      argv.sourceFrom = chosen.from;
    })
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    // An explicit version: yargs would otherwise read the package.json nearest the *working directory*.
    .version(...((VERSION !== undefined ? [VERSION] : []) as []))
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) {
        // yargs wraps errors thrown by `coerce` in a YError: those are still bad input.
        if (err instanceof UsageError) throw err;
        if (err.name === 'YError') throw new UsageError(oneLine(err.message));
        throw err;
      }
      // yargs counts a command's positional arguments before the command's code runs, in words that name none.
      if (/^Not enough non-option arguments/.test(msg ?? '')) throw new UsageError(missingPositionals(cli) ?? oneLine(msg));
      throw new UsageError(oneLine(unknownAsTyped(msg ?? '', argv) ?? msg));
    });
  for (const c of commands) cli = cli.command(c as never);
  // yargs' completion command prints its script on any line that names it, before it looks at --help: so
  // `completion` is an ordinary command (completion.ts), and yargs' completion is set up, hidden, only when
  // the shell asks for completions, which never prints the script.
  if (argv.includes('--get-yargs-completions')) cli = cli.completion('completion', false, completeLine as never);
  cli = cli.command(completionCommand as never);
  skipHelpCache(cli);
  positionalsAfterDoubleDash(cli);
  return cli;
}

/**
 * yargs reads `--json=<anything>` on a boolean flag as `=== 'true'`, so `--json=maybe` (or =TRUE, =1)
 * silently became false. A boolean flag given with a value accepts exactly true or false: anything else
 * is bad input naming the flag. Looked up in the raw words, since yargs keeps only the boolean it made.
 */
function refuseBooleanValues(args: readonly string[], y: unknown): void {
  const options = (y as { getOptions?: () => { boolean?: string[] } }).getOptions?.();
  const booleans = new Set(options?.boolean ?? []);
  const end = args.indexOf('--');
  for (const word of end === -1 ? args : args.slice(0, end)) {
    const m = /^--?([^=]+)=([\s\S]*)$/.exec(word);
    if (!m) continue;
    // --dualStack is yargs' camel-case spelling of --dual-stack.
    const name = m[1].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if ((booleans.has(m[1]) || booleans.has(name)) && m[2] !== 'true' && m[2] !== 'false') {
      throw new UsageError(`${word.slice(0, word.indexOf('='))} is an on/off flag: its value can only be true or false, got "${m[2]}"`);
    }
  }
}

/**
 * yargs makes an array of a flag given more than once, and a flag that takes one value read it as something
 * else: `analyze --source ss --source procfs` ran with netlink, `errno --platform` twice printed zod's JSON,
 * `inspect-options --options` twice failed with "text.split is not a function". Flags declared as arrays
 * (--host) repeat by design, and an on/off flag given twice means the same; every other flag is given once.
 * Flags whose parser says it in its own words (givenOnce: "it takes one port") have said it already.
 */
function refuseRepeatedFlags(parsed: Record<string, unknown>, declared: unknown): true {
  const options = declared as { key?: Record<string, unknown>; array?: string[]; boolean?: string[]; count?: string[] } | undefined;
  if (!options?.key) return true;
  const many = new Set([...(options.array ?? []), ...(options.boolean ?? []), ...(options.count ?? [])]);
  for (const name of Object.keys(options.key)) {
    const value = parsed[name];
    if (many.has(name) || !Array.isArray(value)) continue;
    givenOnce(name, value, takes(name));
  }
  return true;
}

/**
 * `errno -- -104` must read -104 as the CODE: `--` ends the options, it does not end the positionals.
 * yargs (18) fills a command's positionals from the words before `--` only (argv['--'] holds the rest),
 * so a positional after it was "Not enough non-option arguments". The words after `--` join the others
 * before the positionals are filled; ones left over are "Unknown argument"s under .strict() as usual.
 */
function positionalsAfterDoubleDash(cli: unknown): void {
  type Commands = { populatePositionals?: (handler: unknown, argv: { _: unknown[]; '--'?: unknown[] }, ...rest: unknown[]) => unknown };
  const commandInstance = (cli as { getInternalMethods?: () => { getCommandInstance?: () => Commands } }).getInternalMethods?.().getCommandInstance?.();
  const original = commandInstance?.populatePositionals;
  if (!commandInstance || typeof original !== 'function') return;
  commandInstance.populatePositionals = function (handler, argv, ...rest) {
    if (Array.isArray(argv['--'])) {
      argv._.push(...argv['--']);
      delete argv['--'];
    }
    return original.call(this, handler, argv, ...rest);
  };
}

/**
 * yargs renders the whole help text each time a command's handler starts (cached, to print it if the
 * handler fails). Our .fail() never prints help, so the text was never shown, yet rendering it (cliui,
 * wrap-ansi, string-width's Unicode tables) cost ~30 ms of every run. Help on --help is unaffected.
 */
function skipHelpCache(cli: unknown): void {
  type Usage = { cacheHelpMessage?: () => void };
  const usage = (cli as { getInternalMethods?: () => { getUsageInstance?: () => Usage } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/**
 * The running command's own message for its missing positional arguments (NamesMissingPositionals: try,
 * errno, task), from the words given after the command name (those after `--` too). undefined: yargs' own.
 */
function missingPositionals(cli: unknown): string | undefined {
  type Internal = { getInternalMethods?: () => { getContext?: () => { commands?: string[] } }; parsed?: { argv?: { _?: unknown[]; '--'?: unknown[] } } | false };
  const y = cli as Internal;
  const name = y.getInternalMethods?.().getContext?.().commands?.[0];
  const command = commands.find((c) => typeof c.command === 'string' && c.command.split(' ')[0] === name) as Partial<NamesMissingPositionals> | undefined;
  if (typeof command?.missingPositionals !== 'function') return undefined;
  const argv = y.parsed ? y.parsed.argv : undefined;
  return command.missingPositionals([...(argv?._ ?? []), ...(argv?.['--'] ?? [])].map(String));
}

const camelCase = (name: string) => name.replace(/-+([^-])/g, (_, c: string) => c.toUpperCase());

/**
 * yargs' "Unknown arguments: peer-port, peerPort" (each unknown flag under its typed name and its camelCase
 * alias, without dashes) as the user typed them, each once: "Unknown argument: --peer-port". Flags are looked
 * up in the raw words before `--` (`--name`, `--name=value`, `--no-name`, short clusters `-xy`); a name no
 * flag word accounts for (a stray positional word) is kept as yargs gives it. undefined: not that message.
 */
function unknownAsTyped(msg: string, words: readonly string[]): string | undefined {
  const m = /^Unknown arguments?: ([^]*)$/.exec(msg);
  if (!m) return undefined;
  const unknown = m[1].split(', ');
  const left = new Set(unknown);
  const typed: string[] = [];
  const add = (word: string) => {
    if (!typed.includes(word)) typed.push(word);
  };
  const end = words.indexOf('--');
  for (const w of end < 0 ? words : words.slice(0, end)) {
    if (w.startsWith('--') && w.length > 2) {
      const name = w.slice(2).split('=')[0];
      const base = name.startsWith('no-') ? name.slice(3) : undefined;
      const names = [name, camelCase(name), ...(base ? [base, camelCase(base)] : [])];
      if (!names.some((n) => unknown.includes(n))) continue;
      add(`--${name}`);
      for (const n of names) left.delete(n);
    } else if (/^-[^-]/.test(w)) {
      for (const c of w.slice(1).split('=')[0]) {
        if (!unknown.includes(c)) continue;
        add(`-${c}`);
        left.delete(c);
      }
    }
  }
  const all = [...typed, ...unknown.filter((n) => left.has(n))];
  return `Unknown argument${all.length === 1 ? '' : 's'}: ${all.join(', ')}`;
}

/** yargs' message on one line: "Invalid values:\n  Argument: op" reads "Invalid values: Argument: op". */
function oneLine(msg: string): string {
  return String(msg ?? 'invalid arguments')
    .replace(/:\s*\n\s*/g, ': ')
    .replace(/\s*\n\s*/g, '; ');
}

let outputGuarded = false;
let outputFailureSeen = false;

/**
 * A failed write to stdout or stderr is an 'error' event on the stream, and an unhandled one ends in a
 * Node stack trace. EPIPE means the reader has gone (`sockscope ... | head`): stop without a word, as a
 * Unix tool killed by SIGPIPE does (Node ignores SIGPIPE), with the exit code set so far (0 when none).
 * Any other failure (ENOSPC on /dev/full, EIO) is one line on stderr and exit 1; when stderr itself
 * fails there is nowhere to say it, so only the exit code tells. Installed once, for every command.
 */
export function guardOutputStreams(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].on('error', (err: NodeJS.ErrnoException) => {
      // A command with its own listener (the full-screen monitor restores the terminal and exits 129 when
      // it goes away) decides for itself; this one was registered first, so it runs first and steps aside.
      if (process[stream].listenerCount('error') > 1) {
        outputFailureSeen = true;
        return;
      }
      process.exit(outputFailed(stream, err));
    });
  }
  // The 'error' event comes on the next tick, so a process.exit() right after the write (yargs after
  // --help, exitWithError) ends the run before it: the stream is already marked errored, though.
  process.on('exit', () => {
    for (const stream of ['stdout', 'stderr'] as const) {
      const err = process[stream].errored as NodeJS.ErrnoException | null;
      if (err && !outputFailureSeen) process.exitCode = outputFailed(stream, err);
    }
  });
}

/** Says why output failed (stdout only: stderr is where it would be said) and returns the exit code. */
function outputFailed(stream: 'stdout' | 'stderr', err: NodeJS.ErrnoException): number {
  const first = !outputFailureSeen;
  outputFailureSeen = true;
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  if (err.code === 'EPIPE') return code;
  if (stream === 'stdout' && first) {
    const why = (typeof err.errno === 'number' ? getSystemErrorMap().get(err.errno)?.[1] : undefined) ?? err.code ?? err.message;
    try {
      process.stderr.write(`sockscope: cannot write output: ${why}\n`);
    } catch {
      // stderr is gone too: the exit code is all that is left.
    }
  }
  return code === 0 ? 1 : code;
}

export async function main(argv = hideBin(process.argv)): Promise<void> {
  guardOutputStreams();
  try {
    await buildCli(argv).parseAsync();
  } catch (err) {
    exitWithError(err);
  }
}

await main();
