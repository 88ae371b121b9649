// The server generator wizard (Ink): one step per choice, a syntax-highlighted preview, then an atomic
// write that asks before replacing a file. Used by `sockscope generate` and mounted by the monitor on `c`.
import { useMemo, useReducer } from 'react';
import { Box, Text, useInput, useStdin, useStdout, type Key } from 'ink';
import type { Config } from '../../config/schema.js';
import { loadConfig } from '../../config/load.js';
import { generateServer, type GeneratorInput } from '../../codegen/index.js';
import type { GenerateResult } from '../../codegen/render.js';
import { existingFiles, writeFilesAtomic } from '../../codegen/write.js';
import { highlightLine, type TokenKind } from './highlight.js';
import { currentChoices, initialState, reduce, type WizardDeps, type WizardKey, type WizardState } from './reducer.js';
import { visibleSteps } from './steps.js';

export interface WizardDone {
  result: GenerateResult;
  /** Paths written. */
  written: string[];
}

export interface WizardProps {
  /** Called after the user saw the "written" screen and pressed Enter/Esc. */
  onDone: (done: WizardDone) => void;
  /** Called when the user backs out of the first step with Esc. */
  onCancel: () => void;
  /** Configuration for defaults (default: loadConfig()). */
  config?: Config;
  /** Starting choices (e.g. the monitor passes the selected port). */
  initial?: GeneratorInput;
  /** Replaces file-system effects (tests). */
  deps?: Partial<Omit<WizardDeps, 'config'>>;
  /** Colours on (default: config.color). */
  color?: boolean;
  /** Rows available (default: terminal rows). */
  rows?: number;
}

const TOKEN_COLOR: Record<TokenKind, string | undefined> = {
  comment: 'gray',
  string: 'green',
  keyword: 'magenta',
  number: 'yellow',
  preproc: 'cyan',
  plain: undefined,
};

/** Ink key -> WizardKey (null = ignore). */
export function toWizardKey(input: string, key: Key): WizardKey | null {
  if (key.upArrow) return { name: 'up' };
  if (key.downArrow) return { name: 'down' };
  if (key.return) return { name: 'enter' };
  if (key.escape) return { name: 'escape' };
  if (key.backspace || key.delete) return { name: 'backspace' };
  if (key.pageUp) return { name: 'pageUp' };
  if (key.pageDown) return { name: 'pageDown' };
  if (key.home) return { name: 'home' };
  if (key.end) return { name: 'end' };
  if (key.ctrl || key.meta || key.tab) return null;
  if (input && !/[\x00-\x1f\x7f]/.test(input)) return { name: 'char', ch: input };
  return null;
}

export function Wizard(props: WizardProps) {
  const config = useMemo(() => props.config ?? loadConfig().config, [props.config]);
  const color = props.color ?? config.color;
  const { stdout } = useStdout();
  const { isRawModeSupported } = useStdin();
  const rows = props.rows ?? stdout?.rows ?? 24;
  const previewHeight = Math.max(5, rows - 8);
  const deps: WizardDeps = useMemo(
    () => ({
      config,
      generate: props.deps?.generate ?? ((input, output) => generateServer(input, { output, config })),
      exists: props.deps?.exists ?? ((paths) => existingFiles(paths.map((path) => ({ path })))),
      write: props.deps?.write ?? ((result, force) => writeFilesAtomic(result.files, { force })),
    }),
    [config, props.deps],
  );
  const [state, dispatch] = useReducer(
    (s: WizardState, k: WizardKey) => {
      const next = reduce(s, k, deps, previewHeight);
      if (next.phase === 'cancelled' && s.phase !== 'cancelled') queueMicrotask(props.onCancel);
      if (next.phase === 'finished' && s.phase !== 'finished') {
        const done = { result: next.result!, written: next.written };
        queueMicrotask(() => props.onDone(done));
      }
      return next;
    },
    undefined,
    () => initialState(config, props.initial),
  );

  useInput(
    (input, key) => {
      const k = toWizardKey(input, key);
      if (k) dispatch(k);
    },
    { isActive: isRawModeSupported === true },
  );

  return <WizardView state={state} config={config} color={color} previewHeight={previewHeight} />;
}

/** Pure rendering of a wizard state (tests render it directly). */
export function WizardView({ state, config, color, previewHeight }: { state: WizardState; config: Config; color: boolean; previewHeight: number }) {
  const steps = visibleSteps(state.input);
  const accent = color ? 'cyan' : undefined;
  const title = (
    <Text bold color={accent}>
      sockscope generate
      <Text dimColor>{state.phase === 'steps' ? `  step ${state.step + 1}/${steps.length}` : ''}</Text>
    </Text>
  );
  if (state.phase === 'steps') {
    const st = steps[state.step];
    const summary = summarize(state, steps.slice(0, state.step).map((s) => s.id));
    return (
      <Box flexDirection="column">
        {title}
        {summary ? <Text dimColor>{summary}</Text> : null}
        <Text> </Text>
        <Text bold>{st.title}</Text>
        {st.kind === 'choice' ? (
          currentChoices(state, config).map((c, k) => (
            <Text key={c.value} inverse={!color && k === state.cursor} color={color && k === state.cursor ? 'cyan' : undefined}>
              {k === state.cursor ? '› ' : '  '}
              {c.label}
              {c.hint ? <Text dimColor>{`  ${c.hint}`}</Text> : null}
            </Text>
          ))
        ) : (
          <Text>
            {'› '}
            {state.text}
            <Text inverse> </Text>
          </Text>
        )}
        {state.error ? <Text color={color ? 'red' : undefined}>{`! ${state.error}`}</Text> : null}
        <Text> </Text>
        <Text dimColor>{st.kind === 'choice' ? '↑/↓ choose · Enter next · Esc back' : 'type · Enter next · Esc back'}</Text>
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
    const visible = tokens.slice(state.scroll, state.scroll + previewHeight);
    return (
      <Box flexDirection="column">
        {title}
        <Text>
          {`Preview of ${r.files.map((f) => f.path).join(', ')}`}
          <Text dimColor>{`  lines ${state.scroll + 1}-${Math.min(lines.length, state.scroll + previewHeight)} of ${lines.length}`}</Text>
        </Text>
        <Box flexDirection="column" height={previewHeight} overflow="hidden">
          {visible.map((toks, k) => (
            <Box key={state.scroll + k} flexShrink={0}>
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
        {state.error ? <Text color={color ? 'red' : undefined}>{`! ${state.error}`}</Text> : null}
        {state.phase === 'confirm' ? (
          <Text bold color={color ? 'yellow' : undefined}>{`${state.existing.join(', ')} exists. Overwrite? y / n`}</Text>
        ) : (
          <Text dimColor>↑/↓ PgUp/PgDn scroll · Enter write · Esc back</Text>
        )}
      </Box>
    );
  }
  if (state.phase === 'done') {
    const r = state.result!;
    return (
      <Box flexDirection="column">
        {title}
        <Text color={color ? 'green' : undefined}>{`Wrote ${state.written.join(', ')}`}</Text>
        {r.buildCommand ? <Text>{`Build:    ${r.buildCommand}`}</Text> : null}
        <Text>{`Run:      ${r.runCommand}`}</Text>
        <Text>{`Watch it: sockscope --port ${r.options.port}`}</Text>
        <Text> </Text>
        <Text dimColor>Enter or Esc to close</Text>
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
 * The wizard as the monitor mounts it on `c` (App's WizardComponent shape): closes on done or cancel,
 * fits the body height it is given.
 */
export function MonitorWizard({ onClose, height }: { onClose: () => void; width: number; height: number }) {
  return <Wizard onDone={onClose} onCancel={onClose} rows={height} />;
}
