// `sockscope buffers`: the human text of its report (advise/buffers-report.ts builds it).
import { ACCEPT_QUEUE_VERDICT, type BuffersReport } from '../advise/buffers-report.js';
import { autotuneCapped, BUFFER_PER_WINDOW, type BufferCaps, type BufferPlan } from '../advise/buffer-plan.js';
import { fmtBitRate, fmtBytes, trimNum } from '../advise/format.js';
import { escapeControl } from '../model/escape.js';
import { tableText } from './table-text.js';

function table(rows: Record<string, string | number>[]): string {
  return `${tableText(rows)}\n`;
}

const b = (n: number | null) => (n == null ? '-' : fmtBytes(n));
const indent = (text: string, pad = '  ') => text.split('\n').map((l) => pad + l).join('\n');

function capsLine(c: BufferCaps): string {
  return `net.core.rmem_max ${c.rmemMax ?? '?'}, net.core.wmem_max ${c.wmemMax ?? '?'}, net.ipv4.tcp_rmem ${c.tcpRmem?.join(' ') ?? '?'}, net.ipv4.tcp_wmem ${c.tcpWmem?.join(' ') ?? '?'}`;
}

/** How the autotuning ceiling was chosen: 2 x BDP rounded up, or capped at the most the sysctls take. */
function ceilingLabel(p: BufferPlan): string {
  if (!autotuneCapped(p.bdpBytes)) return 'tcp_rmem/tcp_wmem max = 2 x BDP, rounded up';
  const twice = BUFFER_PER_WINDOW * p.bdpBytes;
  return twice <= p.autotuneMax
    ? `tcp_rmem/tcp_wmem max: 2 x BDP (${fmtBytes(twice)}) rounded up to a power of two is above INT_MAX, capped there`
    : `tcp_rmem/tcp_wmem max capped at INT_MAX, below 2 x BDP (${fmtBytes(twice)}): one connection cannot hold this BDP`;
}

function planSection(p: BufferPlan): string {
  let out = '';
  out += `  SO_RCVBUF / SO_SNDBUF  ${p.soRcvbuf} (${fmtBytes(p.soRcvbuf)}; setsockopt value, the kernel allocates 2x = ${fmtBytes(p.allocatedBytes)})\n`;
  out += `  autotuning ceiling     ${p.autotuneMax} (${fmtBytes(p.autotuneMax)}; ${ceilingLabel(p)})\n`;
  out += table(
    p.sysctls.map((s) => ({ sysctl: s.name, current: s.current ?? 'unknown', recommended: s.recommended, action: s.ok ? 'ok' : 'raise' })),
  );
  return out;
}

/**
 * Whether the connections were chosen by their peer port (--peer-port P: "connections to port P"), where
 * the peer is what they share and the local address:port tells them apart.
 */
function peerPortSelection(r: BuffersReport): boolean {
  return r.selection?.startsWith('connections to port ') === true;
}

/**
 * The words for a setting's origin, as `sockscope config` prints them (its --json token is BufferDefaults.origin);
 * 'caller' is a library caller's options.config. The file path beside it is the user's, and escaped.
 */
const ORIGIN_TEXT: Record<string, string> = {
  default: 'default',
  'user-file': 'user file',
  'project-file': 'project file',
  env: 'environment',
  flag: 'flag',
  caller: 'caller',
};

/** Human text of the report. */
export function formatBuffersReport(r: BuffersReport): string {
  let out = '';
  if (r.host && r.source) out += `sockscope buffers${r.selection ? `: ${r.selection}` : ''} on ${escapeControl(r.host)} (kernel ${escapeControl(r.kernel ?? '-')}, source ${r.source})\n`;
  out += `Kernel caps: ${capsLine(r.caps)}\n\n`;
  if (r.selection !== null) {
    out += `Connections (${r.connections.length})\n`;
    // Connections to one peer port share the peer (a pool to 127.0.0.1:5600): each is named by its local end.
    const byLocal = peerPortSelection(r);
    const name = (c: BuffersReport['connections'][number]) => (byLocal ? c.local : c.peer);
    out += table(
      r.connections.map((c) => ({
        ...(byLocal ? { local: c.local } : { peer: c.peer }),
        // The kernel's names, as --json and product.md give them (it was ss's ESTAB beside CLOSE_WAIT).
        state: c.state,
        // "-" is a socket no process holds; another user's process out of sight is "hidden uid N", as in every table.
        // A connection in the accept queue has no process yet: the listener's owner has not accept()ed it.
        process: c.processes.length ? c.processes.map((p) => `${escapeControl(p.name)}/${p.pid}`).join(',') : c.verdict.startsWith(ACCEPT_QUEUE_VERDICT) ? 'none yet (accept queue)' : c.ownerHidden && c.uid !== undefined ? `hidden uid ${c.uid}` : '-',
        rtt: c.rttMs == null ? '-' : `${trimNum(c.rttMs)} ms${c.rttSource === 'rcv-rtt' ? ' (rcv_rtt)' : ''}`,
        rate: c.deliveryRate == null ? '-' : fmtBitRate(c.deliveryRate),
        BDP: c.bdpLowerBound && c.bdpBytes != null ? `>= ${fmtBytes(c.bdpBytes)}` : b(c.bdpBytes),
        rcvbuf: b(c.rcvbuf),
        sndbuf: b(c.sndbuf),
        'limited rwnd/snd': c.rwndLimitedPct == null && c.sndbufLimitedPct == null ? '-' : `${c.rwndLimitedPct == null ? '-' : Math.round(c.rwndLimitedPct)}%/${c.sndbufLimitedPct == null ? '-' : Math.round(c.sndbufLimitedPct)}%`,
        'SO_*BUF for BDP': c.recommendedRcvbuf != null ? String(c.recommendedRcvbuf) : c.bdpLowerBound ? 'need --bandwidth' : '-',
      })),
    );
    for (const c of r.connections) out += `  ${name(c)}: ${c.verdict}\n`;
    if (r.connectionPlan) {
      out += `\nTo fit the largest BDP here (${fmtBytes(r.connectionPlan.bdpBytes)} = ${fmtBitRate(r.connectionPlan.bandwidthBytesPerSecond)} x ${trimNum(r.connectionPlan.rttMs)} ms):\n`;
      out += planSection(r.connectionPlan);
    }
    out += '\n';
  }
  if (r.link) {
    const l = r.link;
    out += `Bandwidth-delay product: ${l.bandwidth} (${fmtBitRate(l.bandwidthBytesPerSecond)}) x ${trimNum(l.rttMs)} ms = ${l.bdpBytes} bytes (${fmtBytes(l.bdpBytes)})\n`;
    out += planSection(l);
    out += `\nsysctl lines:\n${indent(l.sysctlFile.trimEnd())}\n`;
    out += `\nC:\n${indent(l.code.c)}\n\nPython:\n${indent(l.code.python)}\n\nNode.js:\n${indent(l.code.node)}\n\n`;
  }
  const d = r.defaults;
  out += `Generated servers read with a ${d.bufferSize}-byte buffer (bufferSize ${d.bufferSize}, from ${ORIGIN_TEXT[d.origin] ?? escapeControl(d.origin)}${d.detail ? ` ${escapeControl(d.detail)}` : ''}; set DEFAULT_BUFFER_SIZE or bufferSize in the config). That is the application's read chunk, not the kernel socket buffer.\n`;
  const notes = [...r.notes, ...(r.link?.notes ?? r.connectionPlan?.notes ?? [])];
  if (notes.length) out += `\nNotes:\n${notes.map((n) => `  - ${n}`).join('\n')}\n`;
  return out;
}
