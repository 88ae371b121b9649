// One socket: every field, state meaning, tcp_info, buffers, fd flags and option values (lines from socket-lines.ts).
import { escapeControl } from '../../model/escape.js';
import { formatEndpoint, type Socket } from '../../model/socket.js';
import type { PanelLine } from '../components/TextPanel.js';
import type { Theme } from '../theme.js';
import { TextView } from './TextView.js';

export interface SocketViewProps {
  socket?: Socket;
  /** Already wrapped to `width` (socket-lines.ts wrapPanelLines): `scroll` counts these lines, as the App's scroll range does. */
  lines: readonly PanelLine[];
  scroll: number;
  height: number;
  width: number;
  theme: Theme;
}

export function SocketView({ socket: s, lines, scroll, height, width, theme }: SocketViewProps) {
  const title = s ? `SOCKET ${s.protocol} ${escapeControl(formatEndpoint(s.local, s.protocol))} -> ${escapeControl(formatEndpoint(s.peer, s.protocol))}${s.protocol === 'unix' && s.peerInode !== undefined ? ` ${s.peerInode}` : ''}` : 'SOCKET';
  return <TextView title={title} lines={lines} scroll={scroll} height={height} width={width} theme={theme} />;
}
