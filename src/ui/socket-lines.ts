// The socket view's text: every field, state meaning, tcp_info, memory and buffers, fd flags and option values,
// and its wrapping to the terminal width.
import { escapeControl } from '../model/escape.js';
// The [read as ..., for ...] label: inspect-options labels its readings the same way.
import { readingLabel } from '../knowledge/interpret-options-report.js';
import type { AttributionInfo, SourceName } from '../model/snapshot.js';
import { hiddenOwnerUid, localOwnerView, uidHidden } from '../model/owner.js';
import { formatEndpoint, type Socket } from '../model/socket.js';
import type { PanelLine } from './components/TextPanel.js';
import { fmtBitRate } from '../advise/format.js';
import { bytes, micros, millis, stateLabel, stringWidth, wrapText } from './format.js';
import type { SocketDetails } from './inspector.js';
import { stateMeaning } from './state-meaning.js';
import { timerLabel } from './tables/sockets.js';

const kv = (k: string, v: string | number | undefined): PanelLine => ({ text: `  ${k.padEnd(22)} ${v ?? '-'}` });

/** A value from getsockopt as text. */
export function optionValue(v: unknown): string {
  if (v === undefined) return '-';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'string') return v === '' ? '(none)' : escapeControl(v);
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('onoff' in o) return o.onoff ? `on, ${o.seconds}s` : 'off';
    if ('seconds' in o && 'micros' in o) return `${o.seconds}.${String(o.micros).padStart(6, '0')}s`;
    return '{…}';
  }
  return String(v);
}

/** What the snapshot on screen looked for: a missing owner or tcp_info is explained by what was not asked yet. */
export interface SocketLinesContext {
  /** The socket is no longer in the latest snapshot (the last copy seen is shown). */
  gone?: boolean;
  /** Refreshing is paused: what the snapshot lacks comes only after resuming. */
  paused?: boolean;
  /** Which sockets the snapshot's process attribution covered (the home view: listeners only). */
  attribution?: AttributionInfo['scope'];
  source?: SourceName;
  /** Some socket of the snapshot carries tcp_info or skmem (the snapshot was taken with details). */
  detailsSeen?: boolean;
}

/** Collectors that read tcp_info and skmem when asked (netlink INET_DIAG_INFO/SKMEMINFO, ss -i -m). */
const DETAILED_SOURCES: ReadonlySet<SourceName> = new Set(['netlink', 'ss']);

/**
 * Why no process can hold `s`, from the socket itself, or undefined when one may: a TIME_WAIT socket, or one
 * without a socket file (inode 0, ss ino:0) whose state says why. `owner` is the process line's wording,
 * `why` the fd flags' and options' (the monitor's inspector says the same). Both are read from the copy on
 * screen, so a drilled FIN_WAIT2 orphan that turns TIME_WAIT is worded as TIME_WAIT.
 */
export function noProcessCanHold(s: Pick<Socket, 'state' | 'inode'>): { owner: string; why: string } | undefined {
  if (s.state === 'TIME_WAIT') return { owner: 'none (a TIME_WAIT socket belongs to the kernel, not to a process)', why: 'a TIME_WAIT socket belongs to no process any more' };
  if (s.inode !== 0) return undefined;
  if (s.state === 'ESTABLISHED' || s.state === 'CLOSE_WAIT') {
    const why = "not accepted (it waits in the listener's accept queue; no process holds it until accept())";
    return { owner: `none yet: ${why}`, why: `no process holds it yet: ${why}` };
  }
  if (s.state === 'SYN_RECV') return { owner: 'none yet: the handshake is not complete (the kernel answers it for the listener)', why: 'no process holds it yet: the handshake is not complete' };
  if (s.state === 'FIN_WAIT1' || s.state === 'FIN_WAIT2' || s.state === 'CLOSING' || s.state === 'LAST_ACK')
    return { owner: 'none: closed by its process (an orphan the kernel finishes)', why: 'no process holds it: its process closed it (an orphan the kernel finishes)' };
  return undefined;
}

/**
 * Whether the user who read a --host's socket sees every process there (root there): its host's last reading
 * (uidHidden with the socket's host asks hostSeesAll), or with one --host every host read so far as root
 * (localOwnerView().complete). The process line said "another user's process without root" to a root ssh user.
 */
function remoteSeesAll(s: Socket): boolean {
  if (s.host !== undefined) return !uidHidden(0, { viewerUid: undefined }, s.host);
  return localOwnerView().complete === true;
}

/** Why a socket has no owner, truly: not looked up yet, or looked up and not found. */
function noOwner(s: Socket, c: SocketLinesContext): string {
  // TIME_WAIT and inode 0: no process can hold it, whatever the snapshot looked up.
  const kernel = noProcessCanHold(s);
  if (kernel) return kernel.owner;
  if (c.attribution !== undefined && c.attribution !== 'all')
    return c.paused
      ? 'not looked up: paused before the owner was looked up (the snapshot on screen attributes listeners only); resume refreshing'
      : 'not looked up yet: the next refresh looks up every socket\'s owner';
  const uid = hiddenOwnerUid(s, localOwnerView());
  // A --host's socket: its ssh user's ss -p did not show it; running this side as root changes nothing.
  const remote = c.source === 'remote' || s.host !== undefined;
  if (uid !== undefined) return `hidden: a process of uid ${uid} (another user's: ${remote ? 'log in there as root, or use sudo there,' : `run as root or as uid ${uid}`} to name it)`;
  // As root every process's fds were read: "without root" is not the reason (the fd flags and options say the same).
  if (!remote && localOwnerView().viewerUid === 0)
    return 'not found, with every process read as root (a kernel socket, a process in another PID namespace, or closed since the snapshot)';
  // A --host read by root there (its ss -p sees every process): nor is it the reason there.
  if (remote && remoteSeesAll(s))
    return 'not found, with every process read as root there (a kernel socket, a process in another PID namespace, or closed since the snapshot)';
  return "unknown (not attributed: another user's process without root, or a kernel socket)";
}

/**
 * A socket the kernel holds as a timewait sock (struct inet_timewait_sock): TIME_WAIT, or FIN_WAIT2 after
 * close() (tcp_close() and tcp_rcv_state_process() hand an orphan reaching FIN_WAIT2 to tcp_time_wait()
 * while tcp_fin_timeout is at most 60 s, the default). ss shows it as FIN-WAIT-2 with
 * timer:(timewait,...) and ino:0; netlink reports the substate. It has no tcp_info or skmem at all.
 */
function timewaitSock(s: Socket): boolean {
  return s.protocol === 'tcp' && (s.state === 'TIME_WAIT' || (s.timer?.name === 'timewait' && !s.inode));
}

/**
 * A connection request (struct request_sock, TCP_NEW_SYN_RECV): SYN_RECV with no socket file. The kernel
 * keeps it on the listener until the handshake completes, and inet_diag reports no tcp_info or skmem for it
 * (inet_req_diag_fill() writes only the base message), whichever collector reads it.
 */
function requestSock(s: Socket): boolean {
  return s.protocol === 'tcp' && s.state === 'SYN_RECV' && !s.inode;
}

/** Why tcp_info or skmem is missing: none kept by the kernel, not asked yet (the home view's snapshot), or not readable by this collector. */
function noDetails(s: Socket, c: SocketLinesContext, what: string, how: string): string {
  // First: whatever was asked and whichever collector, the kernel has none to give.
  if (timewaitSock(s))
    return s.state === 'TIME_WAIT'
      ? `none: the kernel keeps no ${what} for a TIME_WAIT socket`
      : `none: the kernel keeps this FIN_WAIT2 orphan as a timewait socket (timer timewait), with no ${what}, as in TIME_WAIT`;
  if (requestSock(s)) return `none: the kernel keeps no ${what} for a SYN_RECV request (the handshake is not complete: no socket is made until it is)`;
  if (c.source !== undefined && DETAILED_SOURCES.has(c.source) && !c.detailsSeen)
    return c.paused ? `not collected: paused before ${what} was collected (the view the snapshot was taken for does not ask for it); resume refreshing` : `not collected yet: the next refresh asks for ${what}`;
  return `not available from this collector (${how})`;
}

/**
 * When the fd flags and options were read: they are read again with each refresh while the view is open and a
 * process holds the socket. Without one (followed into its orphan after close(), or its owner no longer found)
 * useSocketDetails keeps what it read while one did.
 */
function readAtText(at: number, s: Socket, c: SocketLinesContext): string {
  const d = new Date(at);
  const hms = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  if (c.gone) return `read at ${hms} (the socket has closed since)`;
  if (s.processes.length === 0)
    return noProcessCanHold(s)
      ? `read at ${hms}, the last read before its process closed it (no process holds it any more)`
      : `read at ${hms}, the last read while its owner was known (not read again until one is)`;
  return `read at ${hms}${c.paused ? ' (paused: read again when refreshing resumes)' : ', again with each refresh'}`;
}

/**
 * The lines of the socket view. `details` is undefined while the fd flags and options are being read.
 */
export function socketLines(s: Socket, details: SocketDetails | undefined, opts: SocketLinesContext = {}): PanelLine[] {
  const out: PanelLine[] = [];
  const m = stateMeaning(s.protocol, s.state, s.inode);
  out.push({ text: 'SOCKET', heading: true });
  if (opts.gone) out.push({ text: '  (closed: no longer in the latest snapshot; the last values seen are shown)', dim: true });
  out.push(kv('protocol', `${s.protocol}${s.ipVersion ? `/IPv${s.ipVersion}` : ''}${s.unixType ? ` ${s.unixType}` : ''}`));
  out.push(kv('state', stateLabel(s)));
  out.push(kv('local', escapeControl(formatEndpoint(s.local, s.protocol))));
  out.push(kv('peer', escapeControl(formatEndpoint(s.peer, s.protocol))));
  // A connected unix socket's other end is mostly unnamed (`*`): its inode is the only link to it (ss -x's last column).
  if (s.protocol === 'unix' && s.peerInode !== undefined) out.push(kv('peer inode', s.peerInode));
  // A listener's are connection counts; any other socket's are bytes: exact, and in the monitor's one byte form
  // (the port view's cell reads `3.6 MiB` beside a raw `3782144` here before).
  const queue = (n: number) => (s.state === 'LISTEN' ? n : n < 1024 ? `${n} B` : `${n} B (${bytes(n)})`);
  out.push(kv(s.state === 'LISTEN' ? 'accept queue (Recv-Q)' : 'Recv-Q', s.recvQUnknown ? 'unknown (this source cannot see it)' : queue(s.recvQ)));
  out.push(kv(s.state === 'LISTEN' ? 'backlog (Send-Q)' : 'Send-Q', s.sendQUnknown ? 'unknown (this source cannot see it)' : queue(s.sendQ)));
  out.push(kv('timer', timerLabel(s)));
  out.push(kv('uid', s.uid));
  out.push(kv('inode', s.inode));
  if (s.cookie) out.push(kv('cookie', s.cookie));
  if (s.boundDevice) out.push(kv('bound device', escapeControl(s.boundDevice)));
  for (const p of s.processes) out.push(kv('process', `${escapeControl(p.name)} pid ${p.pid} fd ${p.fd}`));
  if (s.processes.length === 0) out.push(kv('process', noOwner(s, opts)));

  out.push({ text: '' }, { text: 'STATE', heading: true });
  out.push({ text: `  ${m.meaning}` });
  out.push({ text: `  Who acts: ${m.whoActs}` });

  const t = s.tcpInfo;
  if (s.protocol === 'tcp') {
    out.push({ text: '' }, { text: 'TCP_INFO', heading: true });
    if (!t) out.push({ text: `  ${noDetails(s, opts, 'tcp_info', 'ss -i / netlink INET_DIAG_INFO')}`, dim: true });
    else if (s.state === 'LISTEN') {
      // A listener carries no connection: its rtt, rto, windows, byte counts and last-send times are all 0
      // (never measured), which read as measurements. ss -ti shows only its congestion control and cwnd.
      out.push({ text: '  a listening socket has no connection: no rtt, windows or byte counts (each accepted socket has its own)', dim: true });
      out.push(kv('congestion control', t.congestion ? escapeControl(t.congestion) : '-'));
      out.push(kv('cwnd', t.cwnd ?? '-'));
    } else {
      // Fields the kernel has not set yet read as 0 (ss omits them): no RTT before the first timed ACK (SYN_SENT
      // reads rtt 0 and the initial rttvar 250 ms), and the "last" times count from 0 before the handshake
      // completes (lsndtime, lrcvtime, rcv_tstamp: the time since boot, 14.8 h read as "53142.9s ago").
      const handshake = s.state === 'SYN_SENT' || s.state === 'SYN_RECV';
      out.push(kv('rtt / rttvar', t.rttUs ? `${micros(t.rttUs)} / ${micros(t.rttVarUs)}` : 'no sample yet (no ACK timed)'));
      out.push(kv('rto', millis(t.rtoMs)));
      out.push(kv('cwnd / ssthresh', `${t.cwnd ?? '-'} / ${t.ssthresh ?? '-'}`));
      out.push(kv('mss', t.mss));
      out.push(kv('retransmits now / total', `${t.retrans ?? '-'} / ${t.totalRetrans ?? '-'}`));
      out.push(kv('bytes sent / acked', `${bytes(t.bytesSent)} / ${bytes(t.bytesAcked)}`));
      out.push(kv('bytes received', bytes(t.bytesReceived)));
      // Bits per second with the unit written, as `buffers` and ss print it (tcp_info has bytes/s; "2.3M/s" read
      // as Mbit/s beside ss's "19.3Mbps" while it meant 2.3 MiB/s, about 19 Mbit/s).
      out.push(kv('delivery rate', t.deliveryRate === 0 && handshake ? 'no sample yet' : t.deliveryRate != null ? fmtBitRate(t.deliveryRate) : '-'));
      out.push(kv('rwnd / sndbuf limited', `${micros(t.rwndLimitedUs)} / ${micros(t.sndbufLimitedUs)}`));
      out.push(kv('busy', micros(t.busyUs)));
      out.push(kv('congestion control', t.congestion ? escapeControl(t.congestion) : '-'));
      out.push(kv('last send / recv / ack', handshake ? 'never (the handshake has not completed)' : `${millis(t.lastSendMs)} / ${millis(t.lastRecvMs)} / ${millis(t.lastAckMs)} ago`));
      // Not negotiated (a SYN without the option): the window is capped at 64 KiB, which "0 / 0" would hide.
      out.push(kv('window scale snd / rcv', t.windowScaling === false ? 'not negotiated (window at most 64 KiB)' : `${t.sndWscale ?? '-'} / ${t.rcvWscale ?? '-'}`));
      if (t.rttUs && t.deliveryRate) out.push(kv('BDP (rate x rtt)', bytes(Math.round((t.deliveryRate * t.rttUs) / 1e6))));
    }
  }

  out.push({ text: '' }, { text: 'MEMORY AND BUFFERS', heading: true });
  const k = s.skmem;
  if (!k) out.push({ text: `  ${noDetails(s, opts, 'skmem', 'ss -m / netlink INET_DIAG_SKMEMINFO')}`, dim: true });
  else {
    out.push(kv('receive: used / buffer', `${bytes(k.rmemAlloc)} / ${bytes(k.rcvbuf)}`));
    out.push(kv('send: used / buffer', `${bytes(k.wmemAlloc)} / ${bytes(k.sndbuf)}`));
    if (k.wmemQueued != null) out.push(kv('send queued', bytes(k.wmemQueued)));
    if (k.fwdAlloc != null) out.push(kv('forward alloc', bytes(k.fwdAlloc)));
    if (k.optmem != null) out.push(kv('option memory', bytes(k.optmem)));
    if (k.backlog != null) out.push(kv('backlog', bytes(k.backlog)));
    if (k.drops != null) out.push(kv('drops', k.drops));
  }

  // No process can hold it now: said from the copy on screen, not from the read made when the view opened
  // (a FIN_WAIT2 orphan read then turns TIME_WAIT). Values read while a process held it are kept (below).
  // The line is `why` itself: under "none: " it read "none: no process holds it: its process closed it (…)".
  const held = s.processes.length === 0 ? noProcessCanHold(s) : undefined;
  out.push({ text: '' }, { text: 'FD FLAGS (/proc/PID/fdinfo)', heading: true });
  if (held && !details?.fd) out.push({ text: `  ${held.why}`, dim: true });
  else if (!details) out.push({ text: '  reading…', dim: true });
  else if (!details.fd) out.push({ text: `  unknown: ${details.fdMissing ?? 'no owning process known'}`, dim: true });
  else if (details.fd.info) {
    const i = details.fd.info;
    out.push(kv('O_NONBLOCK', i.nonblock ? 'yes (non-blocking: the program uses poll/epoll or async IO)' : 'no (blocking calls)'));
    out.push(kv('O_CLOEXEC', i.cloexec ? 'yes' : 'no (inherited by exec()ed children)'));
    out.push(kv('flags', `${i.flags !== undefined ? `0${i.flags.toString(8)}` : '-'} ${i.flagNames.join('|')}`));
    out.push({ text: `  from ${details.fd.path}`, dim: true });
  } else out.push({ text: `  unknown: ${details.fd.missing}`, dim: true });

  out.push({ text: '' }, { text: 'SOCKET OPTIONS (getsockopt)', heading: true });
  if (held && !details?.options) out.push({ text: `  ${held.why}`, dim: true });
  else if (!details) out.push({ text: '  reading…', dim: true });
  else if (!details.options) out.push({ text: `  unknown: ${details.optionsMissing ?? 'the getsockopt helper is not available'}`, dim: true });
  else {
    if (details.options.note) out.push({ text: `  ${details.options.note}`, dim: true });
    if (details.readAt !== undefined) out.push({ text: `  ${readAtText(details.readAt, s, opts)}`, dim: true });
    // struct tcp_info has its own section above.
    for (const r of details.options.readings.filter((x) => x.name !== 'TCP_INFO')) {
      if (r.value !== undefined) out.push(kv(r.name, `${optionValue(r.value)}${readingLabel(r)}`));
      else out.push({ text: `  ${r.name.padEnd(22)} ? ${r.missing ?? r.errno ?? 'unknown'}${readingLabel({ readFor: r.readFor })}`, dim: true });
    }
    for (const mm of details.options.missing) out.push({ text: `  missing: ${mm}`, dim: true });
  }
  return out;
}

/**
 * How a line starts and where its wrapped lines continue: a "  key      value" line (kv above) keeps its key
 * column and continues under the value, any other line continues two cells in.
 */
function lineHead(text: string): { head: string; indent: string } {
  const kv = /^ *\S.*? {2,}(?=\S)/.exec(text);
  if (kv && kv[0].length <= 32) return { head: kv[0], indent: ' '.repeat(kv[0].length) };
  const lead = /^ */.exec(text)![0];
  return { head: lead, indent: ' '.repeat(lead.length + 2) };
}

/**
 * The lines wrapped to `width` ("Who acts: …", "unknown: <why>" are sentences); headings stay as they are.
 * The App wraps here, once, so its scroll range counts the lines as the socket view draws them.
 */
export function wrapPanelLines(lines: readonly PanelLine[], width: number): readonly PanelLine[] {
  if (!lines.some((l) => stringWidth(l.text) > width)) return lines;
  const out: PanelLine[] = [];
  for (const l of lines) {
    if (l.heading || stringWidth(l.text) <= width) {
      out.push(l);
      continue;
    }
    const kv = lineHead(l.text);
    // A narrow screen: a key column wider than half the line would leave a sliver for the text.
    const lead = /^ */.exec(l.text)![0];
    const { head, indent } = kv.head.length > width / 2 ? { head: lead, indent: ' '.repeat(Math.min(lead.length + 2, Math.floor(width / 4))) } : kv;
    for (const text of wrapText(l.text.slice(head.length), width, head, indent)) out.push({ ...l, text });
  }
  return out;
}
