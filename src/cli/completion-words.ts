// Reading the words of a line being completed (pure): where a flag's value is being typed, and a flag's value given
// earlier on the line. completion.ts answers with them.

/** A flag whose value is being typed: its key in the option table, and what the completion must start with. */
export interface ValuePosition {
  key: string;
  /** Text kept in front of each value: `--io-model=` when flag and value are one word (zsh), else ''. */
  prefix: string;
  /** The value typed so far. */
  value: string;
}

/**
 * Finds the value position in the words on the line (the last one is being completed). Bash splits
 * `--flag=value` at '=' (COMP_WORDBREAKS), so `--flag = value` counts as well as `--flag value` and
 * `--flag=value`. `takesValue` answers for a flag name (without dashes) with its key, or undefined.
 */
export function valuePosition(words: readonly string[], takesValue: (name: string) => string | undefined): ValuePosition | undefined {
  const current = words.at(-1) ?? '';
  const joined = /^(--?[^-=][^=]*)=(.*)$/.exec(current);
  if (joined) {
    const key = takesValue(joined[1].replace(/^-+/, ''));
    return key ? { key, prefix: `${joined[1]}=`, value: joined[2] } : undefined;
  }
  // `--flag=<TAB>` in bash: COMP_WORDS ends with '=', but the word readline completes (and the script filters
  // with) is the empty text after it: answers are the bare values.
  const onEquals = current === '=';
  let before = words.length - 2;
  if (!onEquals && words[before] === '=' && before > 0) before--;
  const flag = words[before];
  if (before < 1 || !flag || !/^--?[^-]/.test(flag) || flag.includes('=')) return undefined;
  const key = takesValue(flag.replace(/^-+/, ''));
  if (!key) return undefined;
  return { key, prefix: '', value: onEquals ? '' : current };
}

/** The value of `--name` (or an alias) given on the line before the word being completed. */
export function flagValue(words: readonly string[], names: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < words.length - 1; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(words[i]);
    if (!m || !names.includes(m[1])) continue;
    if (m[2] !== undefined) found = m[2];
    else if (words[i + 1] === '=' && i + 2 < words.length - 1) found = words[i + 2];
    else if (i + 1 < words.length - 1) found = words[i + 1];
  }
  return found;
}
