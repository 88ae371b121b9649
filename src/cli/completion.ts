// Shell completion (`sockscope completion`): yargs' own completions, minus what a shell must never offer:
// the default command's internal name `$0`, and one-letter aliases spelled with two dashes (`--o`). Where a
// flag's value is expected, yargs offers the flags again unless the flag has choices; here a value position
// gets values (choices, IO models, socket option names) or nothing, and then bash completes file names.

import yargs, { type CommandModule } from 'yargs';
import { commandLines, loadedCommands } from './commands/index.js';
import { completionShell, defaultScriptShell, SCRIPT_SHELLS, setYargsShell, SHELL_VAR, yargsScript, type CompletionShell, type ScriptShell, type ShellSwitches } from './completion-shell.js';
import { flagValue, valuePosition } from './completion-words.js';

/**
 * `sockscope completion` as an ordinary command: yargs' built-in one prints its script for any line that names
 * it, `completion --help` included (main.ts registers yargs' completion only to answer the shell). Strict like
 * every command, and its help says what the script does and how to install it.
 */
export const completionCommand: CommandModule<object, { shell?: ScriptShell }> = {
  command: 'completion [shell]',
  describe: 'Print the shell completion script (bash, zsh): sockscope completion bash >> ~/.bashrc',
  builder: (y) =>
    y
      .positional('shell', { type: 'string', choices: SCRIPT_SHELLS, describe: 'The script for this shell (default: the one $SHELL names, else bash)' })
      .example('$0 completion bash >> ~/.bashrc', 'bash: completion in every new shell (macOS: ~/.bash_profile)')
      .example('source <($0 completion bash)', 'bash: in this shell only')
      .example('$0 completion zsh >> ~/.zshrc', 'zsh: after autoload -Uz compinit && compinit')
      .epilog(
        'The script completes commands, flags and flag values by asking the installed sockscope: choices, the IO models of the ' +
          '--language on the line, socket option names (also after a comma), errno and socket option names for errno and options. ' +
          'Where a value has no list (a port, a path) the shell completes file names. Without SHELL the script is for the shell ' +
          '$SHELL names (your login shell, which may not be the one running): name it when they differ.',
      ) as never,
  // A fresh parser makes the script yargs' command printed for that shell (the name sockscope), fixed (bashWord).
  handler: (argv) => {
    const shell = argv.shell ?? defaultScriptShell();
    process.stdout.write(installNamesShell(bashWord(yargsScript(shell)), shell));
  },
};

/**
 * The script's own install comment names its shell: yargs wrote `# Installation: sockscope completion >> ~/.bashrc`,
 * which prints the login shell's script (zsh's for a zsh user who reads the bash one), not this one. The fish script
 * (`sockscope completion` with SHELL fish; no `completion fish`) keeps its line: only `completion` prints it.
 */
export function installNamesShell(script: string, shell: CompletionShell): string {
  return shell === 'fish' ? script : script.replace(/^(#.*\bsockscope completion) >>/gm, `$1 ${shell} >>`);
}

/**
 * The scripts yargs prints, fixed. yargs' bash script filters the answers with the word COMP_WORDS ends with, but readline replaces the word
 * bash passes the function as $2. They differ after `--flag=`: COMP_WORDBREAKS has '=', so COMP_WORDS ends
 * with '=' while the word being completed is the empty text after it. Answers had to start with '=' to pass
 * the filter, and readline then put them after the '=' already typed (`--platform==`). The script now
 * filters with $2; sockscope is still asked with the '=' word. Both scripts send the words up to the cursor (BASH_ARGS),
 * and say their shell (SHELL_VAR: the answers' format is the shell's that asks, not $SHELL's).
 */
function bashWord(script: string): string {
  return script
    .replace(
      'cur_word="${COMP_WORDS[COMP_CWORD]}"',
      "# the word readline replaces ($2): after --flag= it is the text after '=', not COMP_WORDS' '='\n    cur_word=\"$2\"",
    )
    .replace('args=("${COMP_WORDS[@]}")', BASH_ARGS)
    .replace('< <(sockscope --get-yargs-completions "${args[@]}")', `< <(${SHELL_VAR}=bash ${AFTER_VAR}="$${AFTER_VAR}" sockscope --get-yargs-completions "\${args[@]}")`)
    .replace(
      'sockscope --get-yargs-completions "${words[@]}"',
      `${SHELL_VAR}=zsh ${AFTER_VAR}="\${(F)words[CURRENT+1,-1]}" sockscope --get-yargs-completions "\${(@)words[1,CURRENT-1]}" "$PREFIX"`,
    );
}

/**
 * sockscope completes the last word it is sent (completeLine), so the scripts send the words up to the cursor,
 * the one under it cut at the cursor: yargs' scripts sent every word on the line, and with the cursor on the
 * empty word after --source in `analyze --source  --port 80` the answers were for `80`, then file names. Bash:
 * $2 is the word readline completes, up to the cursor; after `--flag=` that is empty while COMP_WORDS has the
 * '=' word, which stays (valuePosition reads it). With the cursor just before a word of COMP_WORDBREAKS (`--so|=ne`)
 * COMP_CWORD is that word and $2 the one before it, which is sent once (it was sent twice: `--so --so`). Bash puts
 * no empty word at a cursor between blanks: COMP_CWORD is the next word, which is after the cursor when $2 is empty.
 * Zsh: $PREFIX is the current word up to the cursor. The words after the cursor go in AFTER_VAR, one a line: read
 * for the values of other flags (the --language of `--io-model | --language python`), never completed.
 */
const AFTER_VAR = 'SOCKSCOPE_COMPLETION_AFTER';

const BASH_ARGS = [
  '# the words up to the cursor; the current one cut at the cursor ($2), but a word that is only the = stays;',
  '    # the cursor just before a word-break word (--so|=ne): $2 is the word before it, sent once',
  '    local cword="${COMP_WORDS[COMP_CWORD]}" upto=$COMP_CWORD after=$((COMP_CWORD + 1))',
  '    if [[ -n "$2" && -n "$cword" && -z "${cword//["$COMP_WORDBREAKS"]/}" && "$2" == "${COMP_WORDS[COMP_CWORD-1]}" ]]; then',
  '      upto=$((COMP_CWORD - 1)); after=$COMP_CWORD; cword="$2"',
  '    elif [[ -n "$2" || "$cword" != "=" ]]; then',
  '      # no word under a cursor between blanks: COMP_CWORD is then the word after it',
  '      [[ -z "$2" && -n "$cword" ]] && after=$COMP_CWORD',
  '      cword="$2"',
  '    fi',
  '    args=("${COMP_WORDS[@]:0:upto}" "$cword")',
  '    # the words after the cursor, one a line: for the values of other flags (--language), not completed',
  `    local ${AFTER_VAR}="$(printf '%s\\n' "\${COMP_WORDS[@]:after}")"`,
].join('\n');

type Done = (completions: string[]) => void;
type Defaults = (onCompleted?: (err: Error | null, completions: string[] | undefined) => void) => void;

/** The parts of yargs' option table the value positions need (yargs' getOptions()). */
interface OptionTable {
  key: Record<string, unknown>;
  boolean: string[];
  count: string[];
  array?: string[];
  choices: Record<string, readonly string[] | undefined>;
  hiddenOptions?: string[];
  default?: Record<string, unknown>;
  configuration?: Record<string, unknown>;
}

/**
 * A parser's flags: yargs' getOptions() and getAliases(), public methods its typings leave out. getAliases()
 * is yargs' last parse's table ({} for a parser that never parsed: defaultCommandFlags parses the monitor's once).
 */
interface FlagSource {
  getOptions?: () => OptionTable;
  getAliases?: () => Record<string, string[]>;
  /** yargs' internals: the usage instance holds the flags' descriptions (zsh and fish show them). */
  getInternalMethods?: () => { getUsageInstance?: () => { getDescriptions?: () => Record<string, string | undefined> } };
}

/**
 * yargs calls the completion function as a method of its Completion object, whose `yargs` is the parser of
 * the command on the line (its builder has run): the only place that knows which flags take a value.
 */
interface CompletionThis extends ShellSwitches {
  yargs?: FlagSource;
}

/**
 * The flag's key when `name` takes a value; undefined for booleans, counts and unknown names. `name` is a key,
 * or one of `aliases` (the command's parser, which yargs has parsed: `-o`, the camelCase `--ioModel`).
 */
function valueKey(options: OptionTable | undefined, name: string, aliases: Record<string, string[]> = {}): string | undefined {
  if (!options) return undefined;
  const key = Object.hasOwn(options.key, name) ? name : Object.keys(aliases).find((k) => aliases[k].includes(name));
  return key !== undefined && !options.boolean.includes(key) && !options.count.includes(key) ? key : undefined;
}

/**
 * The default command's parser (the monitor: `sockscope --port 80`). yargs completes a line without a command
 * in the root parser, which has only the global flags, so the monitor's flags are read from its builder. yargs
 * makes a parser's alias table (the camelCase `--sshConfig` of --ssh-config, and `alias:` names) when it parses:
 * one parse of an empty line gives it, so these names take a value and count as given like the keys.
 */
function defaultCommandFlags(words: readonly string[]): FlagSource | undefined {
  // commands/index.ts lacks `completion` (main.ts registers it apart): a command on the line all the same.
  const names = new Set([...commandLines(), String(completionCommand.command)].map((c) => c.split(' ')[0]));
  if (words.slice(1, -1).some((w) => names.has(w))) return undefined;
  const monitor = loadedCommands().find((c) => String(c.command).split(' ')[0] === '$0');
  if (!monitor || typeof monitor.builder !== 'function') return undefined;
  const y = yargs([]).exitProcess(false).fail(() => {});
  (monitor.builder as (y: unknown) => unknown)(y);
  try {
    y.parseSync([]);
  } catch {
    /* no alias table: the flags still go by their keys */
  }
  return y as unknown as FlagSource;
}

/**
 * The monitor's own flags as yargs would offer them for `current` (a word starting with '-') if it completed the
 * line in the monitor's parser: yargs' optionCompletions (same rules: not hidden, not already on the line unless
 * repeatable, --no-KEY for a negatable boolean that defaults to true, `key:description` for zsh, `key<TAB>description`
 * for fish). yargs itself completes a line without a command in the root parser, which has only the global flags.
 */
export function monitorFlagCompletions(monitor: FlagSource | undefined, words: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const options = monitor?.getOptions?.();
  if (!options) return [];
  const current = words.at(-1) ?? '';
  const aliases = monitor?.getAliases?.() ?? {};
  const descriptions = monitor?.getInternalMethods?.().getUsageInstance?.()?.getDescriptions?.() ?? {};
  const shell = completionShell(env);
  const given = new Set(
    words
      .slice(1, -1)
      .map((w) => /^--?([^=]+)/.exec(w)?.[1])
      .filter((w): w is string => w !== undefined),
  );
  const out: string[] = [];
  for (const key of Object.keys(options.key)) {
    if (options.hiddenOptions?.includes(key)) continue;
    const negable = options.configuration?.['boolean-negation'] === true && options.boolean.includes(key);
    const repeatable = options.array?.includes(key) ?? false;
    // Given under any of its names (yargs' argsContainKey): --sshConfig x is --ssh-config given.
    const names = [key, ...(aliases[key] ?? [])];
    if (!repeatable && names.some((n) => given.has(n) || (negable && given.has(`no-${n}`)))) continue;
    const dashes = !current.startsWith('--') && key.length === 1 ? '-' : '--';
    const withDescription = (name: string) => describedFlag(name, descriptions[key], shell);
    out.push(dashes + withDescription(key));
    if (negable && options.default?.[key]) out.push(`${dashes}no-${withDescription(key)}`);
  }
  return out;
}

/** `name` as the shell lists it: bare (bash), `name:description` (zsh), `name<TAB>description` (fish). */
function describedFlag(name: string, description: string | undefined, shell: CompletionShell): string {
  if (shell === 'bash') return name;
  const desc = (description ?? '').replace('__yargsString__:', '').replace(/(\r\n|\n|\r)/gm, ' ');
  return shell === 'fish' ? `${name}\t${desc}` : `${name.replace(/:/g, '\\:')}:${desc}`;
}

/**
 * `--no-KEY` for each boolean flag of `source` (yargs takes the negation of any boolean: --no-color, --no-tcp,
 * --no-comments, --no-tcp-nodelay), but --help and --version and a flag already on the line. yargs itself offers
 * the negation only of a flag that defaults to true; these are offered once the word typed starts with --no, so that
 * a plain `--<TAB>` is not doubled.
 */
export function negatedFlagCompletions(source: FlagSource | undefined, words: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const options = source?.getOptions?.();
  if (!options || options.configuration?.['boolean-negation'] === false) return [];
  const aliases = source?.getAliases?.() ?? {};
  const descriptions = source?.getInternalMethods?.().getUsageInstance?.()?.getDescriptions?.() ?? {};
  const shell = completionShell(env);
  const given = new Set(words.slice(1, -1).map((w) => /^--?(?:no-)?([^=]+)/.exec(w)?.[1]));
  return Object.keys(options.key)
    .filter((key) => options.boolean.includes(key) && key.length > 1 && key !== 'help' && key !== 'version' && !options.hiddenOptions?.includes(key))
    .filter((key) => ![key, ...(aliases[key] ?? [])].some((n) => given.has(n)))
    .map((key) => `--${describedFlag(`no-${key}`, descriptions[key], shell)}`);
}

/** The word a completion offers (zsh appends `:description`, fish a tab and the description). */
function completionWord(c: string): string {
  return c.split('\t')[0].replace(/\\:/g, '\0').split(':')[0].replace(/\0/g, ':');
}

/** Keeps the completions a user can type. */
export function cleanCompletions(list: readonly string[]): string[] {
  return list.filter((c) => {
    const word = c.split(':')[0];
    return !word.startsWith('$0') && !/^--[^-]$/.test(word);
  });
}

/**
 * The lists behind VALUE_LISTS, loaded before yargs asks: it takes the completion function's answer only
 * synchronously (an answer after a promise comes too late: strict validation has already failed on
 * --get-yargs-completions). Only a completion run with one of those flags on the line loads them (50-60 ms
 * here: zod, the generator's options, the socket option table); every other start skips this import.
 */
let LISTS: Awaited<ReturnType<typeof loadLists>> | undefined;

async function loadLists(): Promise<{ ioModels: Record<string, readonly string[]>; platformIoModels: Record<string, readonly string[]>; optionNames: readonly string[] }> {
  const [{ IO_MODELS, C_PLATFORM_IO_MODELS }, { SOCKET_OPTIONS }, { optionToRead }] = await Promise.all([
    import('../codegen/options.js'),
    import('../knowledge/socket-options.js'),
    import('../collect/getsockopt-options.js'),
  ]);
  // The names inspect-options reads as themselves (optionToRead): each entry's, and the separate Linux options
  // the reference names under it (SO_BINDTOIFINDEX, SO_RCVBUFFORCE, IP_MULTICAST_TTL, TCP_FASTOPEN_CONNECT).
  const candidates = SOCKET_OPTIONS.flatMap((o) => [o.name, ...(o.linuxRelated ?? []).map((r) => r.name)]);
  const optionNames = [...new Set(candidates)].filter((n) => optionToRead(n)?.name === n);
  return { ioModels: IO_MODELS, platformIoModels: C_PLATFORM_IO_MODELS, optionNames };
}

/**
 * The names for a command's positional (`errno <code>`, `options [name]`), loaded like LISTS: only a completion
 * run whose line has one of those commands loads its table. Other positionals (task's input file, try's address)
 * have none: the shell completes file names there.
 */
let POSITIONAL_LISTS: Record<string, readonly string[]> = {};

/**
 * Loads LISTS and POSITIONAL_LISTS for the line being completed (main awaits it before yargs parses a
 * `--get-yargs-completions` line; a top-level await did it before, which the CommonJS bundle cannot hold).
 */
export async function prepareCompletionLists(): Promise<void> {
  const words = lineWords();
  const positionalCommand = words.slice(1, -1).find((w) => w === 'errno' || w === 'options');
  [LISTS, POSITIONAL_LISTS] = await Promise.all([
    words.some((w) => /^--?(io-model|ioModel|options)(=|$)/.test(w)) ? loadLists() : undefined,
    positionalCommand ? loadPositionalList(positionalCommand) : {},
  ]);
}

async function loadPositionalList(command: string): Promise<Record<string, readonly string[]>> {
  if (command === 'errno') {
    const { ALL_ERRORS } = await import('../knowledge/errno.js');
    // Every name errno takes as a name: the canonical ones (ECONNRESET, WSANOTINITIALISED, EAI_NONAME), aliases (EWOULDBLOCK) and Winsock names (WSAECONNRESET).
    return { errno: [...new Set(ALL_ERRORS.flatMap((e) => [e.name, ...e.aliases, ...(e.windows ? [e.windows.name] : [])]))].sort() };
  }
  const { SOCKET_OPTIONS } = await import('../knowledge/socket-options.js');
  return { options: [...new Set(SOCKET_OPTIONS.map((o) => o.name))].sort() };
}

/**
 * The command on the line and the positional the word being completed stands for (`task <input>`: input), or
 * undefined when there is no command, or its positionals are all given, or the word is a flag or a flag's value.
 * Counts the words after the command that are not flags, skipping the value of a flag that takes one
 * (`--flag value`, bash's `--flag = value`); after `--` every word is positional.
 */
export function positionalExpected(words: readonly string[], takesValue: (name: string) => string | undefined): { command: string; name: string } | undefined {
  const current = words.at(-1) ?? '';
  if (current.startsWith('-')) return undefined;
  const byName = new Map([...commandLines(), String(completionCommand.command)].map((c) => c.split(' ')).map(([name, ...rest]) => [name, rest]));
  const at = words.slice(1, -1).findIndex((w) => byName.has(w) && w !== '$0');
  if (at < 0) return undefined;
  const command = words[at + 1];
  const positionals = (byName.get(command) ?? []).map((p) => p.replace(/^[<[]|[>\]]$/g, '').replace(/\.\.$/, ''));
  let given = 0;
  let plain = false;
  for (let i = at + 2; i < words.length - 1; i++) {
    const w = words[i];
    if (!plain && w === '--') plain = true;
    else if (!plain && /^-./.test(w)) {
      if (w.includes('=') || !takesValue(w.replace(/^-+/, ''))) continue;
      i += words[i + 1] === '=' ? 2 : 1; // the value (bash splits --flag=value at '=')
      if (i >= words.length - 1) return undefined; // the word being completed is that value
    } else given++;
  }
  const name = positionals[given];
  return name ? { command, name } : undefined;
}

/** Values for flags that have no choices in yargs but a known set of values (keyed by the flag's key). */
const VALUE_LISTS: Record<string, (words: readonly string[], value: string, lists: NonNullable<typeof LISTS>) => string[]> = {
  // The models of the --language on the line, else every language's (codegen's own table).
  'io-model': (words, _value, { ioModels, platformIoModels }) => {
    // Typed after the cursor counts too (`--io-model | --language python`), and wins as the later one on the line.
    const language = flagValue(['', ...wordsAfterCursor(), ''], ['language']) ?? flagValue(words, ['language']);
    // --platform is C's (windows and portable build select and poll only): with it, C's models that platform builds.
    const platform = flagValue(['', ...wordsAfterCursor(), ''], ['platform']) ?? flagValue(words, ['platform']);
    if (platform && platform !== 'posix' && Object.hasOwn(platformIoModels, platform) && (language === undefined || language === 'c')) return [...platformIoModels[platform]];
    const lists = language && Object.hasOwn(ioModels, language) ? [ioModels[language]] : Object.values(ioModels);
    return [...new Set(lists.flat())];
  },
  // A comma-separated list: complete the name after the last comma, keeping what is before it.
  options: (_words, value, { optionNames }) => {
    const head = value.slice(0, value.lastIndexOf(',') + 1);
    const listed = new Set(head.split(',').map((n) => n.trim().toUpperCase()));
    return optionNames.filter((n) => !listed.has(n)).map((n) => head + n);
  },
};

/** The words yargs was asked to complete (after --get-yargs-completions; the first is the program name). */
function lineWords(): string[] {
  const at = process.argv.indexOf('--get-yargs-completions');
  return at < 0 ? [] : process.argv.slice(at + 1);
}

/** The words after the cursor, which the scripts put in AFTER_VAR one a line (none from an older script). */
function wordsAfterCursor(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[AFTER_VAR] ?? '').split('\n').filter((w) => w !== '');
}

/** The yargs completion function (four parameters: yargs passes its default completions in). */
export function completeLine(this: CompletionThis | undefined, _current: string, _argv: unknown, defaults: Defaults, done: Done): void {
  const words = lineWords();
  // The answers' format is the asking shell's (SHELL_VAR), not the login shell's yargs read from $SHELL.
  setYargsShell(this, completionShell());
  // The monitor's parser: built when first needed (a flag before the word, or a flag being typed), once.
  let built: { monitor: FlagSource | undefined } | undefined;
  const monitorFlags = () => (built ??= { monitor: defaultCommandFlags(words) }).monitor;
  let source = this?.yargs;
  let at = valuePosition(words, (name) => valueKey(source?.getOptions?.(), name, source?.getAliases?.()));
  if (!at) {
    at = valuePosition(words, (name) => valueKey(monitorFlags()?.getOptions?.(), name, monitorFlags()?.getAliases?.()));
    if (at) source = monitorFlags();
  }
  if (!at) {
    defaults((_err, completions) => {
      const list = completions ?? [];
      // No command on the line, a flag being typed: the default command's (the monitor's) flags too, after
      // the global ones yargs offered; one entry per flag. A word starting with --no: the booleans' negations.
      const current = words.at(-1) ?? '';
      // A word where the command's positional goes: what fits it (yargs offers its flags for an empty word, and
      // bash inserted their common prefix `-`, stdin for task): the positional's choices (try's op) or names
      // (errno, options), else nothing, and the shell completes file names. Flags once the word starts with '-'.
      const positional = positionalExpected(words, (name) => valueKey(this?.yargs?.getOptions?.(), name, this?.yargs?.getAliases?.()));
      if (positional) {
        const names = (POSITIONAL_LISTS[positional.command] ?? []).filter((n) => n.startsWith(current));
        return done(cleanCompletions([...list.filter((c) => !completionWord(c).startsWith('-')), ...names]));
      }
      if (!current.startsWith('-')) return done(cleanCompletions(list));
      const negations = current.startsWith('--no') ? [this?.yargs, monitorFlags()].flatMap((s) => negatedFlagCompletions(s, words)) : [];
      const offered = new Set(list.map(completionWord));
      const extra = [...monitorFlagCompletions(monitorFlags(), words), ...negations].filter((c) => {
        const word = completionWord(c);
        return !offered.has(word) && (offered.add(word), true);
      });
      done(cleanCompletions([...list, ...extra]));
    });
    return;
  }
  const { key, prefix, value } = at;
  const choices = source?.getOptions?.().choices[key];
  const values = choices?.length ? [...choices] : LISTS && VALUE_LISTS[key] ? VALUE_LISTS[key](words, value, LISTS) : [];
  // Nothing known (a port, a path): no completions, so bash falls back to file names, never to flags.
  done(values.filter((v) => v.startsWith(value)).map((v) => prefix + v));
}
