// Key input for the monitor and the wizard: Ink's useInput, plus the two things it gets wrong for us
// (Esc presses that share a read, and keys that arrive before a child's useInput listens).
import { useInput, useStdin, type Key } from 'ink';
import { createContext, useContext, useLayoutEffect, useRef } from 'react';

/** What useInput calls for each key (input text, Ink's key flags). */
export type KeyHandler = (input: string, key: Key) => void;

/** A parent's keys, handed to one child: `feed(handler)` starts it, the returned function stops it. */
export type KeyFeed = (handler: KeyHandler) => () => void;

/**
 * The monitor gives the wizard its keys through this (none: the component reads the terminal itself).
 * Ink's useInput subscribes in a passive effect, which React runs after the commit that drew the frame
 * (Ink renders on a legacy root: an update's passive effects wait for the scheduler, a setImmediate
 * later). A key read in between went to nobody: Down written just after the wizard's first frame was lost
 * in 4 of 10 runs of a test on a loaded machine. The feed is attached in a layout effect, in the commit
 * that mounts the wizard, and the monitor's own listener has been there since it started.
 */
export const KeyFeedContext = createContext<KeyFeed | undefined>(undefined);

/** Ink's flags for a lone Esc (useInput sets meta for every Esc). */
const ESCAPE_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: true,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: true,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * Esc presses in one of Ink's input events beyond the first. Ink's parser makes ESC ESC one event (xterm's
 * Alt+Esc) and useInput reports it as one Esc, so two presses in one read (a slow SSH link, a quick double
 * press) backed out one level. Sequences that start with ESC (ESC [ A, ESC O P, ESC x, ESC ESC [ A) hold
 * no Esc press.
 */
export function extraEscapes(event: string): number {
  return /^\u001b+$/.test(event) ? event.length - 1 : 0;
}

/** A handle that always calls the latest handler (attached once, not on every render). */
function useLatest(handler: KeyHandler): (input: string, key: Key) => void {
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  return useRef((input: string, key: Key) => latest.current(input, key)).current;
}

/**
 * useInput for sockscope: keys from the enclosing KeyFeedContext when there is one, else from the
 * terminal through Ink, with each Esc of an ESC ESC read passed on as its own key.
 */
export function useKeys(handler: KeyHandler, opts: { isActive: boolean }): void {
  const feed = useContext(KeyFeedContext);
  const call = useLatest(handler);
  const fromInk = opts.isActive && !feed;
  useInput(call, { isActive: fromInk });
  // Ink's own event stream (the parser's output, before useInput turns it into flags): the only place
  // that tells ESC ESC from ESC. Both listeners see every event; this one adds the Esc useInput drops,
  // so the order in which they run does not matter.
  const { internal_eventEmitter: events } = useStdin();
  useLayoutEffect(() => {
    if (!fromInk || !events) return;
    const onEvent = (event: unknown) => {
      if (typeof event !== 'string') return;
      for (let n = extraEscapes(event); n > 0; n--) call('', ESCAPE_KEY);
    };
    events.on('input', onEvent);
    return () => {
      events.removeListener('input', onEvent);
    };
  }, [events, fromInk, call]);
  useLayoutEffect(() => (opts.isActive && feed ? feed(call) : undefined), [feed, opts.isActive, call]);
}
