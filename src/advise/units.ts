// Strict parsing of bandwidths, durations and sizes given on the command line (pure; errors name the flag).
import { briefText } from '../model/input-error.js';

/** What was typed, as an error quotes it: cut short (briefText), so that a megabyte of input is not echoed whole. */
const q = (s: string): string => briefText(s);

/** A value the user typed could not be understood; the message names the flag and the accepted forms. */
export class UnitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitError';
  }
}

const NUMBER = /^(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-zµ/]*)$/;

/** Bits-per-second units (tc style, SI multiples) and explicit bytes-per-second units. */
const BANDWIDTH_UNITS: Record<string, number> = {
  bit: 1 / 8,
  kbit: 1e3 / 8,
  mbit: 1e6 / 8,
  gbit: 1e9 / 8,
  tbit: 1e12 / 8,
  'bit/s': 1 / 8,
  'kbit/s': 1e3 / 8,
  'mbit/s': 1e6 / 8,
  'gbit/s': 1e9 / 8,
  'tbit/s': 1e12 / 8,
  'B/s': 1,
  'kB/s': 1e3,
  'KB/s': 1e3,
  'MB/s': 1e6,
  'GB/s': 1e9,
  'KiB/s': 1024,
  'MiB/s': 1024 ** 2,
  'GiB/s': 1024 ** 3,
};

const BANDWIDTH_FORMS = '10gbit, 100mbit, 1.5gbit/s, 125MB/s, 512KiB/s';

/**
 * Parses a bandwidth into bytes per second: "10gbit" -> 1.25e9. Units are required. Bits: bit, kbit, mbit,
 * gbit, tbit (any case, optional "/s"); bytes: B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s (case as written).
 * "bps"/"Gbps" are refused as ambiguous (tc reads bps as bytes, most people as bits).
 */
export function parseBandwidth(text: string, flag = '--bandwidth'): number {
  const t = String(text ?? '').trim();
  const m = NUMBER.exec(t);
  if (!m) throw new UnitError(`${flag} must be a number with a unit (${BANDWIDTH_FORMS}), got "${q(t)}"`);
  const n = Number(m[1]);
  const unitRaw = m[2];
  if (unitRaw === '') throw new UnitError(`${flag} needs a unit (${BANDWIDTH_FORMS}), got "${q(t)}"`);
  if (/bps$/i.test(unitRaw)) throw new UnitError(`${flag}: "${q(unitRaw)}" is ambiguous (bits or bytes?): write ${q(m[1])}${q(unitRaw.slice(0, -3).toLowerCase())}bit for bits or ${q(m[1])}${q(unitRaw.slice(0, -3).toUpperCase())}B/s for bytes`);
  const lower = unitRaw.toLowerCase();
  let factor: number | undefined;
  if (/^[kmgt]?bit(\/s)?$/.test(lower)) factor = BANDWIDTH_UNITS[lower];
  else factor = BANDWIDTH_UNITS[unitRaw];
  if (factor === undefined) throw new UnitError(`${flag}: unknown unit "${q(unitRaw)}" (use ${BANDWIDTH_FORMS}), got "${q(t)}"`);
  const v = n * factor;
  if (!(v > 0)) throw new UnitError(`${flag} must be greater than 0, got "${q(t)}"`);
  if (v > 1e13 / 8) throw new UnitError(`${flag} must be at most 10tbit, got "${q(t)}"`);
  return v;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000 };

/** Parses a duration into milliseconds: "80ms" -> 80, "1.5s" -> 1500, "250us" -> 0.25. A unit is required; 0 < d <= 60 s. */
export function parseDurationMs(text: string, flag = '--rtt'): number {
  const t = String(text ?? '').trim();
  const m = NUMBER.exec(t);
  if (!m) throw new UnitError(`${flag} must be a number with a unit (80ms, 0.5ms, 250us, 1.2s), got "${q(t)}"`);
  if (m[2] === '') throw new UnitError(`${flag} needs a unit (80ms, 0.5ms, 250us, 1.2s), got "${q(t)}"`);
  const f = DURATION_UNITS[m[2]];
  if (f === undefined) throw new UnitError(`${flag}: unknown unit "${q(m[2])}" (use ns, us, ms or s), got "${q(t)}"`);
  const v = Number(m[1]) * f;
  if (!(v > 0)) throw new UnitError(`${flag} must be greater than 0, got "${q(t)}"`);
  if (v > 60_000) throw new UnitError(`${flag} must be at most 60s, got "${q(t)}"`);
  return v;
}

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, KiB: 1024, M: 1024 ** 2, MiB: 1024 ** 2, G: 1024 ** 3, GiB: 1024 ** 3, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** Parses a byte size: "4MiB" -> 4194304, "65536" -> 65536, "1.5M" -> 1572864 (K/M/G are binary). Whole bytes, > 0. */
export function parseSize(text: string, flag = '--size'): number {
  const t = String(text ?? '').trim();
  const m = NUMBER.exec(t);
  if (!m) throw new UnitError(`${flag} must be a byte count with an optional unit (65536, 64KiB, 4MiB, 1GiB), got "${q(t)}"`);
  const f = SIZE_UNITS[m[2]];
  if (f === undefined) throw new UnitError(`${flag}: unknown unit "${q(m[2])}" (use B, KiB, MiB, GiB, kB, MB, GB), got "${q(t)}"`);
  const v = Math.round(Number(m[1]) * f);
  if (!(v > 0)) throw new UnitError(`${flag} must be greater than 0, got "${q(t)}"`);
  if (v > 2 ** 31 - 1) throw new UnitError(`${flag} must be below 2 GiB (a socket buffer is an int), got "${q(t)}"`);
  return v;
}
