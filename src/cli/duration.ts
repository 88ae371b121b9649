// Strict parsing of duration flags such as --interval 5s, 500ms, 2m (bad units, no unit: UsageError, exit 2).
import { UsageError } from './errors.js';
import { givenOnce } from './given-once.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Parses "500ms", "5s", "1.5s", "2m", "1h" into ms. A bare number is refused naming the flag and asking for a
 * unit (0 and negative ones are refused with the flag's range): it used to be read as milliseconds without a
 * word, where watch -n reads seconds and htop -d tenths, so `--interval 60` was "must be between 100 ms and
 * 86400 s" and `--interval 500` ran every 500 ms. A config file's intervalMs is a number of ms and is not read
 * here. A signed one ("-5s") is read too, to be refused with the flag's range. Every flag parsed here is
 * declared with `nargs: 1`:
 * without it yargs reads `--interval -5s` as the short flags -5 and -s ("Unknown arguments: 5, s"). A flag given
 * twice is refused as such (not as the duration "1s,2s").
 */
export function parseDuration(flag: string, value: unknown, opts: { minMs?: number; maxMs?: number } = {}): number {
  const text = String(givenOnce(flag, value, 'one duration')).trim();
  const m = /^([-+]?\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?$/.exec(text);
  if (!m) throw new UsageError(`--${flag} must be a duration such as 500ms, 5s or 2m, got "${text}"`);
  const min = opts.minMs ?? 1;
  const max = opts.maxMs ?? 24 * 3_600_000;
  if (!m[2] && Number(m[1]) > 0) {
    const n = m[1]!.replace(/^\+/, '');
    // Only readings the flag takes are offered (`--interval 60`: 60s, not 60ms below export's 100 ms).
    const fits = n.length <= 10 ? (['s', 'ms'] as const).filter((u) => Number(n) * UNITS[u] >= min && Number(n) * UNITS[u] <= max).map((u) => `${n}${u}`) : [];
    const e = fits.length > 0 ? `give one, ${fits.join(' or ')}` : `give one (it takes ${min} ms to ${max / 1000} s)`;
    throw new UsageError(`--${flag} ${text} has no unit: ${e} (also m, h)`);
  }
  const ms = Number(m[1]) * (m[2] ? UNITS[m[2]] : 1);
  if (ms < min || ms > max) throw new UsageError(`--${flag} must be between ${min} ms and ${max / 1000} s, got "${text}"`);
  return Math.round(ms);
}
