// The outgoing table (Tab): this host's connections grouped by the peer's port.
import type { Severity } from '../../advise/types.js';
import type { PeerPortSummary } from '../../model/aggregate.js';
import { escapeControl } from '../../model/escape.js';
import { count, summaryProcessLabel } from '../format.js';
import type { Column } from '../layout.js';
import { sparkline } from '../sparkline.js';
import { nameTerms, stateTerms } from './filter.js';
import type { SortDef } from './sorting.js';
import { TREND_WIDTH } from './ports.js';

export interface PeerPortRow {
  id: string;
  summary: PeerPortSummary;
  health: Severity | 'ok';
  trend: readonly number[];
}

const other = (s: PeerPortSummary) =>
  Math.max(0, s.total - s.states.ESTABLISHED - s.states.SYN_SENT - s.states.TIME_WAIT - s.states.CLOSE_WAIT - s.states.FIN_WAIT1 - s.states.FIN_WAIT2);

export const PEER_PORT_COLUMNS: readonly Column<PeerPortRow>[] = [
  { id: 'port', title: 'TO PORT', width: 7, align: 'right', cell: (r) => String(r.summary.peerPort) },
  { id: 'proto', title: 'PROTO', width: 5, cell: (r) => r.summary.protocol },
  { id: 'process', title: 'PROCESS', width: 'flex', minWidth: 10, cell: (r) => summaryProcessLabel(r.summary) },
  { id: 'estab', title: 'ESTAB', width: 6, align: 'right', cell: (r) => count(r.summary.states.ESTABLISHED) },
  { id: 'synsent', title: 'SYN-S', width: 5, align: 'right', cell: (r) => count(r.summary.states.SYN_SENT) },
  { id: 'timewait', title: 'T-WAIT', width: 6, align: 'right', cell: (r) => count(r.summary.states.TIME_WAIT) },
  { id: 'closewait', title: 'C-WAIT', width: 6, align: 'right', cell: (r) => count(r.summary.states.CLOSE_WAIT) },
  { id: 'finwait', title: 'FIN-W', width: 5, align: 'right', from: 'medium', cell: (r) => count(r.summary.states.FIN_WAIT1 + r.summary.states.FIN_WAIT2) },
  { id: 'other', title: 'OTHER', width: 5, align: 'right', from: 'medium', cell: (r) => count(other(r.summary)) },
  { id: 'peers', title: 'HOSTS', width: 5, align: 'right', cell: (r) => count(r.summary.peerCount) },
  { id: 'top', title: 'TOP PEER', width: 18, from: 'huge', address: true, cell: (r) => r.summary.topPeers[0]?.address ?? '-' },
  { id: 'trend', title: 'TREND', width: TREND_WIDTH, from: 'wide', cell: (r) => sparkline(r.trend, TREND_WIDTH) },
];

export const PEER_PORT_SORTS: readonly SortDef<PeerPortRow>[] = [
  { id: 'port', label: 'peer port', desc: false, key: (r) => r.summary.peerPort },
  { id: 'total', label: 'sockets', desc: true, key: (r) => r.summary.total },
  { id: 'estab', label: 'ESTAB', desc: true, key: (r) => r.summary.states.ESTABLISHED },
  { id: 'timewait', label: 'T-WAIT', desc: true, key: (r) => r.summary.states.TIME_WAIT },
  { id: 'closewait', label: 'C-WAIT', desc: true, key: (r) => r.summary.states.CLOSE_WAIT },
  { id: 'peers', label: 'hosts', desc: true, key: (r) => r.summary.peerCount },
];

export function peerPortSearchTerms(r: PeerPortRow): string[] {
  const s = r.summary;
  const terms = [String(s.peerPort), s.protocol, `:${s.peerPort}`];
  for (const p of s.processes) terms.push(...nameTerms(escapeControl(p.name), p.name), String(p.pid));
  for (const p of s.topPeers) terms.push(p.address);
  for (const [state, n] of Object.entries(s.states)) if (n > 0) terms.push(stateTerms(state, s.protocol));
  return terms;
}
