// A flag given more than once: yargs joins the values into an array, which a parser would read as "1s,2s"
// (or --port 80 --port 81 as "80,81"). Import-light (duration.ts and options.ts, which every command loads at
// start-up, use it; so do the integer, port and size flags of generate-server).
import { UsageError } from './errors.js';

/** The flag's value, or a UsageError naming the flag and its values when it was given more than once ("it takes `what`"). */
export function givenOnce(flag: string, value: unknown, what: string): unknown {
  if (!Array.isArray(value)) return value;
  const times = value.length === 2 ? 'twice' : `${value.length} times`;
  throw new UsageError(`--${flag} given ${times} (${value.map((v) => `"${String(v)}"`).join(', ')}): it takes ${what}`);
}
