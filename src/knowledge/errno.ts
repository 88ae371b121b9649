// errno / Winsock lookup: by name (ECONNRESET, WSAECONNRESET, ConnectionResetError), number (104, -104, 10054,
// 54 --platform macos) or message fragment ("reset by peer"). Data: generated/errno-tables.ts + errno-notes.ts.
// Beside the errnos: the kernel-internal codes 512-531 (ERESTARTSYS...) that strace shows, and the resolver's EAI_*
// codes (with Node's ENOTFOUND), each marked by `kind`.
import { z } from 'zod';
import { LINUX_ERRNOS, BSD_ERRNOS, WSA_ERRORS } from './generated/errno-tables.js';
import { noteFor, KERNEL_INTERNAL_ERRNOS, RESOLVER_ERRORS, NODE_RESOLVER_CODES, LIBUV_WINDOWS_ERRNOS, LIBUV_OWN_CODES, type KernelInternalCode, type ResolverCode } from './errno-notes.js';
import { editDistance } from '../model/edit-distance.js';
import { InvalidInputError } from '../model/input-error.js';
import { deepFreeze } from '../model/deep-freeze.js';
import type { WsaError } from './errno-types.js';

export const ERRNO_PLATFORMS = ['linux', 'macos', 'freebsd', 'windows'] as const;
/** How a bare number is read. */
export type ErrnoPlatform = (typeof ERRNO_PLATFORMS)[number];

/** Input of explainErrno (library API and JSON tasks). */
export const ErrnoQuerySchema = z.object({
  code: z.union([z.string().trim().min(1), z.number().int()]),
  platform: z.enum(ERRNO_PLATFORMS).optional(),
});
export type ErrnoQuery = z.infer<typeof ErrnoQuerySchema>;

/** Everything known about one error, across platforms. */
export interface ErrnoExplanation {
  /** POSIX name (ECONNRESET), or the WSA name for Winsock-only codes (WSANOTINITIALISED). */
  name: string;
  /**
   * Absent for errnos and Winsock codes. 'kernel-internal': include/linux/errno.h (512-531), never returned to a
   * program, `numbers.linux` is the kernel's. 'resolver': a getaddrinfo() return value (EAI_*), not an errno;
   * `numbers.linux` is glibc's (negative) and `libuv` Node's err.errno.
   */
  kind?: 'kernel-internal' | 'resolver';
  /** For a resolver error: libuv's UV_EAI_* number, what Node.js puts in err.errno. */
  libuv?: number;
  /** libuv's UV_E* number on Windows (include/uv/errno.h): Node.js err.errno there (-4077 for ECONNRESET); absent when libuv has none. */
  libuvWindows?: number;
  /** Message: glibc strerror on Linux; else the BSD or Windows text. */
  message: string;
  aliases: string[];
  numbers: { linux: number | null; freebsd: number | null; macos: number | null };
  /** Aliases with a number of their own on a BSD (macOS: ENOTSUP 45, EOPNOTSUPP 102; Linux has one number for both). */
  aliasNumbers?: { name: string; freebsd?: number; macos?: number }[];
  /** The Winsock code with the same meaning, if any. */
  windows: { name: string; number: number; title: string; message: string } | null;
  meaning: string;
  /** True when the notes describe it as a socket error (with causes/fixes). */
  socketRelevant: boolean;
  calls: string[];
  causes: string[];
  fixes: string[];
  /** Node.js err.code per platform (libuv's name; 'UNKNOWN' when libuv has none); null: not on that platform. */
  node: { linux: string | null; macos: string | null; windows: string | null };
  /** Python exception class per platform; null: not on that platform. */
  python: { linux: string | null; macos: string | null; windows: string | null };
}

/** What a number means on each platform (a number differs: 54 is ENOSTR on Linux, ECONNRESET on macOS). */
export interface NumberReading {
  platform: ErrnoPlatform;
  name: string;
}

export interface ErrnoLookup {
  query: string;
  matchedBy: 'name' | 'number' | 'python-class' | 'message';
  /** For a number: the platform it was read for. */
  platform: ErrnoPlatform | null;
  matches: ErrnoExplanation[];
  /** For a number: its meaning on every platform where it exists. */
  readings: NumberReading[];
  /** For a name with `platform`: its number there (null: the platform does not define it) and where it does exist. */
  onPlatform?: PlatformNumber;
  /**
   * A number that is also a resolver code: source 'libuv' (Node's err.errno, -3008): the match is that EAI_* entry;
   * source 'glibc' (a negative number such as -3): the match stays the errno, and this names the EAI_* code too.
   */
  resolverReading?: { name: string; number: number; source: 'glibc' | 'libuv' };
  /** A negative number that is libuv's UV_E* code on Windows (Node.js err.errno there, -4077): its name (UV_ECONNRESET) and number. */
  libuvWindowsReading?: { name: string; number: number };
}

/** One error's number on one platform, spelled as that platform spells it. */
export interface PlatformNumber {
  platform: ErrnoPlatform;
  name: string;
  /** null: not defined on that platform. */
  number: number | null;
  /** The platforms that do define it, with their number. */
  elsewhere: { platform: ErrnoPlatform; name: string; number: number }[];
}

/** No error matches the query; carries suggestions. An InvalidInputError (code unknown-errno, path `code`); the CLI maps it to exit 2. */
export class UnknownErrnoError extends InvalidInputError {
  constructor(readonly query: string, detail: string) {
    super(detail, [{ path: 'code', message: detail }], 'unknown-errno');
    this.name = 'UnknownErrnoError';
  }
}

// ---------- index ----------
const linuxByName = new Map(LINUX_ERRNOS.map((e) => [e.name, e]));
const linuxByNumber = new Map(LINUX_ERRNOS.map((e) => [e.number, e]));
/** alias -> canonical Linux name */
const canonical = new Map<string, string>();
for (const e of LINUX_ERRNOS) for (const a of e.aliases) canonical.set(a, e.name);
const canon = (name: string) => canonical.get(name) ?? name;
const bsdByName = new Map(BSD_ERRNOS.map((b) => [b.name, b]));
const wsaByName = new Map(WSA_ERRORS.map((w) => [w.name, w]));
/** Winsock codes also by their headers' other names (winerror.h's misspelt WSA_QOS_EUNKOWNPSOBJ). */
const wsaByAnyName = new Map([...wsaByName, ...WSA_ERRORS.flatMap((w) => w.aliases.map((a) => [a, w] as const))]);
const kernelByNumber = new Map(KERNEL_INTERNAL_ERRNOS.map((k) => [k.number, k]));
const resolverByLibuv = new Map(RESOLVER_ERRORS.filter((r) => r.libuv !== null).map((r) => [-r.libuv!, r]));
const resolverByGlibc = new Map(RESOLVER_ERRORS.filter((r) => r.glibc !== null).map((r) => [-r.glibc!, r]));
/** libuv's Windows UV_E* codes by absolute number (4077 -> ECONNRESET). */
const libuvWindowsByNumber = new Map(Object.entries(LIBUV_WINDOWS_ERRNOS).map(([name, n]) => [-n, name]));
/** libuv's UV_UNKNOWN (-4094): Node's err.errno for an error libuv has no name for. */
const UV_UNKNOWN = LIBUV_OWN_CODES.find((c) => c.name === 'UNKNOWN')!.number;
/**
 * Node's err.errno on Windows for an entry. With a Winsock twin: the number of the code libuv translates that Winsock
 * error to (uv_translate_sys_error, src/win/error.c; the twin's `node`), since err.code and err.errno come from the same
 * translation: WSAEPROTOTYPE is UV_UNKNOWN (-4094), WSAEINTR UV_ECANCELED (-4081), WSAESHUTDOWN UV_EPIPE (-4047).
 * Without one: libuv's code of its own name, or an alias's (Linux's EOPNOTSUPP is libuv's ENOTSUP).
 */
function libuvWindowsOf(name: string, aliases: readonly string[], wsa: WsaError | undefined): number | undefined {
  if (wsa) return wsa.node === 'UNKNOWN' ? UV_UNKNOWN : LIBUV_WINDOWS_ERRNOS[wsa.node];
  return [name, ...aliases].map((n) => LIBUV_WINDOWS_ERRNOS[n]).find((n) => n !== undefined);
}
/**
 * Winsock codes that carry a BSD errno's number but not its meaning: their own entry, not the POSIX twin's.
 * WSAEINPROGRESS (10036) is "a blocking operation is currently executing"; Windows' non-blocking connect() says WSAEWOULDBLOCK.
 */
const OWN_MEANING_ON_WINDOWS = new Set(['WSAEINPROGRESS']);
/** The POSIX error a Winsock code stands for: the table's, or the BSD errno it numbers (WSAEx = 10000 + x), as WSAEPROCLIM for EPROCLIM, which Linux lacks. */
function posixOf(w: WsaError): string | null {
  if (OWN_MEANING_ON_WINDOWS.has(w.name)) return null;
  if (w.posix) return w.posix;
  const b = w.name.startsWith('WSAE') ? bsdByName.get(w.name.slice(3)) : undefined;
  return b && b.freebsd !== null && w.number === 10000 + b.freebsd ? b.name : null;
}
const wsaByPosix = new Map<string, WsaError>();
for (const w of WSA_ERRORS) {
  const p = posixOf(w);
  if (p) wsaByPosix.set(canon(p), w);
}

function build(name: string): ErrnoExplanation {
  const lx = linuxByName.get(name);
  const wsa = wsaByPosix.get(name) ?? (name.startsWith('WSA') ? wsaByName.get(name) : undefined);
  // A Winsock-only entry's other names are its header aliases; an errno's are Linux's (EWOULDBLOCK for EAGAIN).
  const aliases = lx?.aliases ?? (name.startsWith('WSA') && wsa ? wsa.aliases : []);
  const bsd = bsdByName.get(name) ?? aliases.map((a) => bsdByName.get(a)).find(Boolean);
  const message = lx?.message ?? bsd?.message ?? wsa?.title.replace(/\.$/, '') ?? name;
  const wsaPosix = wsa ? posixOf(wsa) : null;
  const noteName = name.startsWith('WSA') && wsaPosix ? canon(wsaPosix) : name;
  const note = noteFor(noteName, name.startsWith('WSA') && wsa ? wsa.message.replace(/\.$/, '') : message);
  const macos = bsd?.macos ?? null;
  const aliasNumbers: NonNullable<ErrnoExplanation['aliasNumbers']> = [];
  for (const a of aliases) {
    const ab = bsdByName.get(a);
    if (!ab || ab === bsd) continue;
    const own = { name: a, ...(ab.freebsd !== null && ab.freebsd !== bsd?.freebsd ? { freebsd: ab.freebsd } : {}), ...(ab.macos !== null && ab.macos !== macos ? { macos: ab.macos } : {}) };
    if (own.freebsd !== undefined || own.macos !== undefined) aliasNumbers.push(own);
  }
  const libuvWindows = name.startsWith('WSA') ? undefined : libuvWindowsOf(name, aliases, wsa);
  return {
    name,
    ...(libuvWindows !== undefined ? { libuvWindows } : {}),
    message,
    aliases,
    numbers: { linux: lx?.number ?? null, freebsd: bsd?.freebsd ?? null, macos },
    ...(aliasNumbers.length ? { aliasNumbers } : {}),
    windows: wsa ? { name: wsa.name, number: wsa.number, title: wsa.title, message: wsa.message } : null,
    meaning: note.meaning,
    socketRelevant: note.socketRelevant,
    calls: note.calls ?? [],
    causes: note.causes ?? [],
    fixes: note.fixes ?? [],
    node: { linux: lx ? unixNodeCode(lx.node, lx.number) : null, macos: bsd && macos !== null ? unixNodeCode(bsd.node, macos) : null, windows: wsa?.node ?? null },
    python: { linux: lx?.python ?? null, macos: bsd && macos !== null ? bsd.python : null, windows: wsa?.python ?? null },
  };
}

/**
 * Node.js err.code for a socket call failing with errno `n` on Linux or macOS: libuv's name, or where libuv has none
 * (the tables' 'UNKNOWN'), what net and dgram errors carry, util.getSystemErrorName's 'Unknown system error -N' (an fs
 * call's error says 'UNKNOWN' instead). On Windows libuv turns an unnamed error into UV_UNKNOWN, whose name is 'UNKNOWN'.
 */
function unixNodeCode(name: string, n: number): string {
  return name === 'UNKNOWN' ? `Unknown system error -${n}` : name;
}

function buildKernelInternal(k: KernelInternalCode): ErrnoExplanation {
  const seen = k.strace
    ? `strace shows it at syscall exit as "= ? ${k.name} (${k.strace})"`
    : `ftrace's syscall exit events and kernel logs show it as -${k.number}; a leaked one prints as "Unknown error ${k.number}"`;
  return {
    name: k.name,
    kind: 'kernel-internal',
    message: k.message,
    aliases: [],
    numbers: { linux: k.number, freebsd: null, macos: null },
    windows: null,
    meaning: `Kernel-internal (include/linux/errno.h): should never reach user space; ${seen}. ${k.meaning}`,
    socketRelevant: false,
    calls: [],
    causes: [],
    fixes: [],
    // What a leaked code would give: libuv has no name (unixNodeCode), Python a plain OSError.
    node: { linux: unixNodeCode('UNKNOWN', k.number), macos: null, windows: null },
    python: { linux: 'OSError', macos: null, windows: null },
  };
}

/** The Winsock codes libuv turns into its UV_EAI_* on Windows (win/getaddrinfo.c, uv__getaddrinfo_translate_error); any other is a plain system error there. */
const LIBUV_WINDOWS_GAI = new Set(['WSATRY_AGAIN', 'WSAEINVAL', 'WSANO_RECOVERY', 'WSAEAFNOSUPPORT', 'WSA_NOT_ENOUGH_MEMORY', 'WSAHOST_NOT_FOUND', 'WSATYPE_NOT_FOUND', 'WSAESOCKTNOSUPPORT']);

function buildResolver(r: ResolverCode): ErrnoExplanation {
  const w = r.windows ? wsaByName.get(r.windows) : undefined;
  const nodeCode = r.libuv === null ? null : r.name === 'EAI_NONAME' || r.name === 'EAI_NODATA' ? 'ENOTFOUND' : r.name;
  const nodeWindows = w ? (LIBUV_WINDOWS_GAI.has(w.name) ? nodeCode : w.node) : null;
  return {
    name: r.name,
    kind: 'resolver',
    ...(r.libuv !== null ? { libuv: r.libuv } : {}),
    message: r.message,
    aliases: [],
    numbers: { linux: r.glibc, freebsd: r.freebsd, macos: r.macos },
    windows: w ? { name: w.name, number: w.number, title: w.title, message: w.message } : null,
    meaning: r.meaning,
    socketRelevant: Boolean(r.causes || r.fixes),
    calls: ['getaddrinfo', 'getnameinfo'],
    causes: r.causes ?? [],
    fixes: r.fixes ?? [],
    node: { linux: r.glibc !== null ? nodeCode : null, macos: r.macos !== null ? nodeCode : null, windows: nodeWindows },
    python: { linux: r.glibc !== null ? 'socket.gaierror' : null, macos: r.macos !== null ? 'socket.gaierror' : null, windows: w ? 'socket.gaierror' : null },
  };
}

/** Every error sockscope knows, by canonical name (Linux, then BSD-only, then Winsock-only, then kernel-internal and resolver codes). */
export const ALL_ERRORS: readonly ErrnoExplanation[] = (() => {
  const names: string[] = LINUX_ERRNOS.map((e) => e.name);
  for (const b of BSD_ERRNOS) if (!names.includes(canon(b.name))) names.push(b.name);
  for (const w of WSA_ERRORS) {
    const p = posixOf(w);
    if (!(p && names.includes(canon(p)))) names.push(w.name);
  }
  return [...names.map(build), ...KERNEL_INTERNAL_ERRNOS.map(buildKernelInternal), ...RESOLVER_ERRORS.map(buildResolver)];
})();
// The library exports ALL_ERRORS and the generated tables: a caller's `ALL_ERRORS[i].message = 'x'` changed every later
// explainErrno() (its matches are built from these entries). Frozen all the way down, as SOCKET_OPTIONS is.
for (const table of [ALL_ERRORS, LINUX_ERRNOS, BSD_ERRNOS, WSA_ERRORS, ERRNO_PLATFORMS]) deepFreeze(table);
const byName = new Map(ALL_ERRORS.map((e) => [e.name, e]));

function resolveName(raw: string): ErrnoExplanation | undefined {
  const n = raw.toUpperCase();
  const direct = byName.get(canon(n)) ?? byName.get(NODE_RESOLVER_CODES[n] ?? '');
  if (direct) return direct;
  const w = wsaByAnyName.get(n);
  const p = w ? posixOf(w) : null;
  if (w) return p ? byName.get(canon(p)) : byName.get(w.name);
  return undefined;
}

/** The number of `e` on `platform`; `query` picks an alias with its own BSD number (macOS ENOTSUP 45 beside EOPNOTSUPP 102). */
export function numberOn(e: ErrnoExplanation, platform: ErrnoPlatform, query?: string): PlatformNumber {
  const at = (p: ErrnoPlatform): { name: string; number: number | null } => {
    if (p === 'windows') return e.windows ? { name: e.windows.name, number: e.windows.number } : { name: e.name, number: null };
    const alias = p !== 'linux' && query ? e.aliasNumbers?.find((a) => a.name === query.toUpperCase() && a[p] !== undefined) : undefined;
    return alias ? { name: alias.name, number: alias[p as 'macos' | 'freebsd']! } : { name: e.name, number: e.numbers[p] };
  };
  const elsewhere = ERRNO_PLATFORMS.filter((p) => p !== platform)
    .map((p) => ({ platform: p, ...at(p) }))
    .filter((x): x is { platform: ErrnoPlatform; name: string; number: number } => x.number !== null);
  return { platform, ...at(platform), elsewhere };
}

function readNumber(n: number, platform: ErrnoPlatform): string | undefined {
  if (platform === 'linux') return linuxByNumber.get(n)?.name ?? kernelByNumber.get(n)?.name;
  if (platform === 'windows') return WSA_ERRORS.find((w) => w.number === n)?.name;
  const field = platform === 'macos' ? 'macos' : 'freebsd';
  // prefer the name that Linux also uses (EAGAIN over EWOULDBLOCK), then the platform's own
  return BSD_ERRNOS.find((b) => b[field] === n)?.name;
}

/**
 * The longest query explainErrno reads. Every name is at most 26 characters and every message it searches at most 192
 * (a Winsock one, so a whole pasted message still matches); a longer query cannot match, and searching it cost
 * seconds (1,000,000 characters: 22.6 s) and echoed it back whole. Checked before any search; the echo is cut.
 */
export const ERRNO_QUERY_MAX_LENGTH = 256;
/** How much of a refused query the message shows. */
const ECHO_MAX = 32;

/** Error numbers are 32-bit (Windows codes are DWORDs); a longer one cannot be read without rounding it. */
const MAX_ERROR_NUMBER = 0xffffffff;

/**
 * Looks an error up. A bare number is read for `platform` (default: 10000 and above Windows, else Linux;
 * negative numbers, as in Node's err.errno, are read as their absolute value; libuv's resolver numbers such as
 * -3008, which no platform uses, as Node's err.errno of an EAI_* code; libuv's Windows numbers such as -4077, without
 * --platform or with windows, as Node's err.errno on Windows: UV_ECONNRESET). Throws UnknownErrnoError.
 */
export function explainErrno(code: string | number, opts: { platform?: ErrnoPlatform } = {}): ErrnoLookup {
  if (typeof code === 'string' && code.trim() === '') throw new UnknownErrnoError('', 'empty error code');
  if (typeof code === 'string' && code.trim().length > ERRNO_QUERY_MAX_LENGTH) {
    const text = code.trim();
    const echo = `${[...text.slice(0, ECHO_MAX * 2)].slice(0, ECHO_MAX).join('')}…`;
    throw new UnknownErrnoError(echo, `error code too long: ${text.length} characters, at most ${ERRNO_QUERY_MAX_LENGTH} (every error name, number and message is shorter); got ${JSON.stringify(echo)}`);
  }
  ErrnoQuerySchema.parse({ code, platform: opts.platform }); // library callers get a ZodError for a bad shape
  const query = String(code).trim();
  if (query === '') throw new UnknownErrnoError(query, 'empty error code');
  if (/^-?\d+$/.test(query)) {
    const n = Math.abs(Number(query));
    if (!(n <= MAX_ERROR_NUMBER)) throw new UnknownErrnoError(query, `'${query}' is not an error number: error numbers are at most ${MAX_ERROR_NUMBER} (32 bits)`);
    const platform = opts.platform ?? (n >= 10000 ? 'windows' : 'linux');
    const readings: NumberReading[] = [];
    for (const p of ERRNO_PLATFORMS) {
      const name = readNumber(n, p);
      if (name) readings.push({ platform: p, name });
    }
    // Node's err.errno on Windows: libuv's UV_E* (-4077), which no platform's errno uses.
    const uvWindows = query.startsWith('-') ? libuvWindowsByNumber.get(n) : undefined;
    if (uvWindows && (opts.platform === undefined || opts.platform === 'windows')) {
      const hit = resolveName(uvWindows);
      const reading = { name: `UV_${uvWindows}`, number: -n };
      if (hit) return { query, matchedBy: 'number', platform: 'windows', matches: [hit], readings, libuvWindowsReading: reading };
    }
    const own = query.startsWith('-') ? LIBUV_OWN_CODES.find((c) => c.number === -n) : undefined;
    if (own && !readings.length && (opts.platform === undefined || opts.platform === 'windows' || own.name !== 'ECHARSET')) {
      throw new UnknownErrnoError(query, `${query} is libuv's UV_${own.name} (Node.js err.code '${own.name}'): ${own.meaning}; it is no platform's error number`);
    }
    const name = readNumber(n, platform);
    const uv = resolverByLibuv.get(n);
    if (!name && uv && !opts.platform && !readings.length) {
      return { query, matchedBy: 'number', platform: null, matches: [byName.get(uv.name)!], readings, resolverReading: { name: uv.name, number: uv.libuv!, source: 'libuv' } };
    }
    if (!name) {
      const elsewhere = readings.map((r) => `${r.name} on ${r.platform}`).join(', ');
      const asNode = uvWindows ? `; ${query} is Node.js err.errno on Windows, libuv's UV_${uvWindows} (read as that with no platform given or with platform windows)` : '';
      throw new UnknownErrnoError(query, `no ${platform} error has number ${query.startsWith('-') ? `${n} (${query} read as ${n})` : n}` + (elsewhere ? ` (it is ${elsewhere}; give the platform to read it there: --platform on the command line, platform in the library and tasks)` : '') + asNode);
    }
    const hit = resolveName(name)!;
    // glibc's getaddrinfo() returns small negative numbers that Node's err.errno convention reads as errnos (-3: ESRCH).
    const gai = query.startsWith('-') && n <= 12 ? resolverByGlibc.get(n) : undefined;
    return { query, matchedBy: 'number', platform, matches: [hit], readings, ...(gai ? { resolverReading: { name: gai.name, number: gai.glibc!, source: 'glibc' as const } } : {}) };
  }
  const named = resolveName(query);
  if (named) return { query, matchedBy: 'name', platform: opts.platform ?? null, matches: [named], readings: [], ...(opts.platform ? { onPlatform: numberOn(named, opts.platform, query) } : {}) };

  const lower = query.toLowerCase();
  const py = ALL_ERRORS.filter((e) => [e.python.linux, e.python.windows].some((c) => c?.toLowerCase() === lower && c !== 'OSError'));
  if (py.length) return { query, matchedBy: 'python-class', platform: opts.platform ?? null, matches: py, readings: [], ...(opts.platform && py.length === 1 ? { onPlatform: numberOn(py[0], opts.platform) } : {}) };

  if (query.length < 3) throw new UnknownErrnoError(query, `'${query}' is not an error name or number; a message fragment needs at least 3 characters`);
  const texts = new Map<string, string[]>();
  const add = (name: string, ...t: (string | null | undefined)[]) => texts.set(name, [...(texts.get(name) ?? []), ...t.filter((x): x is string => !!x)]);
  for (const e of LINUX_ERRNOS) add(e.name, e.message, e.headerComment);
  for (const b of BSD_ERRNOS) add(canon(b.name), b.message);
  for (const w of WSA_ERRORS) {
    const p = posixOf(w);
    add(p ? canon(p) : w.name, w.title, w.message);
  }
  // Resolver codes by their gai_strerror() text (what programs print); kernel-internal ones by strace's text only.
  for (const r of RESOLVER_ERRORS) add(r.name, r.message);
  for (const k of KERNEL_INTERNAL_ERRNOS) add(k.name, k.strace);
  const hits: ErrnoExplanation[] = [];
  for (const [name, t] of texts) {
    if (t.some((s) => s.toLowerCase().includes(lower))) {
      const e = byName.get(name);
      if (e && !hits.includes(e)) hits.push(e);
    }
  }
  if (!hits.length) {
    const close = suggestNames(query);
    throw new UnknownErrnoError(query, `no error name, number or message matches '${query}'` + (close.length ? `; did you mean ${close.join(', ')}?` : ''));
  }
  hits.sort((a, b) => Number(b.socketRelevant) - Number(a.socketRelevant) || Number(!!a.kind) - Number(!!b.kind) || Math.abs(a.numbers.linux ?? 1e6) - Math.abs(b.numbers.linux ?? 1e6));
  return { query, matchedBy: 'message', platform: opts.platform ?? null, matches: hits, readings: [] };
}

// A Winsock-only code is both an error and a Winsock name: each name once, or a near miss is suggested twice.
const SUGGESTIBLE = [...new Set([...ALL_ERRORS.map((e) => e.name), ...WSA_ERRORS.map((w) => w.name), ...Object.keys(NODE_RESOLVER_CODES)])];
/** A query longer than this is more than 2 edits from every name: no suggestion, and no edit distance to compute. */
const SUGGEST_MAX_LENGTH = Math.max(...SUGGESTIBLE.map((n) => n.length)) + 2;

function suggestNames(query: string): string[] {
  if (query.length > SUGGEST_MAX_LENGTH) return [];
  const q = query.toUpperCase();
  return SUGGESTIBLE
    .map((n) => ({ n, s: editDistance(q, n) }))
    .filter((x) => x.s <= 2)
    .sort((a, b) => a.s - b.s)
    .slice(0, 3)
    .map((x) => x.n);
}
