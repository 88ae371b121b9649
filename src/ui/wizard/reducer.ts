// Wizard state and a pure reducer over keys. Side effects and file-system checks (generate, exists,
// write, directories) are injected: Wizard.tsx supplies the real ones and renders the state, tests fakes.
import type { Config } from '../../config/schema.js';
import { GeneratorOptionsError, type GeneratorInput, type GenLanguage } from '../../codegen/options.js';
import type { GenerateResult } from '../../codegen/render.js';
import { directoryOutputMessage, specialFileMessage } from '../../codegen/output-target.js';
import { pruneLater, visibleSteps, type Choice, type Step } from './steps.js';
import { defaultOutput, homeRefusal, typedOutputFor } from './output-name.js';

export type WizardKey =
  | { name: 'up' | 'down' | 'enter' | 'escape' | 'backspace' | 'pageUp' | 'pageDown' | 'home' | 'end' }
  | { name: 'char'; ch: string }
  /** Ctrl-C: leave at once, nothing written (after a write it only closes). */
  | { name: 'interrupt' }
  /** Ctrl-Z: the host suspends (Wizard's onSuspend); the state is left as it is. */
  | { name: 'suspend' };

export interface WizardDeps {
  config: Config;
  generate: (input: GeneratorInput, output: string) => GenerateResult;
  exists: (paths: string[]) => string[];
  write: (result: GenerateResult, force: boolean) => string[];
  /** Which of these files' paths are directories (the Wizard's: the file system's, codegen/output-target.ts directoriesAmong). */
  directories: (files: { path: string }[]) => string[];
  /**
   * Which of these files' paths are devices, FIFOs, sockets or links through them (the Wizard's: codegen/output-target.ts
   * specialFilesAmong), with what each is: never replaced, so refused at once as a directory is.
   */
  special?: (files: { path: string }[]) => { path: string; kind: string }[];
  /** The directories the write that returned `written` created, to name them (the Wizard's: codegen/write.ts directoriesCreatedFor). */
  created?: (written: string[]) => string[];
}

export interface WizardState {
  phase: 'steps' | 'preview' | 'confirm' | 'done' | 'cancelled' | 'interrupted' | 'finished';
  input: GeneratorInput;
  step: number;
  cursor: number;
  text: string;
  /** The file name: the one last typed at the file step, or the one last written from the default. */
  output: string;
  /**
   * Whether the user typed the file name: a name never typed follows the default when an answer changes it
   * (back to Language from the preview, Python to C: it kept server.py's default, server.c... for Python).
   */
  outputTyped: boolean;
  /**
   * The language the typed name was typed (or last renamed) under: the name takes another language's extension only
   * when the language differs from it. Every entry to the file step renamed it, so `mysrv.c` typed for Python on
   * purpose (the file step and preview warn) became mysrv.py on Esc from the preview or the same language picked again.
   */
  outputLanguage?: GenLanguage;
  error: string | null;
  result: GenerateResult | null;
  scroll: number;
  existing: string[];
  written: string[];
  /** Directories the write created (the last screen names them, as generate-server does). */
  createdDirs: string[];
}

/** Choices of the current step (choice steps only). */
export function currentChoices(s: WizardState, cfg: Config): Choice[] {
  const st = visibleSteps(s.input)[s.step];
  return st?.kind === 'choice' && st.choices ? st.choices(s.input, cfg) : [];
}

const languageOf = (input: GeneratorInput, cfg: Config): GenLanguage => input.language ?? cfg.defaultLanguage;

/** Puts the cursor/text on the step's default. */
function enterStep(s: WizardState, step: number, cfg: Config): WizardState {
  const steps = visibleSteps(s.input);
  const st = steps[step];
  const next = { ...s, step, error: null, phase: 'steps' as const };
  if (st.id === 'output') {
    if (!s.outputTyped || !s.output) return { ...next, text: defaultOutput(s.input, cfg) };
    const language = languageOf(s.input, cfg);
    if (language === s.outputLanguage) return { ...next, text: s.output };
    const output = typedOutputFor(s.output, s.input, cfg);
    return { ...next, text: output, output, outputLanguage: language };
  }
  if (st.kind === 'text') return { ...next, text: st.initial(s.input, cfg) };
  const choices = st.choices!(s.input, cfg);
  if (choices.length === 0) return { ...next, cursor: 0 };
  const initial = st.initial(s.input, cfg);
  return { ...next, cursor: Math.max(0, choices.findIndex((c) => c.value === initial)) };
}

export function initialState(cfg: Config, input: GeneratorInput = {}): WizardState {
  const s: WizardState = { phase: 'steps', input, step: 0, cursor: 0, text: '', output: '', outputTyped: false, error: null, result: null, scroll: 0, existing: [], written: [], createdDirs: [] };
  return enterStep(s, 0, cfg);
}

/** Applies one key. `page` is the preview's visible height (for scrolling). */
export function reduce(s: WizardState, key: WizardKey, deps: WizardDeps, page = 20): WizardState {
  const cfg = deps.config;
  if (key.name === 'suspend') return s;
  if (key.name === 'interrupt') {
    // The file is written by then: Ctrl-C on the last screen closes it as Enter does.
    if (s.phase === 'done') return { ...s, phase: 'finished' };
    if (s.phase === 'cancelled' || s.phase === 'interrupted' || s.phase === 'finished') return s;
    return { ...s, phase: 'interrupted' };
  }
  switch (s.phase) {
    case 'steps':
      return reduceStep(s, key, deps);
    case 'preview': {
      const lines = s.result ? s.result.files.reduce((n, f) => n + f.content.split('\n').length + 1, 0) : 0;
      const max = Math.max(0, lines - page);
      if (key.name === 'escape') return enterStep({ ...s, result: null }, visibleSteps(s.input).length - 1, cfg);
      if (key.name === 'up' || (key.name === 'char' && key.ch === 'k')) return { ...s, scroll: Math.max(0, s.scroll - 1) };
      if (key.name === 'down' || (key.name === 'char' && key.ch === 'j')) return { ...s, scroll: Math.min(max, s.scroll + 1) };
      if (key.name === 'pageUp') return { ...s, scroll: Math.max(0, s.scroll - page) };
      if (key.name === 'pageDown' || (key.name === 'char' && key.ch === ' ')) return { ...s, scroll: Math.min(max, s.scroll + page) };
      if (key.name === 'home') return { ...s, scroll: 0 };
      if (key.name === 'end') return { ...s, scroll: max };
      if (key.name === 'enter' || (key.name === 'char' && key.ch === 'w')) {
        // A directory (or a FIFO...) made there since the file step: refused as there, not asked about.
        const dir = directoryError(s.result!, deps);
        if (dir) return { ...enterStep({ ...s, result: null }, visibleSteps(s.input).length - 1, cfg), error: dir };
        const existing = deps.exists(s.result!.files.map((f) => f.path));
        if (existing.length) return { ...s, phase: 'confirm', existing };
        return doWrite(s, deps, false);
      }
      return s;
    }
    case 'confirm':
      if (key.name === 'char' && (key.ch === 'y' || key.ch === 'Y')) return doWrite(s, deps, true);
      if (key.name === 'escape' || (key.name === 'char' && (key.ch === 'n' || key.ch === 'N')) || key.name === 'enter')
        return enterStep({ ...s, result: null }, visibleSteps(s.input).length - 1, cfg);
      return s;
    case 'done':
      if (key.name === 'enter' || key.name === 'escape' || (key.name === 'char' && key.ch === 'q')) return { ...s, phase: 'finished' };
      return s;
    default:
      return s;
  }
}

function doWrite(s: WizardState, deps: WizardDeps, force: boolean): WizardState {
  try {
    const written = deps.write(s.result!, force);
    return { ...s, phase: 'done', written, createdDirs: deps.created?.(written) ?? [], error: null };
  } catch (e) {
    return { ...s, phase: 'preview', error: (e as Error).message };
  }
}

/**
 * The CLI's refusal of an output that is a directory, a device, a FIFO or a socket (directoryOutputMessage,
 * specialFileMessage, as generate-shared.ts runGenerate): it is never replaced, not even with --force, so the wizard
 * must not ask "Overwrite?" and then fail (a FIFO was asked about, then refused as "it is a FIFO, not a file").
 */
function directoryError(result: GenerateResult, deps: WizardDeps): string | null {
  const dirs = deps.directories(result.files);
  if (dirs.length) return directoryOutputMessage(dirs[0], result.options.language);
  const special = deps.special?.(result.files) ?? [];
  return special.length ? specialFileMessage(special[0].path, special[0].kind) : null;
}

/** The input with the step's answer, and without the later answers it makes invalid. */
function answer(s: WizardState, st: Step, value: string, cfg: Config): WizardState {
  return { ...s, input: pruneLater(st.apply(s.input, value, cfg), st.id, cfg) };
}

function reduceStep(s: WizardState, key: WizardKey, deps: WizardDeps): WizardState {
  const cfg = deps.config;
  const steps = visibleSteps(s.input);
  const st = steps[s.step];
  if (key.name === 'escape') {
    if (s.step === 0) return { ...s, phase: 'cancelled' };
    return enterStep(s, s.step - 1, cfg);
  }
  if (st.kind === 'choice') {
    const choices = st.choices!(s.input, cfg);
    // No choice fits (the screen says why): Enter goes back as Esc does, never a dead end.
    if (choices.length === 0) return key.name === 'enter' ? (s.step === 0 ? { ...s, phase: 'cancelled' } : enterStep(s, s.step - 1, cfg)) : s;
    if (key.name === 'up' || (key.name === 'char' && key.ch === 'k')) return { ...s, cursor: (s.cursor - 1 + choices.length) % choices.length };
    if (key.name === 'down' || (key.name === 'char' && key.ch === 'j')) return { ...s, cursor: (s.cursor + 1) % choices.length };
    if (key.name !== 'enter') return s;
    const picked = choices[s.cursor];
    if (!picked) return s;
    return advance(answer(s, st, picked.value, cfg), deps, st.id);
  }
  // Text step. Typing at the file step makes the name the user's (kept when Esc leaves the step, too).
  const typed = (text: string): WizardState => ({
    ...s,
    text,
    error: null,
    ...(st.id === 'output' ? { output: text, outputTyped: true, outputLanguage: languageOf(s.input, cfg) } : {}),
  });
  if (key.name === 'backspace') return typed(s.text.slice(0, -1));
  if (key.name === 'char') return typed(s.text + key.ch);
  if (key.name !== 'enter') return s;
  if (st.id === 'output') {
    const output = s.text.trim();
    if (!output) return { ...s, error: 'enter a file name' };
    const home = homeRefusal(output, s.input, cfg);
    if (home) return { ...s, error: home };
    try {
      const result = deps.generate(s.input, output);
      const dir = directoryError(result, deps);
      if (dir) return { ...s, error: dir };
      return { ...s, output, result, phase: 'preview', scroll: 0, error: null };
    } catch (e) {
      return { ...s, error: (e as Error).message };
    }
  }
  try {
    return advance(answer(s, st, s.text, cfg), deps, st.id);
  } catch (e) {
    if (e instanceof GeneratorOptionsError) return { ...s, error: e.message };
    throw e;
  }
}

function advance(s: WizardState, deps: WizardDeps, id: string): WizardState {
  const steps = visibleSteps(s.input);
  // The visible steps may have changed (e.g. C adds the platform step): continue after the current id.
  const idx = steps.findIndex((x) => x.id === id);
  const next = (idx < 0 ? s.step : idx) + 1;
  return enterStep(s, Math.min(next, steps.length - 1), deps.config);
}
