// Changes to yargs' internals (18): positionals after `--`, and no help text rendered for nothing.

/**
 * `errno -- -104` must read -104 as the CODE: `--` ends the options, it does not end the positionals.
 * yargs (18) fills a command's positionals from the words before `--` only (argv['--'] holds the rest),
 * so a positional after it was "Not enough non-option arguments". The words after `--` join the others
 * before the positionals are filled; ones left over are "Unknown argument"s under .strict() as usual.
 */
export function positionalsAfterDoubleDash(cli: unknown): void {
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
export function skipHelpCache(cli: unknown): void {
  type Usage = { cacheHelpMessage?: () => void };
  const usage = (cli as { getInternalMethods?: () => { getUsageInstance?: () => Usage } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

