// A text sparkline of recent samples, right-aligned so the newest sample is always in the last cell.

const BARS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` values as bars scaled between 0 and the maximum (a flat non-zero series shows mid
 * bars, all zeros the lowest). Missing history is blank so a new port does not fake a past.
 */
export function sparkline(values: readonly number[], width: number): string {
  const v = values.slice(-width);
  const max = Math.max(0, ...v);
  const bars = v.map((x) => {
    if (max === 0) return BARS[0];
    const i = Math.round((x / max) * (BARS.length - 1));
    return BARS[Math.max(0, Math.min(BARS.length - 1, i))];
  });
  return ' '.repeat(Math.max(0, width - bars.length)) + bars.join('');
}
