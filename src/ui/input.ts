// Key handling as a pure function: a key name and what is on screen in, actions (or quit) out.
import { commandFor, type KeyBinding, type ViewName } from './keymap.js';
import { windowTop } from './layout.js';
import { current, nearOf, reducer, type Action, type UiState } from './state.js';
import type { TableModel } from './table-model.js';

/** What the key handler needs to know about the screen. */
export interface KeyContext {
  state: UiState;
  keymap: readonly KeyBinding[];
  /** The table on screen (ports and port views). */
  table?: {
    model: TableModel<unknown>;
    ids: readonly string[];
    index: number;
    top: number;
    height: number;
  };
  /** Scrollable text views (socket, help): the largest scroll offset. */
  maxScroll?: number;
  /** Rows of a text page, for PgUp/PgDn. */
  pageSize: number;
  wizardAvailable: boolean;
  /** The port the wizard should start with (the selection). */
  wizardInitial?: { type?: 'tcp' | 'udp'; port?: number };
}

export type KeyResult = { quit: true } | { quit: false; actions: Action[] };

const none: KeyResult = { quit: false, actions: [] };
const act = (...actions: Action[]): KeyResult => ({ quit: false, actions });

/** The filter text without its last word (and the spaces after it), as readline's Ctrl-W cuts. */
export function withoutLastWord(text: string): string {
  return text.replace(/\S*\s*$/, '');
}

/**
 * Text typed into the filter bar: printable characters append, Backspace deletes, Enter keeps, Esc clears.
 * Control keys are never text (Ink hands Ctrl-U over as input "u" with key.ctrl: it was typed as a "u"):
 * Ctrl-U clears the line and Ctrl-W deletes the last word (readline), any other is ignored.
 */
function filterKey(key: string, input: string, ctx: KeyContext): KeyResult {
  const table = ctx.table?.model.key;
  if (!table) return act({ type: 'filterEnd', clear: false, table: '' });
  if (key === 'ctrl+c') return { quit: true };
  if (key === 'ctrl+u') return act({ type: 'filterInput', table, text: '' });
  if (key === 'ctrl+w') return act({ type: 'filterInput', table, text: withoutLastWord(ctx.state.filters[table] ?? '') });
  if (key.startsWith('ctrl+')) return none;
  if (key === 'enter') return act({ type: 'filterEnd', clear: false, table });
  if (key === 'escape') return act({ type: 'filterEnd', clear: true, table });
  if (key === 'backspace') return act({ type: 'filterBackspace', table });
  if (key === 'space') return act({ type: 'filterAppend', table, text: ' ' });
  // Printable input only (no escape sequences, no control characters).
  if (input && [...input].every((c) => c >= ' ' && c !== '\u007f') && input.length <= 64) return act({ type: 'filterAppend', table, text: input });
  return none;
}

function moveTo(t: KeyContext['table'], index: number): KeyResult {
  if (!t || t.ids.length === 0) return none;
  const i = Math.max(0, Math.min(t.ids.length - 1, index));
  return act({ type: 'select', table: t.model.key, id: t.ids[i], index: i, top: windowTop(t.ids.length, i, t.height, t.top), near: nearOf(t.ids, i) });
}

/** The selected index and scroll position for a key: the frame's, unless a key since moved the selection to another row of it. */
function afterKeys(table: NonNullable<KeyContext['table']>, state: UiState): { index: number; top: number } {
  const key = table.model.key;
  const id = state.selected[key];
  const drawn = table.index >= 0 ? table.ids[table.index] : undefined;
  const i = id === undefined || id === drawn ? -1 : table.ids.indexOf(id);
  return i < 0 ? { index: table.index, top: table.top } : { index: i, top: state.top[key] ?? table.top };
}

/**
 * Whether a key suspends the monitor (the keymap's `suspend`, acted on before the reducer: AppProps.onSuspend).
 * Where text is typed, the filter bar, and in the wizard, which takes every key (its text fields too), only a
 * Ctrl key does, as only Ctrl-C quits there: a suspend key bound to `z` is typed as a z, one bound to Esc or
 * Enter keeps its meaning there. Ctrl-Z suspends everywhere.
 */
export function suspendsOn(keymap: readonly KeyBinding[], key: string, state: UiState): boolean {
  if (!keymap.some((b) => b.command === 'suspend' && b.keys.includes(key))) return false;
  return key.startsWith('ctrl+') || !(state.editingFilter || current(state).view === 'wizard');
}

/** Maps one key press to actions. `input` is the raw text Ink gave (for the filter bar). */
export function handleKey(key: string, input: string, ctx: KeyContext): KeyResult {
  const { state } = ctx;
  const frame = current(state);
  if (frame.view === 'wizard') return key === 'ctrl+c' ? { quit: true } : none;
  if (state.editingFilter) return filterKey(key, input, ctx);
  const view: ViewName = frame.view;
  const command = commandFor(ctx.keymap, key, view);
  if (!command) return none;
  // The selection as the reducer knows it now (several keys may arrive between two frames): a key before
  // this one moved it to a row on screen; otherwise it is where the last frame drew it.
  const t = ctx.table ? { ...ctx.table, ...afterKeys(ctx.table, state) } : undefined;
  const scrollable = ctx.maxScroll !== undefined;
  switch (command) {
    case 'quit':
      return { quit: true };
    case 'suspend':
      // Acted on before the reducer (AppProps.onSuspend): it stops the process.
      return none;
    case 'help':
      return act({ type: 'help' });
    case 'filter':
      return t ? act({ type: 'filterStart' }) : none;
    case 'drill': {
      if (!t || t.index < 0 || !t.model.drill) return none;
      return act(...t.model.drill(t.model.rows[t.index]));
    }
    case 'back':
      // Esc first clears a filter that is set, then goes back.
      if (t && state.filters[t.model.key]) return act({ type: 'filterEnd', clear: true, table: t.model.key });
      return act({ type: 'back' });
    case 'clearFilter':
      return t && state.filters[t.model.key] ? act({ type: 'filterEnd', clear: true, table: t.model.key }) : none;
    case 'up':
      return scrollable ? act({ type: 'scroll', delta: -1, max: ctx.maxScroll! }) : t ? moveTo(t, t.index - 1) : none;
    case 'down':
      return scrollable ? act({ type: 'scroll', delta: 1, max: ctx.maxScroll! }) : t ? moveTo(t, t.index + 1) : none;
    case 'pageUp':
      return scrollable ? act({ type: 'scroll', delta: -ctx.pageSize, max: ctx.maxScroll! }) : t ? moveTo(t, t.index - t.height) : none;
    case 'pageDown':
      return scrollable ? act({ type: 'scroll', delta: ctx.pageSize, max: ctx.maxScroll! }) : t ? moveTo(t, t.index + t.height) : none;
    case 'home':
      return scrollable ? act({ type: 'scroll', delta: -Infinity, max: ctx.maxScroll! }) : t ? moveTo(t, 0) : none;
    case 'end':
      return scrollable ? act({ type: 'scroll', delta: Infinity, max: ctx.maxScroll! }) : t ? moveTo(t, t.ids.length - 1) : none;
    case 'sort':
      return t ? act({ type: 'sortNext', kind: t.model.kind, count: t.model.sorts.length }) : none;
    case 'sortReverse':
      return t ? act({ type: 'sortReverse', kind: t.model.kind }) : none;
    case 'pause':
      return act({ type: 'pause' });
    case 'toggleTcp':
      return act({ type: 'toggleProtocol', protocol: 'tcp' });
    case 'toggleUdp':
      return act({ type: 'toggleProtocol', protocol: 'udp' });
    case 'toggleUnix':
      return act({ type: 'toggleProtocol', protocol: 'unix' });
    case 'faster':
      return act({ type: 'interval', factor: 0.5 });
    case 'slower':
      return act({ type: 'interval', factor: 2 });
    case 'switchTable':
      return act({ type: 'switchTable' });
    case 'groupByPeer':
      return act({ type: 'groupByPeer' });
    case 'wizard':
      return ctx.wizardAvailable ? act({ type: 'push', frame: { view: 'wizard', initial: ctx.wizardInitial } }) : none;
  }
}

/**
 * Whether two states show the same screen: the same frame, the same table in it and the same rows. Keys carry
 * what was on screen (KeyAction.ctx: the table's model and ids); after a key that changes the screen, the App
 * holds the next ones until it is drawn.
 */
export function sameScreen(a: UiState, b: UiState): boolean {
  if (!(current(a) === current(b) && a.table === b.table && a.groupByPeer === b.groupByPeer)) return false;
  // The rows too: a filter, sort or protocol toggle changes them, and Enter after one in the same read opened
  // a row of the old table (UDP 53 after '/5432' Enter or 'u'). Typing into the filter bar needs only the
  // table's key (filterKey), so a pasted filter does not wait for a frame per character.
  return b.editingFilter || (a.filters === b.filters && a.sort === b.sort && a.protocols === b.protocols);
}

/** A key press as an action: decided against the reducer's own state, so keys that arrive faster than frames act in order. */
export interface KeyAction {
  type: 'key';
  key: string;
  text: string;
  /** What is on screen (from the latest render); the state comes from the reducer. */
  ctx: Omit<KeyContext, 'state'>;
}

/** The monitor's reducer: key presses plus every UI action. A quit sets `quit` (the App then exits). */
export function monitorReducer(s: UiState, a: Action | KeyAction): UiState {
  if (a.type !== 'key') return reducer(s, a);
  if (s.quit) return s;
  const r = handleKey(a.key, a.text, { ...a.ctx, state: s });
  if (r.quit) return { ...s, quit: true };
  return r.actions.reduce(reducer, s);
}
