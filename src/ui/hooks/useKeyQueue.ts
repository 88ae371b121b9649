// Keys in order against a reducer: each key is decided on the state after every key before it, and keys that
// follow one that changed the screen wait until that screen is drawn. A child (the wizard) can take the keys.
import type { Key } from 'ink';
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
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
}

/** The monitor's key plumbing apart from the monitor: the state, its dispatch, and the feed for a child's keys. */
export function useKeyQueue<S, A>(opts: KeyQueueOptions<S, A>): { state: S; dispatch: (a: A) => void; feedChild: KeyFeed } {
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
  const waiting = useRef<Array<[string, Key]>>([]);
  const onKey = useCallback<KeyHandler>((input, key) => {
    const { sameScreen, childTakesKeys, keyAction } = cfg.current;
    if (waiting.current.length > 0 || !sameScreen(shown.current, latest.current)) {
      waiting.current.push([input, key]);
      return;
    }
    if (childTakesKeys(latest.current)) child.current?.(input, key);
    // Several characters in one read (a paste, a fast typist over SSH, tmux send-keys) are keys one by one.
    const keys = splitKeys(input, key);
    for (let i = 0; i < keys.length; i++) {
      if (!cfg.current.intercept?.(keys[i][0], latest.current)) dispatch(keyAction(keys[i][0], keys[i][1]));
      // splitKeys splits a read only into single characters: the rest of it is the characters after i.
      if (i + 1 < keys.length && !sameScreen(shown.current, latest.current)) {
        waiting.current.push([[...input].slice(i + 1).join(''), key]);
        return;
      }
    }
  }, [dispatch]);
  useLayoutEffect(() => {
    if (waiting.current.length === 0 || !cfg.current.sameScreen(shown.current, latest.current)) return;
    const keys = waiting.current;
    waiting.current = [];
    for (const [input, key] of keys) onKey(input, key);
  });
  useKeys(onKey, { isActive: opts.isActive });
  return { state, dispatch, feedChild };
}
