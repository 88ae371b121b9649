// Pure parser for the output of the fixed remote script (src/collect/remote.ts): sections split by marker lines.
import { SYSCTL_NAMES, type KernelCounters, type Sysctls } from '../model/snapshot.js';
import { parseNetstatCounters, parseSockstat } from './proc-counters.js';

export const REMOTE_MARKER = '@@sockscope@@';

/** What the script's sections other than ss's say (the collector reads the ss sections itself, run by run). */
export interface RemoteBundle {
  hostname: string;
  kernel: string;
  counters: KernelCounters;
  sysctls: Sysctls;
  /** The `end` section was seen: the script ran to its last line. */
  complete: boolean;
  /** Sections whose header came more than once (the output cannot be trusted). */
  repeated: string[];
}

/** The header line of a section: the marker, this run's nonce, the name. */
export function sectionHeader(nonce: string, name: string): string {
  return `${REMOTE_MARKER} ${nonce} ${name}`;
}

/**
 * Splits "@@sockscope@@ NONCE NAME" sections; text before the first header is ignored, also on the first
 * header's own line (text the login printed without a newline). After it, only a whole line
 * with this run's nonce is a header: ss prints unix socket paths raw, so a path with a newline and
 * "@@sockscope@@ ss-exit" in it is a line of the ss section, not a boundary. A section's text is what
 * the script wrote between two headers without the newline that ends it.
 */
export function splitSections(text: string, nonce: string): { sections: Map<string, string>; repeated: string[] } {
  const sections = new Map<string, string>();
  const repeated: string[] = [];
  const prefix = `${REMOTE_MARKER} ${nonce} `;
  let name: string | null = null;
  let buf: string[] = [];
  const close = () => {
    if (name === null) return;
    if (sections.has(name)) repeated.push(name);
    else sections.set(name, buf.join('\n'));
  };
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // the newline that ends the last line
  for (const line of lines) {
    // Before the first header, one may end a line of text the login printed without a newline (an xterm
    // title): the nonce is the script's secret, so only the script writes it. After it, whole lines only.
    const at = name === null ? line.lastIndexOf(prefix) : line.startsWith(prefix) ? 0 : -1;
    if (at >= 0 && /^[a-z-]+$/.test(line.slice(at + prefix.length))) {
      close();
      name = line.slice(at + prefix.length);
      buf = [];
    } else if (name !== null) buf.push(line);
  }
  close();
  return { sections, repeated };
}

/** Splits and parses the whole output (tests; the collector splits once and calls parseRemoteSections). */
export function parseRemoteBundle(text: string, nonce: string): RemoteBundle {
  const { sections, repeated } = splitSections(text, nonce);
  return { ...parseRemoteSections(sections), repeated };
}

/**
 * Parses the split sections; missing ones become unknown values, never errors (the caller judges
 * `complete` and `repeated`). The collector hands over the Map it already split: splitting a 100,000-line
 * ss section again took another 80-110 ms per refresh.
 */
export function parseRemoteSections(s: ReadonlyMap<string, string>, repeated: string[] = []): RemoteBundle {
  const sysctls = Object.fromEntries(SYSCTL_NAMES.map((n) => [n, null])) as Sysctls;
  for (const line of (s.get('sysctl') ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq) as (typeof SYSCTL_NAMES)[number];
    const value = line.slice(eq + 1).trim();
    if ((SYSCTL_NAMES as readonly string[]).includes(name) && value !== '') sysctls[name] = value.replace(/\s+/g, ' ');
  }
  const opt = (k: string) => (s.has(k) && s.get(k)!.trim() !== '' ? s.get(k)! : null);
  const netstat = opt('netstat');
  const snmp = opt('snmp');
  const sockstat = opt('sockstat');
  return {
    // Each in a section of its own: a hostname may hold a newline (sethostname takes any bytes), and
    // read as line 1 of `uname -n; uname -r` its second line became the kernel release.
    hostname: s.get('hostname') || 'unknown',
    kernel: s.get('kernel') || 'unknown',
    counters: {
      netstat: netstat == null ? null : parseNetstatCounters(netstat),
      snmp: snmp == null ? null : parseNetstatCounters(snmp),
      sockstat: sockstat == null ? null : parseSockstat(sockstat),
    },
    sysctls,
    complete: s.has('end'),
    repeated,
  };
}
