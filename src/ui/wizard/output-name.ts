// The wizard's file step: the name it offers (what generate-server writes without --output) and its refusal of a
// name starting with ~, which only a shell expands.
import { homedir } from 'node:os';
import { extname, join } from 'node:path';
import type { Config } from '../../config/schema.js';
import type { GeneratorInput, GenLanguage } from '../../codegen/options.js';
import { DEFAULT_OUTPUT_NAMES } from '../../codegen/languages.js';

/** Default output name for the language (what the CLI writes without --output). */
export function defaultOutput(input: GeneratorInput, cfg: Config): string {
  return DEFAULT_OUTPUT_NAMES[input.language ?? cfg.defaultLanguage];
}

/**
 * Why a file name starting with ~ (`~/srv.c`, `~`, `~user/...`) is refused at the file step: a shell expands ~ before
 * generate-server sees it, the wizard gets the text as typed, and writing it made a directory literally named ~
 * (generate-server --output '~/x.c', quoted, writes ./~/x.c too: the path is taken as given, never expanded).
 */
export function homeRefusal(output: string, input: GeneratorInput, cfg: Config): string | null {
  // `~` alone, `~/...` or `~user/...` (a shell leaves `~srv.c` as it is unless a user srv.c exists).
  const m = /^~([A-Za-z0-9._-]*\/|$)/.exec(output);
  if (!m) return null;
  const user = m[1].replace(/\/$/, '');
  const file = output.slice(m[0].length) || defaultOutput(input, cfg);
  const example = user === '' ? join(homedir(), file) : `/home/${user}/${file}`;
  return `the shell expands ~ but the wizard does not (~${user} would be a name in the current directory): type the path in full, e.g. ${example}`;
}

/** The extensions that name each language's files (C's headers, Node's .js and .cjs too). */
const EXTENSIONS: Record<GenLanguage, readonly string[]> = { c: ['.c', '.h'], python: ['.py', '.pyw'], node: ['.mjs', '.js', '.cjs'] };
const LANGUAGE_NAMES: Record<GenLanguage, string> = { c: 'C', python: 'Python', node: 'Node' };

/** The other language whose extension `output` has (`mysrv.c` for Python: C), or undefined. */
function foreignLanguage(output: string, language: GenLanguage): GenLanguage | undefined {
  const ext = extname(output).toLowerCase();
  if (!ext || EXTENSIONS[language].includes(ext)) return undefined;
  return (Object.keys(EXTENSIONS) as GenLanguage[]).find((l) => l !== language && EXTENSIONS[l].includes(ext));
}

/** `output` with `language`'s extension in place of another language's (`mysrv.c` for Python: `mysrv.py`). */
function withOwnExtension(output: string, language: GenLanguage): string {
  return `${output.slice(0, output.length - extname(output).length)}${extname(DEFAULT_OUTPUT_NAMES[language])}`;
}

/**
 * The file step's name after an answer changed: a typed name with another language's extension takes this one's
 * (typed `mysrv.c` for C, back to Language, Python: `mysrv.py`); it was kept, and the wizard wrote Python into
 * mysrv.c and said `Run: python3 mysrv.c`. Any other typed name is kept as typed.
 */
export function typedOutputFor(output: string, input: GeneratorInput, cfg: Config): string {
  const language = input.language ?? cfg.defaultLanguage;
  return foreignLanguage(output, language) ? withOwnExtension(output, language) : output;
}

/**
 * A warning (not a refusal) for a Python server in a file named for another language (`mysrv.c` typed for
 * Python): python3 runs it whatever its name, and generate-server --language python --output x.c writes it, so the
 * wizard does too, but says so on the file step and the preview. C and Node refuse another extension (codegen).
 */
export function outputNameWarning(output: string, language: GenLanguage): string | null {
  const other = foreignLanguage(output.trim(), language);
  if (!other || language !== 'python') return null;
  return `${output.trim()} is named as a ${LANGUAGE_NAMES[other]} file, but this is a ${LANGUAGE_NAMES[language]} server (python3 runs it whatever its name); e.g. ${withOwnExtension(output.trim(), language)}`;
}
