// Human printers for analyze and analyze-states (plain text; tables through report/table-text).
import { TCP_STATES, type SocketState } from '../model/socket.js';
import { escapeControl } from '../model/escape.js';
import type { AnalyzeReport, StatesReport } from './schema.js';
import { udpNoteSubject, udpQueueFull, type AnalyzeListener } from './analyze.js';
import { fmtBytes } from '../advise/format.js';
import { tableText as table } from './table-text.js';

/** The order analyze-states prints (product.md shows ESTABLISHED, TIME_WAIT, CLOSE_WAIT first). */
const STATES_PRINT_ORDER: SocketState[] = ['ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', ...TCP_STATES.filter((s) => !['ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT'].includes(s))];

/** analyze-states: exactly "STATE: N connections" for every state, then one "Recommendation:" line. */
export function formatStatesReport(r: StatesReport): string {
  const lines = STATES_PRINT_ORDER.map((s) => `${s}: ${r.states[s]} connections`);
  lines.push(`Recommendation: ${r.recommendation}`);
  return `${lines.join('\n')}\n`;
}

function proc(p: { pid: number; name: string } | null): string {
  return p ? `${escapeControl(p.name)}/${p.pid}` : '-';
}

/**
 * Owners held out of sight: "hidden uid 0" (another user's process; root names it), not "-" as for a socket no
 * process holds; written as every other table writes it (ui/format.ts: "hidden uid 0,1000"), where analyze
 * alone wrote "hidden (uid 0)".
 */
function hidden(uids: readonly number[]): string {
  return `hidden uid ${uids.join(',')}`;
}

/** Processes named in a listener's cell; the others are counted (forked workers: the JSON lists them all). */
const CELL_PROCESSES = 3;

/**
 * A listener's process cell: its processes ("nginx/10, nginx/11, nginx/12 +5 more"), "hidden uid N", or "?": a
 * listening or bound socket has a socket file, so some process (or the kernel) holds it, and none was found (the
 * report's note says "owners of N sockets not found (shown as ?)"); never "-", which says no process holds it.
 */
function listenerProcess(l: AnalyzeReport['listeners'][number]): string {
  if (l.processes.length) {
    const named = l.processes.slice(0, CELL_PROCESSES).map(proc).join(', ');
    return l.processes.length > CELL_PROCESSES ? `${named} +${l.processes.length - CELL_PROCESSES} more` : named;
  }
  return l.ownerHidden && l.uid !== undefined ? hidden([l.uid]) : '?';
}

/**
 * Which clients a listener on :: takes, from its IPV6_V6ONLY ('IPv4+IPv6', 'IPv6 only'), or that the source
 * cannot tell (procfs, netstat): '::' alone reads the same for both, and IPv4 clients are refused by one.
 */
export function wildcardFamilies(v6only: boolean | null): string {
  return v6only === null ? 'v6only unknown' : v6only ? 'IPv6 only' : 'IPv4+IPv6';
}

/** A listener's address cell: ":: (IPv6 only)" for one on :: (v6only is set there only), else the address; "%dev" after it when bound to a device (as ss shows it). */
function listenerAddress(l: { address: string; v6only?: boolean | null; device?: string }): string {
  const a = escapeControl(l.device !== undefined ? `${l.address}%${l.device}` : l.address);
  return l.v6only !== undefined ? `${a} (${wildcardFamilies(l.v6only)})` : a;
}

/**
 * One UDP socket's row: bytes waiting to be read, the receive buffer and how full it is, and the kernel's
 * drop counter (sk_drops, a total since the socket was opened); '?' where the source cannot see them. The
 * process cell gives the fd: several sockets can share a port (SO_REUSEPORT, an address beside 0.0.0.0).
 */
function udpRow(l: AnalyzeListener): Record<string, string | number> {
  const q = l.recvQBytes ?? l.acceptQueue;
  const fill = l.rcvbuf != null && l.rcvbuf > 0 ? `${Math.round((100 * q) / l.rcvbuf)}%${udpQueueFull(l) ? ' full' : ''}` : '?';
  const fd = l.processes.length === 1 && l.processes[0].fd !== undefined ? ` fd ${l.processes[0].fd}` : '';
  return {
    address: listenerAddress(l),
    port: l.port,
    'recv queue': fmtBytes(q),
    rcvbuf: l.rcvbuf != null ? fmtBytes(l.rcvbuf) : '?',
    fill,
    drops: l.drops ?? '?',
    process: `${listenerProcess(l)}${fd}`,
  };
}

/** analyze: a header, the states, listeners, top peers and recommendations. */
export function formatAnalyzeReport(r: AnalyzeReport): string {
  const out: string[] = [];
  /** Notes already printed beside their UDP socket. */
  const shown = new Set<string>();
  const what = r.port !== null ? `local port ${r.port}` : r.peerPort !== null ? `outgoing connections to peer port ${r.peerPort}` : 'all ports';
  out.push(`sockscope analyze: ${what} on ${escapeControl(r.host)} (kernel ${escapeControl(r.kernel)}, source ${r.source}, ${r.time})`);
  out.push(`${r.total} TCP socket${r.total === 1 ? '' : 's'}, ${r.udpSockets} UDP socket${r.udpSockets === 1 ? '' : 's'}, ${r.peerCount} distinct peer${r.peerCount === 1 ? '' : 's'}, Recv-Q ${r.queues.recvQ} B, Send-Q ${r.queues.sendQ} B`);
  out.push('');
  out.push('TCP states');
  const stateRows = STATES_PRINT_ORDER.filter((s) => r.states[s] > 0 || ['ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT'].includes(s)).map((s) => ({ state: s, sockets: r.states[s] }));
  out.push(table(stateRows));
  if (r.peerPort === null) {
    const listeners: readonly AnalyzeListener[] = r.listeners;
    const udp = listeners.filter((l) => l.protocol === 'udp');
    const tcp = listeners.filter((l) => l.protocol !== 'udp');
    // TCP listeners: their accept queue counts connections. Printed also when there are none, unless the
    // port has UDP sockets only, bound or connected (their own tables follow).
    if (tcp.length > 0 || (udp.length === 0 && (r.udpConnected.length === 0 || r.total > 0))) {
      out.push('Listeners');
      out.push(
        table(
          tcp.map((l) => ({
            protocol: l.protocol,
            address: listenerAddress(l),
            port: l.port,
            // null: the source cannot see it (procfs, netstat): unknown, not none.
            backlog: l.backlog ?? '?',
            'accept queue': `${l.acceptQueue}/${l.backlog ?? '?'}`,
            process: listenerProcess(l),
          })),
        ),
      );
    }
    if (udp.length > 0) {
      out.push('UDP sockets (bound, not connected)');
      out.push(table(udp.map(udpRow)));
      // A full or dropping socket's note goes here, beside its row, not after the recommendations, whose
      // one-snapshot lines are about TCP and read as all-clear.
      const subjects = udp.map((l) => `${udpNoteSubject(l)}: `);
      for (const n of r.notes) {
        if (!subjects.some((s) => n.startsWith(s))) continue;
        out.push(`  ! ${n}`);
        shown.add(n);
      }
    }
  }
  if (r.udpConnected.length > 0) {
    out.push(`Connected UDP sockets (${r.udpConnectedCount}${r.udpConnectedCount > r.udpConnected.length ? `; the ${r.udpConnected.length} fullest` : ''})`);
    out.push(table(r.udpConnected.map(udpConnectedRow)));
  }
  // Every owner of the scope's sockets (product.md: "analyze --port P: states, listener/backlog, process"): a
  // pre-fork server's workers hold the connections while the listener's row names only the parent. The
  // whole host looks up its listeners' owners only (processesOf), and the label says so.
  if (r.processes.length > 0 || r.hiddenOwnerUids.length > 0) {
    const parts = r.processes.map(proc);
    if (r.hiddenOwnerUids.length > 0) parts.push(hidden(r.hiddenOwnerUids));
    out.push(`Processes${r.processesOf === 'listeners' ? ' (listeners)' : ''}: ${parts.join(', ')}`);
  }
  out.push('Top peers');
  out.push(table(r.topPeers.map((p) => ({ peer: p.address, sockets: p.count }))));
  out.push('Recommendations');
  for (const rec of r.recommendations) {
    out.push(`  [${rec.severity.toUpperCase()}] ${rec.id}: ${rec.message}`);
    if (rec.evidence) out.push(`      evidence: ${rec.evidence}`);
    if (rec.fix && rec.fix !== 'nothing to change') out.push(`      fix: ${rec.fix.replace(/\n/g, '\n           ')}`);
  }
  for (const n of r.notes) if (!shown.has(n)) out.push(`note: ${n}`);
  if (r.sourceNote) out.push(`note: ${r.sourceNote}`);
  return `${out.join('\n')}\n`;
}

/** A connected UDP socket's row: the same queue, buffer and drop cells as a bound socket's, with its peer. */
function udpConnectedRow(c: AnalyzeReport['udpConnected'][number]): Record<string, string | number> {
  const fill = c.rcvbuf != null && c.rcvbuf > 0 ? `${Math.round((100 * c.recvQ) / c.rcvbuf)}%${udpQueueFull({ recvQBytes: c.recvQ, rcvbuf: c.rcvbuf }) ? ' full' : ''}` : '?';
  const owner = c.process ? `${proc(c.process)}${c.process.fd !== undefined ? ` fd ${c.process.fd}` : ''}` : c.ownerHidden && c.uid !== undefined ? hidden([c.uid]) : '?'; // held, as a listener's (listenerProcess)
  return {
    local: escapeControl(c.local),
    peer: escapeControl(c.peer),
    'recv queue': fmtBytes(c.recvQ),
    'send queue': fmtBytes(c.sendQ),
    rcvbuf: c.rcvbuf != null ? fmtBytes(c.rcvbuf) : '?',
    fill,
    drops: c.drops ?? '?',
    process: owner,
  };
}
