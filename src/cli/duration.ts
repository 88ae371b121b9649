// Strict parsing of duration flags such as --interval 5s, 500ms, 2m (bad units: UsageError, exit 2).
import { parseHostPort } from '../knowledge/host-port.js';
import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Parses "500ms", "5s", "1.5s", "2m", "1h" or a bare number of milliseconds into ms. A signed one ("-5s")
 * is read too, to be refused with the flag's range. Every flag parsed here is declared with `nargs: 1`:
 * without it yargs reads `--interval -5s` as the short flags -5 and -s ("Unknown arguments: 5, s").
 */
export function parseDuration(flag: string, value: unknown, opts: { minMs?: number; maxMs?: number } = {}): number {
  const text = String(value).trim();
  const m = /^([-+]?\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?$/.exec(text);
  if (!m) throw new UsageError(`--${flag} must be a duration such as 500ms, 5s or 2m, got "${text}"`);
  const ms = Number(m[1]) * (m[2] ? UNITS[m[2]] : 1);
  const min = opts.minMs ?? 1;
  const max = opts.maxMs ?? 24 * 3_600_000;
  if (ms < min || ms > max) throw new UsageError(`--${flag} must be between ${min} ms and ${max / 1000} s, got "${text}"`);
  return Math.round(ms);
}

/**
 * Parses HOST:PORT, [v6]:PORT or PORT (host defaulting to `defaultHost`) as `try listen` reads ADDRESS
 * (parseHostPort, port 0-65535: 0 asks the kernel for a free one, useful in tests; the chosen port is
 * printed). The error names the flag and what is wrong: the port missing from "[::1]" or "[::1]:", the flag
 * given twice (yargs joins the two into an array) - not "write IPv6 addresses in brackets" for all of them.
 */
export function parseListenAddress(flag: string, value: unknown, defaultHost = '127.0.0.1'): { host: string; port: number } {
  if (Array.isArray(value)) throw new UsageError(`--${flag} given ${value.length === 2 ? 'twice' : `${value.length} times`} (${value.map((v) => `"${String(v)}"`).join(', ')}): it takes one HOST:PORT`);
  const text = String(value).trim();
  // A port alone binds the default host.
  if (/^\d+$/.test(text)) {
    if (Number(text) > 65535) throw new UsageError(`--${flag}: port must be 0-65535, got '${text}'`);
    return { host: defaultHost, port: Number(text) };
  }
  // "[::1]:" and "127.0.0.1:": the port is missing, which parseHostPort words as an out-of-range ''.
  if (text.endsWith(':') && text.length > 1) throw new UsageError(`--${flag}: '${text}' has no port after the ':' (e.g. ${text}9464)`);
  // An address or a name alone ("127.0.0.1", "localhost"): the port is missing too.
  if (!text.includes(':') && /^[A-Za-z0-9._-]+$/.test(text)) throw new UsageError(`--${flag}: '${text}' has no port: write ${text}:PORT (e.g. ${text}:9464)`);
  const hp = parseHostPort(text, { allowZero: true });
  if ('error' in hp) throw new UsageError(`--${flag}: ${hp.error}`);
  return hp;
}
