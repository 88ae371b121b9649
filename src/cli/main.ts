// The sockscope command line: yargs root. Each command lives in commands/<name>.ts and is listed in commands/index.ts.
import { getSystemErrorMap } from 'node:util';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { completeLine, completionCommand } from './completion.js';
import { UsageError, briefWords, capMessage } from './errors.js';
import { givenOnce, takes } from './given-once.js';
import type { NamesMissingPositionals } from './options.js';
import { CollectorError } from '../collect/source.js';
import { setDebugEnabled } from '../collect/debug.js';
import { effectiveSource, loadCliConfig, refuseGenerateInRemovedDirectory } from '../config/resolve.js';
import { escapeMessage } from '../model/escape.js';

/** package.json's version, set by scripts/build.mjs (esbuild define). Without it (tsx) yargs looks package.json up itself. */
declare const __SOCKSCOPE_VERSION__: string | undefined;
const VERSION = typeof __SOCKSCOPE_VERSION__ === 'string' ? __SOCKSCOPE_VERSION__ : undefined;

/**
 * Prints an error the way the CLI promises: one line, exit 2 for bad input, 1 for runtime failures. A value
 * from the command line over 256 characters is quoted by its first 64 and its length, whichever flag's message
 * quotes it (briefWords); a value of normal length whole; the whole line at most 4,096 characters (capMessage).
 */
export function exitWithError(err: unknown, words: readonly string[] = hideBin(process.argv)): never {
  const say = (message: string) => process.stderr.write(`sockscope: ${capMessage(escapeMessage(briefWords(message, words)))}\n`);
  if (err instanceof UsageError) {
    say(err.message);
    process.exit(2);
  }
  if (err instanceof CollectorError) {
    say(err.message);
    process.exit(1);
  }
  const e = err as Error;
  say(e?.message ?? String(err));
  if (process.env.SOCKET_DEBUG === 'true' && e?.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}

/** Builds the yargs parser (exported so tests and completion can reuse it). */
export function buildCli(words: string[]) {
  const argv = helpAsFlag(words);
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
      refuseGenerateInRemovedDirectory(argv as never, loaded.config.defaultLanguage);
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
        if (err.name === 'YError') throw new UsageError(oneLine(inHouseWords(err.message, argv, cli) ?? err.message));
        throw err;
      }
      // yargs counts a command's positional arguments before the command's code runs, in words that name none.
      if (/^Not enough non-option arguments/.test(msg ?? '')) throw new UsageError(missingPositionals(cli) ?? oneLine(msg));
      throw new UsageError(oneLine(notACommand(msg ?? '', cli) ?? inHouseWords(msg ?? '', argv, cli) ?? unknownAsTyped(msg ?? '', argv) ?? msg));
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
 * is bad input naming the flag. Its off form takes no value: yargs called `--no-color=true` an unknown
 * argument. And an on/off flag is given one way: `--reuseaddr --no-reuseaddr` (or `--json --json=false`)
 * let the last one win, so the pair is refused naming both; `--json --json` means the same and passes.
 * yargs also takes the word after a boolean flag as its value when it is `true` or `false` (`--json false` is
 * off), so that word is read as the flag's value here too: `--json --json false` is a pair, `--no-json --json
 * false` is not. Looked up in the raw words, since yargs keeps only the boolean it made.
 */
function refuseBooleanValues(args: readonly string[], y: unknown): void {
  const options = (y as { getOptions?: () => { boolean?: string[]; alias?: Record<string, string[]> } }).getOptions?.();
  const booleans = new Set(options?.boolean ?? []);
  // --dualStack is yargs' camel-case spelling of --dual-stack.
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const isBoolean = (name: string) => booleans.has(name) || booleans.has(kebab(name));
  const canonical = new Map<string, string>();
  for (const [name, aliases] of Object.entries(options?.alias ?? {})) for (const a of [name, ...aliases]) canonical.set(a, name);
  const given = new Map<string, { word: string; on: boolean }>();
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  for (let i = 0; i < flags.length; i++) {
    let word = flags[i];
    const m = /^--?([^=]+?)(?:=([\s\S]*))?$/.exec(word);
    if (!m || (!word.startsWith('--') && m[2] === undefined)) continue; // -xy is short flags, not a name
    let name = m[1];
    let on = true;
    const flag = m[2] === undefined ? word : word.slice(0, word.indexOf('='));
    if (!isBoolean(name) && name.startsWith('no-') && isBoolean(name.slice(3))) {
      if (m[2] !== undefined) throw new UsageError(`${flag} takes no value: it turns --${name.slice(3)} off (give ${flag} alone, or --${name.slice(3)}=true or =false)`);
      name = name.slice(3);
      on = false;
    } else if (!isBoolean(name)) {
      continue;
    } else if (m[2] !== undefined) {
      if (m[2] !== 'true' && m[2] !== 'false') throw new UsageError(`${flag} is an on/off flag: its value can only be true or false, got "${m[2]}"`);
      on = m[2] === 'true';
    } else if (flags[i + 1] === 'true' || flags[i + 1] === 'false') {
      // `--json false`: yargs reads the next word as the value (only exactly true or false), not as a positional.
      on = flags[++i] === 'true';
      word = `${word} ${flags[i]}`;
    }
    if (!word.startsWith('--')) continue; // -x=true: checked above; short flags are not paired
    const key = canonical.get(name) ?? canonical.get(kebab(name)) ?? kebab(name);
    const first = given.get(key);
    if (first && first.on !== on) throw new UsageError(`${first.word} and ${word} given together: an on/off flag takes one value`);
    if (!first) given.set(key, { word, on });
  }
}

/**
 * yargs makes an array of a flag given more than once, and a flag that takes one value read it as something
 * else: `analyze --source ss --source procfs` ran with netlink, `errno --platform` twice printed zod's JSON,
 * `inspect-options --options` twice failed with "text.split is not a function". Flags declared as arrays
 * (--host) repeat by design, and an on/off flag given twice the same way means the same (on and off together
 * were refused before, by refuseBooleanValues); every other flag is given once.
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
  // yargs then re-parses the positionals as `--name WORD`, where a WORD starting with '-' reads as a flag:
  // `options -- -SO_RCVBUF` gave NAME '' ("empty option name"). Parsed as `--name=WORD`, the word is the value.
  type Post = { postProcessPositionals?: (...args: unknown[]) => unknown; shim?: { Parser?: { detailed?: (args: string[], opts: unknown) => unknown } } };
  const post = commandInstance as Commands & Post;
  const postOriginal = post.postProcessPositionals;
  const parser = post.shim?.Parser;
  const detailed = parser?.detailed;
  if (typeof postOriginal !== 'function' || !parser || typeof detailed !== 'function') return;
  post.postProcessPositionals = function (...args: unknown[]) {
    parser.detailed = (words: string[], opts: unknown) =>
      // Only a word that would read as a flag: `-` (stdin) and every other word go as yargs gives them (`task
      // --output - FILE` read FILE as an unknown argument when its `-` was re-parsed as `--input=-`).
      detailed.call(parser, words.flatMap((w, i) => (i % 2 === 1 ? [] : /^-./.test(words[i + 1] ?? '') ? [`${w}=${words[i + 1]}`] : [w, words[i + 1]])), opts);
    try {
      return postOriginal.apply(this, args);
    } finally {
      parser.detailed = detailed;
    }
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

/** The command names a user may type (the monitor is the command without a name). */
function commandNames(): string[] {
  const names = commands.map((c) => (typeof c.command === 'string' ? c.command.split(' ')[0] : '')).filter((n) => n !== '' && n !== '$0');
  return [...names, 'completion', 'help'];
}

/** `sockscope help CMD [SUB]` is `sockscope CMD [SUB] --help` (yargs took `help` alone only); an unknown CMD is refused. */
function helpAsFlag(words: string[]): string[] {
  if (words[0] !== 'help' || words.length < 2 || words[1].startsWith('-')) return words;
  if (words[1] === 'help') return ['--help', ...words.slice(2)];
  if (!commandNames().includes(words[1])) throw new UsageError(notACommandMessage(words[1]));
  return [...words.slice(1), '--help'];
}

/** "analyz is not a command; did you mean analyze?": the nearest command name when one is near (edit distance). */
function notACommandMessage(word: string): string {
  const names = commandNames();
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length];
  };
  // A name the word begins (3 characters or more) comes first, the shortest; then the fewest edits.
  const near = (word.length > 64 ? [] : names)
    .map((n) => ({ n, prefix: word.length >= 3 && n.startsWith(word), d: distance(word, n) }))
    .filter((x) => x.prefix || x.d <= Math.max(2, Math.floor(x.n.length / 3)))
    .sort((a, b) => Number(b.prefix) - Number(a.prefix) || a.d - b.d);
  const shown = word === '' ? "''" : word;
  return near.length > 0 ? `${shown} is not a command; did you mean ${near[0].n}?` : `${shown} is not a command; one of ${names.join(', ')}`;
}

/** yargs' "Unknown argument: analyz" for a first word that names no command: said so, with the nearest name. */
function notACommand(msg: string, cli: unknown): string | undefined {
  type Internal = { getInternalMethods?: () => { getContext?: () => { commands?: string[] } }; parsed?: { argv?: { _?: unknown[] } } | false };
  const y = cli as Internal;
  const m = /^Unknown arguments?: ([^]*)$/.exec(msg);
  if (!m || (y.getInternalMethods?.().getContext?.().commands?.length ?? 0) > 0) return undefined;
  const first = y.parsed ? y.parsed.argv?._?.[0] : undefined;
  if (typeof first !== 'string' || !m[1].split(', ').includes(first)) return undefined;
  return notACommandMessage(first);
}

/** What a positional argument that takes one of a list is (`try: foo is not a call; one of ...`). */
const POSITIONAL_NOUN: Readonly<Record<string, string>> = { op: 'a call' };

/**
 * yargs' stock messages, which name no flag as every other message does, in the house style: conflicts
 * ("--port and --peer-port cannot be used together"), choices ("--source foo is not one of: auto, ..."; a
 * positional: "try: foo is not a call; one of bind, ..."), a required flag ("debug-connections needs --address
 * HOST:PORT") and a flag without its value ("--interval needs a value"). undefined: not one of those.
 */
function inHouseWords(msg: string, words: readonly string[], cli: unknown): string | undefined {
  const command = (cli as { getInternalMethods?: () => { getContext?: () => { commands?: string[] } } }).getInternalMethods?.().getContext?.().commands?.[0] ?? 'sockscope';
  let m = /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(msg);
  if (m) return `--${m[1]} and --${m[2]} cannot be used together`;
  m = /^Missing required arguments?: ([^]*)$/.exec(msg);
  if (m) return `${command} needs ${m[1].split(', ').map((n) => `--${n}${takes(n) === 'one value' ? '' : ` ${takes(n).replace(/^one /, '')}`}`).join(' and ')}`;
  m = /^Not enough arguments following: (\S+)$/.exec(msg);
  if (m) return `--${m[1]} needs a value`;
  if (!/^Invalid values:/.test(msg)) return undefined;
  const list = (text: string): string[] => {
    try {
      return (JSON.parse(`[${text}]`) as unknown[]).map(String);
    } catch {
      return [text];
    }
  };
  const end = words.indexOf('--');
  const flags = end < 0 ? words : words.slice(0, end);
  const parts = [...msg.matchAll(/Argument: (\S+), Given: ([^]*?), Choices: ([^\n]*)/g)].map(([, name, given, choices]) => {
    const value = list(given).join(', ');
    const one = list(choices).join(', ');
    const typed = flags.some((w) => w === `--${name}` || w.startsWith(`--${name}=`) || w === `--${camelCase(name)}` || w.startsWith(`--${camelCase(name)}=`));
    return typed ? `--${name} ${value} is not one of: ${one}` : `${command}: ${value} is not ${POSITIONAL_NOUN[name] ?? `a ${name.toUpperCase()}`}; one of ${one}`;
  });
  return parts.length > 0 ? parts.join('; ') : undefined;
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
