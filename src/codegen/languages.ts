// What each generator language offers: its IO models (and the spellings that mean them) and the file it
// writes without --output. Pure data and no imports, so config/schema.ts (which checks defaultIoModel),
// the CLI's flags and the wizard use it without loading the generator, and without the import loop
// codegen/options.ts -> config/load.ts -> config/schema.ts -> codegen/options.ts there was when these
// lived in options.ts.

export const GEN_LANGUAGES = ['c', 'python', 'node'] as const;

export type GenLanguage = (typeof GEN_LANGUAGES)[number];

/** IO models per language, first one is the default. */
export const IO_MODELS: Record<GenLanguage, readonly string[]> = {
  c: ['epoll', 'poll', 'select', 'kqueue', 'io_uring'],
  python: ['asyncio', 'selectors', 'threads'],
  node: ['event-loop'],
};

/** Spellings users type that mean one of the IO_MODELS. */
export const IO_MODEL_ALIASES: Record<GenLanguage, Record<string, string>> = {
  c: { 'io-uring': 'io_uring', iouring: 'io_uring', liburing: 'io_uring', wsapoll: 'poll' },
  python: { selector: 'selectors', thread: 'threads', threading: 'threads' },
  node: { net: 'event-loop', dgram: 'event-loop', eventloop: 'event-loop', event_loop: 'event-loop', libuv: 'event-loop' },
};

/** Maps an IO model spelling to its canonical name for the language, or null if unknown. */
export function normalizeIoModel(language: GenLanguage, ioModel: string): string | null {
  const m = ioModel.trim().toLowerCase();
  if (IO_MODELS[language].includes(m)) return m;
  return IO_MODEL_ALIASES[language][m] ?? null;
}

/**
 * The file each language writes without --output (every template's main file is "{stem}.<ext>" with
 * stem "server"; a test holds this table equal to what the templates give).
 */
export const DEFAULT_OUTPUT_NAMES: Record<GenLanguage, string> = { c: 'server.c', python: 'server.py', node: 'server.mjs' };

/** The idle timeout (ms) TCP servers with a bounded connection pool (C select, Python threads) get without --idle-timeout (see options.ts). */
export const BOUNDED_POOL_IDLE_TIMEOUT_MS = 60_000;

/** How to watch the generated server: its port, or for port 0 (the kernel picks one, the server prints it) a placeholder. */
export function watchCommand(port: number): string {
  return port === 0 ? 'sockscope --port PORT (the port it prints at start)' : `sockscope --port ${port}`;
}

/** One line of what to tell the user after writing a server, by what it says (the wizard ranks them by kind). */
export interface NextStepLine {
  kind: 'wrote' | 'created' | 'build' | 'run' | 'watch';
  text: string;
}

/**
 * What to tell the user after writing: the files written, the directories the write created (a mistyped path
 * should not create directories silently), build, run, watch. generate-server prints them (generate-shared.ts
 * nextSteps), the wizard's last screen shows them. `r` is a GenerateResult (structurally: this module imports nothing).
 */
export function nextStepLines(
  r: { files: readonly { path: string }[]; buildCommand: string | null; buildNote?: string | null; runCommand: string; options: { port: number } },
  createdDirs: readonly string[] = [],
): NextStepLine[] {
  const lines: NextStepLine[] = [{ kind: 'wrote', text: `Wrote ${r.files.map((f) => f.path).join(', ')}` }];
  if (createdDirs.length) lines.push({ kind: 'created', text: `Created the director${createdDirs.length === 1 ? 'y' : 'ies'} ${createdDirs.join(', ')}` });
  if (r.buildCommand) lines.push({ kind: 'build', text: `Build:    ${r.buildCommand}` });
  if (r.buildNote) lines.push({ kind: 'build', text: `Note:     ${r.buildNote}` });
  lines.push({ kind: 'run', text: `Run:      ${r.runCommand}` });
  // The generated header's words: port 0 is a port the server picks and prints, not one to watch.
  lines.push({ kind: 'watch', text: `Watch it: ${watchCommand(r.options.port)}` });
  return lines;
}
