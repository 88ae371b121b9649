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

/** Path segments (zod's issue.path) -> "config.port" / "options[2]" ('' for the root); a long name is cut (briefText). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? briefText(String(seg)) : `.${briefText(String(seg))}`;
  }
  return out;
}

/** The most issues an error lists; the rest are counted in one more (a 100,000-item array of wrong items made 15 MB). */
export const MAX_ISSUES = 20;

/**
 * The zod `params` key of a custom issue that stands for that many problems, none of them listed: a check that finds
 * more problems than MAX_ISSUES adds the first MAX_ISSUES as issues and this one for the rest (notListedIssue), so
 * that 100,000 unknown threshold names do not cost 100,000 issues (and suggestions) for an error that lists 20.
 */
const NOT_LISTED = 'notListed';

/** The custom issue (for ctx.addIssue) standing for `count` more problems at `path`, counted by zodIssues, never listed. */
export function notListedIssue(count: number, path: PropertyKey[], what: string) {
  return { code: 'custom' as const, path, message: `and ${count} more ${what}`, params: { [NOT_LISTED]: count } };
}

/** A ZodError's issues as InputIssues (union failures expanded to their most specific messages), at most MAX_ISSUES. */
export function zodIssues(err: ZodError | { issues: z.core.$ZodIssue[] }, prefix: readonly PropertyKey[] = []): InputIssue[] {
  const out: InputIssue[] = [];
  let more = 0;
  for (const i of err.issues) {
    const unlisted = i.code === 'custom' ? (i.params as Record<string, unknown> | undefined)?.[NOT_LISTED] : undefined;
    if (typeof unlisted === 'number') {
      more += unlisted;
      continue;
    }
    const path = [...prefix, ...i.path];
    const keys = i.code === 'unrecognized_keys' ? i.keys : [undefined];
    for (const k of keys) {
      if (out.length >= MAX_ISSUES) more++;
      else if (k === undefined) out.push({ path: formatPath(path), message: i.message });
      else out.push({ path: formatPath([...path, k]), message: `unknown field ${briefValue(k)}` });
    }
  }
  if (more > 0) out.push({ path: formatPath(prefix), message: `and ${more} more problem${more === 1 ? '' : 's'} like these, not listed` });
  return out;
}

/** The most characters a message quotes of a value it refuses: a longer one is cut, '…' marking the cut. */
export const ECHO_MAX_CHARS = 64;

/**
 * At most `max` characters (code points) of a text a message quotes, '…' after when it was cut: an input of ten
 * million characters is refused in a sentence, not echoed whole (twice: message and issue).
 */
export function briefText(text: string, max = ECHO_MAX_CHARS): string {
  if (text.length <= max) return text;
  const cps = [...text.slice(0, max * 2 + 2)];
  return cps.length <= max ? text : `${cps.slice(0, max).join('')}…`;
}

/**
 * A value a message says it refuses, in JSON's spelling but brief: strings cut (briefText), arrays and objects
 * shown two levels deep and only their first items, the whole at most about `max` characters. Never throws and
 * never recurses further than that: a 10,000-deep array or a getter that throws is described, not stringified
 * (JSON.stringify overflowed the stack on the first).
 */
export function briefValue(value: unknown, max = ECHO_MAX_CHARS): string {
  const text = brief(value, 0, max);
  return text.length <= max + 8 ? text : `${[...text].slice(0, max).join('')}…`;
}

const BRIEF_DEPTH = 2;

function brief(v: unknown, depth: number, budget: number): string {
  try {
    switch (typeof v) {
      case 'string':
        return JSON.stringify(briefText(v, Math.max(8, budget - 2)));
      case 'number':
      case 'boolean':
        return String(v);
      case 'bigint':
        return `${briefText(String(v), Math.max(8, budget))}n`;
      case 'undefined':
        return 'undefined';
      case 'symbol':
        return briefText(String(v), Math.max(8, budget));
      case 'function':
        return 'a function';
    }
    if (v === null) return 'null';
    const isArray = Array.isArray(v);
    const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
    const keys = isArray ? undefined : Object.keys(v as object);
    const count = isArray ? (v as unknown[]).length : keys!.length;
    if (count === 0) return open + close;
    if (depth >= BRIEF_DEPTH) return `${open}…${close}`;
    const parts: string[] = [];
    let used = 2;
    for (let i = 0; i < count; i++) {
      if (used >= budget) {
        parts.push('…');
        break;
      }
      const item = isArray
        ? brief((v as unknown[])[i], depth + 1, budget - used)
        : `${JSON.stringify(briefText(keys![i], Math.max(8, budget - used)))}:${brief((v as Record<string, unknown>)[keys![i]], depth + 1, budget - used)}`;
      parts.push(item);
      used += item.length + 1;
    }
    return open + parts.join(',') + close;
  } catch {
    return `a${typeof v === 'object' ? 'n object' : ` ${typeof v}`} that cannot be read`;
  }
}
