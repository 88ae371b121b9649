// yargs' stock messages rewritten in the house style: they name the flag, the command or the word as typed.
import yargs from 'yargs';
import { commandNames as namesOfCommands, loadedCommands } from './commands/index.js';
import { completionCommand } from './completion.js';
import { UsageError } from './errors.js';
import { takes } from './given-once.js';
import { editDistance } from '../model/edit-distance.js';
import type { NamesMissingPositionals } from './options.js';

/**
 * The running command's own message for its missing positional arguments (NamesMissingPositionals: try,
 * errno, task), from the words given after the command name (those after `--` too). undefined: yargs' own.
 */
export function missingPositionals(cli: unknown): string | undefined {
  type Internal = { getInternalMethods?: () => { getContext?: () => { commands?: string[] } }; parsed?: { argv?: { _?: unknown[]; '--'?: unknown[] } } | false };
  const y = cli as Internal;
  const name = y.getInternalMethods?.().getContext?.().commands?.[0];
  const command = loadedCommands().find((c) => typeof c.command === 'string' && c.command.split(' ')[0] === name) as Partial<NamesMissingPositionals> | undefined;
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
export function unknownAsTyped(msg: string, words: readonly string[], cli?: unknown): string | undefined {
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
      const near = nearestFlag(name, cli);
      add(near ? `--${name} (did you mean --${near}?)` : `--${name}`);
      for (const n of names) left.delete(n);
    } else if (/^-[^-]/.test(w)) {
      const name = w.slice(1).split('=')[0];
      if (![...name].some((c) => unknown.includes(c))) continue;
      // `analyze -port 80`: a long flag with one dash, read as -p -o -r -t; named whole with the flag it means.
      const near = name.length >= 2 ? nearestFlag(name, cli) : undefined;
      if (near !== undefined) {
        add(`-${name} (did you mean --${near}?)`);
        for (const c of name) left.delete(c);
        continue;
      }
      const letters = [...name].filter((c) => unknown.includes(c));
      // `-host` where no flag is near: one word, as typed, with how the parser read it.
      if (name.length >= 2 && /^[A-Za-z]/.test(name)) add(`${w.split('=')[0]} (read as short flags ${[...name].map((c) => `-${c}`).join(', ')})`);
      else for (const c of letters) add(`-${c}`);
      for (const c of letters) left.delete(c);
    }
  }
  const all = [...typed, ...unknown.filter((n) => left.has(n))];
  return `Unknown argument${all.length === 1 ? '' : 's'}: ${all.join(', ')}`;
}

/**
 * A word like `-json` that is the running command's flag given with one dash, anywhere before `--`: yargs read it as
 * short flags, which may also have taken the next word as a value (`errno -json 104`: -n 104, then "errno needs a
 * CODE"). Said as unknownAsTyped says it; undefined when there is none.
 */
export function dashedLongFlag(words: readonly string[], cli: unknown): string | undefined {
  const end = words.indexOf('--');
  const w = (end < 0 ? words : words.slice(0, end)).find((x) => /^-[A-Za-z][A-Za-z0-9-]+$/.test(x) && nearestFlag(x.slice(1), cli) === x.slice(1));
  return w === undefined ? undefined : `Unknown argument: ${w} (did you mean -${w}?)`;
}

/**
 * The running command's flag (global flags too, an on/off flag's --no- form) nearest an unknown `--name`, when
 * one is near: a flag the name begins (3 characters or more), else one or two edits (two for names of 6 or more).
 */
function nearestFlag(name: string, cli: unknown): string | undefined {
  const options = (cli as { getOptions?: () => { key?: Record<string, unknown>; boolean?: string[] } } | undefined)?.getOptions?.();
  if (!options?.key || name.length > 64) return undefined;
  // yargs keeps the command's positionals (errno's code, try's op and address) among its options: no flags.
  const name0 = (cli as { getInternalMethods?: () => { getContext?: () => { commands?: string[] } } }).getInternalMethods?.().getContext?.().commands?.[0];
  const command = loadedCommands().find((c) => typeof c.command === 'string' && c.command.split(' ')[0] === name0);
  const positionals = new Set([...String(command?.command ?? '').matchAll(/[<[]([^\]>.]+)/g)].flatMap(([, p]) => p.split('|')));
  const kebab = Object.keys(options.key).filter((k) => k.length > 1 && !/[A-Z]/.test(k) && !['$0', '_'].includes(k) && !positionals.has(k));
  const names = [...kebab, ...kebab.filter((k) => options.boolean?.includes(k) && k !== 'help' && k !== 'version').map((k) => `no-${k}`)];
  const near = names
    .map((n) => ({ n, prefix: name.length >= 3 && n.startsWith(name), d: editDistance(name, n, { swaps: true }) }))
    .filter((x) => x.prefix || x.d <= (Math.min(name.length, x.n.length) >= 6 ? 2 : 1))
    .sort((a, b) => Number(b.prefix) - Number(a.prefix) || a.d - b.d || a.n.length - b.n.length);
  return near[0]?.n;
}

/** Quoted for a POSIX shell only when the word has characters the shell would interpret. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** How a command takes a positional word that begins with a dash: errno, options and try's op without it; task's input (a path) after `--`. */
const DASHED_POSITIONAL: Readonly<Record<string, { index: number; form: 'undashed' | 'after--' }>> = {
  errno: { index: 0, form: 'undashed' },
  options: { index: 0, form: 'undashed' },
  try: { index: 0, form: 'undashed' },
  task: { index: 0, form: 'after--' },
};

/**
 * A word like -ECONNRESET or -SO_RCVBUF given where a command takes its positional: yargs read it as short flags
 * (-E -C ...), and said "errno needs a CODE" or "Unknown arguments: -S, -O, ...". Said what happened and the whole
 * command that works, the other words kept: errno, options and try's op without the dash (no name begins with
 * one), task's input after `--` (it is a file name: `task myjob` is another file). Only a word where the
 * positional goes: a flag's value (`--platform -macos`) or a later positional gets none. undefined: no such word.
 */
export function dashedPositional(words: readonly string[], cli: unknown): string | undefined {
  type Internal = {
    getInternalMethods?: () => { getContext?: () => { commands?: string[] } };
    getOptions?: () => { boolean?: string[]; alias?: Record<string, string[]>; key?: Record<string, unknown> };
  };
  const y = cli as Internal;
  const command = y.getInternalMethods?.().getContext?.().commands?.[0];
  const how = command === undefined ? undefined : DASHED_POSITIONAL[command];
  if (!command || !how) return undefined;
  const booleans = new Set(y.getOptions?.().boolean ?? []);
  const aliases = y.getOptions?.().alias ?? {};
  const canonical = (n: string) => Object.entries(aliases).find(([k, a]) => k === n || a.includes(n))?.[0] ?? n;
  const isBoolean = (n: string) => booleans.has(canonical(n)) || (n.startsWith('no-') && booleans.has(canonical(n.slice(3))));
  const end = words.indexOf('--');
  const flags = end < 0 ? words : words.slice(0, end);
  // The positional words after the command's name; a flag's value (the word after a flag that is not on/off) is none.
  let at = -1;
  let positional = -1;
  for (let i = 0; i < flags.length; i++) {
    const w = flags[i];
    if (w.startsWith('-') && w.length > 1 && !/^-[A-Za-z][A-Za-z0-9_]{3,}$/.test(w)) {
      // --name=value and on/off flags stand alone; a flag that takes a value takes the next word too.
      const name = w.replace(/^--?/, '').split('=')[0];
      if (!w.includes('=') && !isBoolean(w.startsWith('--') ? name : name.slice(-1))) i++;
      continue;
    }
    if (at < 0) {
      if (w === command) at = i;
      continue;
    }
    positional++;
    if (positional > how.index) return undefined;
    if (positional === how.index) {
      if (!/^-[A-Za-z][A-Za-z0-9_]{3,}$/.test(w)) return undefined;
      // `errno -json 104`: the command's own flag with one dash, not a dashed code (unknownAsTyped names --json).
      if (nearestFlag(w.slice(1), cli) === w.slice(1)) return undefined;
      const letters = [...w.slice(1).replace(/_/g, '')].slice(0, 3).map((c) => `-${c}`).join(', ');
      const rest = [...words.slice(0, i), ...words.slice(i + 1)];
      const fixed =
        how.form === 'undashed'
          ? [...words.slice(0, i), w.slice(1), ...words.slice(i + 1)]
          : end < 0
            ? [...rest, '--', w]
            : [...rest.slice(0, end), w, ...rest.slice(end)];
      const advice = how.form === 'undashed' ? 'give it without the dash' : 'give it after --';
      return `${w} was read as short flags (${letters}, ...): ${advice} (sockscope ${fixed.map(shellWord).join(' ')})`;
    }
  }
  return undefined;
}

/** The command names a user may type (the monitor is the command without a name). */
function commandNames(): string[] {
  return [...namesOfCommands(), 'completion', 'help'];
}

/**
 * `-h` is `--help`: the word exactly, before `--` (not while the shell completes a line). Not a yargs alias: with one,
 * yargs read a long flag typed with one dash that holds an h (`try connect H:P -host x`, `-help`, `errno -ehostdown`)
 * as -h -o -s -t and printed the help with exit 0, the command not run; without it such a word reaches the fail
 * handler like any other (dashedLongFlag, dashedPositional, unknownAsTyped).
 */
export function shortHelp(words: string[]): string[] {
  if (words.includes('--get-yargs-completions')) return words;
  const end = words.indexOf('--');
  return words.map((w, i) => (w === '-h' && (end < 0 || i < end) ? '--help' : w));
}

/** `sockscope help CMD [SUB]` is `sockscope CMD [SUB] --help` (yargs took `help` alone only); an unknown CMD is refused. */
export function helpAsFlag(words: string[]): string[] {
  if (words[0] !== 'help' || words.length < 2 || words[1].startsWith('-')) return words;
  if (words[1] === 'help') return ['--help', ...words.slice(2)];
  if (!commandNames().includes(words[1])) throw new UsageError(notACommandMessage(words[1]));
  return [...words.slice(1), '--help'];
}

/** "analyz is not a command; did you mean analyze?": the nearest command name when one is near (edit distance). */
function notACommandMessage(word: string): string {
  const names = commandNames();
  // A name the word begins (3 characters or more) comes first, the shortest; then the fewest edits.
  const near = (word.length > 64 ? [] : names)
    .map((n) => ({ n, prefix: word.length >= 3 && n.startsWith(word), d: editDistance(word, n) }))
    .filter((x) => x.prefix || x.d <= Math.max(2, Math.floor(x.n.length / 3)))
    .sort((a, b) => Number(b.prefix) - Number(a.prefix) || a.d - b.d);
  const shown = word === '' ? "''" : word;
  return near.length > 0 ? `${shown} is not a command; did you mean ${near[0].n}?` : `${shown} is not a command; one of ${names.join(', ')}`;
}

/**
 * yargs' "Unknown argument: analyz" for a first word that names no command: said so, with the nearest name. A word
 * that is a command, after flags (`sockscope --json errno 104`): the root parser read the flag, which only the
 * monitor has, as taking the command's name for its value, and ran the monitor, which has no positional words.
 * It was "errno is not a command; did you mean errno?"; now commandAfterFlags says where the flags go.
 */
export function notACommand(msg: string, cli: unknown, words: readonly string[] = []): string | undefined {
  type Internal = { getInternalMethods?: () => { getContext?: () => { commands?: string[] } }; parsed?: { argv?: { _?: unknown[] } } | false };
  const y = cli as Internal;
  const m = /^Unknown arguments?: ([^]*)$/.exec(msg);
  if (!m || (y.getInternalMethods?.().getContext?.().commands?.length ?? 0) > 0) return undefined;
  const first = y.parsed ? y.parsed.argv?._?.[0] : undefined;
  if (typeof first !== 'string' || !m[1].split(', ').includes(first)) return undefined;
  return commandAfterFlags(first, words, cli) ?? notACommandMessage(first);
}

/** The flag names a command takes (its builder's, with their aliases and the --no- form of on/off flags). */
function commandFlags(name: string): Set<string> | undefined {
  if (name === 'help') return new Set();
  const command = [...loadedCommands(), completionCommand].find((c) => typeof c.command === 'string' && c.command.split(' ')[0] === name);
  if (!command) return undefined;
  const y = yargs([]).exitProcess(false).fail(() => {});
  if (typeof command.builder === 'function') (command.builder as (y: unknown) => unknown)(y);
  else if (command.builder) y.options(command.builder as never);
  try {
    y.parseSync([]);
  } catch {
    /* no alias table: the flags still go by their keys */
  }
  const o = (y as unknown as { getOptions: () => { key: Record<string, unknown>; alias: Record<string, string[]>; boolean: string[] } }).getOptions();
  const names = new Set([...Object.keys(o.key), ...Object.values(o.alias).flat()]);
  for (const b of o.boolean) names.add(`no-${b}`);
  return names;
}

/**
 * `sockscope --json errno 104`: COMMAND is a command and the words before it are flags. When the command takes them
 * all, where they go: "errno is a command: its flags go after it (sockscope errno 104 --json)"; when it does not
 * take one, that it is the monitor's: "--tcp is a flag of the monitor (sockscope without a command); analyze does not
 * take it". undefined: COMMAND is no command, or is not where the words put it (a word before it is not a flag).
 */
function commandAfterFlags(command: string, words: readonly string[], cli: unknown): string | undefined {
  if (!commandNames().includes(command)) return undefined;
  const end = words.indexOf('--');
  // `sockscope --json -- errno 104`, `sockscope -- errno 104`: `--` before the command word made it a word for the
  // monitor, which said "errno is not a command; did you mean errno?". Said as without the `--`; with no flag before
  // it, that the command goes first.
  if (end >= 0 && words[end + 1] === command) {
    if (end === 0) {
      const rest = words.slice(1);
      return `${command} is a command: give it first, without -- before it (sockscope ${rest.map(shellWord).join(' ')}); -- ends the flags and the monitor (sockscope without a command) takes no words`;
    }
    return commandAfterFlags(command, [...words.slice(0, end), ...words.slice(end + 1)], cli);
  }
  const at = words.indexOf(command);
  if (at <= 0 || (end >= 0 && end < at) || !words[0].startsWith('-')) return undefined;
  const before = words.slice(0, at);
  const after = words.slice(at + 1);
  const takes = commandFlags(command);
  if (!takes) return undefined;
  // The running parser is the monitor's: the global flags (--source, --color), which every command takes, and its own.
  const running = Object.keys((cli as { getOptions?: () => { key?: Record<string, unknown> } }).getOptions?.().key ?? {});
  const monitor = commandFlags('$0') ?? new Set<string>();
  for (const k of running) if (!monitor.has(k)) takes.add(k).add(`no-${k}`);
  const flagName = (w: string) => w.replace(/^--?/, '').split('=')[0];
  // The monitor's flags the command does not take; a flag neither has goes after the command, which names it.
  const foreign = before.filter((w) => /^--?[^-\d]/.test(w) && !takes.has(flagName(w)) && monitor.has(flagName(w)));
  if (foreign.length > 0) {
    const list = foreign.map((w) => w.split('=')[0]);
    const one = list.length === 1;
    return `${list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list.at(-1)}` : list[0]} ${one ? 'is a flag' : 'are flags'} of the monitor (sockscope without a command), given before the command ${command}, which does not take ${one ? 'it' : 'them'}`;
  }
  const moved = end < 0 ? [command, ...after, ...before] : [command, ...words.slice(at + 1, end), ...before, ...words.slice(end)];
  return `${command} is a command: its flags go after it (sockscope ${moved.map(shellWord).join(' ')})`;
}

/** What a positional argument that takes one of a list is (`try: foo is not a call; one of ...`). */
const POSITIONAL_NOUN: Readonly<Record<string, string>> = { op: 'a call' };

/**
 * yargs' stock messages, which name no flag as every other message does, in the house style: conflicts
 * ("--port and --peer-port cannot be used together"), choices ("--source foo is not one of: auto, ..."; a
 * positional: "try: foo is not a call; one of bind, ..."), a required flag ("debug-connections needs --address
 * HOST:PORT") and a flag without its value ("--interval needs a value"). undefined: not one of those.
 */
export function inHouseWords(msg: string, words: readonly string[], cli: unknown): string | undefined {
  // The monitor (no command word): its messages start "sockscope: " already, not "sockscope: sockscope: ".
  const command = (cli as { getInternalMethods?: () => { getContext?: () => { commands?: string[] } } }).getInternalMethods?.().getContext?.().commands?.[0];
  let m = /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(msg);
  if (m) return `--${m[1]} and --${m[2]} cannot be used together`;
  m = /^Missing required arguments?: ([^]*)$/.exec(msg);
  if (m) return `${command ?? 'sockscope'} needs ${m[1].split(', ').map((n) => `--${n}${takes(n) === 'one value' ? '' : ` ${takes(n).replace(/^one /, '')}`}`).join(' and ')}`;
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
    return typed ? `--${name} ${value} is not one of: ${one}` : `${command === undefined ? '' : `${command}: `}${value} is not ${POSITIONAL_NOUN[name] ?? `a ${name.toUpperCase()}`}; one of ${one}`;
  });
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** yargs' message on one line: "Invalid values:\n  Argument: op" reads "Invalid values: Argument: op". */
export function oneLine(msg: string): string {
  return String(msg ?? 'invalid arguments')
    .replace(/:\s*\n\s*/g, ': ')
    .replace(/\s*\n\s*/g, '; ');
}

