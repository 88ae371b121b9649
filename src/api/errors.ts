// The one error the library throws for input that is well-formed JSON but makes no sense (a zod schema
// failure is thrown as the ZodError itself). Both become exit 2 in `sockscope task`.
import { ZodError, type z } from 'zod';

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

/** zod path segments -> "config.port" / "options[2]" ('' for the root). */
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

/** zod error map: a missing field says "required" (a union's default would be a bare "Invalid input"). */
export const requiredMessages: z.core.$ZodErrorMap = (iss) =>
  iss.input === undefined && (iss.code === 'invalid_type' || iss.code === 'invalid_union') ? 'required' : undefined;

/** Runs `schema.parse` and turns a failure into InvalidInputError with one issue per problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input, { error: requiredMessages });
  if (r.success) return r.data;
  const issues = zodIssues(r.error);
  throw new InvalidInputError(`invalid ${what} input: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
}

export { ZodError };
