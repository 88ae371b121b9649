// Small derivations for the App: the port view's listener lines and what the wizard starts with.
import { isListener } from '../model/aggregate.js';
import { escapeControl } from '../model/escape.js';
import { formatEndpoint, type Protocol, type Socket } from '../model/socket.js';
import { bytes, socketProcessLabel } from './format.js';
import type { Frame } from './state.js';
import type { TableModel } from './table-model.js';
import { listenerFamilies } from './tables/sockets.js';

/**
 * The port view's note when its protocol is hidden (t, u): its listeners and sockets are not listed, which
 * read as "no listener on this port" and "SOCKETS 0". The monitor still collects TCP and UDP (the rules
 * and the header count them: monitor-run.ts collectProtocols), so the note says "not listed", not "not
 * collected", and the port's recommendations stay as the rules found them.
 * `key`: the key that shows it again (none when no key toggles it in this view).
 */
export function hiddenProtocolNote(protocol: Protocol, key: string | undefined): { line: string; short: string } {
  const name = protocol === 'unix' ? 'unix' : protocol.toUpperCase();
  const again = key ? ` (${key} shows ${name} again)` : '';
  return {
    line: `${name} is hidden: its listeners and sockets are not listed${again}`,
    short: `${name} hidden${key ? `, ${key} shows it` : ''}`,
  };
}

/** What the wizard starts with: the selected port (and its protocol) when there is one. */
export interface WizardInitial {
  type?: 'tcp' | 'udp';
  port?: number;
}

/** Listener lines of the port view: "listening 0.0.0.0:80  accept queue 0/511  nginx/1234". */
export function listenerLines(sockets: readonly Socket[], max: number): string[] {
  const ls = sockets.filter(isListener);
  const out = ls.slice(0, max).map((s) => {
    const backlog = s.sendQUnknown ? '?' : String(s.sendQ);
    const q = s.protocol === 'tcp' || s.protocol === 'unix' ? `accept queue ${s.recvQ}/${backlog} (queued/backlog)` : `receive queue ${bytes(s.recvQ)}`;
    // A listener on :: says which clients it takes: [::] reads the same with IPV6_V6ONLY on and off.
    const families = listenerFamilies(s);
    return `listening ${escapeControl(formatEndpoint(s.local, s.protocol))}${families ? ` (${families})` : ''}  ${q}  ${socketProcessLabel(s)}`;
  });
  if (ls.length > max) out[out.length - 1] += `  (+${ls.length - max} more listeners)`;
  if (ls.length === 0) out.push('no listener on this port (connections only)');
  return out;
}

/**
 * The port the wizard should propose: the selected row of the ports view, the port being viewed, or the socket
 * being viewed. A socket's is its local port (a listener's, or a server-side socket's: the socket view opened from
 * a local port's view), except for an outgoing client socket (opened from the outgoing table's peer-port view):
 * its local port is an ephemeral one no server would listen on, so the wizard proposes the port it connects to.
 * `below`: the frame under `frame` (the socket view's port view).
 */
export function wizardInitialFor(frame: Frame, model: TableModel<unknown> | undefined, index: number, below?: Frame): WizardInitial | undefined {
  if (frame.view === 'port' && frame.direction === 'local' && frame.protocol !== 'unix') return { type: frame.protocol, port: frame.port };
  if (frame.view === 'ports' && model?.kind === 'ports' && index >= 0) {
    const s = (model.rows[index] as { summary?: { protocol: string; port: number } }).summary;
    if (s && (s.protocol === 'tcp' || s.protocol === 'udp') && s.port > 0) return { type: s.protocol, port: s.port };
  }
  if (frame.view === 'socket') {
    const s = frame.last;
    if (s.protocol !== 'tcp' && s.protocol !== 'udp') return undefined;
    const outgoing = below?.view === 'port' && below.direction === 'peer' && !isListener(s);
    const port = outgoing ? s.peer.port : s.local.port;
    return port > 0 ? { type: s.protocol, port } : { type: s.protocol };
  }
  return undefined;
}
