// Checks on the raw flag words that yargs does not make: an on/off flag's value, a single-valued flag given twice.
import { UsageError } from './errors.js';
import { givenOnce, takes } from './given-once.js';

/**
 * yargs reads `--json=<anything>` on a boolean flag as `=== 'true'`, so `--json=maybe` (or =TRUE, =1)
 * silently became false. A boolean flag given with a value accepts exactly true or false: anything else
 * is bad input naming the flag. Its off form takes no value: yargs called `--no-color=true` an unknown
 * argument. And an on/off flag is given one way: `--reuseaddr --no-reuseaddr` (or `--json --json=false`)
 * let the last one win, so the pair is refused naming both; `--json --json` means the same and passes.
 * yargs also takes the word after a boolean flag as its value when it is `true` or `false` (`--json false` is
 * off), so that word is read as the flag's value here too: `--json --json false` is a pair, `--no-json --json
 * false` is not. Looked up in the raw words, since yargs keeps only the boolean it made.
 * A flag that takes a value has no off form: `--no-output`, `--no-port` are refused naming the flag (yargs made
 * them --output=false).
 */
export function refuseBooleanValues(args: readonly string[], y: unknown): void {
  const options = (y as { getOptions?: () => { boolean?: string[]; alias?: Record<string, string[]>; key?: Record<string, unknown> } }).getOptions?.();
  const booleans = new Set(options?.boolean ?? []);
  const declared = new Set([...Object.keys(options?.key ?? {}), ...Object.entries(options?.alias ?? {}).flatMap(([n, a]) => [n, ...a])]);
  // --dualStack is yargs' camel-case spelling of --dual-stack.
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const canonical = new Map<string, string>();
  for (const [name, aliases] of Object.entries(options?.alias ?? {})) for (const a of [name, ...aliases]) canonical.set(a, name);
  // An alias of an on/off flag is on/off too (`--no-h` was "-h takes a value" while -h was --help's alias); yargs
  // keys the group by either name ({ h: ['help'] }).
  for (const [name, aliases] of Object.entries(options?.alias ?? {})) if ([name, ...aliases].some((a) => booleans.has(a))) for (const a of [name, ...aliases]) booleans.add(a);
  const isBoolean = (name: string) => booleans.has(name) || booleans.has(kebab(name));
  const takesValue = (name: string) => !isBoolean(name) && (declared.has(name) || declared.has(kebab(name)));
  const given = new Map<string, { word: string; on: boolean }>();
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  for (let i = 0; i < flags.length; i++) {
    let word = flags[i];
    const m = /^--?([^=]+?)(?:=([\s\S]*))?$/.exec(word);
    if (!m || (!word.startsWith('--') && m[2] === undefined)) continue; // -xy is short flags, not a name
    let name = m[1];
    let on = true;
    const flag = m[2] === undefined ? word : word.slice(0, word.indexOf('='));
    // yargs' boolean-negation reads `--no-output` as --output=false on any flag, one that takes a value too: a
    // handler then got `false` for a path, a host or a port (a raw JS error, `ssh false`, `got "false"`).
    if (word.startsWith('--') && !isBoolean(name) && !declared.has(name) && name.startsWith('no-') && takesValue(name.slice(3))) {
      const base = name.slice(3);
      throw new UsageError(`${flag}: ${base.length === 1 ? '-' : '--'}${base} takes a value and has no off form`);
    }
    if (!isBoolean(name) && name.startsWith('no-') && isBoolean(name.slice(3))) {
      if (m[2] !== undefined) throw new UsageError(`${flag} takes no value: it turns --${name.slice(3)} off (give ${flag} alone, or --${name.slice(3)}=true or =false)`);
      name = name.slice(3);
      on = false;
    } else if (!isBoolean(name)) {
      continue;
    } else if (m[2] !== undefined) {
      if (m[2] !== 'true' && m[2] !== 'false') throw new UsageError(`${flag} is an on/off flag: its value can only be true or false, got "${m[2]}"`);
      on = m[2] === 'true';
    } else if (flags[i + 1] === 'true' || flags[i + 1] === 'false') {
      // `--json false`: yargs reads the next word as the value (only exactly true or false), not as a positional.
      on = flags[++i] === 'true';
      word = `${word} ${flags[i]}`;
    }
    if (!word.startsWith('--')) continue; // -x=true: checked above; short flags are not paired
    const key = canonical.get(name) ?? canonical.get(kebab(name)) ?? kebab(name);
    const first = given.get(key);
    if (first && first.on !== on) throw new UsageError(`${first.word} and ${word} given together: an on/off flag takes one value`);
    if (!first) given.set(key, { word, on });
  }
}

/**
 * yargs makes an array of a flag given more than once, and a flag that takes one value read it as something
 * else: `analyze --source ss --source procfs` ran with netlink, `errno --platform` twice printed zod's JSON,
 * `inspect-options --options` twice failed with "text.split is not a function". Flags declared as arrays
 * (--host) repeat by design, and an on/off flag given twice the same way means the same (on and off together
 * were refused before, by refuseBooleanValues); every other flag is given once.
 * Flags whose parser says it in its own words (givenOnce: "it takes one port") have said it already.
 */
export function refuseRepeatedFlags(parsed: Record<string, unknown>, declared: unknown): true {
  const options = declared as { key?: Record<string, unknown>; array?: string[]; boolean?: string[]; count?: string[] } | undefined;
  if (!options?.key) return true;
  const many = new Set([...(options.array ?? []), ...(options.boolean ?? []), ...(options.count ?? [])]);
  for (const name of Object.keys(options.key)) {
    const value = parsed[name];
    if (many.has(name) || !Array.isArray(value)) continue;
    givenOnce(name, value, takes(name));
  }
  return true;
}
