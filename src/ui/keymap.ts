// The keymap is data: this one table drives key handling, the footer hints and the help screen.

/** Where a binding applies. 'all' bindings work in every view. */
export type ViewName = 'ports' | 'port' | 'socket' | 'help';

/** Every command the monitor understands. */
export type CommandName =
  | 'quit'
  | 'suspend'
  | 'help'
  | 'filter'
  | 'drill'
  | 'back'
  | 'clearFilter'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'sort'
  | 'sortReverse'
  | 'pause'
  | 'toggleTcp'
  | 'toggleUdp'
  | 'toggleUnix'
  | 'faster'
  | 'slower'
  | 'switchTable'
  | 'groupByPeer'
  | 'wizard';

export interface KeyBinding {
  command: CommandName;
  /** Normalized key names (see keyName): 'q', 'ctrl+c', 'enter', 'escape', 'up', 'pagedown', 'space', '?'. */
  keys: string[];
  /** What the command does, for the help screen. */
  description: string;
  /** Short label for the footer; bindings without one are not hinted. */
  hint?: string;
  views: readonly ViewName[] | 'all';
}

/** The built-in keymap (htop/less habits: q quit, ? help, / filter, Enter in, Esc out, j/k move, space pause). */
export const DEFAULT_KEYMAP: readonly KeyBinding[] = [
  { command: 'quit', keys: ['q', 'ctrl+c'], description: 'Quit (the terminal is restored; Ctrl-C always quits)', hint: 'quit', views: 'all' },
  { command: 'suspend', keys: ['ctrl+z'], description: 'Suspend to the shell (the terminal is restored; fg resumes)', views: 'all' },
  { command: 'help', keys: ['?'], description: 'Show or close this help', hint: 'help', views: 'all' },
  { command: 'filter', keys: ['/'], description: 'Filter rows by port, process, address or state (Enter keeps it, Esc clears)', hint: 'filter', views: ['ports', 'port'] },
  { command: 'drill', keys: ['enter'], description: 'Open the selected port or socket', hint: 'open', views: ['ports', 'port'] },
  { command: 'back', keys: ['escape', 'backspace'], description: 'Go back one level', hint: 'back', views: ['port', 'socket', 'help'] },
  { command: 'clearFilter', keys: ['escape'], description: 'Clear the filter', views: ['ports'] },
  { command: 'up', keys: ['up', 'k'], description: 'Move the selection up', views: 'all' },
  { command: 'down', keys: ['down', 'j'], description: 'Move the selection down', views: 'all' },
  { command: 'pageUp', keys: ['pageup'], description: 'Move one page up', views: 'all' },
  { command: 'pageDown', keys: ['pagedown'], description: 'Move one page down', views: 'all' },
  { command: 'home', keys: ['home', 'g'], description: 'Go to the first row', views: 'all' },
  { command: 'end', keys: ['end', 'G'], description: 'Go to the last row', views: 'all' },
  { command: 'sort', keys: ['s'], description: 'Sort by the next column', hint: 'sort', views: ['ports', 'port'] },
  { command: 'sortReverse', keys: ['S'], description: 'Reverse the sort order', views: ['ports', 'port'] },
  { command: 'pause', keys: ['space'], description: 'Pause or resume refreshing (the data stays still)', hint: 'pause', views: 'all' },
  { command: 'switchTable', keys: ['tab'], description: 'Switch between local ports and outgoing connections by peer port', hint: 'in/out', views: ['ports'] },
  { command: 'groupByPeer', keys: ['p'], description: 'Group the sockets of a port by peer address', hint: 'by peer', views: ['port'] },
  { command: 'toggleTcp', keys: ['t'], description: 'Show or hide TCP', hint: 'tcp', views: ['ports', 'port'] },
  { command: 'toggleUdp', keys: ['u'], description: 'Show or hide UDP', hint: 'udp', views: ['ports', 'port'] },
  { command: 'toggleUnix', keys: ['x'], description: 'Show or hide unix sockets', hint: 'unix', views: ['ports'] },
  { command: 'faster', keys: ['+', '='], description: 'Refresh more often (halve the interval, 100 ms at least)', views: 'all' },
  { command: 'slower', keys: ['-'], description: 'Refresh less often (double the interval)', views: 'all' },
  { command: 'wizard', keys: ['c'], description: 'Open the server code-generation wizard', hint: 'codegen', views: ['ports', 'port', 'socket'] },
];

/** The subset of Ink's Key the keymap looks at. */
export interface InkKey {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

/** Normalizes Ink's (input, key) into one key name. Terminals send DEL (0x7f) for Backspace; Ink calls it delete. */
export function keyName(input: string, key: InkKey): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  return input;
}

/**
 * Splits one read from the terminal into key presses: Ink hands over a whole chunk when several
 * printable characters arrive together. Returns [keyName, text] pairs, one per character of a chunk. A
 * lone character is named the same way: the rest of a chunk the monitor holds back for the next screen
 * (useKeyQueue's waiting keys) can be one "\r" with no key flag, which is Enter all the same.
 */
export function splitKeys(input: string, key: InkKey): Array<[string, string]> {
  const special = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.escape || key.tab || key.backspace || key.delete || key.ctrl;
  const chars = [...input];
  if (special || chars.length === 0) return [[keyName(input, key), input]];
  return chars.map((c): [string, string] => {
    if (c === '\r' || c === '\n') return ['enter', ''];
    if (c === '\t') return ['tab', ''];
    if (c === '\u007f' || c === '\b') return ['backspace', ''];
    // A control character inside a chunk is its Ctrl key, as a lone one is (keyName): never text.
    if (c >= '\u0001' && c <= '\u001a') return [`ctrl+${String.fromCharCode(c.charCodeAt(0) + 96)}`, ''];
    return [c === ' ' ? 'space' : c, c];
  });
}

/** How a key name reads on screen. */
export function displayKey(k: string): string {
  const names: Record<string, string> = {
    up: '↑',
    down: '↓',
    left: '←',
    right: '→',
    pageup: 'PgUp',
    pagedown: 'PgDn',
    home: 'Home',
    end: 'End',
    enter: 'Enter',
    escape: 'Esc',
    tab: 'Tab',
    backspace: 'Backspace',
    space: 'Space',
  };
  if (names[k]) return names[k];
  if (k.startsWith('ctrl+')) return `Ctrl-${k.slice(5).toUpperCase()}`;
  return k;
}

/**
 * Keys an override cannot take away. Ctrl-C is the terminal's interrupt: with `keymap: {quit: [Q]}` it did
 * nothing (raw mode turns it into a key, not SIGINT), and with a key the terminal never sends nothing
 * quit at all. An override of quit replaces `q` and keeps Ctrl-C.
 */
const FIXED_KEYS: Readonly<Partial<Record<CommandName, readonly string[]>>> = { quit: ['ctrl+c'] };

/** The keys of a command after a config override: the override's keys, then the fixed keys it lacks. */
export function overriddenKeys(command: CommandName, keys: readonly string[]): string[] {
  const fixed = FIXED_KEYS[command] ?? [];
  return [...keys, ...fixed.filter((k) => !keys.includes(k))];
}

/**
 * Applies config.keymap overrides (command -> keys). Unknown command names are reported, not ignored
 * silently. `without` removes commands whose feature is missing (the wizard before it exists).
 */
export function resolveKeymap(
  overrides: Record<string, string[]> = {},
  opts: { without?: readonly CommandName[] } = {},
): { keymap: KeyBinding[]; unknown: string[] } {
  const known = new Set(DEFAULT_KEYMAP.map((b) => b.command as string));
  const unknown = Object.keys(overrides).filter((k) => !known.has(k));
  const keymap = DEFAULT_KEYMAP.filter((b) => !opts.without?.includes(b.command)).map((b) => ({
    ...b,
    keys: overrides[b.command] ? overriddenKeys(b.command, overrides[b.command]) : [...b.keys],
  }));
  return { keymap, unknown };
}

function appliesTo(b: KeyBinding, view: ViewName): boolean {
  return b.views === 'all' || b.views.includes(view);
}

/** The command bound to a key in a view, if any. */
export function commandFor(keymap: readonly KeyBinding[], key: string, view: ViewName): CommandName | undefined {
  for (const b of keymap) if (appliesTo(b, view) && b.keys.includes(key)) return b.command;
  return undefined;
}

/** Footer hints for a view, in keymap order: "q quit  ? help  / filter". */
export function footerHints(keymap: readonly KeyBinding[], view: ViewName): Array<{ key: string; label: string }> {
  return keymap
    .filter((b) => b.hint && appliesTo(b, view) && b.keys.length > 0)
    .map((b) => ({ key: displayKey(b.keys[0]), label: b.hint! }));
}

/**
 * The footer when stdin is not a terminal (`sleep 30 | sockscope`): the monitor reads no keys then (README:
 * Ctrl-C still quits, as the terminal's SIGINT), so it lists none of the keymap's, which would do nothing.
 */
export const KEYS_OFF_HINTS: ReadonlyArray<{ key: string; label: string }> = [
  { key: 'keys off:', label: 'stdin is not a terminal' },
  { key: 'Ctrl-C', label: 'quit' },
];

/** The footer while typed keys wait for a protocol just switched on to be collected (useKeyQueue's data hold). */
export const KEYS_HELD_HINTS: ReadonlyArray<{ key: string; label: string }> = [
  { key: 'keys wait:', label: 'collecting the protocol just switched on (at most 2 s)' },
  { key: 'Ctrl-C', label: 'quit' },
];

/** One help line per binding: keys (display form) and description, grouped by where it applies. */
export function helpLines(keymap: readonly KeyBinding[]): Array<{ keys: string; description: string; where: string }> {
  return keymap.map((b) => ({
    keys: b.keys.map(displayKey).join(' '),
    description: b.description,
    where: b.views === 'all' ? 'everywhere' : b.views.join(', '),
  }));
}

/** The keymap as a Markdown table (the README's key list is this text; a test keeps them equal). */
export function keymapMarkdown(keymap: readonly KeyBinding[] = DEFAULT_KEYMAP): string {
  const rows = helpLines(keymap).map((h) => `| ${h.keys.split(' ').map((k) => `\`${k}\``).join(' ')} | ${h.description} | ${h.where} |`);
  return ['| keys | what it does | where |', '|---|---|---|', ...rows].join('\n');
}
