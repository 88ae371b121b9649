// The wizard's keys: what one read from the terminal (or the monitor's key feed) is as wizard keys, and where each
// goes: Ctrl-Z to the host's stop (`sockscope generate`: cli/stop-and-resume.ts), Ctrl-C to the host when it takes
// it, the rest to the wizard's reducer.
import { useStdin, type Key } from 'ink';
import type { WizardKey } from './reducer.js';
import { splitKeys } from '../keymap.js';
import { useKeys } from '../hooks/useKeys.js';

const NAMED_KEYS: Record<string, Exclude<WizardKey, { name: 'char' }>['name']> = {
  up: 'up',
  down: 'down',
  enter: 'enter',
  escape: 'escape',
  backspace: 'backspace',
  pageup: 'pageUp',
  pagedown: 'pageDown',
  home: 'home',
  end: 'end',
};

/**
 * One read from the terminal as wizard keys (none to ignore). Several keys can arrive in one read (a
 * paste, `tmux send-keys BSpace BSpace`, a slow SSH link that coalesces keys): Ink then hands over the
 * whole chunk, "\x7f\x7f\x7f" with no key flag set, which the wizard used to drop. It is split the way the
 * monitor splits it (keymap.ts splitKeys).
 */
export function toWizardKeys(input: string, key: Key): WizardKey[] {
  const out: WizardKey[] = [];
  // Alt+letter and Ctrl+letter are not text; Esc (Ink sets meta on every Esc) is a key of its own.
  if ((key.meta && !key.escape) || key.tab) return out;
  for (const [name, text] of splitKeys(input, key)) {
    const named = NAMED_KEYS[name];
    if (named) out.push({ name: named });
    else if (name === 'ctrl+c') out.push({ name: 'interrupt' });
    else if (name === 'ctrl+z') out.push({ name: 'suspend' });
    else if (name === 'space') out.push({ name: 'char', ch: ' ' });
    else if (text.length > 0 && !name.startsWith('ctrl+') && !/[\x00-\x1f\x7f]/.test(text)) out.push({ name: 'char', ch: text });
  }
  return out;
}

/**
 * Hands the wizard's keys to `press`, from the monitor's key feed or, alone, from the terminal when it has raw mode.
 * Ctrl-Z calls `onSuspend` (without it the key does nothing); Ctrl-C goes to `press` only with `interrupts` (else the
 * host has it: the monitor quits on it).
 */
export function useWizardKeys(press: (k: WizardKey) => void, opts: { onSuspend?: () => void; interrupts: boolean }): void {
  const { isRawModeSupported } = useStdin();
  // In the monitor the keys come from the monitor (hooks/useKeys.ts says why); alone, from the terminal.
  useKeys(
    (input, key) => {
      for (const k of toWizardKeys(input, key)) {
        if (k.name === 'suspend') opts.onSuspend?.();
        else if (k.name !== 'interrupt' || opts.interrupts) press(k);
      }
    },
    { isActive: isRawModeSupported === true },
  );
}
