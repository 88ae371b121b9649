// The help screen's text, generated from the keymap (the same table that handles the keys).
import type { PanelLine } from '../components/TextPanel.js';
import { helpLines, type KeyBinding } from '../keymap.js';
import { wrapPanelLines } from '../socket-lines.js';

/**
 * The help lines wrapped to `width` as the socket view's are (a description under its own column): cut
 * with '…' at 80 columns, 8 of them lost their ends. The App scrolls these very lines.
 */
export function helpPanelLines(keymap: readonly KeyBinding[], width = Number.POSITIVE_INFINITY): readonly PanelLine[] {
  const out: PanelLine[] = [{ text: 'KEYS', heading: true }];
  for (const h of helpLines(keymap)) out.push({ text: `  ${h.keys.padEnd(18)} ${h.description}${h.where === 'everywhere' ? '' : `  [${h.where}]`}` });
  out.push(
    { text: '' },
    { text: 'VIEWS', heading: true },
    { text: '  ports    one row per local port: accept queue/backlog, states, peers, trend, health (!! critical, ! warning, i info)' },
    { text: '           Tab shows outgoing connections grouped by the peer port instead' },
    { text: '  port     listeners and every socket on the port; group by peer address; recommendations for the port' },
    { text: '  socket   every field, what the state means and who acts, tcp_info, buffers, fd flags, option values' },
    { text: '' },
    { text: 'Keys can be changed in the config file under keymap: (command: [keys]); `sockscope config` shows it.', dim: true },
  );
  return wrapPanelLines(out, width);
}
