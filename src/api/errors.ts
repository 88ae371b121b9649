// The library's input errors: InvalidInputError (model/input-error.ts; the knowledge tables' and the
// code generator's own errors extend it) and zod failures turned into one. Both become exit 2 in
// `sockscope task`.
import { ZodError, type z } from 'zod';
import { InvalidInputError, zodIssues } from '../model/input-error.js';

export { InvalidInputError, formatPath, zodIssues, type InputIssue } from '../model/input-error.js';

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
