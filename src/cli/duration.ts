// Strict parsing of duration flags such as --interval 5s, 500ms, 2m (bad units: UsageError, exit 2).
import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** Parses "500ms", "5s", "1.5s", "2m", "1h" or a bare number of milliseconds into ms. */
export function parseDuration(flag: string, value: unknown, opts: { minMs?: number; maxMs?: number } = {}): number {
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?$/.exec(text);
  if (!m) throw new UsageError(`--${flag} must be a duration such as 500ms, 5s or 2m, got "${text}"`);
  const ms = Number(m[1]) * (m[2] ? UNITS[m[2]] : 1);
  const min = opts.minMs ?? 1;
  const max = opts.maxMs ?? 24 * 3_600_000;
  if (ms < min || ms > max) throw new UsageError(`--${flag} must be between ${min} ms and ${max / 1000} s, got "${text}"`);
  return Math.round(ms);
}

/** Parses HOST:PORT, [v6]:PORT or PORT (host defaulting to `defaultHost`). */
export function parseListenAddress(flag: string, value: unknown, defaultHost = '127.0.0.1'): { host: string; port: number } {
  const text = String(value).trim();
  let host = defaultHost;
  let portText = text;
  const v6 = /^\[([0-9a-fA-F:.%a-z]+)\]:(\d+)$/.exec(text);
  if (v6) {
    host = v6[1];
    portText = v6[2];
  } else if (text.includes(':')) {
    const i = text.lastIndexOf(':');
    host = text.slice(0, i);
    portText = text.slice(i + 1);
    if (host.includes(':')) throw new UsageError(`--${flag}: write IPv6 addresses in brackets, e.g. [::1]:9464, got "${text}"`);
  }
  // Port 0 asks the kernel for a free port (useful in tests; the chosen port is printed).
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--${flag} must be HOST:PORT with a port 0-65535, got "${text}"`);
  if (host === '') throw new UsageError(`--${flag} must be HOST:PORT, got "${text}"`);
  return { host, port: Number(portText) };
}
