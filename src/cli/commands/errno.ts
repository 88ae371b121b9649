// `sockscope errno CODE`: what an errno / Winsock code means for socket code, on every platform.
import type { CommandModule } from 'yargs';
import type { ErrnoExplanation, ErrnoLookup, ErrnoPlatform } from '../../knowledge/errno.js';
import type * as ErrnoTables from '../../knowledge/errno.js';
import { UsageError } from '../errors.js';
import { printJson, withJsonFlag, type NamesMissingPositionals } from '../options.js';
import { COMMAND_HEADS } from './heads.js';

interface Args {
  code: string;
  platform?: ErrnoPlatform;
  json: boolean;
}

/** knowledge/errno.ts's list (the type keeps the two equal): the flag's choices without loading the errno tables. */
const ERRNO_PLATFORMS: typeof ErrnoTables.ERRNO_PLATFORMS = ['linux', 'macos', 'freebsd', 'windows'];

const PLATFORM_LABEL: Record<ErrnoPlatform, string> = { linux: 'Linux', macos: 'macOS', freebsd: 'FreeBSD', windows: 'Windows' };

/** Word-wraps `text` to `width` columns, every line prefixed by `indent` (first line by `first`). */
export function wrap(text: string, width: number, indent: string, first = indent): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = first;
  for (const w of words) {
    const prefixOnly = line === first || line === indent;
    if (!prefixOnly && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else line += (prefixOnly ? '' : ' ') + w;
  }
  lines.push(line);
  return lines.join('\n');
}

function numbersLine(e: ErrnoExplanation): string {
  const parts: string[] = [];
  if (e.numbers.linux !== null) parts.push(`${e.kind === 'resolver' ? 'Linux (glibc)' : 'Linux'} ${e.numbers.linux}`);
  // An alias with its own number on a BSD (macOS ENOTSUP 45 beside EOPNOTSUPP 102) is named next to it.
  const own = (p: 'freebsd' | 'macos') => (e.aliasNumbers ?? []).filter((a) => a[p] !== undefined).map((a) => `, ${a.name} ${a[p]}`).join('');
  if (e.numbers.freebsd !== null) parts.push(`FreeBSD ${e.numbers.freebsd}${own('freebsd')}`);
  if (e.numbers.macos !== null) parts.push(`macOS ${e.numbers.macos}${own('macos')}`);
  if (e.windows) parts.push(`Windows ${e.windows.name} ${e.windows.number}`);
  if (e.libuv !== undefined) parts.push(`Node.js err.errno ${e.libuv}`);
  return parts.join(' · ') || 'no number on Linux, BSD, macOS or Windows';
}

/**
 * Node's err.errno where libuv names the error: the negated errno on Linux and macOS, libuv's own UV_E* number on
 * Windows (include/uv/errno.h: -4077 for ECONNRESET). Empty when libuv has no Windows number for it.
 */
function nodeErrnos(e: ErrnoExplanation): string {
  if (e.libuvWindows === undefined || e.kind) return '';
  const parts: string[] = [];
  // One number on both (EPIPE 32): 'Linux/macOS -32', so that macOS is not left out.
  if (e.numbers.linux !== null && e.numbers.macos === e.numbers.linux) parts.push(`Linux/macOS ${-e.numbers.linux}`);
  else {
    if (e.numbers.linux !== null) parts.push(`Linux ${-e.numbers.linux}`);
    if (e.numbers.macos !== null) parts.push(`macOS ${-e.numbers.macos}`);
  }
  parts.push(`Windows ${e.libuvWindows}`);
  return `; err.errno ${parts.join(', ')}`;
}

function perPlatform(v: { linux: string | null; macos: string | null; windows: string | null }, quote: boolean): string {
  const q = (s: string) => (quote ? `'${s}'` : s);
  const parts: string[] = [];
  if (v.linux) parts.push(q(v.linux));
  if (v.macos && v.macos !== v.linux) parts.push(`macOS ${q(v.macos)}`);
  if (v.windows && v.windows !== v.linux) parts.push(`Windows ${q(v.windows)}`);
  else if (v.windows && !v.linux) parts.push(q(v.windows));
  if (v.linux && v.windows === v.linux) parts[0] += ' (also on Windows)';
  return parts.join(', ') || 'n/a';
}

/** What the `kind` line says: these are not errnos a program gets. */
const KIND_LABEL: Record<NonNullable<ErrnoExplanation['kind']>, string> = {
  'kernel-internal': 'kernel-internal code (include/linux/errno.h): should never reach user space',
  resolver: 'resolver error: a getaddrinfo()/getnameinfo() return value (gai_strerror), not an errno',
};

/** Full text for one error. */
export function formatExplanation(e: ErrnoExplanation, width = 100): string {
  const out: string[] = [];
  out.push(`${e.name}: ${e.message}${e.aliases.length ? `  (also ${e.aliases.join(', ')})` : ''}`);
  if (e.kind) out.push(`  kind      ${KIND_LABEL[e.kind]}`);
  out.push(`  numbers   ${numbersLine(e)}`);
  out.push(wrap(`err.code ${perPlatform(e.node, true)}${nodeErrnos(e)}`, width, '            ', '  Node.js   '));
  out.push(`  Python    ${perPlatform(e.python, false)}`);
  if (e.windows) out.push(wrap(`"${e.windows.message}"`, width, '            ', '  Windows   '));
  out.push('');
  out.push(wrap(e.meaning, width, '  ', 'Meaning: '));
  if (e.calls.length) out.push(wrap(e.calls.join(', '), width, '  ', 'Returned by: '));
  if (e.causes.length) {
    out.push('Common causes:');
    for (const c of e.causes) out.push(wrap(c, width, '    ', '  - '));
  }
  if (e.fixes.length) {
    out.push('What to do:');
    for (const f of e.fixes) out.push(wrap(f, width, '    ', '  - '));
  }
  return `${out.join('\n')}\n`;
}

/** The whole report: one error in full, or a list when a fragment matched several. */
export function formatLookup(r: ErrnoLookup, width = 100): string {
  let text = '';
  if (r.matches.length === 1) text = formatExplanation(r.matches[0], width);
  else {
    const rows = r.matches.map((e) => [e.name, e.numbers.linux ?? '-', e.numbers.macos ?? '-', e.windows?.number ?? '-', e.message].map(String));
    const head = ['NAME', 'LINUX', 'MACOS', 'WINDOWS', 'MESSAGE'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const fmt = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(w[i]))).join('  ');
    text = `${r.matches.length} errors match '${r.query}':\n${[head, ...rows].map(fmt).join('\n')}\nRun \`sockscope errno NAME\` for one of them.\n`;
  }
  // --platform with a name: its number there, or (first, so that it is not missed) that the platform has none.
  const on = r.onPlatform;
  if (on && on.number !== null) text += `\nOn ${PLATFORM_LABEL[on.platform]}: ${on.name} = ${on.number}.\n`;
  else if (on) {
    const where = on.elsewhere.map((x) => `${PLATFORM_LABEL[x.platform]} ${x.name === on.name ? '' : `${x.name} `}${x.number}`).join(', ');
    text = `${wrap(`${on.name} has no ${PLATFORM_LABEL[on.platform]} number: ${PLATFORM_LABEL[on.platform]} does not define it${where ? `; it exists on ${where}` : ''}.`, width, '')}\n\n${text}`;
  }
  const uw = r.libuvWindowsReading;
  if (uw) {
    const code = uw.name.slice(3); // err.code is libuv's name for err.errno (uv_err_name)
    text = `${wrap(`Read as a Node.js err.errno on Windows: libuv's ${uw.name} (${uw.number}), which Node.js reports as err.code '${code}' (on Linux and macOS err.errno is the negated errno).`, width, '')}\n\n${text}`;
  }
  const rr = r.resolverReading;
  if (rr?.source === 'libuv') text = `Read as a Node.js err.errno: libuv's UV_${rr.name} (${rr.number}), a resolver error.\n\n${text}`;
  else if (rr) text += `\nAs a getaddrinfo() return value (glibc), ${rr.number} is ${rr.name}: sockscope errno ${rr.name}.\n`;
  if (r.matchedBy === 'number' && r.platform) {
    const other = r.readings.filter((x) => x.platform !== r.platform && x.name !== r.matches[0]?.name && !(r.matches[0]?.windows?.name === x.name));
    if (other.length)
      text += `\nRead as ${PLATFORM_LABEL[r.platform]}. The same number elsewhere: ${other.map((x) => `${PLATFORM_LABEL[x.platform]} ${x.name}`).join(', ')} (use --platform).\n`;
  }
  return text;
}

export const errnoCommand: CommandModule<object, Args> & NamesMissingPositionals = {
  ...COMMAND_HEADS.errno,
  builder: (y) =>
    withJsonFlag(
      y
        .positional('code', { type: 'string', describe: 'Name (ECONNRESET, WSAECONNRESET), number (104, 10054) or message fragment', demandOption: true })
        .option('platform', {
          type: 'string',
          choices: ERRNO_PLATFORMS as unknown as string[],
          describe: 'How to read a number (default: 10000+ Windows, otherwise Linux)',
        }),
    )
      .example('$0 errno ECONNRESET', 'meaning, causes and fixes')
      .example('$0 errno 54 --platform macos', 'macOS numbering (ECONNRESET is 54 there)')
      .example('$0 errno "reset by peer"', 'search the messages') as never,
  missingPositionals: (words) =>
    words.length === 0 ? 'errno needs a CODE: a name (ECONNRESET, WSAECONNRESET), a number (104, 10054) or a message fragment, e.g. sockscope errno ECONNRESET' : undefined,
  handler: async (argv) => {
    // The errno tables load here only (dynamic import keeps every other command's start-up light).
    const { explainErrno, UnknownErrnoError } = await import('../../knowledge/errno.js');
    let r: ErrnoLookup;
    try {
      r = explainErrno(String(argv.code), { platform: argv.platform });
    } catch (err) {
      if (err instanceof UnknownErrnoError) throw new UsageError(err.message);
      throw err;
    }
    if (argv.json) printJson(r);
    else process.stdout.write(formatLookup(r, Math.min(100, process.stdout.columns || 100)));
  },
};
