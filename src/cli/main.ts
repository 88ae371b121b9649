// The sockscope command line: yargs root. Each command lives in commands/<name>.ts and is listed in commands/index.ts.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { completeCommand } from './completion.js';
import { UsageError } from './errors.js';
import { CollectorError } from '../collect/source.js';
import { setDebugEnabled } from '../collect/debug.js';
import { loadCliConfig } from '../config/resolve.js';

/** package.json's version, set by scripts/build.mjs (esbuild define). Without it (tsx) yargs looks package.json up itself. */
declare const __SOCKSCOPE_VERSION__: string | undefined;
const VERSION = typeof __SOCKSCOPE_VERSION__ === 'string' ? __SOCKSCOPE_VERSION__ : undefined;

/** Prints an error the way the CLI promises: one line, exit 2 for bad input, 1 for runtime failures. */
export function exitWithError(err: unknown): never {
  if (err instanceof UsageError) {
    process.stderr.write(`sockscope: ${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof CollectorError) {
    process.stderr.write(`sockscope: ${err.message}\n`);
    process.exit(1);
  }
  const e = err as Error;
  process.stderr.write(`sockscope: ${e?.message ?? String(err)}\n`);
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
      default: 'auto',
      describe: 'Where socket data comes from (auto picks the first that works)',
      global: true,
    })
    .option('color', { type: 'boolean', default: true, describe: 'Colour output (--no-color or NO_COLOR turns it off)', global: true })
    // The effective config (files + env) decides OS-call logging; an invalid config is exit 2 for every command.
    .middleware(async (argv) => {
      if (argv._[0] === 'completion' || argv.getYargsCompletions) return;
      setDebugEnabled((await loadCliConfig()).config.debug);
    })
    .completion('completion', 'Print the shell completion script (bash, zsh): sockscope completion >> ~/.bashrc', completeCommand as never)
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
      throw new UsageError(oneLine(msg));
    });
  for (const c of commands) cli = cli.command(c as never);
  skipHelpCache(cli);
  return cli;
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

/** yargs' message on one line: "Invalid values:\n  Argument: op" reads "Invalid values: Argument: op". */
function oneLine(msg: string): string {
  return String(msg ?? 'invalid arguments')
    .replace(/:\s*\n\s*/g, ': ')
    .replace(/\s*\n\s*/g, '; ');
}

export async function main(argv = hideBin(process.argv)): Promise<void> {
  try {
    await buildCli(argv).parseAsync();
  } catch (err) {
    exitWithError(err);
  }
}

await main();
