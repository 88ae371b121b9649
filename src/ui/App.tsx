// The full-screen monitor: polls the injected source, derives the views, and maps keys through the keymap.
import { Box, useApp, useStdin } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState, type ComponentType, type ReactElement } from 'react';
import type { SocketSource } from '../collect/source.js';
import { debugLogProblem } from '../collect/debug.js';
import { collectWithUdpMemory } from '../collect/udp-memory.js';
import type { Protocol } from '../model/socket.js';
import { isListener } from '../model/aggregate.js';
import { FilterBar } from './components/FilterBar.js';
import { Footer } from './components/Footer.js';
import { TextLine } from './components/TextLine.js';
import { fit } from './format.js';
import { Header } from './components/Header.js';
import { useNotesLine } from './components/NotesLine.js';
import { maxScroll } from './components/TextPanel.js';
import type { Line } from './components/Table.js';
import type { TableSectionProps } from './components/TableSection.js';
import { enabledProtocols, focusedRecommendation, recommendationsForPort, splitBody, type HostedRecommendation, type ProtocolToggles } from './derive.js';
import { recommendationsFullHeight } from './components/Recommendations.js';
import { historyWindowFor } from '../model/history-window.js';
import { usePolling, type PollState, type Scheduler } from './hooks/usePolling.js';
import { AdviceRunner } from './advice-runner.js';
import { ephemeralRange, type Snapshot } from '../model/snapshot.js';
import { useMonitorData, type Advisor } from './hooks/useMonitorData.js';
import { useSocketDetails } from './hooks/useSocketDetails.js';
import { useFollowedSocket } from './hooks/useFollowedSocket.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { KeyFeedContext } from './hooks/useKeys.js';
import { useKeyQueue } from './hooks/useKeyQueue.js';
import { monitorReducer, sameScreen, suspendsOn, type KeyAction, type KeyContext } from './input.js';
import { PAUSED_CELLS } from './header-lines.js';
import type { SocketInspector } from './inspector.js';
import { DEFAULT_KEYMAP, displayKey, footerHints, KEYS_HELD_HINTS, KEYS_OFF_HINTS, type KeyBinding } from './keymap.js';
import { FOOTER_LINES, HEADER_LINES, MIN_BODY_LINES, placeColumns, recommendationLines, renderHeader, renderRow, windowTop } from './layout.js';
import { socketLines, wrapPanelLines } from './socket-lines.js';
import { current, detailsScopeOf, initialState, nearOf, orderOf, selectedIndex, startTop, type Action, type Frame, type UiState } from './state.js';
import { portSockets, portsTableModel, portTableModel, type TableModel } from './table-model.js';
import type { Theme } from './theme.js';
import { helpPanelLines } from './views/help-lines.js';
import { PortsView } from './views/PortsView.js';
import { PortView } from './views/PortView.js';
import { HelpView } from './views/HelpView.js';
import { SocketView } from './views/SocketView.js';
import { hiddenProtocolNote, listenerLines, wizardInitialFor, type WizardInitial } from './view-helpers.js';
import { CollectedProtocols, showsSame } from './refresh-gate.js';

export type { WizardInitial } from './view-helpers.js';

/** The code-generation wizard (src/ui/wizard), mounted by `c` when the build has it. */
/** The wizard mounted on `c`: `initial` is the selected port, `color` the theme's (the monitor's colour setting). */
export type WizardComponent = ComponentType<{ onClose: () => void; width: number; height: number; initial?: WizardInitial; color?: boolean }>;

export interface AppProps {
  source: SocketSource;
  advise?: Advisor;
  thresholds?: Record<string, number>;
  keymap?: readonly KeyBinding[];
  theme: Theme;
  intervalMs: number;
  protocols: ProtocolToggles;
  /** --port: only this local port. */
  port?: number;
  inspector?: SocketInspector;
  scheduler?: Scheduler;
  Wizard?: WizardComponent;
  /** Which protocols to collect for the toggles (default: exactly the enabled ones). */
  collectProtocols?: (t: ProtocolToggles) => Protocol[];
  /** Clear the screen on resize (real terminals; off in tests). */
  clearOnResize?: boolean;
  /** The keymap's `suspend` (Ctrl-Z): give the terminal back and stop (monitor-run.ts). Without it the key does nothing. */
  onSuspend?: () => void;
}

const NO_THRESHOLDS: Record<string, number> = {};
/** The port view's recommendations: at least a message and its fix. */
const PORT_REC_LEAST = 2;

/** The snapshot with the debug log's problem (debugLogProblem) first among its notes (the line is cut to the width), when logging stopped. */
function withDebugLogNote(snap: Snapshot): Snapshot {
  const problem = debugLogProblem();
  return problem === undefined || snap.notes.includes(problem) ? snap : { ...snap, notes: [problem, ...snap.notes] };
}

export function App(props: AppProps) {
  const { source, advise, theme, inspector, scheduler, Wizard } = props;
  const keymap = props.keymap ?? DEFAULT_KEYMAP;
  const thresholds = props.thresholds ?? NO_THRESHOLDS;
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useTerminalSize({ clearOnResize: props.clearOnResize });
  // Keys become actions decided inside the reducer (against its own, always current state); what is on
  // screen (rows, selection, page size) comes from the latest render through a ref. The wizard, while open,
  // takes every key (KeyFeedContext); the reducer still sees them (Ctrl-C quits).
  const screen = useRef<Omit<KeyContext, 'state'>>(undefined as unknown as Omit<KeyContext, 'state'>);
  // The snapshot on screen and what each was collected with (the keys' dataReady).
  const onScreen = useRef<Snapshot | undefined>(undefined);
  const collected = useMemo(() => new CollectedProtocols(), []);
  const { state, dispatch, feedChild, holding } = useKeyQueue<UiState, Action | KeyAction>({
    reducer: monitorReducer,
    // + and - stay on the ladder of the starting interval doubled and halved (state.ts stepInterval).
    init: () => initialState({ intervalMs: props.intervalMs, protocols: props.protocols, port: props.port }),
    keyAction: (key, text) => ({ type: 'key', key, text, ctx: screen.current }),
    sameScreen,
    childTakesKeys: (s) => current(s).view === 'wizard',
    isActive: isRawModeSupported === true,
    // In raw mode Ctrl-Z is the byte 0x1a, not SIGTSTP: the keymap's suspend key stops the monitor as the signal
    // does, in any view; in the filter bar and the wizard only a Ctrl key does (suspendsOn: `z` is typed there).
    intercept: (key, s) => {
      if (!props.onSuspend || !suspendsOn(keymap, key, s)) return false;
      props.onSuspend();
      return true;
    },
    // A protocol switched on (x: unix is collected only while shown) is on screen only with the next snapshot.
    dataReady: (s) => collected.covers(onScreen.current, (props.collectProtocols ?? enabledProtocols)(s.protocols), s.paused),
    dataNeed: (s) => s.protocols,
    // Ctrl-C quits at once, also while keys wait for a collection (q may be a filter's text there: it waits).
    urgent: (k) => k === 'ctrl+c',
  });
  const frame = current(state);
  const view = frame.view;

  // Drill-down views want every socket attributed and tcp_info/skmem; the home view stays cheap.
  const wantsDetails = view === 'port' || view === 'socket';
  const detailsFor = detailsScopeOf(state.stack);
  const detailsKey = detailsFor ? String(detailsFor.port) : '';
  // The very first collection skips process attribution (a walk of every /proc/PID/fd) so the first
  // frame comes fast; the changed options then ask for a full snapshot at once, with process names.
  const [started, setStarted] = useState(false);
  const collect = useMemo(
    () => ({
      protocols: (props.collectProtocols ?? enabledProtocols)(state.protocols),
      // Scoped to one port (--port), every socket's owner: the port's sockets are few, and a CLOSE_WAIT leak after its
      // listener closed is held by no listener (its row named no process; the plain table and --json do).
      processes: !started ? ('none' as const) : wantsDetails || state.table === 'peer' || state.port !== undefined ? ('all' as const) : ('listeners' as const),
      details: wantsDetails,
      // Only the port on screen needs tcp_info (its sockets and its rules): netlink dumps the rest without.
      ...(detailsFor ? { detailsFor } : {}),
      port: state.port,
    }),
    // detailsFor is a new object on every render; detailsKey is its value.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [state.protocols, wantsDetails, detailsKey, state.table, state.port, props.collectProtocols, started],
  );
  // History for the rules: their window (windowSeconds) and persistence (persistSamples), thinned.
  const historyWindow = useMemo(() => historyWindowFor(thresholds), [thresholds]);
  // A refresh that brings what is already on screen causes no render (Ink would lay out and draw the
  // whole frame only to write nothing). Only the home view is checked; drill-down views show timers
  // and tcp_info that change on every refresh anyway.
  const runner = useRef<AdviceRunner>(undefined as unknown as AdviceRunner);
  if (!runner.current) runner.current = new AdviceRunner();
  const unchangedCtx = useRef({ view, advise, thresholds, port: state.port, intervalMs: state.intervalMs, trendsSteady: false });
  const unchanged = useCallback(
    (shown: PollState, next: Snapshot, history: readonly Snapshot[]) =>
      // Collected for other protocols: drawn (keys may wait for it, and the totals line changes).
      collected.same(shown.snapshot, next) && showsSame({ ...unchangedCtx.current, runner: runner.current }, shown, next, history),
    [collected],
  );
  // A debug log that stopped mid-run (SOCKET_DEBUG_FILE on a full disk) is a note of the next snapshot: the
  // notes line says it while the monitor runs (stderr says it again once the terminal is given back).
  // The home view collects without details: its UDP sockets get their socket memory (the drop counter that
  // udp-socket-drops reads) from a UDP-only dump (collect/udp-memory.ts).
  const noted = useMemo((): SocketSource => ({ name: source.name, collect: (o) => collected.track(o?.protocols ?? ['tcp', 'udp', 'unix'], collectWithUdpMemory(source, o).then(withDebugLogNote)) }), [source, collected]);
  const poll = usePolling({ source: noted, collect, intervalMs: state.intervalMs, paused: state.paused, scheduler, historyWindow, unchanged });
  onScreen.current = poll.snapshot;
  useEffect(() => {
    if (poll.snapshot && !started) setStarted(true);
  }, [poll.snapshot, started]);
  // Whether the snapshot on screen has unix sockets (x while paused shows unix before any snapshot collected them).
  const unixCollected = poll.snapshot ? (collected.has(poll.snapshot, 'unix') ?? state.protocols.unix) : state.protocols.unix;
  const data = useMonitorData({
    snapshot: poll.snapshot,
    unixCollected,
    history: poll.history,
    protocols: state.protocols,
    port: state.port,
    intervalMs: state.intervalMs,
    advise,
    thresholds,
    peerTableShown: state.table === 'peer',
    portsShown: view === 'ports',
    width: size.columns,
    identityWidth: size.columns - (state.paused ? PAUSED_CELLS : 0),
    runner: runner.current,
  });
  unchangedCtx.current = { view, advise, thresholds, port: state.port, intervalMs: state.intervalMs, trendsSteady: data.trendsSteady };

  const width = size.columns;
  // Never as tall as the terminal: Ink 6 redraws the whole screen when the frame fills it, and a frame
  // taller than the terminal (a fixed minimum of 6 at 5 rows) overlaps its own lines.
  const frameHeight = Math.max(1, size.rows - 1);
  // The collector's notes: a header line from the first snapshot that has any, kept from then on.
  const notes = useNotesLine(data.snapshot);
  // The table on screen (ports and port views).
  const portFrame = view === 'port' ? (frame as Extract<Frame, { view: 'port' }>) : undefined;
  const onPort = useMemo(() => (portFrame ? portSockets(data.sockets, portFrame, data.snapshot ? ephemeralRange(data.snapshot) : undefined) : []), [data.sockets, data.snapshot, portFrame]);
  const model = useMemo((): TableModel<unknown> | undefined => {
    if (view === 'ports') return portsTableModel(data.tables, state) as TableModel<unknown>;
    if (portFrame) return portTableModel(onPort, portFrame, state) as TableModel<unknown>;
    return undefined;
    // Only what changes the rows: not the selection or the scroll position.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view, portFrame, data.tables, onPort, state.table, state.filters, state.sort, state.groupByPeer]);
  const ids = useMemo(() => (model ? model.rows.map(model.idOf) : []), [model]);

  const portRecs = useMemo(
    () => (portFrame ? (portFrame.direction === 'peer' ? data.recs.filter((r) => r.peerPort === portFrame.port && (portFrame.host === undefined || (r as HostedRecommendation).host === portFrame.host)) : recommendationsForPort(data.recs, portFrame.protocol, portFrame.port, portFrame.host)) : []),
    [data.recs, portFrame],
  );
  // The port's protocol hidden (t, u in its view): nothing of it is collected, which is no evidence that the
  // port has no listener or no sockets. The view says it is hidden and which key shows it again.
  const hiddenNote = useMemo(() => {
    if (!portFrame || state.protocols[portFrame.protocol]) return undefined;
    const command = portFrame.protocol === 'tcp' ? 'toggleTcp' : portFrame.protocol === 'udp' ? 'toggleUdp' : 'toggleUnix';
    const binding = keymap.find((b) => b.command === command && b.keys.length > 0 && (b.views === 'all' || b.views.includes('port')));
    return hiddenProtocolNote(portFrame.protocol, binding ? displayKey(binding.keys[0]) : undefined);
  }, [portFrame, state.protocols, keymap]);
  // A short terminal: the parts give up lines in README's order (Behaviour). The header first (headerLinesShown:
  // the rates first), so that the body keeps a table's title, its column header and the selected row, the port
  // view's listener lines (up to 3) and the recommendations panel's title and lines (panelLeast); then the
  // listener lines; then the panel; below that (under 5 rows) the body is clipped. The header used to keep its
  // lines while the port view's panel lost its fix (80x11) and then went (80x10).
  const listenersWanted = useMemo(
    () => (!portFrame ? 0 : hiddenNote ? 1 : portFrame.direction === 'local' ? Math.max(1, Math.min(3, onPort.filter(isListener).length)) : 0),
    [portFrame, hiddenNote, onPort],
  );
  // The panel's least: its title and a line; in the port view, with findings, title, message and fix.
  const panelLeast = view === 'ports' ? 2 : portFrame ? (portRecs.length === 0 ? 2 : 1 + PORT_REC_LEAST) : 0;
  const headerLines = Math.max(0, Math.min(HEADER_LINES + notes.lines, frameHeight - FOOTER_LINES - MIN_BODY_LINES - panelLeast - listenersWanted));
  const body = Math.max(0, frameHeight - headerLines - FOOTER_LINES);
  // Up to 3 listener lines, fewer when the body leaves no more than the table's least and the panel's.
  const listenerRoom = Math.max(0, Math.min(3, body - MIN_BODY_LINES - panelLeast));
  const listeners = useMemo(
    () =>
      !portFrame || listenerRoom === 0 ? [] : hiddenNote ? [hiddenNote.line] : portFrame.direction === 'local' ? listenerLines(onPort, listenerRoom) : [],
    [onPort, portFrame, listenerRoom, hiddenNote],
  );

  // The recommendations panel has its share of the body and the rows a short table leaves empty, as many
  // as the recommendations need in full (splitBody): cut at the edge, the fix was never seen.
  const shownRecs = view === 'ports' ? data.recs : portRecs;
  const panel =
    view === 'ports'
      ? { available: body - 2 - 1, share: recommendationLines(size.rows, data.recs.length) }
      : portFrame
        ? // The port's own findings are what the view is for: at least message and fix (2 lines), a sixth of the
          // height when there is more (24 rows: 4, 50 rows: 8; splitBody gives no more than they need in full).
          // Capped at 4 and twice the count, a full table left one recommendation 2 lines and its fix unseen.
          { available: body - 2 - listeners.length - 1, share: portRecs.length === 0 ? 1 : Math.max(PORT_REC_LEAST, Math.floor(size.rows / 6)) }
        : undefined;
  // Measured only up to the most the panel can get: splitBody's answer is the same for any wanted at or past
  // max(available, share), and 400 findings (1,000 sockets with problems) took 1,200 wraps per render.
  const wantedUpTo = panel ? Math.max(panel.available, panel.share) : 0;
  const recsWanted = useMemo(() => recommendationsFullHeight(shownRecs, width, wantedUpTo), [shownRecs, width, wantedUpTo]);
  let recLines = 0;
  let tableHeight = 1;
  // The panel needs its title and a line: with less room it is not drawn and its title line goes to the table
  // (a panel given lines the body does not have was drawn under the footer).
  if (panel && panel.available >= 2) ({ tableHeight, recLines } = splitBody({ ...panel, rows: model?.rows.length ?? 0, wanted: recsWanted }));
  else if (panel) tableHeight = Math.max(1, panel.available + 1);

  const tableKey = model?.key ?? '';
  const index = selectedIndex(ids, state.selected[tableKey], state.lastIndex[tableKey], state.near[tableKey]);
  // A sort or filter change starts from the first page (the selected row kept in view); a refresh follows the row.
  const order = model ? orderOf(state.sort[model.kind], state.filters[tableKey]) : '';
  const top = windowTop(ids.length, Math.max(0, index), tableHeight, startTop(state.top[tableKey], state.lastIndex[tableKey], index, state.topOrder[tableKey], order));
  // What is drawn becomes the selection (its row, index, scroll position and neighbours): the next refresh
  // starts from it, so a row that then disappears hands the selection to its neighbour, and clearing a
  // filter keeps the port the selection was on. Only when something differs: one more render at most. Until a
  // row is chosen in a table its first row is selected, whatever it is (a sort or a new first port moves it).
  const shownId = index >= 0 ? ids[index] : undefined;
  const { next: nearNext, prev: nearPrev } = index >= 0 ? nearOf(ids, index) : {};
  const was = { id: state.selected[tableKey], index: state.lastIndex[tableKey], top: state.top[tableKey] };
  const wasNear = state.near[tableKey];
  const wasOrder = state.topOrder[tableKey];
  useEffect(() => {
    if (shownId === undefined || was.id === undefined) return;
    if (was.id === shownId && was.index === index && was.top === top && wasNear?.next === nearNext && wasNear?.prev === nearPrev && wasOrder === order) return;
    dispatch({ type: 'follow', table: tableKey, was, id: shownId, index, top, near: { next: nearNext, prev: nearPrev }, order });
    // `was` is read for this render's values only (its fields are in the list).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dispatch, tableKey, shownId, index, top, nearNext, nearPrev, was.id, was.index, was.top, wasNear, wasOrder, order]);
  // The selected port's worst recommendation is shown in full first.
  const recFocus = view === 'ports' && index >= 0 ? focusedRecommendation(data.recs, ids[index]) : undefined;

  // Columns and header change with the width and the table, not with every refresh.
  const columns = model?.columns;
  const marked = !!model?.markOf;
  // Virtualize before React: only the visible slice becomes lines of text; the flex columns share the room
  // as those rows need it (a long peer address beside a short process name).
  const visible = useMemo(() => (model ? model.rows.slice(top, top + tableHeight) : []), [model, top, tableHeight]);
  // The sorted column is never left out when narrow (a `sort: ESTAB ↓` by a column no longer shown).
  const sortColumn = model?.sortColumn;
  const placed = useMemo(() => (columns ? placeColumns(columns, width - (marked ? 3 : 0), width, visible, sortColumn) : []), [columns, marked, width, visible, sortColumn]);
  const header = useMemo(() => renderHeader(placed), [placed]);

  // Unix shown (x) but the snapshot on screen collected none: the local table's title says they are not listed yet.
  const unixPending = useMemo(() => {
    if (!data.snapshot || unixCollected || !state.protocols.unix || view !== 'ports' || state.table !== 'local') return undefined;
    const binding = state.paused ? keymap.find((b) => b.command === 'pause' && b.keys.length > 0) : undefined;
    return `unix not collected yet${state.paused ? ` (paused${binding ? `: ${displayKey(binding.keys[0])} resumes` : ''})` : ''}`;
  }, [data.snapshot, unixCollected, state.protocols.unix, state.paused, view, state.table, keymap]);
  const section: TableSectionProps | undefined = useMemo(() => {
    if (!model) return undefined;
    const lines: Line[] = visible.map((r) => ({ id: model.idOf(r), text: renderRow(placed, r), mark: model.markOf?.(r) }));
    return {
      title: model.title,
      count: model.rows.length,
      unfiltered: model.unfiltered,
      filter: model.filter,
      sortLabel: model.sortLabel,
      header,
      lines,
      selectedId: index >= 0 ? ids[index] : undefined,
      position: index + 1,
      width,
      emptyText: hiddenNote ? hiddenNote.short : data.snapshot ? model.emptyText : 'collecting…',
      hiddenNote: hiddenNote?.short,
      pendingNote: unixPending,
      theme,
    };
  }, [model, visible, placed, header, width, index, ids, theme, data.snapshot, hiddenNote, unixPending]);

  // Socket view: the live socket if it is still there, else the last copy seen.
  const socketFrame = view === 'socket' ? (frame as Extract<Frame, { view: 'socket' }>) : undefined;
  const { shownSocket, gone } = useFollowedSocket(socketFrame, data.sockets, !!data.snapshot);
  // The latest copy: a refresh that brings the owner the view opened without makes the fd flags and options readable.
  const attribution = data.snapshot?.attribution.scope;
  const details = useSocketDetails(inspector, shownSocket, socketFrame?.id, { attribution, paused: state.paused, gone }, { visit: socketFrame, tick: data.snapshot, source: data.snapshot?.source });
  // Whether the snapshot on screen carries tcp_info/skmem at all (the home view does not ask for them).
  const inSocketView = socketFrame !== undefined;
  const detailsSeen = useMemo(() => inSocketView && !!data.snapshot?.sockets.some((s) => s.tcpInfo || s.skmem), [inSocketView, data.snapshot]);
  const textLines = useMemo(() => {
    // Wrapped here and only here, so the scroll range counts the lines as SocketView draws them.
    if (socketFrame && shownSocket)
      return wrapPanelLines(
        socketLines(shownSocket, details, { gone, paused: state.paused, attribution, source: data.snapshot?.source, detailsSeen }),
        width,
      );
    if (view === 'help') return helpPanelLines(keymap, width);
    return [];
  }, [socketFrame, shownSocket, details, gone, data.snapshot, view, keymap, state.paused, attribution, detailsSeen, width]);
  const textHeight = Math.max(1, body - 1);
  const textMax = maxScroll(textLines.length, textHeight);

  // What the keys see (keyAction reads it at each press).
  screen.current = {
    keymap,
    table: model ? { model, ids, index, top, height: tableHeight } : undefined,
    maxScroll: view === 'socket' || view === 'help' ? textMax : undefined,
    pageSize: textHeight,
    wizardAvailable: !!Wizard,
    wizardInitial: wizardInitialFor(frame, model, index, state.stack[state.stack.length - 2]),
  };
  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  const closeWizard = useCallback(() => dispatch({ type: 'back' }), [dispatch]);
  // The wizard's own key line (what each step takes, and Ctrl-C quit) is the footer: a fixed "↑↓ choose Enter next"
  // under it was wrong on its text and preview screens. The footer's row goes to the wizard.
  const wizardOpen = view === 'wizard' && !!Wizard;
  const bodyLines = wizardOpen ? body + FOOTER_LINES : body;

  let content: ReactElement | null = null;
  if (view === 'wizard' && Wizard)
    content = (
      // The wizard is someone else's layout: clipped to the body so the frame never outgrows the terminal.
      <Box height={bodyLines} overflow="hidden" flexDirection="column">
        <KeyFeedContext.Provider value={feedChild}>
          <Wizard onClose={closeWizard} width={width} height={bodyLines} initial={(frame as Extract<Frame, { view: 'wizard' }>).initial} color={theme.color} />
        </KeyFeedContext.Provider>
      </Box>
    );
  else if (view === 'ports' && section) content = <PortsView table={section} recs={data.recs} recLines={recLines} recFocus={recFocus} adviceEveryMs={data.adviceEveryMs} collected={!!data.snapshot} />;
  else if (portFrame && section) content = <PortView listeners={listeners} table={section} recs={portRecs} recLines={recLines} collected={!!data.snapshot} />;
  else if (socketFrame) content = <SocketView socket={shownSocket} lines={textLines} scroll={state.scroll} height={textHeight} width={width} theme={theme} />;
  else if (view === 'help') content = <HelpView lines={textLines} scroll={state.scroll} height={textHeight} width={width} theme={theme} />;

  const stale = poll.error ? (data.snapshot ? poll.error : `${poll.error} (no data yet)`) : data.adviceError ? `advice failed: ${data.adviceError}` : undefined;
  // No footer while the wizard is open (its own key line takes the row; 'c' opens it only when there is a Wizard).
  // Stdin not a terminal: no key is read (useKeyQueue is inactive), so the footer says so instead of listing keys.
  const keysOn = isRawModeSupported === true;
  // Keys typed after a protocol toggle wait for its collection (at most 2 s): the footer says so meanwhile.
  const hints = useMemo(() => (view === 'wizard' ? null : !keysOn ? KEYS_OFF_HINTS : holding ? KEYS_HELD_HINTS : footerHints(keymap, view)), [keymap, view, keysOn, holding]);

  return (
    // No overflow="hidden" here: every view sizes itself to the frame, and clipping makes Ink re-slice
    // every line of every frame (sliceAnsi), a third of the cost of a frame.
    <Box flexDirection="column" width={width} height={frameHeight}>
      <Header identity={data.identity} totals={data.totals} rates={data.rates} paused={state.paused} stale={stale} notes={notes.notes} maxLines={headerLines} width={width} theme={theme} />
      {/* Clipped only when even a table's title, header and one row do not fit (under 5 rows): every view sizes itself otherwise. */}
      <Box flexDirection="column" height={bodyLines} flexShrink={0} overflow={bodyLines < MIN_BODY_LINES ? 'hidden' : undefined}>
        {content}
      </Box>
      {!hints ? null : state.editingFilter ? (
        <FilterBar text={state.filters[tableKey] ?? ''} width={width} theme={theme} />
      ) : state.notice ? (
        // Why the last key did nothing (t, u, x on the last protocol shown), in place of the hints until the next key.
        <Box flexShrink={0} height={1}>
          <TextLine spans={[{ text: fit(state.notice, width) }]} style={theme.severity.warning} width={width} />
        </Box>
      ) : (
        <Footer hints={hints} width={width} theme={theme} />
      )}
    </Box>
  );
}
