// Keys in order against a reducer: each key is decided on the state after every key before it, and keys that
// follow one that changed the screen wait until that screen is drawn. A child (the wizard) can take the keys.
import type { Key } from 'ink';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { splitKeys } from '../keymap.js';
import { useKeys, type KeyFeed, type KeyHandler } from './useKeys.js';

export interface KeyQueueOptions<S, A> {
  reducer: (s: S, a: A) => S;
  init: () => S;
  /** The action for one key press: [key name, text] from splitKeys, with what is on screen (read at the press). */
  keyAction: (key: string, text: string) => A;
  /** Whether keys decided on state `b` see what state `a` draws (else they wait until `b` is drawn). */
  sameScreen: (a: S, b: S) => boolean;
  /** Whether the child fed through `feedChild` takes the keys in this state (the reducer still sees them). */
  childTakesKeys: (s: S) => boolean;
  /** Listen to the terminal at all (Ink's useInput needs raw mode). */
  isActive: boolean;
  /** A key acted on outside the reducer, in its turn and on the state after the keys before it (Ctrl-Z suspends): true when it took the key. */
  intercept?: (key: string, s: S) => boolean;
  /**
   * Whether the data on screen is what state `s` needs (a protocol switched on is collected only from then on):
   * keys after the one that made `s` wait until it is, as for a screen change, but at most `holdMs`; then they act
   * on the screen as it is (none is dropped). Default: always ready.
   */
  dataReady?: (s: S) => boolean;
  /** What `s` needs of the data (states with the same need wait once: after the time-out, keys no longer wait for it). Default: `s`. */
  dataNeed?: (s: S) => unknown;
  /** The longest keys wait for dataReady, in ms (default DATA_HOLD_MS). */
  holdMs?: number;
  /**
   * A key that never waits (Ctrl-C: quitting must not wait up to holdMs for a collection): it acts at once, on the
   * state after the keys acted on so far, and the keys held before it are dropped (they would act after a quit).
   */
  urgent?: (key: string) => boolean;
}

/** How long keys wait at most for the data a key asked for (a collection that fails or hangs must not keep them). */
export const DATA_HOLD_MS = 2000;

/** The monitor's key plumbing apart from the monitor: the state, its dispatch, and the feed for a child's keys. */
export function useKeyQueue<S, A>(opts: KeyQueueOptions<S, A>): { state: S; dispatch: (a: A) => void; feedChild: KeyFeed; holding: boolean } {
  // Read through a ref: the handlers below are attached once and must see this render's screen.
  const cfg = useRef(opts);
  cfg.current = opts;
  const [state, setState] = useState(opts.init);
  // The state after every action so far; React draws it in a later task (its scheduler: not a microtask, not
  // the next setImmediate, measured with Ink 6.8 and React 19), so keys of this read and of later reads can
  // arrive first: they are routed on this. React is given these very objects, so a state on screen is the
  // same object as the one the keys acted on.
  const latest = useRef(state);
  const dispatch = useCallback((a: A) => {
    latest.current = cfg.current.reducer(latest.current, a);
    setState(latest.current);
  }, []);
  const shown = useRef(state);
  shown.current = state;
  // The child, while it takes keys, gets every one from here (KeyFeedContext).
  const child = useRef<KeyHandler | undefined>(undefined);
  const feedChild = useCallback<KeyFeed>((h) => {
    child.current = h;
    return () => {
      if (child.current === h) child.current = undefined;
    };
  }, []);
  // Keys that follow one that changed the screen wait until React has drawn it (a later task, see above: keys
  // of the same read and of later reads can come first; each call checks again). Otherwise they acted on the
  // screen of the read: the second Esc of ESC ESC from a socket view went by its keys and table, not the port
  // view's (whose filter it must clear first), the second Enter of one read drilled into the ports table again,
  // Enter after a filter opened a row the filter hides, and Down after the `c` that opens the wizard went to
  // the monitor.
  // A key that needs new data (x: unix sockets are collected from then on) holds the next ones until that data is
  // drawn too: drawn at once on the old snapshot, `x G` went to the last TCP row and the Enter of `x /plain Enter
  // Enter` found no unix row. Bounded: after holdMs the keys act on the screen as it is (`waived`: that need).
  const waiting = useRef<Array<[string, Key]>>([]);
  // Keys wait for data (not only for a draw): the screen says so (the monitor's footer), else it looked frozen.
  const [holding, setHolding] = useState(false);
  const waived = useRef<{ need: unknown } | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const dataReady = (s: S) => {
    const { dataReady: ready, dataNeed } = cfg.current;
    if (!ready) return true;
    const w = waived.current;
    return (w !== undefined && w.need === (dataNeed ? dataNeed(s) : s)) || ready(s);
  };
  const canAct = () => cfg.current.sameScreen(shown.current, latest.current) && dataReady(latest.current);
  const flush = useRef<() => void>(() => {});
  const hold = (input: string, key: Key) => {
    waiting.current.push([input, key]);
    if (timer.current !== undefined || dataReady(latest.current)) return;
    setHolding(true);
    timer.current = setTimeout(() => {
      timer.current = undefined;
      const { dataNeed } = cfg.current;
      waived.current = { need: dataNeed ? dataNeed(latest.current) : latest.current };
      flush.current();
    }, cfg.current.holdMs ?? DATA_HOLD_MS);
  };
  const onKey = useCallback<KeyHandler>((input, key) => {
    const { childTakesKeys, keyAction, urgent } = cfg.current;
    if (waiting.current.length > 0 || !canAct()) {
      const now = urgent ? splitKeys(input, key).find(([k]) => urgent(k)) : undefined;
      if (now) {
        waiting.current = [];
        if (timer.current !== undefined) clearTimeout(timer.current);
        timer.current = undefined;
        setHolding(false);
        if (!cfg.current.intercept?.(now[0], latest.current)) dispatch(keyAction(now[0], now[1]));
        return;
      }
      hold(input, key);
      return;
    }
    // Several characters in one read (a paste, a fast typist over SSH, tmux send-keys) are keys one by one.
    const keys = splitKeys(input, key);
    const chars = keys.length > 1 ? [...input] : [input];
    for (let i = 0; i < keys.length; i++) {
      // The child gets the keys one at a time while it takes them: one that closes it (Esc on the wizard's first
      // step) hands the rest to the monitor, on the screen it goes back to (the second Esc of ESC ESC went to the
      // closing wizard and was lost). splitKeys splits a read only into single characters.
      if (childTakesKeys(latest.current)) {
        child.current?.(chars[i], key);
        // The reducer still sees the key (Ctrl-C quits) unless the child closed on it: then it was the child's.
        if (childTakesKeys(latest.current) && !cfg.current.intercept?.(keys[i][0], latest.current)) dispatch(keyAction(keys[i][0], keys[i][1]));
      } else if (!cfg.current.intercept?.(keys[i][0], latest.current)) dispatch(keyAction(keys[i][0], keys[i][1]));
      // The rest of the read is the characters after i.
      if (i + 1 < keys.length && !canAct()) {
        hold(chars.slice(i + 1).join(''), key);
        return;
      }
    }
    // canAct and hold read cfg (a ref) only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dispatch]);
  flush.current = () => {
    if (waiting.current.length === 0 || !canAct()) return;
    if (timer.current !== undefined) clearTimeout(timer.current);
    timer.current = undefined;
    const keys = waiting.current;
    waiting.current = [];
    setHolding(false);
    for (const [input, key] of keys) onKey(input, key);
  };
  useLayoutEffect(() => flush.current());
  useEffect(
    () => () => {
      if (timer.current !== undefined) clearTimeout(timer.current);
    },
    [],
  );
  useKeys(onKey, { isActive: opts.isActive });
  return { state, dispatch, feedChild, holding };
}
