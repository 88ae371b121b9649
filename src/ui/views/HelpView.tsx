// The help screen: lines generated from the keymap (views/help-lines.ts), scrollable.
import type { PanelLine } from '../components/TextPanel.js';
import type { Theme } from '../theme.js';
import { TextView } from './TextView.js';

export function HelpView(props: { lines: readonly PanelLine[]; scroll: number; height: number; width: number; theme: Theme }) {
  return <TextView title="HELP" {...props} />;
}
