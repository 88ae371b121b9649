// The error every layer throws for input that makes no sense (the library documents it; the task
// interface and the CLI turn it into exit 2). Here, below knowledge/, codegen/ and api/, so that
// their own "not found" and "bad option" errors are InvalidInputErrors too.
import type { ZodError, z } from 'zod';

/** One problem with the input: where (dotted path, '' for the whole input) and what. */
export interface InputIssue {
  path: string;
  message: string;
}

/** Input the library refuses: the message names the field and the rule; `issues` lists each problem. */
export class InvalidInputError extends Error {
  constructor(
    message: string,
    readonly issues: InputIssue[] = [{ path: '', message }],
    /** Machine-readable reason: invalid-input, unknown-errno, unknown-option, invalid-options, file-exists... */
    readonly code = 'invalid-input',
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** Path segments (zod's issue.path) -> "config.port" / "options[2]" ('' for the root). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** A ZodError's issues as InputIssues (union failures expanded to their most specific messages). */
export function zodIssues(err: ZodError | { issues: z.core.$ZodIssue[] }, prefix: readonly PropertyKey[] = []): InputIssue[] {
  const out: InputIssue[] = [];
  for (const i of err.issues) {
    const path = [...prefix, ...i.path];
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ path: formatPath([...path, k]), message: `unknown field ${JSON.stringify(k)}` });
    } else out.push({ path: formatPath(path), message: i.message });
  }
  return out;
}
