// Library API over the knowledge tables: explainErrno() and describeOption() take either the bare value
// (as they always did) or an input object validated by ErrnoInputSchema / DescribeOptionInputSchema.
// Every form is validated here, so that a bad bare value (NaN, 1.5, an unknown platform) is an
// InvalidInputError naming the field like the object form, not the tables' internal zod error; and the
// result is a copy, not the table entry itself (a caller's edit must not change the next lookup).
import { z } from 'zod';
import { ErrnoQuerySchema, explainErrno as lookupErrno, type ErrnoLookup, type ErrnoPlatform } from '../knowledge/errno.js';
import { OptionNameSchema, optionReport, type OptionReport } from '../knowledge/socket-options.js';
import { briefValue } from '../model/input-error.js';
import { detached, InvalidInputError, parseInput } from './errors.js';

/**
 * A code that is neither a name nor a whole number (104.5, true) is said as such, not zod's bare "Invalid input";
 * briefly (briefValue): a million-item or 10,000-deep array is not echoed whole, nor stringified (stack overflow).
 */
const CodeSchema = z.union([z.string().trim().min(1), z.number().int()], {
  error: (iss) => (iss.input === undefined ? 'required' : `expected an error name such as ECONNRESET or a whole number such as 104, got ${briefValue(iss.input)}`),
});

/** `{code, platform?}`: same document as `sockscope errno CODE [--platform P] --json`. */
export const ErrnoInputSchema = ErrnoQuerySchema.extend({ code: CodeSchema }).strict();
export type ErrnoInput = z.input<typeof ErrnoInputSchema>;
/** explainErrno(code, opts)'s second argument: `{platform?}`. */
const ErrnoOptionsSchema = ErrnoQuerySchema.pick({ platform: true }).strict();

/** `{name}`: same document as `sockscope options NAME --json`. */
export const DescribeOptionInputSchema = z.object({ name: OptionNameSchema }).strict();
export type DescribeOptionInput = z.input<typeof DescribeOptionInputSchema>;

/**
 * What an errno / Winsock code means on every platform. `explainErrno('ECONNRESET')`, `explainErrno(104, {platform})`
 * `explainErrno({code: 'ECONNRESET'})` and `explainErrno({code: 54}, {platform: 'macos'})` all work (a platform given in both, differently, is refused). Unknown codes throw UnknownErrnoError (an InvalidInputError, code unknown-errno, with suggestions).
 */
export function explainErrno(input: ErrnoInput, opts?: { platform?: ErrnoPlatform }): ErrnoLookup;
export function explainErrno(code: string | number, opts?: { platform?: ErrnoPlatform }): ErrnoLookup;
export function explainErrno(input: ErrnoInput | string | number, opts?: { platform?: ErrnoPlatform }): ErrnoLookup {
  // The bare form is the object form with its fields spelled as arguments: same schema, same field names. Its
  // options are checked as an object too: explainErrno('EPERM', 'linux') (a bare platform) or {platfrom: ...}
  // was read as "no platform" without a word; now it is an InvalidInputError like any other bad field.
  // The object form takes them too: explainErrno({code: 54}, {platform: 'macos'}) read 54 as Linux's before; a
  // platform given twice, differently, is refused rather than one of them silently winning.
  const bare = typeof input === 'string' || typeof input === 'number';
  const o = opts !== undefined ? parseInput(ErrnoOptionsSchema, opts, 'errno options') : {};
  const q = parseInput(ErrnoInputSchema, bare ? { code: input, ...o } : input, 'errno');
  if (!bare && o.platform !== undefined && q.platform !== undefined && o.platform !== q.platform) {
    const message = `platform given twice: ${JSON.stringify(q.platform)} in the input and ${JSON.stringify(o.platform)} in the options; give it once`;
    throw new InvalidInputError(message, [{ path: 'platform', message }]);
  }
  return detached(lookupErrno(q.code, { platform: q.platform ?? o.platform }));
}

/**
 * The reference entry of one socket option: `describeOption('TCP_NODELAY')` or `describeOption({name: 'nodelay'})`;
 * with `foreignName` for another platform's name (TCP_KEEPALIVE), as `sockscope options NAME --json` prints it.
 */
export function describeOption(input: DescribeOptionInput | string): OptionReport {
  const q = parseInput(DescribeOptionInputSchema, typeof input === 'string' ? { name: input } : input, 'describeOption');
  return detached(optionReport(q.name));
}
