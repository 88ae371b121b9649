// The server generator wizard (Ink): one step per choice, a syntax-highlighted preview, then an atomic
// write that asks before replacing a file. Used by `sockscope generate` and mounted by the monitor on `c`.
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { Config } from '../../config/schema.js';
import { loadConfig } from '../../config/load.js';
import { generateServer, type GeneratorInput } from '../../codegen/index.js';
import type { GenerateResult } from '../../codegen/render.js';
import { nextStepLines, type NextStepLine } from '../../codegen/languages.js';
import { directoriesAmong, existingFiles, specialFilesAmong } from '../../codegen/output-target.js';
import { directoriesCreatedFor, writeFilesAtomic } from '../../codegen/write.js';
import { highlightLine, type TokenKind } from './highlight.js';
import { currentChoices, initialState, reduce, type WizardDeps, type WizardKey, type WizardState } from './reducer.js';
import { refusal, stepTitle, visibleSteps } from './steps.js';
import { outputNameWarning } from './output-name.js';
import { wrapText } from '../format.js';
import { escapeMessage } from '../../model/escape.js';
import { useWizardFrame, type WizardScreen } from './useWizardFrame.js';
import { useWizardKeys } from './useWizardKeys.js';

export interface WizardDone {
  result: GenerateResult;
  /** Paths written. */
  written: string[];
  /** Directories the write created (named after exit as on the last screen). */
  createdDirs: string[];
}

export interface WizardProps {
  /** Called after the user saw the "written" screen and pressed Enter/Esc. */
  onDone: (done: WizardDone) => void;
  /** Called when the user backs out of the first step with Esc. */
  onCancel: () => void;
  /**
   * Called on Ctrl-C before anything was written; the host should exit 130, the shell's code for an
   * interrupted command (the monitor's on SIGINT), so `sockscope generate && cc server.c` stops there.
   * Ctrl-C reaches the wizard only when the host renders with `exitOnCtrlC: false`. Without this prop the
   * wizard leaves Ctrl-C to the host: the monitor quits on it.
   */
  onInterrupt?: () => void;
  /** Configuration for defaults (default: loadConfig()). */
  config?: Config;
  /**
   * Ctrl-Z (the byte 0x1a in raw mode, not SIGTSTP): the host gives the terminal back and stops (`sockscope generate`:
   * cli/stop-and-resume.ts, as the monitor). Without it the key does nothing here (the monitor takes Ctrl-Z first).
   */
  onSuspend?: () => void;
  /** Set to what a host needs to redraw the frame after a stop (`sockscope generate`; see WizardScreen). */
  screenRef?: { current: WizardScreen | null };
  /** Starting choices (e.g. the monitor passes the selected port). */
  initial?: GeneratorInput;
  /** Replaces file-system effects and checks (tests). */
  deps?: Partial<Omit<WizardDeps, 'config'>>;
  /** Colours on (default: config.color). */
  color?: boolean;
  /** Rows available (default: the terminal's rows less one, see `rows` below). */
  rows?: number;
  /** Columns available, for wrapping error messages (default: terminal columns). */
  width?: number;
  /**
   * A key the host handles, added to the wizard's key line (the monitor: "Ctrl-C quit"). In the monitor this line
   * is the only key line: the monitor's footer gives its row to the wizard.
   */
  hostKeys?: string;
}

/** The last screen's rank of each next-step line (0 is kept first on a short screen; the title is 6, the blank line 7). */
const STEP_RANK: Record<NextStepLine['kind'], number> = { wrote: 1, run: 2, build: 3, created: 4, watch: 5 };

const TOKEN_COLOR: Record<TokenKind, string | undefined> = {
  comment: 'gray',
  string: 'green',
  keyword: 'magenta',
  number: 'yellow',
  preproc: 'cyan',
  plain: undefined,
};

export function Wizard(props: WizardProps) {
  const config = useMemo(() => props.config ?? loadConfig().config, [props.config]);
  const color = props.color ?? config.color;
  // Its rows and columns, and the screen handle for a host that redraws after Ctrl-Z (useWizardFrame.ts).
  const { root, rows, width } = useWizardFrame({ rows: props.rows, width: props.width, screenRef: props.screenRef });
  const previewHeight = previewHeightFor(rows);
  const deps: WizardDeps = useMemo(
    () => ({
      config,
      generate: props.deps?.generate ?? ((input, output) => generateServer(input, { output, config })),
      exists: props.deps?.exists ?? ((paths) => existingFiles(paths.map((path) => ({ path })))),
      write: props.deps?.write ?? ((result, force) => writeFilesAtomic(result.files, { force })),
      directories: props.deps?.directories ?? directoriesAmong,
      special: props.deps?.special ?? specialFilesAmong,
      created: props.deps?.created ?? ((written) => directoriesCreatedFor(written)),
    }),
    [config, props.deps],
  );
  // The state is reduced in the key handler, key by key (not in React's render): the host learns that the wizard
  // closed before the next key arrives. ESC ESC on the first step in the monitor came as two calls of one input
  // event; the close, queued to a microtask from the render's reducer, came after both, so the second Esc went to
  // the closed wizard and was lost instead of leaving the monitor's view.
  const [state, setState] = useState(() => initialState(config, props.initial));
  const live = useRef(state);
  const press = (k: WizardKey) => {
    const s = live.current;
    // Closed: the keys are the host's (the monitor takes them from here on).
    if (s.phase === 'cancelled' || s.phase === 'finished' || s.phase === 'interrupted') return;
    const next = reduce(s, k, deps, previewHeight);
    live.current = next;
    setState(next);
    if (next.phase === 'cancelled') props.onCancel();
    // Only reached with onInterrupt: the key handler below passes Ctrl-C on only then.
    else if (next.phase === 'interrupted' && props.onInterrupt) props.onInterrupt();
    else if (next.phase === 'finished') props.onDone({ result: next.result!, written: next.written, createdDirs: next.createdDirs });
  };

  // Ctrl-Z to the host's stop, Ctrl-C to the host when it takes it, the rest to press (useWizardKeys.ts).
  useWizardKeys(press, { onSuspend: props.onSuspend, interrupts: Boolean(props.onInterrupt) });

  return (
    <Box ref={root} flexDirection="column" flexShrink={0}>
      <WizardView state={state} config={config} color={color} previewHeight={previewHeight} rows={rows} width={width} hostKeys={props.hostKeys} />
    </Box>
  );
}

/**
 * Rows of the code preview: the wizard's chrome (title, file line, key line, an error) around it. Five
 * at least, as long as that leaves the chrome its rows: in the monitor at 40x10 the wizard has 5.
 */
export function previewHeightFor(rows: number): number {
  return Math.max(Math.min(5, rows - 4), rows - 8, 1);
}

/** What a choice or text step shows in `rows`: the summary and the blank lines go first, then the list is windowed around the cursor. */
export function stepLayout(rows: number, items: number, cursor: number, opts: { summary: boolean; error: boolean | number }): { summary: boolean; blanks: number; top: number; count: number } {
  // title, step title, key line, the error's lines.
  const fixed = 3 + Number(opts.error);
  const summary = opts.summary && rows - fixed - 1 >= Math.min(items, 3);
  const free = rows - fixed - (summary ? 1 : 0) - items;
  const blanks = Math.max(0, Math.min(2, free));
  const count = Math.max(1, Math.min(items, rows - fixed - (summary ? 1 : 0) - blanks));
  const top = Math.max(0, Math.min(items - count, cursor - Math.floor((count - 1) / 2)));
  return { summary, blanks, top, count };
}

/**
 * An error as lines of at most `width` columns, at most `max` of them (the last one cut with "…"): wrapped, not cut
 * to one row, so the part that says what is allowed ("allowed with udp: 512-65536") stays on screen.
 */
export function errorLines(error: string, width: number, max: number): string[] {
  // Escaped as the CLI prints its errors (main.ts): a typed U+009B (CSI) in a refused file name went raw to the terminal.
  error = escapeMessage(error);
  const lines = Number.isFinite(width) ? wrapText(error, Math.max(8, width), '! ', '  ') : [`! ${error}`];
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, Math.max(1, max));
  kept[kept.length - 1] = `${kept[kept.length - 1].slice(0, Math.max(1, width - 1))}…`;
  return kept;
}

/**
 * Pure rendering of a wizard state (tests render it directly). Every line is one terminal row (truncated,
 * never wrapped by Ink) and never shrinks: in a box shorter than the wizard, wrapped or shrunk lines were drawn
 * over each other ("  UDP  datagramsns, streams" at 40x10). An error is wrapped here to `width`, one Text per
 * row, and the layout counts its rows. `rows` bounds the height (none: unbounded).
 */
export function WizardView({
  state,
  config,
  color,
  previewHeight,
  rows = Infinity,
  width = Infinity,
  hostKeys,
}: {
  state: WizardState;
  config: Config;
  color: boolean;
  previewHeight: number;
  rows?: number;
  width?: number;
  hostKeys?: string;
}) {
  const keys = (line: string) => (hostKeys ? `${line} · ${hostKeys}` : line);
  // A Python server in a file named for another language (output-name.ts): a warning where an error would go.
  const warning =
    state.phase === 'steps'
      ? visibleSteps(state.input)[state.step]?.id === 'output'
        ? outputNameWarning(state.text, state.input.language ?? config.defaultLanguage)
        : null
      : state.result && (state.phase === 'preview' || state.phase === 'confirm')
        ? outputNameWarning(state.result.files[0]?.path ?? '', state.result.options.language)
        : null;
  const notice = state.error ?? warning;
  // The error's (or the warning's) rows, at most `max` (none without one), and how they are drawn.
  const errorRowsFor = (max: number) => (notice ? errorLines(notice, width, max) : []);
  const errorView = (lines: string[]) =>
    lines.map((l, k) => (
      <Text key={`error${k}`} color={color ? (state.error ? 'red' : 'yellow') : undefined} wrap="truncate-end">
        {l}
      </Text>
    ));
  const steps = visibleSteps(state.input);
  const accent = color ? 'cyan' : undefined;
  const title = (
    <Text bold color={accent} wrap="truncate-end">
      sockscope generate
      <Text dimColor>{state.phase === 'steps' ? `  step ${state.step + 1}/${steps.length}` : ''}</Text>
    </Text>
  );
  if (state.phase === 'steps') {
    const st = steps[state.step];
    const summary = summarize(state, steps.slice(0, state.step).map((s) => s.id));
    const choices = st.kind === 'choice' ? currentChoices(state, config) : [];
    // A choice step with no choice (the answers so far leave none: the reducer drops answers an earlier change
    // makes invalid, so this is a safety net) says why, and Enter or Esc goes back.
    const none = st.kind === 'choice' && choices.length === 0;
    const items = st.kind === 'choice' && !none ? choices.length : 1;
    // The error's rows: what is left beside the title, the step's title, one item and the key line.
    const errorRows = errorRowsFor(Math.max(1, rows - 4));
    const fitted = stepLayout(rows, items, st.kind === 'choice' ? state.cursor : 0, { summary: !!summary, error: errorRows.length });
    const more = fitted.count < items ? ` (${state.cursor + 1}/${items})` : '';
    return (
      <Box flexDirection="column" flexShrink={0}>
        {title}
        {fitted.summary ? <Text dimColor wrap="truncate-end">{summary}</Text> : null}
        {fitted.blanks > 0 ? <Text> </Text> : null}
        <Text bold wrap="truncate-end">{stepTitle(st, state.input) + more}</Text>
        {none ? (
          <Text color={color ? 'yellow' : undefined} wrap="truncate-end">{`  no choice fits the answers so far: ${escapeMessage(refusal(state.input, config) ?? 'none is allowed')}`}</Text>
        ) : st.kind === 'choice' ? (
          choices.slice(fitted.top, fitted.top + fitted.count).map((c, j) => {
            const k = fitted.top + j;
            return (
              <Text key={c.value} wrap="truncate-end" inverse={!color && k === state.cursor} color={color && k === state.cursor ? 'cyan' : undefined}>
                {k === state.cursor ? '› ' : '  '}
                {c.label}
                {c.hint ? <Text dimColor>{`  ${c.hint}`}</Text> : null}
              </Text>
            );
          })
        ) : (
          // The end of the text stays in view (where the typing happens).
          <Text wrap="truncate-start">
            {'› '}
            {escapeMessage(state.text)}
            <Text inverse> </Text>
          </Text>
        )}
        {errorView(errorRows)}
        {fitted.blanks > 1 ? <Text> </Text> : null}
        <Text dimColor wrap="truncate-end">{keys(none ? 'Enter or Esc back' : st.kind === 'choice' ? '↑/↓ choose · Enter next · Esc back' : 'type · Enter next · Esc back')}</Text>
      </Box>
    );
  }
  if (state.phase === 'preview' || state.phase === 'confirm') {
    const r = state.result!;
    const lines: { text: string; file: string; lang: 'c' | 'python' | 'node' }[] = [];
    for (const f of r.files) {
      if (r.files.length > 1) lines.push({ text: `==> ${f.path} <==`, file: f.path, lang: r.options.language });
      for (const l of f.content.replace(/\n$/, '').split('\n')) lines.push({ text: l, file: f.path, lang: r.options.language });
    }
    // Highlight from the top so block comments carry over; render only the visible window.
    const hs = { inBlock: false };
    const tokens = lines.map((l) => highlightLine(l.text, l.lang, hs));
    // A taller terminal since the last scroll: the window ends at the last line, not below it.
    const scroll = Math.min(state.scroll, Math.max(0, lines.length - previewHeight));
    const visible = tokens.slice(scroll, scroll + previewHeight);
    return (
      <Box flexDirection="column" flexShrink={0}>
        {title}
        <Text wrap="truncate-end">
          {`Preview of ${escapeMessage(r.files.map((f) => f.path).join(', '))}`}
          <Text dimColor>{`  lines ${scroll + 1}-${Math.min(lines.length, scroll + previewHeight)} of ${lines.length}`}</Text>
        </Text>
        <Box flexDirection="column" height={previewHeight} flexShrink={0} overflow="hidden">
          {visible.map((toks, k) => (
            <Box key={scroll + k} flexShrink={0}>
              <Text wrap="truncate-end">
                {toks.length === 0 ? ' ' : toks.map((t, j) => (
                  <Text key={j} color={color ? TOKEN_COLOR[t.kind] : undefined}>
                    {t.text}
                  </Text>
                ))}
              </Text>
            </Box>
          ))}
        </Box>
        {/* The rows the preview leaves: title, file line, preview, key line. */}
        {errorView(errorRowsFor(Math.max(1, rows - 3 - previewHeight)))}
        {state.phase === 'confirm' ? (
          <Text bold color={color ? 'yellow' : undefined} wrap="truncate-start">{keys(`${escapeMessage(state.existing.join(', '))} exists. Overwrite? y / n`)}</Text>
        ) : (
          <Text dimColor wrap="truncate-end">{keys('↑/↓ PgUp/PgDn scroll · Enter write · Esc back')}</Text>
        )}
      </Box>
    );
  }
  if (state.phase === 'done') {
    // generate-server's lines (languages.ts nextStepLines), naming the paths the write returned. Each line with its
    // rank (0 kept first): on a short screen (the monitor's box at 20x5) the key line, what was written and how to run
    // it stay; the blank line, the title and Watch it go first.
    const steps = nextStepLines({ ...state.result!, files: state.written.map((path) => ({ path })) }, state.createdDirs);
    const lines: [number, ReactNode][] = [
      [6, title],
      ...steps.map((l): [number, ReactNode] => [
        STEP_RANK[l.kind],
        <Text color={l.kind === 'wrote' && color ? 'green' : undefined} wrap="truncate-end">
          {escapeMessage(l.text)}
        </Text>,
      ]),
      [7, <Text> </Text>],
      [0, <Text dimColor wrap="truncate-end">{keys('Enter or Esc to close')}</Text>],
    ];
    const kept = new Set(lines.map(([rank]) => rank).sort((a, b) => a - b).slice(0, Math.max(1, rows)));
    return (
      <Box flexDirection="column" flexShrink={0}>
        {lines.filter(([rank]) => kept.has(rank)).map(([rank, el]) => (
          <Box key={rank} flexShrink={0}>
            {el}
          </Box>
        ))}
      </Box>
    );
  }
  return null;
}

function summarize(state: WizardState, doneIds: string[]): string {
  const i = state.input;
  const parts: string[] = [];
  for (const id of doneIds) {
    if (id === 'type' && i.type) parts.push(i.type);
    if (id === 'language' && i.language) parts.push(i.language);
    if (id === 'platform' && i.platform) parts.push(i.platform);
    if (id === 'ioModel' && i.ioModel) parts.push(i.ioModel);
    if (id === 'handler' && i.handler) parts.push(i.handler);
    if (id === 'port' && i.port !== undefined) parts.push(`port ${i.port}`);
    if (id === 'family') parts.push(i.dualStack ? 'dual-stack' : i.ipv6 ? 'IPv6' : 'IPv4');
    if (id === 'profile' && i.profile && i.profile !== 'none') parts.push(`${i.profile} profile`);
    if (id === 'tcpNodelay') parts.push(i.tcpNodelay === false ? 'Nagle on' : 'TCP_NODELAY');
    if (id === 'bufferSize' && i.bufferSize) parts.push(`${i.bufferSize} B buffer`);
    if (id === 'reusePort' && i.reusePort) parts.push('SO_REUSEPORT');
    if (id === 'comments' && i.comments === false) parts.push('no comments');
  }
  return parts.join(' · ');
}

/**
 * The wizard as the monitor mounts it on `c` (App's WizardComponent shape): closes on done or cancel, fits
 * the body height it is given, starts from the selected port (`initial`) and draws in the monitor's colour
 * setting (`color`: the App passes its theme's, so --no-color, NO_COLOR and TERM=dumb reach the wizard; without
 * it the wizard would follow config.color alone).
 */
export function MonitorWizard({ onClose, width, height, initial, color }: { onClose: () => void; width: number; height: number; initial?: GeneratorInput; color?: boolean }) {
  // Ctrl-C reaches the monitor, which quits: the wizard's key line says so (it is the only key line there).
  return <Wizard onDone={onClose} onCancel={onClose} rows={height} width={width} initial={initial} color={color} hostKeys="Ctrl-C quit" />;
}
