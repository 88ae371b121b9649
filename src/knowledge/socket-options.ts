// The socket option reference: ONE table (socket-option-table.ts, re-exported here) and its lookups,
// read by `sockscope options`, inspect-options / the getsockopt helper, the monitor and codegen comments.
import { z } from 'zod';
import { editDistance } from '../model/edit-distance.js';
import { InvalidInputError } from '../model/input-error.js';
import { deepFreeze } from '../model/deep-freeze.js';
import { SOCKET_OPTIONS, type OptionLevel, type Platform, type SocketOptionInfo } from './socket-option-table.js';

export * from './socket-option-table.js';

// The library exports SOCKET_OPTIONS and describeOption() hands out its entries: a caller's
// `SOCKET_OPTIONS.find(o => o.name === 'TCP_NODELAY').summary = 'x'` changed every later describeOption(),
// `sockscope options` in the process and codegen's comments. Frozen all the way down, as DEFAULT_CONFIG is (index.ts).
deepFreeze(SOCKET_OPTIONS);

/** Input of describeOption (library API and JSON tasks): a name, alias, other platform's name or prefix-less name, any case. */
export const OptionNameSchema = z.string().trim().min(1).max(64);

const BY_NAME = new Map<string, SocketOptionInfo>();
for (const o of SOCKET_OPTIONS) BY_NAME.set(o.name, o);
const BY_ALIAS = new Map<string, SocketOptionInfo>();
for (const o of SOCKET_OPTIONS) for (const a of o.aliases ?? []) BY_ALIAS.set(a, o);

/** Another platform's platforms (or Linux's IPv6 level) that a name belongs to, and how it relates to an entry. */
export interface ForeignNameUse {
  /** The entry the name leads to. */
  option: SocketOptionInfo;
  /** Where the name belongs: other platforms, or 'linux' for the IPv6-level twin (for `mentioned`: whose text names it). */
  platforms: (Platform | 'linux')[];
  /**
   * equivalent: the entry's counterpart there; variant: another name of it there (SO_DONTLINGER);
   * related: named in the note, not an equivalent (SO_SETFIB, the nearest thing; SO_EXCLUSIVEADDRUSE, the opposite);
   * ipv6: Linux's IPv6-level twin;
   * mentioned: a name the entry's text prints that no field declares (TCP_CA_NAME_MAX, a constant).
   */
  relation: 'equivalent' | 'variant' | 'related' | 'ipv6' | 'mentioned';
}

const FOREIGN_PLATFORMS = ['freebsd', 'macos', 'windows'] as const;
const RELATION_RANK: Record<ForeignNameUse['relation'], number> = { equivalent: 0, ipv6: 0, variant: 1, related: 2, mentioned: 3 };

/**
 * Every name the table gives for another platform (the `platforms` fields: name, variants, related) and
 * every IPv6 twin, with the entries that name it: derived from the table so it cannot drift from what
 * `sockscope options` and inspect-options print. Closest use first (equivalent before related), then table order.
 */
const BY_FOREIGN = new Map<string, ForeignNameUse[]>();
function addForeign(name: string, option: SocketOptionInfo, platform: Platform | 'linux', relation: ForeignNameUse['relation']): void {
  if (BY_NAME.has(name) || BY_ALIAS.has(name)) return; // a Linux name is that entry, wherever else it appears
  const uses = BY_FOREIGN.get(name) ?? [];
  const same = uses.find((u) => u.option === option && u.relation === relation);
  if (same) same.platforms.push(platform);
  else uses.push({ option, platforms: [platform], relation });
  BY_FOREIGN.set(name, uses);
}
for (const o of SOCKET_OPTIONS) {
  for (const p of FOREIGN_PLATFORMS) {
    const f = o.platforms[p];
    if (f.name) addForeign(f.name, o, p, 'equivalent');
    for (const v of f.variants ?? []) addForeign(v, o, p, 'variant');
    for (const r of f.related ?? []) addForeign(r, o, p, 'related');
  }
  if (o.ipv6) addForeign(o.ipv6.name, o, 'linux', 'ipv6');
  if (o.ipv6Alias) addForeign(o.ipv6Alias.name, o, 'linux', 'ipv6');
  for (const r of o.linuxRelated ?? []) addForeign(r.name, o, 'linux', 'related');
}

/** An option-like name in printed text: SO_, TCP_, IP_, IPV6_, UDP_ options and Windows' SIO_ control codes. */
export const OPTION_LIKE_NAME = /\b(?:SO|TCP|IPV6|IP|UDP|SIO)_[A-Z0-9_]*[A-Z0-9]\b/g;

/**
 * The text an entry prints (`sockscope options NAME`, and its --json) with whose text it is: so that every
 * option-like name the reference prints is a name it finds, those no field declares (a constant such as
 * TCP_CA_NAME_MAX) lead to the entries that mention them.
 */
function printedTexts(o: SocketOptionInfo): [Platform | 'linux', string][] {
  const out: [Platform | 'linux', string][] = [['linux', o.summary], ['linux', o.default], ['linux', o.details], ['linux', o.privilege ?? '']];
  for (const r of o.linuxRelated ?? []) out.push(['linux', r.note]);
  for (const p of FOREIGN_PLATFORMS) out.push([p, o.platforms[p].note ?? '']);
  return out;
}
const DECLARED = new Set(BY_FOREIGN.keys());
for (const o of SOCKET_OPTIONS) {
  for (const [where, text] of printedTexts(o)) {
    for (const name of text.match(OPTION_LIKE_NAME) ?? []) if (!DECLARED.has(name)) addForeign(name, o, where, 'mentioned');
  }
}
for (const uses of BY_FOREIGN.values()) uses.sort((a, b) => RELATION_RANK[a.relation] - RELATION_RANK[b.relation] || SOCKET_OPTIONS.indexOf(a.option) - SOCKET_OPTIONS.indexOf(b.option));

/** Every option name in table order. */
export const SOCKET_OPTION_NAMES: readonly string[] = Object.freeze(SOCKET_OPTIONS.map((o) => o.name));

/** Every name of another platform (or IPv6 twin) the table mentions, each leading to at least one entry. */
export const FOREIGN_OPTION_NAMES: readonly string[] = [...BY_FOREIGN.keys()];

/** Normalizes what a user types ("so_rcvbuf", "tcp-nodelay", " SO_LINGER ") to the table's spelling. */
export function normalizeOptionName(name: string): string {
  return name.trim().toUpperCase().replace(/-/g, '_');
}

/** How a name found its entry; `foreign` (the closest use first) when it is another platform's name or an IPv6 twin. */
export interface OptionMatch {
  option: SocketOptionInfo;
  /** The name as the table spells it. */
  name: string;
  foreign?: ForeignNameUse[];
}

/** The entry for a name: Linux name, Linux alias, another platform's name (TCP_MAXRT, IP_BOUND_IF), or a Linux name without its prefix ("NODELAY"). */
export function matchOption(name: string): OptionMatch | undefined {
  const n = normalizeOptionName(name);
  const hit = BY_NAME.get(n) ?? BY_ALIAS.get(n);
  if (hit) return { option: hit, name: n };
  const uses = BY_FOREIGN.get(n);
  if (uses) return { option: uses[0].option, name: n, foreign: uses };
  const suffixHits = SOCKET_OPTIONS.filter((o) => o.name.replace(/^(SO|TCP|IPV6|IP)_/, '') === n);
  return suffixHits.length === 1 ? { option: suffixHits[0], name: suffixHits[0].name } : undefined;
}

const PLATFORM_LABEL: Record<Platform | 'linux', string> = { linux: 'Linux', freebsd: 'FreeBSD', macos: 'macOS', windows: 'Windows' };
const andList = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/**
 * The first sentence for a name that the generic ones ("X is a Windows name; the Linux equivalent is Y", "the nearest
 * Linux option is Y") would misstate: one that does the opposite of its entry.
 */
const OWN_SENTENCE: Readonly<Record<string, string>> = {
  SO_EXCLUSIVEADDRUSE:
    "SO_EXCLUSIVEADDRUSE is a Windows option that does the opposite of SO_REUSEADDR: it forbids the shared binding Windows' SO_REUSEADDR allows (no other socket may then bind that address and port, even with SO_REUSEADDR). Linux has no equivalent and needs none: binding is exclusive there by default, since a socket may bind an address and port another socket holds only if that socket allowed it too (SO_REUSEADDR on both and neither a TCP listener, or SO_REUSEPORT on both, same user); the reference describes it under SO_REUSEADDR (see Windows under Other platforms).",
};

/** One sentence for a match by another platform's name: whose name it is and the Linux equivalent (undefined for a Linux name). */
export function foreignNameNote(m: OptionMatch): string | undefined {
  if (!m.foreign) return undefined;
  const o = m.option;
  const mine = m.foreign.filter((u) => u.option === o);
  const othersBy = (pick: (u: ForeignNameUse) => boolean) => [...new Set(m.foreign!.filter((u) => u.option !== o && pick(u)).map((u) => u.option.name))];
  const counterpartOf = othersBy((u) => u.relation !== 'related' && u.relation !== 'mentioned');
  const mentionedUnder = othersBy((u) => (u.relation === 'related' || u.relation === 'mentioned') && !counterpartOf.includes(u.option.name));
  const plats = (uses: ForeignNameUse[]) => andList([...new Set(uses.flatMap((u) => u.platforms))].map((p) => PLATFORM_LABEL[p]));
  const named = mine.filter((u) => u.relation === 'equivalent' || u.relation === 'variant');
  let text: string;
  const linuxRelated = o.linuxRelated?.find((r) => r.name === m.name);
  if (mine[0].relation === 'mentioned') {
    const where = mine.flatMap((u) => u.platforms).filter((p) => p !== 'linux');
    const inNotes = where.length && !mine.some((u) => u.platforms.includes('linux')) ? ` (its ${andList([...new Set(where)].map((p) => PLATFORM_LABEL[p]))} notes)` : '';
    text = `${m.name} is not an option the reference describes on its own; ${o.name}${inNotes} mentions it, shown below.`;
  } else if (mine[0].relation === 'ipv6' && o.ipv6Alias?.name === m.name) {
    text = `${m.name} is the IPv6-level twin of ${o.name} on Linux (IPPROTO_IPV6, optname ${o.ipv6Alias.linux}): both set and read the same flag, so sockscope reads ${o.name} on every IP socket; the reference describes both under ${o.name}.`;
  } else if (mine[0].relation === 'ipv6') {
    text = `${m.name} is the IPv6-level twin of ${o.name} on Linux (IPPROTO_IPV6, optname ${o.ipv6?.linux}), read instead of it on an AF_INET6 socket; the reference describes both under ${o.name}.`;
  } else if (linuxRelated) {
    text = `${m.name} is a separate Linux option (optname ${linuxRelated.linux}) that ${linuxRelated.note}; see ${o.name}.`;
  } else if (OWN_SENTENCE[m.name]) {
    text = OWN_SENTENCE[m.name];
  } else if (named.length) {
    const where = plats(named);
    text = `${m.name} is ${named.every((u) => u.relation === 'equivalent') ? 'the' : 'a'} ${where} name; the Linux equivalent is ${o.name} (see ${where} under Other platforms for how they differ).`;
  } else {
    const where = plats(mine);
    text = m.name.startsWith('SIO_')
      ? `${m.name} is a ${where} WSAIoctl control code, not a socket option; the nearest Linux option is ${o.name} (see ${where} under Other platforms).`
      : `${m.name} is a ${where} option with no Linux equivalent; the nearest Linux option is ${o.name} (see ${where} under Other platforms).`;
  }
  if (counterpartOf.length) text += ` It is also the counterpart of ${andList(counterpartOf)} (sockscope options ${counterpartOf[0]}).`;
  if (mentionedUnder.length) text += ` It is also mentioned under ${andList(mentionedUnder)} (sockscope options ${mentionedUnder[0]}).`;
  return text;
}

/** The entry for a name (see matchOption), or undefined. */
export function findOption(name: string): SocketOptionInfo | undefined {
  return matchOption(name)?.option;
}

/** The entry for (level, Linux optname), e.g. what a getsockopt helper or a netlink dump refers to by number. */
export function findOptionByNumber(level: OptionLevel, optname: number): SocketOptionInfo | undefined {
  return SOCKET_OPTIONS.find((o) => o.level === level && o.linux === optname);
}


/** Closest known option names to a misspelt one (best first). */
export function suggestOptions(name: string, max = 3): string[] {
  const n = normalizeOptionName(name);
  const all = [...SOCKET_OPTION_NAMES, ...BY_ALIAS.keys(), ...BY_FOREIGN.keys()];
  return all
    .map((c) => ({ c, d: Math.min(editDistance(n, c), c.includes(n) && n.length >= 3 ? 1 : Infinity) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(x.c.length / 3)))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => BY_ALIAS.get(x.c)?.name ?? x.c) // another platform's name stays itself: it resolves, and says what it is
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

/** The reference entry for one option (name, alias, another platform's name or prefix-less name; any case). Throws UnknownOptionError (an InvalidInputError). */
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

/**
 * `sockscope options NAME --json`, the `options` task's result and the library's describeOption(): the entry, plus
 * `foreignName` when NAME is another platform's name or an IPv6 twin (TCP_KEEPALIVE, SO_EXCLUSIVEADDRUSE): whose name
 * it is, in words (foreignNameNote), and each entry it leads to. One function, so the three cannot differ.
 */
export interface OptionReport extends SocketOptionInfo {
  foreignName?: { name: string; note: string; uses: { option: string; platforms: ForeignNameUse['platforms']; relation: ForeignNameUse['relation'] }[] };
}

/** The OptionReport for a name (see describeOption: same input, same errors). */
export function optionReport(name: string): OptionReport {
  const o = describeOption(name);
  const m = matchOption(name);
  const note = m ? foreignNameNote(m) : undefined;
  if (!m?.foreign || !note) return o;
  const uses = m.foreign.map((u) => ({ option: u.option.name, platforms: [...u.platforms], relation: u.relation }));
  return { ...o, foreignName: { name: m.name, note, uses } };
}
