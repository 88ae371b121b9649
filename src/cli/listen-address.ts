// export's --listen HOST:PORT. Apart from duration.ts, which every command loads at start-up: parseHostPort
// (knowledge/host-port.ts, with node:net) loads only when export runs.
import { parseHostPort } from '../knowledge/host-port.js';
import { UsageError } from './errors.js';
import { givenOnce } from './given-once.js';

/**
 * Parses HOST:PORT, [v6]:PORT or PORT (host defaulting to `defaultHost`) as `try listen` reads ADDRESS
 * (parseHostPort, port 0-65535: 0 asks the kernel for a free one, useful in tests; the chosen port is
 * printed). The error names the flag and what is wrong: the port missing from "[::1]" or "[::1]:", the flag
 * given twice (yargs joins the two into an array) - not "write IPv6 addresses in brackets" for all of them.
 */
export function parseListenAddress(flag: string, value: unknown, defaultHost = '127.0.0.1'): { host: string; port: number } {
  const text = String(givenOnce(flag, value, 'one HOST:PORT')).trim();
  // A port alone binds the default host.
  if (/^\d+$/.test(text)) return { host: defaultHost, port: portNumber(flag, text) };
  // The port after a host, by the same rule: "127.0.0.1:019941" was refused as out of range (parseHostPort takes
  // at most 5 digits) where "019941" alone was 19941. Leading zeros are read as analyze's --port reads them.
  const m = /^(\[[^\]]*\]|[^:[\]]*):(\d+)$/.exec(text);
  if (m) {
    const hp = parseHostPort(`${m[1]}:${portNumber(flag, m[2]!)}`, { allowZero: true });
    if ('error' in hp) throw new UsageError(`--${flag}: ${hp.error}`);
    return hp;
  }
  // "[::1]:" and "127.0.0.1:": the port is missing, which parseHostPort words as an out-of-range ''.
  if (text.endsWith(':') && text.length > 1) throw new UsageError(`--${flag}: '${text}' has no port after the ':' (e.g. ${text}9464)`);
  // An address or a name alone ("127.0.0.1", "localhost"): the port is missing too.
  if (!text.includes(':') && /^[A-Za-z0-9._-]+$/.test(text)) throw new UsageError(`--${flag}: '${text}' has no port: write ${text}:PORT (e.g. ${text}:9464)`);
  const hp = parseHostPort(text, { allowZero: true });
  if ('error' in hp) throw new UsageError(`--${flag}: ${hp.error}`);
  return hp;
}

/** A port typed in decimal, 0-65535, leading zeros allowed (as parsePort reads --port); a UsageError naming the flag otherwise. */
function portNumber(flag: string, digits: string): number {
  const n = Number(digits);
  if (n > 65535) throw new UsageError(`--${flag}: port must be 0-65535, got '${digits}'`);
  return n;
}
