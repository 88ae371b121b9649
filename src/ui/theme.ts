// Colours and marks. Without colour (NO_COLOR, --no-color) everything stays readable through text marks and inverse video.
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

/** Colour is on unless NO_COLOR is set (any non-empty value, no-color.org) or --no-color was given. */
export function colorEnabled(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return true;
}
