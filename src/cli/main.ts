// The sockscope command line: yargs root. Each command lives in commands/<name>.ts and is listed in commands/index.ts.
// The entry of dist/cli-core.cjs: dist/cli.cjs (load-core.ts) compiles the bundle and calls main().
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commandsFor } from './commands/index.js';
import { completeLine, completionCommand, prepareCompletionLists } from './completion.js';
import { UsageError, briefWords, capMessage } from './errors.js';
import { refuseBooleanValues, refuseRepeatedFlags } from './flag-guards.js';
import { guardOutputStreams } from './output-streams.js';
import { dashedLongFlag, dashedPositional, helpAsFlag, shortHelp, inHouseWords, missingPositionals, notACommand, oneLine, unknownAsTyped } from './yargs-messages.js';
import { positionalsAfterDoubleDash, skipHelpCache } from './yargs-patches.js';
import { CollectorError } from '../collect/source.js';
import { logOsCall, setDebugEnabled } from '../collect/debug.js';
import type { CoreLoad } from './load-core.js';
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

/** Builds the yargs parser for the command line `words`, with `commands` (commandsFor: the modules of the commands it names). */
export function buildCli(words: string[], commands: Awaited<ReturnType<typeof commandsFor>>) {
  const argv = helpAsFlag(shortHelp(words));
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
      logCoreLoad();
      const chosen = effectiveSource(argv.source, loaded);
      argv.source = chosen.source;
      argv.sourceFrom = chosen.from;
      refuseGenerateInRemovedDirectory(argv as never, loaded.config.defaultLanguage);
    })
    .strict()
    .recommendCommands()
    .help('help', 'Show help (-h too)')
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
      // `errno -ECONNRESET`: yargs read the word as short flags -E -C ...; said so, with how to give it.
      if (/^(Not enough non-option arguments|Unknown arguments?:)/.test(msg ?? '')) {
        const dashed = dashedLongFlag(argv, cli) ?? dashedPositional(argv, cli);
        if (dashed) throw new UsageError(dashed);
      }
      if (/^Not enough non-option arguments/.test(msg ?? '')) throw new UsageError(missingPositionals(cli) ?? oneLine(msg));
      throw new UsageError(oneLine(notACommand(msg ?? '', cli, argv) ?? inHouseWords(msg ?? '', argv, cli) ?? unknownAsTyped(msg ?? '', argv, cli) ?? msg));
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
 * SOCKET_DEBUG: a start that compiled the bundle without a code cache (load-core.ts: none, made for another bundle,
 * or by another Node or under other V8 flags), once, with where this run's cache goes. Nothing when a cache was used
 * (a command that makes no OS call leaves no debug file), nor from the sources.
 */
function logCoreLoad(): void {
  const key = Symbol.for('sockscope.coreLoad');
  const load = (globalThis as Record<symbol, unknown>)[key] as CoreLoad | undefined;
  if (!load || load.cache === 'accepted' || load.cache === 'accepted-user' || load.cache === 'source-maps') return;
  delete (globalThis as Record<symbol, unknown>)[key];
  const why = { rejected: ' (made by another Node or under other V8 flags)', stale: ' (made for another build of the bundle)', missing: '' }[load.cache];
  const then = load.writes ? `; this run's is written to ${load.writes} for the next` : '; none is kept (no cache directory: HOME and XDG_CACHE_HOME unset or relative)';
  logOsCall('load', 'dist/cli-core.cjs', load.compileMs, undefined, `code cache ${load.cache}${why}${then}`);
}

/** EMFILE/ENFILE opening a file of this bundle (dist/): a lazy chunk could not load. */
function isLoadingFdError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  return (e?.code === 'EMFILE' || e?.code === 'ENFILE') && typeof e.path === 'string' && e.path.startsWith(fileURLToPath(new URL('.', import.meta.url)));
}

/**
 * Commands whose handler has done all its work when it resolves (a report written): the process exits then, without
 * Node's teardown of a large heap and of the worker threads (fd reading, koffi's calls), which took 16-21 ms after
 * `analyze --port P --json` at 100,000 sockets. The others end when their work does (the exporter serves until
 * stopped, the monitor and the wizard exit themselves).
 */
const ONE_SHOT = new Set(['analyze', 'analyze-states', 'buffers', 'errno', 'options']);

export async function main(argv = hideBin(process.argv)): Promise<void> {
  guardOutputStreams();
  try {
    if (argv.includes('--get-yargs-completions')) await prepareCompletionLists();
    const parsed = await buildCli(argv, await commandsFor(argv)).parseAsync();
    // After the I/O callbacks of this turn (a failed write's 'error' reaches output-streams.ts first).
    if (ONE_SHOT.has(String(parsed._[0]))) setImmediate(() => process.exit());
  } catch (err) {
    // Too few file descriptors to load a chunk of the bundle (a command's module, a collector): the launcher
    // (bin/sockscope) says so with the limit, read before anything loaded, as for the chunks cli.js imports.
    if (isLoadingFdError(err)) throw err;
    exitWithError(err);
  }
}

