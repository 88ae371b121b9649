// Colours and marks. Without colour (NO_COLOR, --no-color, TERM=dumb) everything stays readable through text marks and
// inverse video.
import type { Severity } from '../advise/types.js';

/** Props for an Ink <Text>. */
export interface TextStyle {
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
}

export interface Theme {
  color: boolean;
  title: TextStyle;
  tableHeader: TextStyle;
  selected: TextStyle;
  dim: TextStyle;
  key: TextStyle;
  paused: TextStyle;
  stale: TextStyle;
  severity: Record<Severity | 'ok', TextStyle>;
  /** Health mark text, readable without colour. */
  mark: Record<Severity | 'ok', string>;
}

/** Severity marks: two characters so the health column stays aligned. */
export const HEALTH_MARKS: Record<Severity | 'ok', string> = { ok: ' .', info: ' i', warning: ' !', critical: '!!' };

/** The theme for colour or monochrome terminals. */
export function createTheme(color: boolean): Theme {
  if (!color) {
    return {
      color: false,
      title: { bold: true },
      tableHeader: { bold: true },
      selected: { inverse: true },
      dim: {},
      key: { bold: true },
      paused: { inverse: true },
      stale: { inverse: true },
      severity: { ok: {}, info: {}, warning: { bold: true }, critical: { bold: true } },
      mark: HEALTH_MARKS,
    };
  }
  return {
    color: true,
    title: { bold: true, color: 'cyan' },
    tableHeader: { bold: true, color: 'blue' },
    selected: { inverse: true },
    dim: { dimColor: true },
    key: { bold: true, color: 'cyan' },
    paused: { inverse: true, color: 'yellow' },
    stale: { inverse: true, color: 'red' },
    severity: { ok: { color: 'green' }, info: { color: 'blue' }, warning: { color: 'yellow' }, critical: { color: 'red', bold: true } },
    mark: HEALTH_MARKS,
  };
}

/**
 * Colour is on unless NO_COLOR is set (any non-empty value, no-color.org), --no-color was given, TERM is
 * dumb, or FORCE_COLOR asks for none (0, false: the monitor sets FORCE_COLOR itself, see
 * loadWithTextAttributes, so a user's "no colour" there has to be honoured here).
 */
export function colorEnabled(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  return true;
}

/**
 * Whether a command draws colour. A --color or --no-color (--color=BOOL) typed on the command line (`typed`:
 * cli/options.ts flagTyped) wins over
 * NO_COLOR, FORCE_COLOR and a config file's `color` (flags come last in the precedence, as `sockscope config`
 * reports; yargs' default true is no flag); TERM=dumb has no colour to draw. Without one, colour is on unless
 * the environment (colorEnabled) or the configuration (`configColor`: the file's, NO_COLOR's) turns it off.
 */
export function colorWanted(argvColor: boolean | undefined, typed: boolean, configColor: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (typed) return argvColor !== false && env.TERM !== 'dumb';
  return colorEnabled(argvColor, env) && configColor;
}

/** FORCE_COLOR values with which chalk draws styles (level 1 or more): '', true, 1-3. */
const STYLED = /^(|true|[1-3])$/;

/**
 * Loads the full-screen UI (Ink, which draws through chalk) with text attributes on. chalk picks its
 * level once, when it loads, from process.argv and the environment: under --no-color, --color=false,
 * TERM=dumb (also CI, or a TERM it does not know) it picks 0 and drops every style, inverse and bold
 * included, so the selected row looked like any other (capture-pane -e showed no SGR at all), while
 * NO_COLOR, which chalk ignores, kept it. Inverse video and bold are not colours: the monochrome theme
 * marks the selection with inverse, as htop's monochrome mode does. So chalk is loaded with FORCE_COLOR=1
 * as a floor (it still goes higher when the terminal says so), the theme alone decides whether colours
 * are used (colorEnabled), and the variable is put back afterwards so child processes (ssh, ss) do not
 * inherit it. chalk is loaded once per process: only the first load matters.
 */
export async function loadWithTextAttributes<T>(load: () => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const had = Object.prototype.hasOwnProperty.call(env, 'FORCE_COLOR');
  const was = env.FORCE_COLOR;
  if (was === undefined || !STYLED.test(was)) env.FORCE_COLOR = '1';
  try {
    return await load();
  } finally {
    if (had) env.FORCE_COLOR = was;
    else delete env.FORCE_COLOR;
  }
}
