// The socket option reference: ONE table (socket-option-table.ts, re-exported here) and its lookups,
// read by `sockscope options`, inspect-options / the getsockopt helper, the monitor and codegen comments.
import { z } from 'zod';
import { editDistance } from '../model/edit-distance.js';
import { InvalidInputError } from '../model/input-error.js';
import { SOCKET_OPTIONS, type OptionLevel, type SocketOptionInfo } from './socket-option-table.js';

export * from './socket-option-table.js';

/** Input of describeOption (library API and JSON tasks): a name, alias or prefix-less name, any case. */
export const OptionNameSchema = z.string().trim().min(1).max(64);

const BY_NAME = new Map<string, SocketOptionInfo>();
for (const o of SOCKET_OPTIONS) BY_NAME.set(o.name, o);
const BY_ALIAS = new Map<string, SocketOptionInfo>();
for (const o of SOCKET_OPTIONS) for (const a of o.aliases ?? []) BY_ALIAS.set(a, o);

/** Every option name in table order. */
export const SOCKET_OPTION_NAMES: readonly string[] = SOCKET_OPTIONS.map((o) => o.name);

/** Normalizes what a user types ("so_rcvbuf", "tcp-nodelay", " SO_LINGER ") to the table's spelling. */
export function normalizeOptionName(name: string): string {
  return name.trim().toUpperCase().replace(/-/g, '_');
}

/** The entry for a name or alias (case-insensitive), or undefined. Also accepts a name without its prefix ("NODELAY"). */
export function findOption(name: string): SocketOptionInfo | undefined {
  const n = normalizeOptionName(name);
  const hit = BY_NAME.get(n) ?? BY_ALIAS.get(n);
  if (hit) return hit;
  const suffixHits = SOCKET_OPTIONS.filter((o) => o.name.replace(/^(SO|TCP|IPV6|IP)_/, '') === n);
  return suffixHits.length === 1 ? suffixHits[0] : undefined;
}

/** The entry for (level, Linux optname), e.g. what a getsockopt helper or a netlink dump refers to by number. */
export function findOptionByNumber(level: OptionLevel, optname: number): SocketOptionInfo | undefined {
  return SOCKET_OPTIONS.find((o) => o.level === level && o.linux === optname);
}


/** Closest known option names to a misspelt one (best first). */
export function suggestOptions(name: string, max = 3): string[] {
  const n = normalizeOptionName(name);
  const all = [...SOCKET_OPTION_NAMES, ...BY_ALIAS.keys()];
  return all
    .map((c) => ({ c, d: Math.min(editDistance(n, c), c.includes(n) && n.length >= 3 ? 1 : Infinity) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(x.c.length / 3)))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => BY_ALIAS.get(x.c)?.name ?? x.c)
    .filter((v, i, arr) => arr.indexOf(v) === i);
}

/** Thrown for a name that is not in the table; carries suggestions. The CLI maps it to exit 2. */
export class UnknownOptionError extends InvalidInputError {
  /** `path`: where the name was in the input (`name`, or `options[2]` for a list). */
  constructor(readonly optionName: string, readonly suggestions: string[], path = 'name') {
    const message =
      `unknown socket option '${optionName}'` +
      (suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : '; run `sockscope options` for the list');
    super(message, [{ path, message }], 'unknown-option');
    this.name = 'UnknownOptionError';
  }
}

/** The reference entry for one option (name, alias or prefix-less name; any case). Throws UnknownOptionError (an InvalidInputError). */
export function describeOption(name: string): SocketOptionInfo {
  const checked = OptionNameSchema.safeParse(name);
  if (!checked.success) {
    const message = `option name: ${checked.error.issues.map((i) => i.message).join('; ')}`;
    throw new InvalidInputError(message, [{ path: 'name', message }]);
  }
  const hit = findOption(name);
  if (!hit) throw new UnknownOptionError(name, suggestOptions(name));
  return hit;
}
