// The wizard's file step: the name it offers (what generate-server writes without --output) and its refusal of a
// name starting with ~, which only a shell expands.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import type { GeneratorInput } from '../../codegen/options.js';
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
